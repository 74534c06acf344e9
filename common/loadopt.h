/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"

/* EFI_LOAD_OPTION, the payload of Boot#### variables. */

enum {
        PB_LOAD_OPTION_ACTIVE = 0x00000001,
        PB_LOAD_OPTION_FORCE_RECONNECT = 0x00000002,
        PB_LOAD_OPTION_HIDDEN = 0x00000008,
        PB_LOAD_OPTION_CATEGORY_APP = 0x00000100,
};

struct pb_load_option {
        uint32_t attributes;
        const uint8_t *description;   /* UCS-2LE including its NUL */
        size_t description_size;      /* bytes, including the NUL */
        const uint8_t *file_path;     /* device path list */
        size_t file_path_size;        /* FilePathListLength */
        const uint8_t *optional_data;
        size_t optional_data_size;
};

/* Parses and validates (description NUL-terminated, device path list well formed and within
 * FilePathListLength). Pointers point into buf. -EBADMSG on malformed input. */
int pb_loadopt_parse(const uint8_t *buf, size_t size, struct pb_load_option *ret);
/* Same, saying what is wrong (diag->where points into buf). */
int pb_loadopt_parse_diag(const uint8_t *buf, size_t size, struct pb_load_option *ret, struct pb_diag *diag);

/* Description as UTF-8. */
int pb_loadopt_description(const struct pb_load_option *o, char *buf, size_t size);

/* Serializes a load option. -ENOBUFS / -EILSEQ (title not valid UTF-8) / -EBADMSG (bad device path
 * list: see pb_dp_validate_list). dp may hold several paths. */
int pb_loadopt_build(struct pb_writer *w, uint32_t attributes, struct pb_span title_utf8,
                     const uint8_t *dp, size_t dp_size, const uint8_t *optional_data, size_t optional_size);

/* Same with the description as UCS-2LE bytes ending in their only NUL (e.g. copied from a parsed
 * option, which need not be valid UCS-2): rebuilding a parsed option gives back the same bytes. */
int pb_loadopt_build_raw(struct pb_writer *w, uint32_t attributes, const uint8_t *description,
                         size_t description_size, const uint8_t *dp, size_t dp_size,
                         const uint8_t *optional_data, size_t optional_size);
