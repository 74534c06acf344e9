/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The stub's backend of the one log channel (userspace's is lib/log.h): whoever knows what failed
 * prints one line on the firmware console, "pullboot-stub: MESSAGE[: STATUS (0xN)]", and returns
 * the status, as systemd-boot's log_error_status() does:
 *
 *         return log_error_status(err, "cannot load the kernel from .linux");
 *
 * Parsers in common/ stay silent and fill a struct pb_diag; their caller here logs its reason.
 * There is no libc: the format knows %s, %u, %zu, %x and %% only.
 */

#include <efi.h>

#define _log_printf_(a, b) __attribute__((format(printf, a, b)))

/* Appends ": STATUS (0xN)" unless status is EFI_SUCCESS; returns status. */
EFI_STATUS log_error_status(EFI_STATUS status, const char *fmt, ...) _log_printf_(2, 3);
/* A line without a status: something the stub did or skipped, the boot goes on. */
void log_info(const char *fmt, ...) _log_printf_(1, 2);

/* "not found", "security violation", ...: the UEFI specification's name in words. */
const char *log_status_to_string(EFI_STATUS s);
