/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "ukify.h"

/*
 * os-release(5) is shell-compatible: KEY=value, where value may be in double or single quotes and
 * backslash escapes \" \\ \$ \` inside double quotes. That is all a reader has to undo.
 */
static int unquote(struct pb_span v, char *buf, size_t size) {
        struct pb_writer w = pb_writer_make(buf, size);
        char quote = 0;

        for (size_t i = 0; i < v.len; i++) {
                char c = v.ptr[i];
                if (quote == 0 && (c == '"' || c == '\'')) {
                        quote = c;
                        continue;
                }
                if (quote && c == quote) {
                        quote = 0;
                        continue;
                }
                if (quote != '\'' && c == '\\' && i + 1 < v.len) {
                        char n = v.ptr[i + 1];
                        if (quote == 0 || n == '"' || n == '\\' || n == '$' || n == '`') {
                                c = n;
                                i++;
                        }
                }
                pb_writer_put_u8(&w, (uint8_t) c);
        }
        return pb_writer_finish_str(&w);
}

int ukify_osrel_value(struct pb_span text, const char *key, char *buf, size_t size) {
        size_t klen = strlen(key);

        for (size_t pos = 0; pos < text.len;) {
                const char *nl = memchr(text.ptr + pos, '\n', text.len - pos);
                size_t end = nl ? (size_t) (nl - text.ptr) : text.len;
                struct pb_span line = pb_span_make(text.ptr + pos, end - pos);
                pos = end + 1;

                while (line.len > 0 && (line.ptr[0] == ' ' || line.ptr[0] == '\t')) {
                        line.ptr++;
                        line.len--;
                }
                while (line.len > 0 && (line.ptr[line.len - 1] == '\r' || line.ptr[line.len - 1] == ' '))
                        line.len--;
                if (line.len <= klen || memcmp(line.ptr, key, klen) != 0 || line.ptr[klen] != '=')
                        continue;
                return unquote(pb_span_make(line.ptr + klen + 1, line.len - klen - 1), buf, size);
        }
        return -ENOENT;
}
