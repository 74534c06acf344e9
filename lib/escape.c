/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static bool is_control(unsigned char c) {
        return c < 0x20 || c == 0x7f;
}

void fput_escaped(FILE *f, const char *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (is_control(c))
                        fprintf(f, "\\x%02x", c);
                else
                        fputc(c, f);
        }
}

char *escape_control(const char *s) {
        static const char hex[] = "0123456789abcdef";
        size_t n = strlen(s);
        char *e = malloc(n * 4 + 1), *q = e;

        if (!e)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (is_control(*p)) {
                        *q++ = '\\';
                        *q++ = 'x';
                        *q++ = hex[*p >> 4];
                        *q++ = hex[*p & 15];
                } else
                        *q++ = (char) *p;
        *q = 0;
        return e;
}
