/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"

/*
 * URLs as pullboot meets them: the boot origin the firmware reports, pull expressions' REMOTE,
 * bootcfg's --add-uri. Only http, https and file are accepted; everything is parsed in place.
 */

enum pb_url_scheme {
        PB_URL_HTTP,
        PB_URL_HTTPS,
        PB_URL_FILE,
};

struct pb_url {
        enum pb_url_scheme scheme;
        struct pb_span userinfo;  /* without the '@'; empty if absent */
        struct pb_span host;      /* without brackets for IPv6 literals; empty for file:///path */
        bool host_is_ipv6;
        bool has_port;
        uint16_t port;
        struct pb_span path;      /* starts with '/' or is empty */
        struct pb_span query;     /* without '?'; has_query tells an empty query from none */
        bool has_query;
        struct pb_span fragment;  /* without '#' */
        bool has_fragment;
};

/*
 * Parses an absolute http/https/file URL. Rejects control characters, spaces, an empty host for
 * http(s), bad ports, malformed IPv6 literals, bad percent escapes. -EINVAL with diag on failure.
 */
int pb_url_parse(struct pb_span s, struct pb_url *ret, struct pb_diag *diag);

/* Convenience: true if pb_url_parse() accepts s. */
bool pb_url_is_valid(struct pb_span s);

/*
 * Exactly systemd's import_url_change_last_component(url, suffix): skips scheme and host, drops
 * query and fragment, eats trailing slashes, drops the last path component and appends
 * "/" + component verbatim. Then validates the result as a URL (pb_url_parse).
 * Writes a NUL-terminated string to buf. -EINVAL for unusable input, -ENOBUFS if buf is small.
 */
int pb_url_change_last_component(struct pb_span url, struct pb_span component, char *buf, size_t size,
                                 struct pb_diag *diag);

/* The last path component (after query/fragment are dropped and trailing slashes eaten).
 * -EINVAL if there is none. */
int pb_url_last_component(struct pb_span url, struct pb_span *ret);
