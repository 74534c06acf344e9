/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/*
 * The EFI variables the initrd reads (names and GUIDs in common/bootvars.h), through libefivar so
 * efivarfs details stay in one place. libefivar honours $EFIVARFS_PATH, which tests use to point
 * at a directory of variable files (4 bytes attributes + data, as efivarfs shows them).
 * Errors are negative errno: -ENOENT if the variable (or EFI itself) is absent.
 *
 * Only volatile copies are read (attributes exactly BS|RT, 0x6): what this boot's stub wrote. A
 * non-volatile copy (plantable by root of an earlier boot) counts as absent, with a warning
 * naming the variable.
 */

/* A Loader-GUID UTF-16LE string variable (StubDeviceURL, ...) as UTF-8 (malloc'd). -EBADMSG if
 * it is not UCS-2 text. */
int efivars_get_loader_string(const char *name, char **ret);

/*
 * The boot origin: StubDeviceURL (the UKI's own URL, what systemd-import-generator reads) or, when
 * that is unset, LoaderDeviceURL (set by a boot loader that fetched us over HTTP; systemd does not
 * fall back to it, pullboot does so a loader-started UKI finds its image too). *ret_source names
 * the variable used (static string). -ENOENT if neither is set.
 */
int efivars_read_origin(char **ret_url, const char **ret_source);

/* The raw PullbootNetInfo record (UTF-8 text, NUL-terminated copy; parse with pb_netinfo_parse()). */
int efivars_read_netinfo(char **ret, size_t *ret_size);
