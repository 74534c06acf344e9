/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Shuts a freshly forked, single-threaded process into DIR before it unpacks hostile input:
 * a private mount namespace in which DIR is bind-mounted nosuid,nodev,noexec and becomes the
 * root (chroot), every fd but 0-2 and keep_fd closed (keep_fd moves to 3), no new privileges,
 * only the capabilities that restoring owners, modes, device nodes and xattrs needs, and a
 * seccomp filter against the mount and namespace calls the one kept CAP_SYS_ADMIN would allow.
 * Returns the new number of keep_fd, -EPERM if the process is not root (nothing changed
 * then), or another negative errno with the process half confined: the caller must exit then.
 */
int confine_to(const char *dir, int keep_fd);
