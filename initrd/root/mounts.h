/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The API file systems PID 1 of the initrd needs before anything else: /proc, /sys, /dev
 * (devtmpfs), /run, and efivarfs below /sys/firmware/efi/efivars. Mounting what is already
 * mounted is not an error.
 */

/* /proc, /sys, /dev, /dev/pts, /dev/shm and /run. Logs and returns the first hard failure. */
int mounts_api_filesystems(void);

/* efivarfs. -ENODEV when the kernel does not know the file system (load efivarfs and retry),
 * -ENOENT when the machine has no EFI (no /sys/firmware/efi). */
int mounts_efivarfs(void);

/* Whether path is a mount point (its device differs from its parent's, or it is "/"). */
int mounts_is_mount_point(const char *path);
