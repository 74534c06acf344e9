/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What pullboot reads from an HTTP response's headers, filled line by line from libcurl's header
 * callback by both the pull engine (transfer.c) and the lazy root's range source. */
struct http_response {
        long status;
        char etag[256];
        char last_modified[64];
        char location[512];             /* a redirect's target, for the message refusing it */
        char retry_after[64];           /* 429/503: when to come back */
        char date[64];                  /* the server's clock, for an HTTP-date Retry-After */
        bool has_range;                 /* a Content-Range was given: */
        uint64_t range_start, range_total;      /* its first byte and total (UINT64_MAX: "*") */
};

/* One header line of n bytes, as libcurl passes it (CRLF included). A status line ("HTTP/...")
 * starts a new response: after a redirect or a 100 Continue only the last one counts. Values that
 * do not fit their field are dropped (an absurd header is as good as none). */
void http_response_header(struct http_response *r, const char *line, size_t n);
