/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "http-response.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void copy_value(char *dst, size_t size, const char *v, size_t n) {
        while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
                n--;
        while (n > 0 && (*v == ' ' || *v == '\t')) {
                v++;
                n--;
        }
        if (n >= size)
                n = 0;
        memcpy(dst, v, n);
        dst[n] = 0;
}

static bool header_is(const char *line, size_t n, const char *name, const char **ret_value) {
        size_t k = strlen(name);
        if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0)
                return false;
        *ret_value = line + k + 1;
        return true;
}

void http_response_header(struct http_response *r, const char *line, size_t n) {
        static const struct {
                const char *name;
                size_t offset, size;
        } fields[] = {
                { "ETag", offsetof(struct http_response, etag), sizeof r->etag },
                { "Last-Modified", offsetof(struct http_response, last_modified), sizeof r->last_modified },
                { "Location", offsetof(struct http_response, location), sizeof r->location },
                { "Retry-After", offsetof(struct http_response, retry_after), sizeof r->retry_after },
                { "Date", offsetof(struct http_response, date), sizeof r->date },
        };
        const char *v;

        if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
                *r = (struct http_response) {};
                const char *sp = memchr(line, ' ', n);
                if (sp)
                        r->status = strtol(sp + 1, NULL, 10);
                return;
        }
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
                if (header_is(line, n, fields[i].name, &v)) {
                        copy_value((char *) r + fields[i].offset, fields[i].size, v, n - (size_t) (v - line));
                        return;
                }
        if (header_is(line, n, "Content-Range", &v)) {
                char buf[128], total[32];
                uint64_t first, last;

                copy_value(buf, sizeof buf, v, n - (size_t) (v - line));
                if (sscanf(buf, "bytes %" SCNu64 "-%" SCNu64 "/%31s", &first, &last, total) == 3) {
                        r->has_range = true;
                        r->range_start = first;
                        r->range_total = strcmp(total, "*") == 0 ? UINT64_MAX : strtoull(total, NULL, 10);
                }
        }
}
