/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdio.h>

/*
 * Text from command lines, EFI variables and image files may hold control characters; printed as
 * is, they would drive the terminal (escape sequences) or forge extra lines. These helpers show
 * C0 controls and DEL as \xHH and keep everything else (UTF-8 included).
 */

/* Writes n bytes at s to f, escaped. */
void fput_escaped(FILE *f, const char *s, size_t n);
/* The NUL-terminated s, escaped, as a new malloc'd string; NULL when out of memory. */
char *escape_control(const char *s);
