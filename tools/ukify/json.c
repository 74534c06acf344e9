/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>

#include "ukify.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if it is not one. */
static size_t utf8_valid(const uint8_t *p, size_t left) {
        uint32_t cp;
        size_t n;

        if (p[0] < 0x80)
                return 1;
        if ((p[0] & 0xe0) == 0xc0) {
                n = 2;
                cp = p[0] & 0x1f;
        } else if ((p[0] & 0xf0) == 0xe0) {
                n = 3;
                cp = p[0] & 0x0f;
        } else if ((p[0] & 0xf8) == 0xf0) {
                n = 4;
                cp = p[0] & 0x07;
        } else
                return 0;
        if (n > left)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD so the output always parses. */
void json_put_string(FILE *f, struct pb_span s) {
        const uint8_t *p = (const uint8_t *) s.ptr;

        fputc('"', f);
        for (size_t i = 0; i < s.len;) {
                uint8_t c = p[i];
                if (c == '"' || c == '\\') {
                        fprintf(f, "\\%c", c);
                        i++;
                } else if (c == '\n') {
                        fputs("\\n", f);
                        i++;
                } else if (c == '\t') {
                        fputs("\\t", f);
                        i++;
                } else if (c < 0x20 || c == 0x7f) {
                        fprintf(f, "\\u%04x", c);
                        i++;
                } else {
                        size_t n = utf8_valid(p + i, s.len - i);
                        if (n == 0) {
                                fputs("\\ufffd", f);
                                i++;
                        } else {
                                fwrite(p + i, 1, n, f);
                                i += n;
                        }
                }
        }
        fputc('"', f);
}
