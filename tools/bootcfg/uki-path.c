/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A file on a mounted ESP -> the HD(...)/File(...) device path the firmware loads it by. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "cleanup-blkid.h"
#include "devpath.h"
#include "guid.h"
#include "log.h"
#include "macro.h"
#include "uki.h"

#define FAT_SUPER_MAGIC 0x4d44      /* vfat and msdos: the only file systems firmware must read */
#define FUSE_SUPER_MAGIC 0x65735546

void esp_file_done(struct esp_file *f) {
        free(f->path);
        free(f->efi_path);
        free(f->dp);
        *f = (struct esp_file) {};
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. In place. */
static void unescape_octal(char *s) {
        char *w = s;

        for (const char *p = s; *p; ) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                    p[3] >= '0' && p[3] <= '7') {
                        *w++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
                        p += 4;
                } else
                        *w++ = *p++;
        }
        *w = 0;
}

static bool path_under(const char *path, const char *mnt, size_t *ret_len) {
        size_t n = strlen(mnt);

        while (n > 1 && mnt[n - 1] == '/')
                n--;
        if (n == 1 && mnt[0] == '/') {
                *ret_len = 0;
                return true;
        }
        if (strncmp(path, mnt, n) != 0 || (path[n] != '/' && path[n] != 0))
                return false;
        *ret_len = n;
        return true;
}

/*
 * The path of abs inside its file system (dev): the mount of dev whose mount point is the longest
 * prefix of abs, plus that mount's root within the file system (a bind mount of a subdirectory
 * has root /EFI, not /, and the firmware sees the whole file system).
 */
static int fs_relative_path(const char *abs, dev_t dev, char **ret) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL, *best_root = NULL;
        size_t cap = 0, best_len = 0;
        bool found = false;

        if (!f)
                return log_error_errno(-errno, "Cannot read /proc/self/mountinfo"), -EIO;
        while (getline(&line, &cap, f) > 0) {
                unsigned maj, min;
                char root[PATH_MAX], mnt[PATH_MAX];
                size_t len;

                /* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw" */
                if (sscanf(line, "%*u %*u %u:%u %4095s %4095s", &maj, &min, root, mnt) != 4)
                        continue;
                if (makedev(maj, min) != dev)
                        continue;
                unescape_octal(root);
                unescape_octal(mnt);
                if (!path_under(abs, mnt, &len) || (found && len < best_len))
                        continue;
                free(best_root);
                best_root = strdup(root);
                if (!best_root)
                        return -ENOMEM;
                best_len = len;
                found = true;
        }
        if (!found)
                return log_error("%s: no mount of its file system found in /proc/self/mountinfo", abs), -EIO;

        _cleanup_free_ char *rel = NULL;
        if (asprintf(&rel, "%s/%s", best_root, abs + best_len) < 0)
                return -ENOMEM;
        /* To the firmware's form: backslashes, no empty components. */
        char *w = rel;
        for (const char *p = rel; *p; p++) {
                char ch = *p == '/' ? '\\' : *p;
                if (ch == '\\' && w > rel && w[-1] == '\\')
                        continue;
                *w++ = ch;
        }
        *w = 0;
        if (w > rel + 1 && w[-1] == '\\')
                w[-1] = 0;
        *ret = TAKE_PTR(rel);
        return 0;
}

