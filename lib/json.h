/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdio.h>

/*
 * JSON string output shared by every program that prints JSON. Input comes from command lines,
 * EFI variables and image files, so it may hold anything: quotes, backslashes and control
 * characters are escaped, and bytes that are not valid UTF-8 become U+FFFD, so the output always
 * parses.
 */

/* Length of the valid UTF-8 sequence (no overlong forms, no surrogates, at most U+10FFFF) at p,
 * 1..4, or 0 if the bytes there are not one. */
size_t utf8_sequence_length(const unsigned char *p, size_t left);

/* n bytes at s as a quoted JSON string. */
void json_write_string(FILE *f, const char *s, size_t n);
/* A NUL-terminated string as a quoted JSON string; NULL becomes null. */
void json_write_cstring(FILE *f, const char *s);
