/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"

/* EFI GUIDs: 16 bytes in EFI byte order (first three fields little-endian). Kept as bytes so
 * structures can be read from unaligned buffers on any host. */
typedef struct pb_guid {
        uint8_t b[16];
} pb_guid;

#define PB_GUID_STRING_LEN 36

/* "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f" (case-insensitive, also accepts {…}) -> EFI byte order. */
int pb_guid_parse(struct pb_span s, pb_guid *ret);
/* Lowercase canonical text, NUL-terminated; buf needs PB_GUID_STRING_LEN+1. */
int pb_guid_format(const pb_guid *g, char *buf, size_t size);
bool pb_guid_eq(const pb_guid *a, const pb_guid *b);
/* Appends the canonical text (36 characters, no NUL); edk2 prints GUIDs in upper case. */
void pb_guid_put(struct pb_writer *w, const pb_guid *g, bool upper);

/* Builds a GUID from the canonical field values, e.g.
 * PB_GUID_INIT(0x4a67b082, 0x0a4c, 0x41cf, 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f). */
#define PB_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                   \
        { { (uint8_t) (a), (uint8_t) ((a) >> 8), (uint8_t) ((a) >> 16), (uint8_t) ((a) >> 24), \
            (uint8_t) (b), (uint8_t) ((b) >> 8), (uint8_t) (c), (uint8_t) ((c) >> 8),           \
            d0, d1, d2, d3, d4, d5, d6, d7 } }