/* The HD node of the partition holding dev, from the partition table of its disk. */
static int partition_node(const char *path, dev_t dev, struct pb_dp_hd *ret) {
        char diskname[PATH_MAX];
        dev_t disk;

        if (blkid_devno_to_wholedisk(dev, diskname, sizeof diskname, &disk) < 0)
                return log_error("%s: cannot find the disk of block device %u:%u", path, major(dev), minor(dev)),
                        -EINVAL;
        if (disk == dev)
                return log_error("%s is on a whole disk (%s) without a partition; the firmware loads files "
                                 "only from partitions of a GPT or MBR disk", path, diskname), -EINVAL;

        _cleanup_free_ char *devname = blkid_devno_to_devname(disk);
        if (!devname)
                return log_error("%s: no device node for disk %s (%u:%u) in /dev", path, diskname, major(disk),
                                 minor(disk)), -EIO;

        _cleanup_(blkid_free_probep) blkid_probe pr = blkid_new_probe_from_filename(devname);
        if (!pr)
                return log_error_errno(errno > 0 ? -errno : -EIO, "Cannot open disk %s", devname), -EIO;
        if (blkid_probe_enable_partitions(pr, 1) < 0)
                return log_error("Cannot probe %s for partitions", devname), -EIO;
        blkid_partlist ls = blkid_probe_get_partitions(pr);
        if (!ls)
                return log_error("%s: no partition table found on %s", path, devname), -EINVAL;
        blkid_partition par = blkid_partlist_devno_to_partition(ls, dev);
        if (!par)
                return log_error("%s: its partition (%u:%u) is not in the partition table of %s", path,
                                 major(dev), minor(dev), devname), -EINVAL;

        blkid_parttable tab = blkid_partition_get_table(par);
        const char *type = tab ? blkid_parttable_get_type(tab) : NULL;
        int partno = blkid_partition_get_partno(par);
        blkid_loff_t start = blkid_partition_get_start(par), size = blkid_partition_get_size(par);
        unsigned ssz = blkid_probe_get_sectorsize(pr);

        if (partno <= 0 || start < 0 || size <= 0)
                return log_error("%s: libblkid reports no usable partition data on %s", path, devname), -EIO;
        if (ssz < 512 || ssz % 512 != 0 || ((uint64_t) start * 512) % ssz || ((uint64_t) size * 512) % ssz)
                return log_error("%s: partition not aligned to the %u-byte blocks of %s", path, ssz, devname), -EINVAL;

        *ret = (struct pb_dp_hd) {
                .partition_number = (uint32_t) partno,
                .start_lba = (uint64_t) start * 512 / ssz,
                .size_lba = (uint64_t) size * 512 / ssz,
        };
        if (type && strcmp(type, "gpt") == 0) {
                const char *uuid = blkid_partition_get_uuid(par);
                pb_guid g;

                if (!uuid || pb_guid_parse(pb_span_from_str(uuid), &g) < 0)
                        return log_error("%s: partition %d of %s has no valid PARTUUID", path, partno, devname), -EINVAL;
                memcpy(ret->signature, g.b, 16);
                ret->mbr_type = 2;
                ret->signature_type = 2;
        } else if (type && strcmp(type, "dos") == 0) {
                const char *id = blkid_parttable_get_id(tab);
                char *end;
                unsigned long sig;

                errno = 0;
                sig = id ? strtoul(id, &end, 16) : 0;
                if (!id || errno || *end || sig > UINT32_MAX)
                        return log_error("%s: %s has no MBR disk signature", path, devname), -EINVAL;
                for (int i = 0; i < 4; i++)
                        ret->signature[i] = (uint8_t) (sig >> (8 * i));
                ret->mbr_type = 1;
                ret->signature_type = 1;
        } else
                return log_error("%s: partition table type '%s' on %s; the firmware reads only GPT and MBR", path,
                                 type ? type : "unknown", devname), -EINVAL;
        return 0;
}

/*
 * A FAT driver in userspace on a block device (fusefat -o blkdev mounts as fuseblk, whose st_dev
 * is the partition): the firmware reads the on-disk format, so ask libblkid what that is.
 */
static bool fuseblk_is_fat(dev_t dev) {
        const char *type = NULL;

        if (major(dev) == 0)
                return false;       /* plain fuse: no block device behind it */
        _cleanup_free_ char *devname = blkid_devno_to_devname(dev);
        if (!devname)
                return false;
        _cleanup_(blkid_free_probep) blkid_probe pr = blkid_new_probe_from_filename(devname);
        if (!pr)
                return false;
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
        return blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0 &&
                type && strcmp(type, "vfat") == 0;
}

int esp_file_resolve(const char *path, struct esp_file *ret) {
        _cleanup_(esp_file_done) struct esp_file f = {};
        _cleanup_free_ char *abs = NULL;
        struct stat st;
        struct statfs sfs;
        struct pb_dp_hd hd;
        int r;

        abs = realpath(path, NULL);
        if (!abs || stat(abs, &st) < 0)
                return log_error_errno(-errno, "Cannot access %s", path), -EINVAL;
        if (!S_ISREG(st.st_mode))
                return log_error("%s is not a regular file", path), -EINVAL;
        if (statfs(abs, &sfs) < 0)
                return log_error_errno(-errno, "Cannot stat the file system of %s", path), -EIO;
        if (sfs.f_type != FAT_SUPER_MAGIC && !(sfs.f_type == FUSE_SUPER_MAGIC && fuseblk_is_fat(st.st_dev)))
                return log_error("%s is not on a FAT file system; the firmware loads files only from the ESP",
                                 path), -EINVAL;

        f.path = strdup(path);
        if (!f.path)
                return -ENOMEM;
        f.dev = st.st_dev;
        r = fs_relative_path(abs, st.st_dev, &f.efi_path);
        if (r < 0)
                return r;
        r = partition_node(path, st.st_dev, &hd);
        if (r < 0)
                return r;

        size_t cap = 64 + 2 * strlen(f.efi_path) + 16;
        f.dp = malloc(cap);
        if (!f.dp)
                return -ENOMEM;
        struct pb_writer w = pb_writer_make(f.dp, cap);
        pb_dp_put_hd(&w, &hd);
        f.hd_size = w.len;
        r = pb_dp_put_filepath(&w, pb_span_from_str(f.efi_path));
        if (r == -EILSEQ)
                return log_error("%s: the path is not valid UTF-8 or outside UCS-2", path), -EINVAL;
        pb_dp_put_end(&w);
        if (r < 0 || pb_writer_status(&w) < 0)
                return log_error("%s: path too long for a device path", path), -EINVAL;
        f.dp_size = w.len;
        *ret = f;
        f = (struct esp_file) {};
        return 0;
}
