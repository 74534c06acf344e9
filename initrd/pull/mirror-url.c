/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mirror-url.h"
#include "url.h"

int mirror_url(const char *base, const char *url, char **ret) {
        struct pb_url u, b;
        struct pb_diag diag = {};
        char *m;

        if (pb_url_parse(pb_span_from_str(base), &b, &diag) < 0 || b.has_query || b.has_fragment) {
                log_error("mirror %s is not a base URL (http, https or file, without ? or #)", base);
                return -EINVAL;
        }
        if (pb_url_parse(pb_span_from_str(url), &u, &diag) < 0) {
                log_error("cannot find the path of %s for its mirrors: %s", url, diag.reason ?: "invalid URL");
                return -EINVAL;
        }
        /* The path and query, up to a fragment (which never reaches the server). */
        const char *tail = u.path.len > 0 ? u.path.ptr : "/";
        size_t tail_len = u.path.len > 0 ? u.path.len : 1;
        if (u.has_query && u.path.len > 0)
                tail_len = (size_t) (u.query.ptr + u.query.len - tail);
        size_t blen = strlen(base);
        while (blen > 0 && base[blen - 1] == '/')
                blen--;
        if (asprintf(&m, "%.*s%.*s", (int) blen, base, (int) tail_len, tail) < 0)
                return -ENOMEM;
        if (!pb_url_is_valid(pb_span_from_str(m))) {
                log_error("mirror %s and %s do not make a valid URL (%s)", base, url, m);
                free(m);
                return -EINVAL;
        }
        *ret = m;
        return 0;
}
