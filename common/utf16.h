/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"

/*
 * UTF-8 <-> UCS-2 (what UEFI calls CHAR16 strings). Surrogates and code points above U+FFFF are
 * rejected in both directions (-EILSEQ), as are overlong and truncated UTF-8 sequences.
 * UCS-2 data in EFI structures is often unaligned, so it is passed as little-endian bytes.
 */

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
