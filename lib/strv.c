/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void strv_free(char **l, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(l[i]);
        free(l);
}

int strv_consume(char ***l, size_t *n, char *s) {
        if (!s)
                return -ENOMEM;
        char **m = reallocarray(*l, *n + 1, sizeof(char *));
        if (!m) {
                free(s);
                return -ENOMEM;
        }
        m[(*n)++] = s;
        *l = m;
        return 0;
}

int strv_extend(char ***l, size_t *n, const char *s) {
        return strv_consume(l, n, strdup(s));
}

bool strv_contains(char *const *l, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(l[i], s) == 0)
                        return true;
        return false;
}
