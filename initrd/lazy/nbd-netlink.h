/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Connecting a socket to the kernel's nbd driver through its generic-netlink family ("nbd",
 * NBD_CMD_CONNECT). Unlike the ioctls (nbd-kernel.h) nothing of ours waits in the kernel for
 * the connection's lifetime, so no signal to the server can end it: the ioctl path's NBD_DO_IT
 * wait is interruptible, and systemd-shutdown's SIGSTOP/SIGCONT broadcast, which reaches even
 * the '@' processes it otherwise spares, made the kernel shut the socket down before the root
 * was remounted read-only.
 */

#include <stdbool.h>
#include <stdint.h>

/* Connects the free device the kernel picks (or creates) to sock for an image of size bytes
 * (the kernel keeps its own reference: the caller may close sock afterwards) and returns its
 * index (nbdN). -ENOENT when the nbd family is not registered (no module, or a kernel without
 * it: the caller falls back to the ioctls); other negative errno from the kernel otherwise. */
int nbd_netlink_connect(int sock, uint64_t size, bool read_only);

/* Disconnects nbdINDEX: a device connected through netlink stays configured (and unusable) after
 * its server is gone until this is sent. -ENOENT without the nbd family. */
int nbd_netlink_disconnect(int index);
