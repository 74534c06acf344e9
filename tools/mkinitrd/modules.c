/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup-kmod.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "initrd-modules.h"
#include "modules.h"
#include "spawn-wait.h"
#include "strv.h"

/* The list lives in initrd/init/modules.txt, shared with init and the initramfs-tools hook. */
const char *const modules_default[] = {
        PB_INITRD_MODULES,
        NULL,
};

void module_set_done(struct module_set *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->relpaths[i]);
        free(s->relpaths);
        *s = (struct module_set) {};
}

struct resolver {
        struct kmod_ctx *ctx;
        const char *moddir;
        struct module_set set;
        char **seen;
        size_t n_seen;
};


static int visit(struct resolver *rs, struct kmod_module *mod, int depth);

static int visit_list(struct resolver *rs, struct kmod_list *list, int depth) {
        struct kmod_list *it;
        kmod_list_foreach(it, list) {
                struct kmod_module *m = kmod_module_get_module(it);
                int r = visit(rs, m, depth + 1);
                kmod_module_unref(m);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int visit(struct resolver *rs, struct kmod_module *mod, int depth) {
        const char *name = kmod_module_get_name(mod);
        int r;

        if (depth > 64)
                return log_error_errno(-ELOOP, "module dependencies of %s nest too deeply", name);
        if (strv_contains(rs->seen, rs->n_seen, name))
                return 0;
        r = strv_extend(&rs->seen, &rs->n_seen, name);
        if (r < 0)
                return r;

        const char *path = kmod_module_get_path(mod);
        if (!path) {
                log_debug("module %s is built into the kernel", name);
                rs->set.n_builtin++;
                return 0;
        }
        size_t dl = strlen(rs->moddir);
        if (strncmp(path, rs->moddir, dl) != 0 || path[dl] != '/')
                return log_error_errno(-EINVAL, "module %s is at %s, outside %s", name, path, rs->moddir);
        r = strv_extend(&rs->set.relpaths, &rs->set.n, path + dl + 1);
        if (r < 0)
                return r;

        _cleanup_(kmod_module_unref_listp) struct kmod_list *deps = kmod_module_get_dependencies(mod);
        r = visit_list(rs, deps, depth);
        if (r < 0)
                return r;

        _cleanup_(kmod_module_unref_listp) struct kmod_list *pre = NULL;
        _cleanup_(kmod_module_unref_listp) struct kmod_list *post = NULL;
        if (kmod_module_get_softdeps(mod, &pre, &post) >= 0) {
                r = visit_list(rs, pre, depth);
                if (r >= 0)
                        r = visit_list(rs, post, depth);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int lookup(struct resolver *rs, const char *name, bool required) {
        _cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
        int r = kmod_module_new_from_lookup(rs->ctx, name, &list);
        if (r < 0)
                return log_error_errno(r, "cannot look up module %s in %s", name, rs->moddir);
        if (!list) {
                if (required) {
                        log_error("kernel module %s is neither in %s nor built in; check the name with "
                                  "modinfo -k KVER", name, rs->moddir);
                        return -ENOENT;
                }
                log_debug("module %s is not available for this kernel, skipped", name);
                return 0;
        }
        return visit_list(rs, list, 0);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int modules_resolve(const char *moddir, char *const *extra, size_t n_extra, bool defaults,
                    struct module_set *ret) {
        /* No modprobe.d: the host's blacklists and options must not change what the image holds.
         * The modules' own softdeps still apply (libkmod reads them from modules.softdep). */
        const char *no_config[] = { NULL };
        struct resolver rs = { .moddir = moddir };
        int r = 0;

        rs.ctx = kmod_new(moddir, no_config);
        if (!rs.ctx)
                return log_error_errno(-ENOMEM, "cannot set up libkmod for %s", moddir);
        r = kmod_load_resources(rs.ctx);
        if (r < 0) {
                log_error_errno(r, "cannot load the module indexes in %s; is it a modules directory with "
                                "modules.dep.bin (run depmod)?", moddir);
                goto out;
        }

        for (size_t i = 0; defaults && modules_default[i]; i++) {
                r = lookup(&rs, modules_default[i], false);
                if (r < 0)
                        goto out;
        }
        for (size_t i = 0; i < n_extra; i++) {
                r = lookup(&rs, extra[i], true);
                if (r < 0)
                        goto out;
        }
        if (rs.set.n > 1)
                qsort(rs.set.relpaths, rs.set.n, sizeof(char *), cmp_str);
        *ret = rs.set;
        rs.set = (struct module_set) {};
        r = 0;
out:
        module_set_done(&rs.set);
        for (size_t i = 0; i < rs.n_seen; i++)
                free(rs.seen[i]);
        free(rs.seen);
        kmod_unref(rs.ctx);
        return r;
}

static int copy_file(const char *src, const char *dst) {
        _cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        int r = mkdir_parents(dst, 0755);
        if (r < 0)
                return r;
        _cleanup_close_ int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (out < 0)
                return -errno;
        char buf[65536];
        for (;;) {
                ssize_t k = read(in, buf, sizeof buf);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return 0;
                r = write_full_fd(out, buf, (size_t) k);
                if (r < 0)
                        return r;
        }
}

/* modules.order with only the modules we ship, in the host's order (depmod orders modules.dep by
 * it; without it the order would depend on readdir), then any the host's file does not list. */
static int write_order(const char *moddir, const struct module_set *set, const char *dest) {
        _cleanup_free_ char *host_order = NULL, *text = NULL, *path = NULL;
        size_t text_size = 0;
        bool *listed = calloc(set->n ? set->n : 1, sizeof(bool));
        if (!listed)
                return -ENOMEM;

        if (asprintf(&path, "%s/modules.order", moddir) < 0) {
                free(listed);
                return -ENOMEM;
        }
        FILE *f = open_memstream(&text, &text_size);
        if (!f) {
                free(listed);
                return -ENOMEM;
        }
        if (read_full_file(path, 64 << 20, &host_order, NULL) >= 0)
                for (char *line = host_order, *next; line && *line; line = next) {
                        next = strchr(line, '\n');
                        if (next)
                                *next++ = 0;
                        for (size_t i = 0; i < set->n; i++)
                                if (!listed[i] && strcmp(set->relpaths[i], line) == 0) {
                                        listed[i] = true;
                                        fprintf(f, "%s\n", line);
                                }
                }
        for (size_t i = 0; i < set->n; i++)
                if (!listed[i])
                        fprintf(f, "%s\n", set->relpaths[i]);
        free(listed);
        if (fclose(f) != 0)
                return -ENOMEM;
        return write_file_atomic(dest, text, text_size, 0644);
}

static const char *find_depmod(void) {
        static const char *const candidates[] = { "/usr/sbin/depmod", "/sbin/depmod", "/usr/bin/depmod" };
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
                if (access(candidates[i], X_OK) == 0)
                        return candidates[i];
        return "depmod";
}

static int run_depmod(const char *staging, const char *config, const char *kver) {
        char *argv[] = { (char *) find_depmod(), (char *) "-b", (char *) staging, (char *) "-C", (char *) config,
                         (char *) kver, NULL };
        int r = spawn_wait(argv);
        if (r < 0)
                return log_error_errno(r, "cannot run depmod; install Debian's kmod package");
        if (r > 0) {
                log_error("depmod -b %s %s failed (status %d); see its messages above", staging, kver, r);
                return -EIO;
        }
        return 0;
}

/* Adds everything under dir (a staging directory) to the image at dest. */
static int add_tree(struct image *img, const char *dir, const char *dest) {
        DIR *d = opendir(dir);
        if (!d)
                return log_error_errno(-errno, "cannot read %s", dir);
        int r = image_add_dir(img, dest, 0755);
        struct dirent *de;
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *src = NULL, *dst = NULL;
                if (asprintf(&src, "%s/%s", dir, de->d_name) < 0 || asprintf(&dst, "%s/%s", dest, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                struct stat st;
                if (lstat(src, &st) < 0)
                        r = -errno;
                else if (S_ISDIR(st.st_mode))
                        r = add_tree(img, src, dst);
                else if (S_ISREG(st.st_mode)) {
                        r = image_add_file(img, dst, src);
                        if (r < 0)
                                log_error_errno(r, "cannot add %s to the image as %s", src, dst);
                }
        }
        if (r >= 0 && errno != 0)
                r = -errno;
        closedir(d);
        return r;
}

int modules_install(struct image *img, const char *moddir, const char *kver, const struct module_set *set,
                    const char *staging) {
        _cleanup_free_ char *root = NULL, *config = NULL, *dest = NULL, *order = NULL;
        int r;

        if (asprintf(&root, "%s/lib/modules/%s", staging, kver) < 0 ||
            asprintf(&config, "%s/depmod.d", staging) < 0 || asprintf(&order, "%s/modules.order", root) < 0 ||
            asprintf(&dest, "/lib/modules/%s", kver) < 0)
                return log_error_errno(-ENOMEM, "out of memory");
        /* An empty depmod configuration: the host's depmod.d must not change the indexes. */
        r = mkdir_p(root, 0755);
        if (r < 0 || (mkdir(config, 0755) < 0 && errno != EEXIST))
                return log_error_errno(r < 0 ? r : -errno, "cannot create the staging directory %s", root);

        for (size_t i = 0; i < set->n; i++) {
                _cleanup_free_ char *src = NULL, *dst = NULL;
                if (asprintf(&src, "%s/%s", moddir, set->relpaths[i]) < 0 ||
                    asprintf(&dst, "%s/%s", root, set->relpaths[i]) < 0)
                        return log_error_errno(-ENOMEM, "out of memory");
                r = copy_file(src, dst);
                if (r < 0)
                        return log_error_errno(r, "cannot copy %s to %s", src, dst);
        }
        static const char *const copied[] = { "modules.builtin", "modules.builtin.modinfo" };
        for (size_t i = 0; i < ELEMENTSOF(copied); i++) {
                _cleanup_free_ char *src = NULL, *dst = NULL;
                if (asprintf(&src, "%s/%s", moddir, copied[i]) < 0 || asprintf(&dst, "%s/%s", root, copied[i]) < 0)
                        return log_error_errno(-ENOMEM, "out of memory");
                r = copy_file(src, dst);
                if (r == -ENOENT)
                        log_warning("%s is missing; built-in modules will not be known in the initrd", src);
                else if (r < 0)
                        return log_error_errno(r, "cannot copy %s to %s", src, dst);
        }
        r = write_order(moddir, set, order);
        if (r < 0)
                return log_error_errno(r, "cannot write %s", order);

        r = run_depmod(staging, config, kver);
        if (r < 0)
                return r;
        return add_tree(img, root, dest);
}
