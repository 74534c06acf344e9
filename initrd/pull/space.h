/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/*
 * Free space of the target file system, checked before a download starts and reported clearly
 * when writing runs out of it, so a full /run says what was needed instead of a bare ENOSPC.
 */

/* Bytes still free under dir (root may use the reserved blocks too). */
int space_free(const char *dir, uint64_t *ret);
/* -ENOSPC with a message naming needed and free bytes if need does not fit under dir. */
int space_check(const char *dir, uint64_t need, const char *what);
/* After a write failed with ENOSPC/EDQUOT: logs needed (if known) vs free bytes, returns -ENOSPC. */
int space_log_full(const char *dir, uint64_t written, uint64_t total_hint);
/* The same, counting what is really stored: stored of the written bytes so far, and for the rest
 * about projected more (the density so far), at least at_least (estimate.h). */
int space_log_full_stored(const char *dir, uint64_t written, uint64_t stored, uint64_t projected, uint64_t at_least);
/* True if dir is on a RAM-backed file system (tmpfs/ramfs), where fsync() buys nothing. */
int space_is_ram(const char *dir);
/* "1.5 GiB" style, into buf. */
const char *format_bytes(uint64_t n, char *buf, size_t size);
