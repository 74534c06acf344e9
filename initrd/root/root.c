/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resolving a root_spec to a device and mounting it (and gpt-auto's /usr) on /sysroot. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "devnode.h"
#include "dps.h"
#include "fileio.h"
#include "log.h"
#include "loop-partitions.h"
#include "cleanup-blkid.h"
#include "macro.h"
#include "mount-opts.h"
#include "partition-table.h"
#include "root.h"

#define ROOT_DEFAULT_TIMEOUT_MS 10000

static void blkid_put_cachep(blkid_cache *c) {
        if (*c)
                blkid_put_cache(*c);
}

static int copy_str(char *buf, size_t size, const char *s) {
        return snprintf(buf, size, "%s", s) >= (int) size ? -ENAMETOOLONG : 0;
}

static const char *basename_of(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

/* A block device node that exists now, with symlinks resolved. */
static int block_device_now(const char *path, char *buf, size_t size) {
        char real[PATH_MAX];
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISBLK(st.st_mode))
                return -ENOTBLK;
        if (!realpath(path, real))
                return -errno;
        return copy_str(buf, size, real);
}

/* UUID=, LABEL=, PARTUUID=, PARTLABEL= by probing the block devices the kernel lists. A fresh
 * cache each time, kept in memory only, so devices attached meanwhile are found. */
static int evaluate_tag(const char *token, const char *value, char *buf, size_t size) {
        _cleanup_(blkid_put_cachep) blkid_cache cache = NULL;

        if (blkid_get_cache(&cache, "/dev/null") < 0)
                return -ENOMEM;
        _cleanup_free_ char *dev = blkid_evaluate_tag(token, value, &cache);
        if (!dev && (strcmp(token, "UUID") == 0 || strcmp(token, "PARTUUID") == 0)) {
                /* libblkid reports GPT and most file system UUIDs in lowercase, FAT serials in
                 * uppercase; accept either spelling on the command line. */
                char alt[ROOT_WHAT_MAX];
                for (int upper = 0; !dev && upper <= 1; upper++) {
                        if (copy_str(alt, sizeof(alt), value) < 0)
                                return -ENOENT;
                        for (char *p = alt; *p; p++)
                                *p = upper ? (char) toupper((unsigned char) *p) : (char) tolower((unsigned char) *p);
                        if (strcmp(alt, value) != 0)
                                dev = blkid_evaluate_tag(token, alt, &cache);
                }
        }
        if (!dev)
                return -ENOENT;
        return block_device_now(dev, buf, size);
}

/* root=/dev/disk/by-loop-ref/REF[-partN] without the link (no udev, or it was removed): the
 * loop device whose lo_file_name is REF, found directly. */
static int resolve_loop_ref(const struct root_spec *spec, const char *dev_dir, char *buf, size_t size) {
        char whole[PATH_MAX], ref[ATTACH_REF_MAX + 1], part[PATH_MAX];
        const char *refs[] = { ref, NULL };
        unsigned partno;
        int r;

        r = root_spec_loop_ref(spec, ref, sizeof(ref), &partno);
        if (r <= 0)
                return -ENOENT;
        r = loop_find_by_ref(refs, dev_dir, whole, sizeof(whole));
        if (r < 0)
                return r;
        if (partno == 0)
                return block_device_now(whole, buf, size);
        r = partition_node_name(whole, partno, part, sizeof(part));
        if (r < 0)
                return r;
        return block_device_now(part, buf, size);
}

static int resolve_device_path(const struct root_spec *spec, const char *dev_dir, char *buf, size_t size) {
        int r;

        r = block_device_now(spec->what, buf, size);
        if (r != -ENOENT)
                return r;
        return resolve_loop_ref(spec, dev_dir, buf, size);
}

/* The partition node of disk, made known to the kernel if it did not scan the table. */
static int gpt_auto_partition(int fd, const char *disk, const struct dps_partition *parts, size_t n,
                              const struct dps_partition *p, const char *dev_dir, unsigned timeout_ms,
                              char *buf, size_t size) {
        char node[PATH_MAX];
        int r;

        r = disk_add_missing_partitions(fd, basename_of(disk), parts, n);
        if (r < 0)
                return r;
        r = partition_node_name(disk, p->partno, node, sizeof(node));
        if (r < 0)
                return r;
        return devnode_wait(dev_dir, basename_of(node), timeout_ms, buf, size);
}

static int resolve_gpt_auto(const struct root_mount_options *opts, const char *dev_dir, unsigned timeout_ms,
                            struct root_resolved *res) {
        static const char *const refs[] = { "rootdisk", "rootdisk.raw", NULL };
        _cleanup_free_ struct dps_partition *parts = NULL;
        _cleanup_close_ int fd = -EBADF;
        char disk[PATH_MAX], type_str[PB_GUID_STRING_LEN + 1];
        pb_guid root_type, usr_type;
        size_t n = 0;
        int r, i;

        r = dps_type_native(DPS_ROOT, &root_type);
        if (r < 0)
                return log_error_errno(r, "root=gpt-auto: no root partition type is defined for this architecture");
        (void) dps_type_native(DPS_USR, &usr_type);

        if (opts->gpt_auto_disk)
                r = copy_str(disk, sizeof(disk), opts->gpt_auto_disk);
        else
                for (uint64_t deadline = now_ms() + timeout_ms;;) {
                        r = loop_find_by_ref((const char *const *) refs, dev_dir, disk, sizeof(disk));
                        if (r != -ENOENT || now_ms() >= deadline)
                                break;
                        poll_pause();
                }
        if (r == -ENOTUNIQ)
                return log_error_errno(r, "root=gpt-auto: several loop devices carry the reference 'rootdisk'; "
                                       "detach the stale ones");
        if (r < 0)
                return log_error_errno(r, "root=gpt-auto: no loop device with reference 'rootdisk' or 'rootdisk.raw'; "
                                       "attach the image with 'pullboot attach --ref rootdisk'");

        fd = open(disk, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return log_error_errno(-errno, "root=gpt-auto: cannot open %s", disk);
        r = partition_table_read(fd, &parts, &n);
        if (r < 0)
                return log_error_errno(r, "root=gpt-auto: cannot read the partition table of %s", disk);

        i = dps_pick(parts, n, &root_type);
        if (i < 0) {
                pb_guid_format(&root_type, type_str, sizeof(type_str));
                return log_error_errno(-ENOENT, "root=gpt-auto: %s has no usable root partition (type %s, "
                                       "without the no-auto flag, not labelled _empty) among %zu partitions",
                                       disk, type_str, n);
        }
        r = gpt_auto_partition(fd, disk, parts, n, parts + i, dev_dir, timeout_ms, res->device, sizeof(res->device));
        if (r < 0)
                return log_error_errno(r, "root=gpt-auto: partition %u of %s did not appear", parts[i].partno, disk);
        res->read_only = res->read_only || (parts[i].attrs & DPS_FLAG_READ_ONLY);
        log_info("root=gpt-auto: root partition %u%s%s%s of %s", parts[i].partno,
                 parts[i].label[0] ? " (\"" : "", parts[i].label, parts[i].label[0] ? "\")" : "", disk);

        i = dps_pick(parts, n, &usr_type);
        if (i >= 0) {
                r = gpt_auto_partition(fd, disk, parts, n, parts + i, dev_dir, timeout_ms,
                                       res->usr_device, sizeof(res->usr_device));
                if (r < 0)
                        return log_error_errno(r, "root=gpt-auto: usr partition %u of %s did not appear",
                                               parts[i].partno, disk);
                res->usr_read_only = res->usr_read_only || (parts[i].attrs & DPS_FLAG_READ_ONLY);
                log_info("root=gpt-auto: usr partition %u of %s", parts[i].partno, disk);
        }
        return 0;
}

static int resolve(const struct root_spec *spec, const struct root_mount_options *opts, struct root_resolved *res) {
        const char *dev_dir = opts->dev_dir ?: "/dev";
        unsigned timeout_ms = opts->timeout_ms ?: ROOT_DEFAULT_TIMEOUT_MS;
        char what[ROOT_WHAT_MAX + 16];
        struct stat st;
        int r;

        (void) root_spec_format_what(spec, what, sizeof(what));

        switch (spec->kind) {
        case ROOT_UNSET:
                return log_error_errno(-ENODATA, "no root= on the kernel command line; "
                                       "pass root=gpt-auto, root=bind:PATH or a device");
        case ROOT_GPT_AUTO:
                return resolve_gpt_auto(opts, dev_dir, timeout_ms, res);
        case ROOT_TMPFS:
                return copy_str(res->device, sizeof(res->device), "tmpfs");
        case ROOT_BIND:
                if (stat(spec->what, &st) < 0)
                        return log_error_errno(-errno, "root=%s: cannot access the directory", what);
                if (!S_ISDIR(st.st_mode))
                        return log_error_errno(-ENOTDIR, "root=%s: not a directory", what);
                return copy_str(res->device, sizeof(res->device), spec->what);
        default:
                break;
        }

        static const char *const tokens[_ROOT_KIND_MAX] = {
                [ROOT_UUID] = "UUID", [ROOT_PARTUUID] = "PARTUUID",
                [ROOT_LABEL] = "LABEL", [ROOT_PARTLABEL] = "PARTLABEL",
        };
        /* The device may still be on its way (a slow disk, a loop device attached by another
         * process), as systemd waits for the device unit. */
        for (uint64_t deadline = now_ms() + timeout_ms;;) {
                if (spec->kind == ROOT_DEVICE)
                        r = resolve_device_path(spec, dev_dir, res->device, sizeof(res->device));
                else
                        r = evaluate_tag(tokens[spec->kind], spec->what, res->device, sizeof(res->device));
                if (r >= 0 || (r != -ENOENT && r != -ENXIO) || now_ms() >= deadline)
                        break;
                poll_pause();
        }
        if (r == -ENOENT || r == -ENXIO)
                return log_error_errno(-ENOENT, "root=%s: no such device appeared within %u ms", what, timeout_ms);
        if (r < 0)
                return log_error_errno(r, "root=%s: cannot use the device", what);
        return 0;
}

static int probe_fstype(const char *device, char *buf, size_t size) {
        _cleanup_(blkid_free_probep) blkid_probe pr = NULL;
        const char *type = NULL;
        int r;

        pr = blkid_new_probe_from_filename(device);
        if (!pr)
                return log_error_errno(errno > 0 ? -errno : -EIO, "cannot probe %s", device);
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
        blkid_probe_enable_partitions(pr, 0);

        r = blkid_do_safeprobe(pr);
        if (r == -2)
                return log_error_errno(-EMEDIUMTYPE, "%s carries signatures of several file systems; "
                                       "pass rootfstype=", device);
        if (r < 0)
                return log_error_errno(-EIO, "cannot probe %s for a file system", device);
        if (r == 1 || blkid_probe_lookup_value(pr, "TYPE", &type, NULL) < 0 || !type)
                return log_error_errno(-EMEDIUMTYPE, "no file system found on %s; pass rootfstype= if the "
                                       "kernel knows one libblkid does not", device);
        return copy_str(buf, size, type);
}

/* Mounts a block device (or tmpfs), retrying read-only when the device refuses writes, as
 * mount(8) does. */
static int mount_fs(const char *device, const char *where, const char *fstype, const char *options,
                    bool read_only, bool *ret_read_only) {
        char data[ROOT_OPTIONS_MAX + 32];
        unsigned long flags = 0;
        int r;

        r = mount_options_parse(options, &flags, data, sizeof(data));
        if (r < 0)
                return log_error_errno(r, "rootflags= '%s' is too long", options);
        if (read_only)
                flags |= MS_RDONLY;
        else
                flags &= ~MS_RDONLY;

        if (mount(device, where, fstype, flags, data[0] ? data : NULL) < 0) {
                r = -errno;
                if (read_only || (r != -EROFS && r != -EACCES))
                        return log_error_errno(r, "cannot mount %s (%s) on %s%s%s", device, fstype, where,
                                               data[0] ? " with options " : "", data);
                log_warning("%s is write-protected, mounting it read-only", device);
                flags |= MS_RDONLY;
                if (mount(device, where, fstype, flags, data[0] ? data : NULL) < 0)
                        return log_error_errno(-errno, "cannot mount %s (%s) read-only on %s", device, fstype, where);
                read_only = true;
        }
        *ret_read_only = read_only;
        return 0;
}

static int mount_bind(const char *source, const char *where, bool read_only) {
        if (mount(source, where, NULL, MS_BIND | MS_REC, NULL) < 0)
                return log_error_errno(-errno, "cannot bind mount %s on %s", source, where);
        /* A bind mount takes flags only on a remount of itself. */
        if (read_only && mount(NULL, where, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
                int r = -errno;
                (void) umount2(where, MNT_DETACH);
                return log_error_errno(r, "cannot make the bind mount on %s read-only", where);
        }
        return 0;
}

int root_mount(const struct root_spec *spec, const struct root_mount_options *opts, struct root_resolved *ret) {
        static const struct root_mount_options defaults = {};
        struct root_resolved res = {};
        char usr_where[PATH_MAX];
        const char *where;
        int r;

        opts = opts ?: &defaults;
        where = opts->where ?: "/sysroot";
        res.read_only = root_spec_read_only(spec);
        res.usr_read_only = res.read_only;

        r = resolve(spec, opts, &res);
        if (r < 0)
                return r;

        if (spec->kind == ROOT_TMPFS)
                r = copy_str(res.fstype, sizeof(res.fstype), spec->fstype[0] ? spec->fstype : "tmpfs");
        else if (spec->kind != ROOT_BIND)
                r = spec->fstype[0] ? copy_str(res.fstype, sizeof(res.fstype), spec->fstype)
                                    : probe_fstype(res.device, res.fstype, sizeof(res.fstype));
        if (r < 0)
                return r;
        /* rootfstype= names the root only; the usr partition is always probed. */
        if (res.usr_device[0]) {
                r = probe_fstype(res.usr_device, res.usr_fstype, sizeof(res.usr_fstype));
                if (r < 0)
                        return r;
        }

        if (!opts->dry_run) {
                r = mkdir_p(where, 0755);
                if (r < 0)
                        return log_error_errno(r, "cannot create mount point %s", where);

                if (spec->kind == ROOT_BIND)
                        r = mount_bind(res.device, where, res.read_only);
                else
                        r = mount_fs(res.device, where, res.fstype,
                                     spec->kind == ROOT_TMPFS && !spec->options[0] ? "mode=0755" : spec->options,
                                     res.read_only, &res.read_only);
                if (r < 0)
                        return r;

                if (res.usr_device[0]) {
                        snprintf(usr_where, sizeof(usr_where), "%s/usr", where);
                        /* /usr of a usr-partition image is usually an empty directory in the root. */
                        if (mkdir(usr_where, 0755) < 0 && errno != EEXIST)
                                r = log_error_errno(-errno, "cannot create %s for the usr partition", usr_where);
                        else
                                r = mount_fs(res.usr_device, usr_where, res.usr_fstype, NULL,
                                             res.usr_read_only, &res.usr_read_only);
                        if (r < 0) {
                                (void) umount2(where, MNT_DETACH);
                                return r;
                        }
                }
        }

        if (ret)
                *ret = res;
        return 0;
}
