/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <string.h>

#include "json.h"

size_t utf8_sequence_length(const unsigned char *p, size_t left) {
        static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
        uint32_t cp;
        size_t n;

        if (left == 0)
                return 0;
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
        /* Overlong forms would let one character hide behind several spellings. */
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

void json_write_string(FILE *f, const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;

        fputc('"', f);
        for (size_t i = 0; i < n;) {
                unsigned char c = p[i];
                size_t k;

                switch (c) {
                case '"':
                case '\\':
                        fputc('\\', f);
                        fputc(c, f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\r':
                        fputs("\\r", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                case '\b':
                        fputs("\\b", f);
                        break;
                case '\f':
                        fputs("\\f", f);
                        break;
                default:
                        /* DEL is legal JSON, but escaping it keeps terminals that show the output sane. */
                        if (c < 0x20 || c == 0x7f) {
                                fprintf(f, "\\u%04x", c);
                                break;
                        }
                        k = utf8_sequence_length(p + i, n - i);
                        if (k == 0) {
                                fputs("\\ufffd", f);
                                break;
                        }
                        fwrite(p + i, 1, k, f);
                        i += k;
                        continue;
                }
                i++;
        }
        fputc('"', f);
}

void json_write_cstring(FILE *f, const char *s) {
        if (!s) {
                fputs("null", f);
                return;
        }
        json_write_string(f, s, strlen(s));
}
