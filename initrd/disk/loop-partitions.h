/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "dps.h"

/*
 * Makes the kernel know the partitions of a disk: those in parts that have no
 * /sys/class/block/<partition> entry yet are added with BLKPG_ADD_PARTITION, as `partx -a` does.
 * This is the fallback for kernels without the partition table parser (the kernel's own scan
 * wins when it worked; partitions it already has are left alone). sysname is the disk's kernel
 * name ("loop3"). Returns the number of partitions added, or a negative errno.
 */
int disk_add_missing_partitions(int fd, const char *sysname, const struct dps_partition *parts, size_t n);
