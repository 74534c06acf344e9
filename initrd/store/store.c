/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Setting up the image store (store.h): a tmpfs of its own, or a local partition (ext4 or xfs,
 * made only on a blank one and only when asked), and the class directories bound onto /run.
 *
 * Bind mounts rather than symlinks: /run/machines stays a real directory, so systemd-tmpfiles'
 * "d /run/machines" lines, machinectl's image discovery and anything that refuses to follow
 * symlinks (chase() with CHASE_NOFOLLOW-like flags, O_NOFOLLOW) see what they would without
 * pullboot; and the pull engine's temporary + rename stays inside one mount.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup-blkid.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "mounts.h"
#include "pull/space.h"
#include "spawn-wait.h"
#include "store.h"

#define STORE_DEVICE_WAIT_MS 10000
#define STORE_FS_LABEL "pullboot-store"

static int mem_total(uint64_t *ret) {
        _cleanup_free_ char *text = NULL;
        int r = read_full_file("/proc/meminfo", 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        const char *p = strstr(text, "MemTotal:");
        unsigned long long kib;
        if (!p || sscanf(p, "MemTotal: %llu kB", &kib) != 1)
                return -EBADMSG;
        *ret = (uint64_t) kib * 1024;
        return 0;
}

static int mount_tmpfs_store(uint64_t needed) {
        uint64_t mem = 0, size;
        char options[64], a[32];
        int r;

        r = mem_total(&mem);
        if (r < 0)
                return log_error_errno(r, "cannot read MemTotal from /proc/meminfo to size the image store");
        size = store_tmpfs_size(mem, needed);
        snprintf(options, sizeof options, "mode=0755,size=%llu", (unsigned long long) size);
        if (mount("tmpfs", STORE_PATH, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0)
                return log_error_errno(-errno, "cannot mount a tmpfs on %s for the images", STORE_PATH);
        log_info("image store: tmpfs on %s, at most %s (RAM)", STORE_PATH, format_bytes(size, a, sizeof a));
        return 0;
}

/* libblkid's verdict on the partition: its file system type, "" when it carries no signature at
 * all (blank), or an error for several signatures. */
static int probe(const char *device, char *type, size_t size) {
        _cleanup_(blkid_free_probep) blkid_probe pr = blkid_new_probe_from_filename(device);
        const char *t = NULL;
        int r;

        if (!pr)
                return log_error_errno(errno > 0 ? -errno : -EIO, "cannot open %s to probe it", device);
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
        blkid_probe_enable_partitions(pr, 1);   /* a partition table counts as "not blank" too */
        r = blkid_do_safeprobe(pr);
        type[0] = 0;
        if (r == 0 && blkid_probe_lookup_value(pr, "TYPE", &t, NULL) == 0 && t)
                snprintf(type, size, "%s", t);
        else if (r == 0 && blkid_probe_lookup_value(pr, "PTTYPE", &t, NULL) == 0 && t)
                snprintf(type, size, "partition table %s", t);
        if (r == -2)
                return log_error_errno(-EMEDIUMTYPE, "%s carries signatures of several file systems; "
                                       "wipe it (wipefs -a) before using it as the image store", device);
        if (r < 0)
                return log_error_errno(-EIO, "cannot probe %s for a file system", device);
        return 0;
}

static int make_ext4(const char *device) {
        char *argv[] = { "mkfs.ext4", "-q", "-F", "-L", STORE_FS_LABEL, (char *) device, NULL };
        log_info("image store: making an ext4 file system on the blank %s (pullboot.store-format=yes)", device);
        int r = spawn_wait(argv);
        if (r < 0)
                return log_error_errno(r, "cannot run mkfs.ext4 (is it in the initrd? pullboot-mkinitrd adds "
                                       "it when the build host has e2fsprogs)");
        if (r != 0)
                return log_error_errno(-EIO, "mkfs.ext4 %s failed with status %d", device, r);
        return 0;
}

static int mount_disk_store(const struct store_spec *spec) {
        struct root_mount_options o = { .where = STORE_PATH, .timeout_ms = STORE_DEVICE_WAIT_MS, .dry_run = true };
        struct root_spec dev = spec->device;
        struct root_resolved res;
        char what[ROOT_WHAT_MAX], type[64];
        int r;

        (void) root_spec_format_what(&spec->device, what, sizeof what);
        /* Resolve only: the type is ours to decide (a blank partition has none). */
        snprintf(dev.fstype, sizeof dev.fstype, "unknown");
        r = root_mount(&dev, &o, &res);
        if (r < 0)
                return log_error_errno(r, "pullboot.store=%s: no such partition; check the name", what);
        r = probe(res.device, type, sizeof type);
        if (r < 0)
                return r;
        if (!type[0]) {
                if (!spec->format)
                        return log_error_errno(-EMEDIUMTYPE, "pullboot.store=%s: %s is blank; add "
                                               "pullboot.store-format=yes to make an ext4 file system on it",
                                               what, res.device);
                r = make_ext4(res.device);
                if (r < 0)
                        return r;
                snprintf(type, sizeof type, "ext4");
        } else if (strcmp(type, "ext4") != 0 && strcmp(type, "xfs") != 0)
                /* Never formatted over: it may hold someone's data. */
                return log_error_errno(-EMEDIUMTYPE, "pullboot.store=%s: %s holds %s, not ext4 or xfs; pullboot "
                                       "formats only blank partitions (wipefs -a it if it may go)", what,
                                       res.device, type);

        snprintf(dev.fstype, sizeof dev.fstype, "%s", type);
        dev.rw = 1;
        o.dry_run = false;
        r = root_mount(&dev, &o, &res);
        if (r < 0)
                return log_error_errno(r, "pullboot.store=%s: cannot mount %s on %s", what, res.device, STORE_PATH);
        if (res.read_only) {
                (void) umount2(STORE_PATH, MNT_DETACH);
                return log_error_errno(-EROFS, "pullboot.store=%s: %s is read-only", what, res.device);
        }
        log_info("image store: %s (%s) on %s, kept across boots", res.device, type, STORE_PATH);
        return 0;
}

/* "machines/NAME.raw" for "/run/machines/NAME.raw"; NULL for a target outside /run/CLASS/. */
static const char *class_relative(const char *target) {
        if (strncmp(target, "/run/", 5) != 0 || !strchr(target + 5, '/'))
                return NULL;
        return target + 5;
}

static int bind_class(const char *store_root, const char *prefix, const char *rel, bool dry_run) {
        char class[NAME_MAX + 1], src[PATH_MAX], dst[PATH_MAX];
        size_t n = strcspn(rel, "/");
        int r;

        if (n > NAME_MAX)
                return -ENAMETOOLONG;
        memcpy(class, rel, n);
        class[n] = 0;
        snprintf(src, sizeof src, "%s/%s", store_root, class);
        snprintf(dst, sizeof dst, "%s/run/%s", prefix, class);
        if ((r = mkdir_p(src, 0755)) < 0)
                return log_error_errno(r, "cannot create %s", src);
        if (dry_run || mounts_is_mount_point(dst) > 0)
                return 0;
        if ((r = mkdir_p(dst, 0755)) < 0)
                return log_error_errno(r, "cannot create %s", dst);
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
                return log_error_errno(-errno, "cannot bind the image store's %s onto %s", src, dst);
        if (!prefix[0])
                (void) store_mark_initrd_mount(dst);
        return 0;
}

void store_done(struct store *s) {
        for (size_t i = 0; i < s->n_keep; i++)
                free(s->keep[i]);
        free(s->keep);
        s->keep = NULL;
        s->n_keep = 0;
}

int store_setup(const struct store_spec *spec, char *const *targets, size_t n_targets, const char *prefix,
                bool dry_run, uint64_t needed, struct store *ret) {
        int r;

        *ret = (struct store) { .kind = spec->kind, .cache = spec->kind == STORE_DISK };
        prefix = prefix ?: "";
        ret->keep = calloc(n_targets ?: 1, sizeof(char *));
        if (!ret->keep)
                return -ENOMEM;
        for (size_t i = 0; i < n_targets; i++) {
                const char *rel = class_relative(targets[i]);
                if (rel && !(ret->keep[ret->n_keep++] = strdup(rel))) {
                        store_done(ret);
                        return -ENOMEM;
                }
        }

        /* A dry run writes below the prefix, as the images would land; the store is that /run. */
        if (dry_run) {
                snprintf(ret->root, sizeof ret->root, "%s/run", prefix);
                log_info("would set up the image store: %s on %s (dry run)", store_kind_to_string(spec->kind),
                         STORE_PATH);
        } else {
                snprintf(ret->root, sizeof ret->root, "%s", STORE_PATH);
                r = mkdir_p(STORE_PATH, 0755);
                if (r < 0) {
                        store_done(ret);
                        return log_error_errno(r, "cannot create %s", STORE_PATH);
                }
                r = spec->kind == STORE_DISK ? mount_disk_store(spec) : mount_tmpfs_store(needed);
                if (r < 0) {
                        store_done(ret);
                        return r;
                }
                if (!prefix[0])
                        (void) store_mark_initrd_mount(STORE_PATH);
        }
        for (size_t i = 0; i < ret->n_keep; i++) {
                r = bind_class(ret->root, prefix, ret->keep[i], dry_run);
                if (r < 0) {
                        store_done(ret);
                        return r;
                }
        }
        return 0;
}
