/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/blkpg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "devnode.h"
#include "log.h"
#include "loop-partitions.h"

int disk_add_missing_partitions(int fd, const char *sysname, const struct dps_partition *parts, size_t n) {
        char dev[64], name[96];
        int added = 0, r;

        if (snprintf(dev, sizeof(dev), "/dev/%s", sysname) >= (int) sizeof(dev))
                return -ENAMETOOLONG;

        for (size_t i = 0; i < n; i++) {
                const struct dps_partition *p = parts + i;

                r = partition_node_name(dev, p->partno, name, sizeof(name));
                if (r < 0)
                        return r;
                if (sysfs_block_exists(name + strlen("/dev/")) > 0)
                        continue;

                struct blkpg_partition bp = {
                        .start = (long long) p->start,
                        .length = (long long) p->size,
                        .pno = (int) p->partno,
                };
                struct blkpg_ioctl_arg arg = {
                        .op = BLKPG_ADD_PARTITION,
                        .datalen = sizeof(bp),
                        .data = &bp,
                };
                if (ioctl(fd, BLKPG, &arg) < 0) {
                        r = -errno;
                        /* EBUSY: it appeared meanwhile (a late kernel or udev rescan), which is
                         * what we wanted. */
                        if (r == -EBUSY && sysfs_block_exists(name + strlen("/dev/")) > 0)
                                continue;
                        return log_error_errno(r, "cannot add partition %u of /dev/%s (BLKPG)", p->partno, sysname);
                }
                log_debug("added partition %s with BLKPG", name);
                added++;
        }
        return added;
}
