/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "guid.h"

/*
 * Reads one EFI variable of the running system, for the initrd and the tools alike. Through
 * libefivar when it found a backend as the process started; else (PID 1 of an initrd mounts
 * efivarfs only after that) straight from the efivarfs file: 4 bytes of attributes, then the data.
 * $EFIVARFS_PATH points both at a directory of such files, which is how tests run without
 * firmware. *ret_data is malloc'd (never NULL on success, even for an empty variable).
 * -ENOENT: absent (or no EFI at all); -EFBIG: larger than max bytes; -EIO: a damaged file.
 */
int efivar_read(const pb_guid *guid, const char *name, size_t max, uint32_t *ret_attrs, uint8_t **ret_data,
                size_t *ret_size);
