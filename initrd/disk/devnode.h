/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "time-util.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Block device nodes without udev: the kernel names a device in sysfs at once, devtmpfs creates
 * its node a moment later (or never, when dev_dir is not a devtmpfs).
 */

/* Sleeps a short poll interval (10 ms). */
void poll_pause(void);

/* Waits until dev_dir/sysname (e.g. "loop3p2") exists as a block device, up to timeout_ms; if it
 * does not, but /sys/class/block/sysname/dev names the device, creates the node itself. Fills
 * path (may be NULL). -ENOENT when the kernel has no such device, -ETIMEDOUT is never returned. */
int devnode_wait(const char *dev_dir, const char *sysname, unsigned timeout_ms, char *path, size_t size);

/* Does the kernel have a block device of this name (/sys/class/block/NAME)? */
int sysfs_block_exists(const char *sysname);

/* Is udev running (it then makes the /dev/disk links itself)? */
int udev_running(void);

/* "/dev/loop3" + 2 -> "/dev/loop3p2"; "/dev/nvme0n1" + 1 -> "/dev/nvme0n1p1"; "/dev/sda" + 1 -> "/dev/sda1". */
int partition_node_name(const char *whole, unsigned partno, char *buf, size_t size);
