/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"

/*
 * UTF-8 <-> UCS-2 (what UEFI calls CHAR16 strings). Surrogates and code points above U+FFFF are
 * rejected in both directions (-EILSEQ), as are overlong and truncated UTF-8 sequences.
 * UCS-2 data in EFI structures is often unaligned, so it is passed as little-endian bytes.
 * U+0000 inside UTF-8 input is rejected too: it would silently truncate the CHAR16 string.
 */

/* Decodes the code point at *offset and advances it: 1 with *ret set, 0 at the end of s,
 * -EILSEQ for anything UCS-2 cannot represent or malformed UTF-8 (*offset unchanged). */
int pb_utf8_next_ucs2(struct pb_span s, size_t *offset, uint16_t *ret);

/* Encodes one UCS-2 unit (not a surrogate) as UTF-8; returns the byte count, 1..3. */
size_t pb_ucs2_encode_utf8(uint16_t c, char out[static 3]);

/* Appends s as UCS-2LE to w, plus a NUL unit if nul. -EILSEQ (w may hold a prefix) or the
 * writer's status. */
int pb_utf8_put_ucs2le(struct pb_writer *w, struct pb_span s, bool nul);

/* Converts s to UCS-2LE bytes with a terminating NUL (2 bytes). *ret_size = bytes written incl. NUL.
 * -ENOBUFS if it does not fit, -EILSEQ for invalid UTF-8. */
int pb_utf8_to_ucs2le(struct pb_span s, uint8_t *buf, size_t size, size_t *ret_size);

/* Same, to an aligned uint16_t array (host order, for the EFI side); ret_len counts units without NUL. */
int pb_utf8_to_ucs2(struct pb_span s, uint16_t *buf, size_t n_units, size_t *ret_len);

/* Converts size bytes of UCS-2LE (stops at the first NUL unit, or at the end; an odd trailing
 * byte is -EILSEQ) to NUL-terminated UTF-8. *ret_len = bytes without NUL (may be NULL). */
int pb_ucs2le_to_utf8(const uint8_t *p, size_t size, char *buf, size_t bufsize, size_t *ret_len);

/* Length in bytes of a NUL-terminated UCS-2LE string within size bytes, including the NUL.
 * -EBADMSG if no NUL is found. */
int pb_ucs2le_size(const uint8_t *p, size_t size, size_t *ret_size);
