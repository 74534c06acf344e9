/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* String vectors as (char **, size_t) pairs that own their strings. One ownership rule per
 * function name: strv_consume() takes the string it is given (and frees it on failure, so a
 * caller can pass strdup()'s result unchecked); strv_extend() copies it. */
void strv_free(char **l, size_t n);
int strv_consume(char ***l, size_t *n, char *s);
int strv_extend(char ***l, size_t *n, const char *s);
bool strv_contains(char *const *l, size_t n, const char *s);
