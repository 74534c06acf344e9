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
 * Details:
 *  - the scheme is case-insensitive and must be followed by "//";
 *  - raw bytes >= 0x80 are refused (percent-encode them), and so are "%00" and anything RFC 3986
 *    does not allow where it appears ('"', '<', '{', a second '#', brackets outside the host...);
 *  - hosts are RFC 3986 reg-names (unreserved, sub-delims, pct-encoded; at most 255 bytes) or
 *    "[IPv6]" literals; an all-digits-and-dots host must be a valid dotted quad;
 *  - IPv6 zones are accepted in RFC 6874 form ("[fe80::1%25eth0]"); host then includes "%25eth0";
 *    IPvFuture ("[v1.x]") is refused;
 *  - the port is decimal 0-65535; an empty port ("host:/") is allowed by RFC 3986 and means none;
 *  - file URLs: empty host ("file:///path") or a host ("file://host/path"), no userinfo, no port.
 */
int pb_url_parse(struct pb_span s, struct pb_url *ret, struct pb_diag *diag);

/* Convenience: true if pb_url_parse() accepts s. */
bool pb_url_is_valid(struct pb_span s);

/*
 * Exactly systemd's import_url_change_last_component(url, suffix): skips scheme and host, drops
 * query and fragment, eats trailing slashes, drops the last path component and appends
 * "/" + component verbatim. Then validates the result as a URL (pb_url_parse).
 * Writes a NUL-terminated string to buf. -EINVAL for unusable input, -ENOBUFS if buf is small;
 * on failure buf holds "" and diag->where points into url or component, never into buf.
 */
int pb_url_change_last_component(struct pb_span url, struct pb_span component, char *buf, size_t size,
                                 struct pb_diag *diag);

/*
 * The general form of the rule above, systemd's import_url_change_suffix(): drops n_drop path
 * components (fewer if there are not that many) and appends "/" + suffix, without validating the
 * result. pb_url_change_last_component() is this with n_drop = 1 plus validation.
 * Edge cases, as in systemd: "https://host" and "https://host/" become "https://host/" + suffix;
 * in "file:///srv/x" the first path segment ("srv") is taken for the host, so it is never dropped.
 */
int pb_url_change_suffix(struct pb_span url, size_t n_drop, struct pb_span suffix, char *buf, size_t size,
                         struct pb_diag *diag);

/* Validates the inside of "[...]" without the zone: RFC 3986 IPv6address. -EINVAL with diag. */
int pb_parse_ipv6_literal(struct pb_span s, struct pb_diag *diag);

/* The last path component (after query/fragment are dropped and trailing slashes eaten), as
 * systemd's import_url_last_component() finds it; ret points into url. -EINVAL if there is none
 * (systemd says -EADDRNOTAVAIL when only the component is missing, e.g. "https://host/"). */
int pb_url_last_component(struct pb_span url, struct pb_span *ret);
