/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "cleanup-kmod.h"
#include "log.h"
#include "macro.h"
#include "modules.h"

/* A new driver can expose devices with their own modalias (a virtio bus, a PCI bridge): walk the
 * tree again while new modules keep appearing, but not forever. */
#define COLDPLUG_MAX_ROUNDS 4
/* sysfs nesting below /sys/devices rarely exceeds 15 levels; bound the recursion anyway. */
#define SYSFS_MAX_DEPTH 32

int modules_open(const char *dirname, struct kmod_ctx **ret) {
        char path[4096];
        struct utsname u;

        if (!dirname) {
                if (uname(&u) < 0)
                        return -errno;
                snprintf(path, sizeof path, "/lib/modules/%s", u.release);
                dirname = path;
        }
        if (access(dirname, F_OK) < 0)
                return -errno;

        _cleanup_(kmod_unrefp) struct kmod_ctx *ctx = kmod_new(dirname, NULL);
        if (!ctx)
                return -ENOMEM;
        /* Opening the indexes once saves re-reading them for each of the hundreds of aliases. */
        (void) kmod_load_resources(ctx);
        *ret = TAKE_PTR(ctx);
        return 0;
}

void modules_close(struct kmod_ctx *ctx) {
        if (ctx)
                kmod_unref(ctx);
}

static int insert_one(struct kmod_module *mod, bool dry_run, struct modules_stats *stats) {
        int state = kmod_module_get_initstate(mod);
        if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_COMING || state == KMOD_MODULE_BUILTIN)
                return 0;
        if (dry_run) {
                log_debug("would load %s", kmod_module_get_name(mod));
                if (stats)
                        stats->loaded++;
                return 0;
        }

        int r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, NULL, NULL, NULL, NULL);
        if (r == 0 || r == -EEXIST) {
                if (stats)
                        stats->loaded++;
                return 0;
        }
        if (stats)
                stats->failed++;
        /* ENODEV and friends: the driver found no device it can drive, which coldplug expects. */
        if (r == -ENODEV || r == -ENXIO)
                return 0;
        return log_warning_errno(r, "cannot load module %s", kmod_module_get_name(mod));
}

static int load_lookup(struct kmod_ctx *ctx, const char *alias, bool dry_run, struct modules_stats *stats,
                       bool *ret_found) {
        _cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
        struct kmod_list *it;
        int r, ret = 0;

        *ret_found = false;
        r = kmod_module_new_from_lookup(ctx, alias, &list);
        if (r < 0)
                return r;
        kmod_list_foreach(it, list) {
                struct kmod_module *mod = kmod_module_get_module(it);
                *ret_found = true;
                r = insert_one(mod, dry_run, stats);
                if (r < 0 && ret == 0)
                        ret = r;
                kmod_module_unref(mod);
        }
        return ret;
}

int modules_load(struct kmod_ctx *ctx, const char *name, bool dry_run, struct modules_stats *stats) {
        char path[256];
        bool found;
        int r;

        r = load_lookup(ctx, name, dry_run, stats, &found);
        if (r < 0 || found)
                return r;
        /* Built-in modules are listed in modules.builtin, which lookup does not report as a match
         * on older libkmod; /sys/module/NAME exists for those that have parameters. */
        snprintf(path, sizeof path, "/sys/module/%s", name);
        if (access(path, F_OK) == 0)
                return 0;
        return -ENOENT;
}

static unsigned walk(struct kmod_ctx *ctx, int dirfd, unsigned depth, bool dry_run, struct modules_stats *stats) {
        DIR *d = fdopendir(dirfd);
        struct dirent *de;
        unsigned before = stats->loaded;

        if (!d) {
                close(dirfd);
                return 0;
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (de->d_type == DT_REG && strcmp(de->d_name, "modalias") == 0) {
                        char alias[512];
                        bool found;
                        int fd = openat(dirfd, "modalias", O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                continue;
                        ssize_t n = read(fd, alias, sizeof alias - 1);
                        close(fd);
                        if (n <= 0)
                                continue;
                        alias[n] = '\0';
                        alias[strcspn(alias, "\n")] = '\0';
                        if (!alias[0])
                                continue;
                        stats->aliases++;
                        (void) load_lookup(ctx, alias, dry_run, stats, &found);
                } else if (de->d_type == DT_DIR && depth < SYSFS_MAX_DEPTH) {
                        /* Symlinks (subsystem, driver, device) are skipped by d_type: the real
                         * tree below devices/ reaches every device exactly once. */
                        int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (sub >= 0)
                                walk(ctx, sub, depth + 1, dry_run, stats);
                }
        }
        closedir(d);
        return stats->loaded - before;
}

int modules_coldplug(struct kmod_ctx *ctx, const char *sysfs, bool dry_run, struct modules_stats *stats) {
        struct modules_stats local = {};
        char path[4096];

        if (!stats)
                stats = &local;
        snprintf(path, sizeof path, "%s/devices", sysfs ?: "/sys");

        for (unsigned round = 0; round < COLDPLUG_MAX_ROUNDS; round++) {
                int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return log_error_errno(-errno, "cannot open %s", path);
                stats->aliases = 0;
                if (walk(ctx, fd, 0, dry_run, stats) == 0 || dry_run)
                        break;
        }
        return 0;
}
