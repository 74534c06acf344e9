/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The largest credential we read, systemd's CREDENTIAL_SIZE_MAX. */
#define CREDENTIAL_SIZE_MAX (1024 * 1024)

/*
 * Reads the credential `name` the way the system would see it after systemd's PID 1 imported
 * credentials in the initrd:
 *  - $CREDENTIALS_DIRECTORY/NAME when that variable is set (we run as a service, or a previous
 *    stage imported them: nothing is imported again);
 *  - else nothing with systemd.import_credentials=no on the command line;
 *  - else, in systemd's order, the first of: QEMU fw_cfg opt/io.systemd.credentials/NAME,
 *    SMBIOS type 11 strings, systemd.set_credential(_binary)= on cmdline.
 * sysfs is where sysfs is mounted ("/sys"; tests pass a directory of their own).
 * Returns 1 with a NUL-terminated malloc'd value in *ret and a short description of where it came
 * from in *ret_source (static), 0 if no source has it, negative errno on errors (logged; a
 * malformed source is skipped with a warning, as systemd does, and does not count as an error).
 */
int credential_read(const char *name, const char *cmdline, const char *sysfs, char **ret, size_t *ret_size,
                    const char **ret_source);
