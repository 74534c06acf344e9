/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <efivar/efivar.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "efivar-read.h"
#include "fileio.h"
#include "macro.h"

static int read_efivarfs_file(const char *guid_str, const char *name, size_t max, uint32_t *ret_attrs,
                              uint8_t **ret_data, size_t *ret_size) {
        _cleanup_free_ char *path = NULL, *raw = NULL;
        const char *dir = getenv("EFIVARFS_PATH") ?: "/sys/firmware/efi/efivars/";
        size_t size;
        int r;

        if (asprintf(&path, "%s%s%s-%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name, guid_str) < 0)
                return -ENOMEM;
        r = read_full_file(path, max + 4, &raw, &size);
        if (r < 0)
                return r == -EFBIG ? r : -ENOENT;
        if (size < 4)
                return -EIO;
        uint8_t *data = malloc(size - 4 + 1);
        if (!data)
                return -ENOMEM;
        memcpy(data, raw + 4, size - 4);
        *ret_attrs = (uint32_t) (uint8_t) raw[0] | (uint32_t) (uint8_t) raw[1] << 8 |
                     (uint32_t) (uint8_t) raw[2] << 16 | (uint32_t) (uint8_t) raw[3] << 24;
        *ret_data = data;
        *ret_size = size - 4;
        return 0;
}

int efivar_read(const pb_guid *guid, const char *name, size_t max, uint32_t *ret_attrs, uint8_t **ret_data,
                size_t *ret_size) {
        char gs[PB_GUID_STRING_LEN + 1];
        uint8_t *data = NULL;
        size_t size = 0;
        uint32_t attrs = 0;
        efi_guid_t e;

        int r = pb_guid_format(guid, gs, sizeof gs);
        if (r < 0)
                return r;
        if (!efi_variables_supported())
                return read_efivarfs_file(gs, name, max, ret_attrs, ret_data, ret_size);
        /* efi_guid_t is the EFI byte layout on little-endian hosts, the only ones whose EFI
         * variables Linux shows this way. */
        _Static_assert(sizeof e == sizeof guid->b, "efi_guid_t is 16 bytes");
        memcpy(&e, guid->b, sizeof e);
        if (efi_get_variable(e, name, &data, &size, &attrs) < 0)
                return errno > 0 ? -errno : -EIO;
        if (size > max) {
                free(data);
                return -EFBIG;
        }
        if (!data && !(data = malloc(1)))
                return -ENOMEM;
        *ret_attrs = attrs;
        *ret_data = data;
        *ret_size = size;
        return 0;
}
