/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "verity.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/dm-ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devnode.h"
#include "dps.h"
#include "log.h"
#include "macro.h"
#include "partition-table.h"

#define NODE_TIMEOUT_MS 5000

/* The root-verity type UUID of each architecture, per the Discoverable Partitions Specification. */
static int root_verity_type(pb_guid *ret) {
#if defined(__x86_64__)
        return pb_guid_parse(pb_span_from_str("2c7357ed-ebd2-46d9-aec1-23d437ec2bf5"), ret);
#elif defined(__aarch64__)
        return pb_guid_parse(pb_span_from_str("df3300ce-d69f-4c92-978c-9bfb0f38d820"), ret);
#else
        (void) ret;
        return -EOPNOTSUPP;
#endif
}

static void dm_init(struct dm_ioctl *io, size_t size, const char *name) {
        memset(io, 0, size);
        io->version[0] = DM_VERSION_MAJOR;
        io->version[1] = 0;
        io->version[2] = 0;
        io->data_size = (uint32_t) size;
        io->data_start = sizeof *io;
        snprintf(io->name, sizeof io->name, "%s", name);
}

/* Creates name with one verity target over sectors, read-only, and resumes it. */
static int dm_create_verity(const char *name, uint64_t sectors, const char *table, dev_t *ret) {
        _cleanup_close_ int fd = -EBADF;
        union {
                struct dm_ioctl io;
                char raw[sizeof(struct dm_ioctl) + sizeof(struct dm_target_spec) + 2048];
        } u;
        int r;

        fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        dm_init(&u.io, sizeof u, name);
        if (ioctl(fd, DM_DEV_CREATE, &u.io) < 0)
                return -errno;

        dm_init(&u.io, sizeof u, name);
        u.io.flags = DM_READONLY_FLAG;
        u.io.target_count = 1;
        struct dm_target_spec *t = (struct dm_target_spec *) (u.raw + sizeof u.io);
        t->sector_start = 0;
        t->length = sectors;
        snprintf(t->target_type, sizeof t->target_type, "verity");
        char *params = (char *) (t + 1);
        size_t room = sizeof u - sizeof u.io - sizeof *t;
        if (strlen(table) >= room) {
                r = -ENOBUFS;
                goto fail;
        }
        strcpy(params, table);
        t->next = 0;
        if (ioctl(fd, DM_TABLE_LOAD, &u.io) < 0) {
                r = -errno;
                goto fail;
        }
        dm_init(&u.io, sizeof u, name);
        if (ioctl(fd, DM_DEV_SUSPEND, &u.io) < 0) {   /* without DM_SUSPEND_FLAG: resume */
                r = -errno;
                goto fail;
        }
        *ret = (dev_t) u.io.dev;
        return 0;
fail:
        dm_init(&u.io, sizeof u, name);
        (void) ioctl(fd, DM_DEV_REMOVE, &u.io);
        return r;
}

static int read_sb(const char *path, unsigned char buf[512]) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        ssize_t n = pread(fd, buf, 512, 0);
        return n == 512 ? 0 : n < 0 ? -errno : -EIO;
}

int verity_open_root(const char *disk, const char *dev_dir, const char *roothash_hex, char *dev, size_t dev_size) {
        _cleanup_free_ struct dps_partition *parts = NULL;
        _cleanup_close_ int fd = -EBADF;
        char data[PATH_MAX], hash[PATH_MAX], table[1024], name[64];
        const char *base = strrchr(disk, '/') ? strrchr(disk, '/') + 1 : disk;
        unsigned char sbuf[512];
        struct verity_sb sb;
        struct pb_diag diag = {};
        pb_guid root_type, verity_type;
        size_t n = 0;
        dev_t devnum;
        int r, ri, hi;

        dev_dir = dev_dir ?: "/dev";
        if (dps_type_native(DPS_ROOT, &root_type) < 0 || root_verity_type(&verity_type) < 0)
                return log_warning_errno(-EOPNOTSUPP, "verity: no root-verity partition type is defined for this "
                                         "architecture");
        fd = open(disk, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || (r = partition_table_read(fd, &parts, &n)) < 0)
                return log_warning_errno(fd < 0 ? -errno : r, "verity: cannot read the partition table of %s", disk);
        ri = dps_pick(parts, n, &root_type);
        hi = dps_pick(parts, n, &verity_type);
        if (ri < 0 || hi < 0) {
                log_warning("verity: %s has no %s partition (a dm-verity DDI has a root and a root-verity "
                            "partition, as systemd-repart Verity=data/hash makes them)", disk,
                            ri < 0 ? "root" : "root-verity");
                return -ENOENT;
        }
        r = partition_node_name(base, parts[ri].partno, name, sizeof name);
        if (r >= 0)
                r = devnode_wait(dev_dir, name, NODE_TIMEOUT_MS, data, sizeof data);
        if (r >= 0)
                r = partition_node_name(base, parts[hi].partno, name, sizeof name);
        if (r >= 0)
                r = devnode_wait(dev_dir, name, NODE_TIMEOUT_MS, hash, sizeof hash);
        if (r < 0)
                return log_warning_errno(r, "verity: the partitions of %s did not appear", disk);
        r = read_sb(hash, sbuf);
        if (r < 0)
                return log_warning_errno(r, "verity: cannot read the verity superblock on %s", hash);
        r = verity_sb_parse(sbuf, &sb, &diag);
        if (r < 0) {
                log_warning("verity: %s: %s", hash, diag.reason);
                return r;
        }
        if (sb.data_blocks > parts[ri].size / sb.data_block_size) {
                log_warning("verity: the verity superblock on %s covers %llu blocks of %u bytes, more than the "
                            "root partition %s holds", hash, sb.data_blocks, sb.data_block_size, data);
                return -EBADMSG;
        }
        r = verity_table(&sb, data, hash, roothash_hex, table, sizeof table);
        if (r >= 0)
                r = dm_create_verity(VERITY_DM_NAME, sb.data_blocks * (sb.data_block_size / 512), table, &devnum);
        if (r < 0)
                return log_warning_errno(r, "verity: cannot set up dm-verity for %s and %s%s", data, hash,
                                         r == -ENOENT || r == -ENODEV ?
                                         " (is dm-verity in the initrd? pullboot-mkinitrd adds it)" : "");
        snprintf(name, sizeof name, "dm-%u", minor(devnum));
        r = devnode_wait(dev_dir, name, NODE_TIMEOUT_MS, dev, dev_size);
        if (r < 0)
                return log_warning_errno(r, "verity: /dev/%s (dm-verity) did not appear", name);
        return 0;
}
