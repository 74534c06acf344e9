/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Handing a socket to the kernel's nbd driver with the classic ioctls (what nbd-client does,
 * minus the handshake: we are both ends): size, block size and flags by ioctl, the socket by
 * NBD_SET_SOCK, then NBD_DO_IT, which blocks for as long as the device is connected, in a thread
 * of its own. The lazy root uses it only when the kernel lacks the nbd netlink family
 * (nbd-netlink.h says why): any signal to the process ends the NBD_DO_IT wait and the device.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opens an unused /dev/nbdN (no server attached, size 0). sysname receives "nbdN".
 * -ENODEV when the driver is not loaded, -EBUSY when all devices are in use. */
int nbd_kernel_open_free(const char *dev_dir, char *sysname, size_t size);

/* Configures the device on fd for an image of size bytes served on sock (the kernel keeps its
 * own reference: the caller may close sock afterwards). */
int nbd_kernel_configure(int fd, int sock, uint64_t size, bool read_only);

/* Starts NBD_DO_IT on fd in a new thread (which owns fd from now on). */
int nbd_kernel_start(int fd, const char *sysname, pthread_t *ret);

/* Waits until the kernel reports the device connected (/sys/block/NAME/pid), up to timeout_ms. */
int nbd_kernel_wait_connected(const char *sysname, unsigned timeout_ms);
