/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* A number of bytes with an optional K, M, G or T suffix (powers of 1024): 0, or -EINVAL for
 * anything else (signs, other suffixes, overflow). For --max-size=, --max-memory= and
 * pullboot.max-memory=. */
int parse_size(const char *s, uint64_t *ret);

/* A decimal number of at most max, digits only: 0, or -EINVAL for anything else (strtoull() alone
 * would take " 5", "+5" and "-1", the last as a huge number). For the numbers options take. */
int parse_decimal(const char *s, uint64_t max, uint64_t *ret);
