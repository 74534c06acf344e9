/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Checksum lists as systemd-pull reads them (SHA256SUMS, NAME.sha256): a line lists NAME when it
 * is exactly 64 lowercase hex digits, a separator and NAME, up to the end of the line. The
 * separators are sha256sum's binary marker " *", its text mode "  ", and the single space some
 * publishers (linuxcontainers.org) use. Nothing else on the line, no leading blanks, no escapes;
 * a digest without a name lists nothing. One difference from systemd: the last line may lack its
 * newline.
 */

/*
 * NAME's digest from the first line of text[0..size) that lists it. -ENOENT if none does;
 * -ENOTUNIQ if another line lists NAME with a different digest (which one was meant is unknown);
 * -EINVAL for an empty NAME.
 */
int sha256sums_find(const char *text, size_t size, const char *name, uint8_t ret[32]);

/* 64 hex digits (either case) to bytes; -EINVAL otherwise. */
int sha256_from_hex(const char *s, size_t n, uint8_t ret[32]);
void sha256_to_hex(const uint8_t d[32], char ret[65]);
