/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "dps.h"

/*
 * Reads a disk's partition table with libblkid (GPT or MBR) into a malloc'd array.
 * 0 with *ret_n == 0 when the disk has no partition table. -EIO when probing fails.
 */
int partition_table_read(int fd, struct dps_partition **ret, size_t *ret_n);
