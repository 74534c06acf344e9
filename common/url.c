/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * URL parsing (RFC 3986 syntax, restricted to http, https and file) and systemd's
 * "sibling URL" rule.
 *
 * The parser is strict on purpose: a URL we accept should mean the same to us, to curl and to
 * the firmware, so anything that needs guessing (raw spaces, non-ASCII bytes, stray brackets,
 * bad escapes) is refused with a reason instead of being "fixed".
 */

#include "netinfo.h"
#include "url.h"

#define URL_HOST_MAX 255

static bool is_unreserved(char c) {
        return pb_is_ascii_alpha(c) || pb_is_ascii_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static bool is_sub_delim(char c) {
        switch (c) {
        case '!': case '$': case '&': case '\'': case '(': case ')':
        case '*': case '+': case ',': case ';': case '=':
                return true;
        default:
                return false;
        }
}

static bool char_in(char c, const char *set) {
        for (; *set; set++)
                if (*set == c)
                        return true;
        return false;
}

/*
 * Checks that s only holds unreserved characters, sub-delims, the characters in `extra` and
 * well-formed percent escapes.
 */
static int check_component(struct pb_span s, const char *extra, const char *bad_char_reason,
                           struct pb_diag *diag) {
        for (size_t i = 0; i < s.len; i++) {
                char c = s.ptr[i];

                if (c == '%') {
                        if (i + 2 >= s.len)
                                return pb_diag_set(diag, -EINVAL, "invalid percent escape",
                                                   pb_span_make(s.ptr + i, s.len - i));
                        if (pb_hex_digit(s.ptr[i + 1]) < 0 || pb_hex_digit(s.ptr[i + 2]) < 0)
                                return pb_diag_set(diag, -EINVAL, "invalid percent escape",
                                                   pb_span_make(s.ptr + i, 3));
                        /* Decoded, it would cut file paths and C strings short. */
                        if (s.ptr[i + 1] == '0' && s.ptr[i + 2] == '0')
                                return pb_diag_set(diag, -EINVAL, "percent-encoded NUL in URL",
                                                   pb_span_make(s.ptr + i, 3));
                        i += 2;
                        continue;
                }
                if (is_unreserved(c) || is_sub_delim(c) || char_in(c, extra))
                        continue;
                return pb_diag_set(diag, -EINVAL, bad_char_reason, pb_span_make(s.ptr + i, 1));
        }
        return 0;
}

/* Characters that may never appear raw in a URL we accept, checked once up front so every
 * later step can assume printable ASCII. */
static int check_raw_bytes(struct pb_span s, struct pb_diag *diag) {
        for (size_t i = 0; i < s.len; i++) {
                unsigned char c = (unsigned char) s.ptr[i];
                struct pb_span where = pb_span_make(s.ptr + i, 1);

                if (c < 0x20 || c == 0x7f)
                        return pb_diag_set(diag, -EINVAL, "control character in URL", where);
                if (c == ' ')
                        return pb_diag_set(diag, -EINVAL, "space in URL (percent-encode it as %20)", where);
                if (c >= 0x80)
                        return pb_diag_set(diag, -EINVAL, "non-ASCII byte in URL (percent-encode it)", where);
        }
        return 0;
}

static int parse_hex16(const char *p, size_t n, size_t *ret_len) {
        size_t i = 0;

        while (i < n && pb_hex_digit(p[i]) >= 0)
                i++;
        if (i == 0 || i > 4)
                return -EINVAL;
        *ret_len = i;
        return 0;
}

/*
 * RFC 3986 IPv6address: eight 16-bit hex groups, at most one "::" standing for one or more zero
 * groups, optionally ending in a dotted-quad that counts as two groups.
 */
int pb_parse_ipv6_literal(struct pb_span s, struct pb_diag *diag) {
        const char *p = s.ptr;
        size_t n = s.len, i = 0;
        unsigned groups = 0;
        bool compressed = false;

        if (n >= 2 && p[0] == ':' && p[1] == ':') {
                compressed = true;
                i = 2;
        } else if (n >= 1 && p[0] == ':')
                return pb_diag_set(diag, -EINVAL, "IPv6 literal starts with a single ':'", s);

        while (i < n) {
                size_t len = 0;

                if (groups >= 8)
                        return pb_diag_set(diag, -EINVAL, "too many groups in IPv6 literal", s);

                /* Dotted-quad tail? It must be the last thing and take the place of two groups. */
                size_t j = i;
                while (j < n && pb_is_ascii_digit(p[j]))
                        j++;
                if (j < n && p[j] == '.') {
                        uint8_t v4[4];

                        if (pb_parse_ipv4(pb_span_make(p + i, n - i), v4) < 0)
                                return pb_diag_set(diag, -EINVAL, "invalid IPv4 tail in IPv6 literal",
                                                   pb_span_make(p + i, n - i));
                        groups += 2;
                        i = n;
                        break;
                }

                if (parse_hex16(p + i, n - i, &len) < 0) {
                        if (i < n && pb_hex_digit(p[i]) >= 0)
                                return pb_diag_set(diag, -EINVAL, "IPv6 group longer than 4 hex digits",
                                                   pb_span_make(p + i, n - i));
                        return pb_diag_set(diag, -EINVAL, "invalid character in IPv6 literal",
                                           pb_span_make(p + i, 1));
                }
                i += len;
                groups++;
                if (i == n)
                        break;
                if (p[i] != ':')
                        return pb_diag_set(diag, -EINVAL, "invalid character in IPv6 literal",
                                           pb_span_make(p + i, 1));
                if (i + 1 < n && p[i + 1] == ':') {
                        if (compressed)
                                return pb_diag_set(diag, -EINVAL, "'::' appears more than once in IPv6 literal", s);
                        compressed = true;
                        i += 2;
                        continue;
                }
                i++;
                if (i == n)
                        return pb_diag_set(diag, -EINVAL, "IPv6 literal ends with a single ':'", s);
        }

        /* "::" stands for at least one zero group. */
        if (groups > (compressed ? 7u : 8u))
                return pb_diag_set(diag, -EINVAL, "too many groups in IPv6 literal", s);
        if (!compressed && groups < 8)
                return pb_diag_set(diag, -EINVAL, "too few groups in IPv6 literal", s);
        return 0;
}

/* Bracket contents: an IPv6 address, optionally followed by an RFC 6874 zone ("%25" + zone). */
static int parse_ip_literal(struct pb_span s, struct pb_diag *diag) {
        size_t addr_len = s.len;

        if (s.len > 0 && (s.ptr[0] == 'v' || s.ptr[0] == 'V'))
                return pb_diag_set(diag, -EINVAL, "IPvFuture literals are not supported", s);

        for (size_t i = 0; i < s.len; i++)
                if (s.ptr[i] == '%') {
                        addr_len = i;
                        break;
                }

        if (addr_len < s.len) {
                struct pb_span zone = pb_span_make(s.ptr + addr_len, s.len - addr_len);

                if (!pb_span_startswith(zone, "%25") || zone.len == 3)
                        return pb_diag_set(diag, -EINVAL, "invalid IPv6 zone (must be '%25' followed by the zone name)",
                                           zone);
                for (size_t i = 3; i < zone.len; i++) {
                        if (is_unreserved(zone.ptr[i]))
                                continue;
                        if (zone.ptr[i] == '%' && i + 2 < zone.len &&
                            pb_hex_digit(zone.ptr[i + 1]) >= 0 && pb_hex_digit(zone.ptr[i + 2]) >= 0 &&
                            !(zone.ptr[i + 1] == '0' && zone.ptr[i + 2] == '0')) {
                                i += 2;
                                continue;
                        }
                        return pb_diag_set(diag, -EINVAL, "invalid character in IPv6 zone",
                                           pb_span_make(zone.ptr + i, 1));
                }
        }

        return pb_parse_ipv6_literal(pb_span_make(s.ptr, addr_len), diag);
}

static bool only_digits_and_dots(struct pb_span s) {
        for (size_t i = 0; i < s.len; i++)
                if (!pb_is_ascii_digit(s.ptr[i]) && s.ptr[i] != '.')
                        return false;
        return s.len > 0;
}

static int parse_port(struct pb_span s, struct pb_url *u, struct pb_diag *diag) {
        uint32_t v = 0;

        /* RFC 3986 allows an empty port ("host:"); it means the scheme's default. */
        if (s.len == 0)
                return 0;

        for (size_t i = 0; i < s.len; i++) {
                if (!pb_is_ascii_digit(s.ptr[i]))
                        return pb_diag_set(diag, -EINVAL, "invalid character in port", pb_span_make(s.ptr + i, 1));
                v = v * 10 + (uint32_t) (s.ptr[i] - '0');
                if (v > 65535)
                        return pb_diag_set(diag, -EINVAL, "port out of range", s);
        }
        u->has_port = true;
        u->port = (uint16_t) v;
        return 0;
}

static int parse_authority(struct pb_span a, struct pb_url *u, struct pb_diag *diag) {
        struct pb_span hostport = a;
        size_t at = a.len;
        int r;

        for (size_t i = a.len; i > 0; i--)
                if (a.ptr[i - 1] == '@') {
                        at = i - 1;
                        break;
                }
        if (at < a.len) {
                u->userinfo = pb_span_make(a.ptr, at);
                r = check_component(u->userinfo, ":", "invalid character in userinfo", diag);
                if (r < 0)
                        return r;
                hostport = pb_span_make(a.ptr + at + 1, a.len - at - 1);
        }

        struct pb_span port = PB_SPAN_NULL;
        bool has_colon = false;

        if (hostport.len > 0 && hostport.ptr[0] == '[') {
                size_t close = 0;

                for (size_t i = 1; i < hostport.len; i++)
                        if (hostport.ptr[i] == ']') {
                                close = i;
                                break;
                        }
                if (close == 0)
                        return pb_diag_set(diag, -EINVAL, "unterminated IPv6 literal", hostport);

                u->host = pb_span_make(hostport.ptr + 1, close - 1);
                u->host_is_ipv6 = true;
                r = parse_ip_literal(u->host, diag);
                if (r < 0)
                        return r;

                if (close + 1 < hostport.len) {
                        if (hostport.ptr[close + 1] != ':')
                                return pb_diag_set(diag, -EINVAL, "unexpected character after IPv6 literal",
                                                   pb_span_make(hostport.ptr + close + 1, 1));
                        has_colon = true;
                        port = pb_span_make(hostport.ptr + close + 2, hostport.len - close - 2);
                }
        } else {
                size_t colon = hostport.len;

                for (size_t i = 0; i < hostport.len; i++)
                        if (hostport.ptr[i] == ':') {
                                colon = i;
                                break;
                        }
                u->host = pb_span_make(hostport.ptr, colon);
                if (colon < hostport.len) {
                        has_colon = true;
                        port = pb_span_make(hostport.ptr + colon + 1, hostport.len - colon - 1);
                }

                r = check_component(u->host, "", "invalid character in host", diag);
                if (r < 0)
                        return r;
                if (u->host.len > URL_HOST_MAX)
                        return pb_diag_set(diag, -EINVAL, "host name too long", u->host);
                /* "10.0.2.300" is syntactically a reg-name, but nobody means a DNS name by it. */
                if (only_digits_and_dots(u->host)) {
                        uint8_t v4[4];
                        if (pb_parse_ipv4(u->host, v4) < 0)
                                return pb_diag_set(diag, -EINVAL, "invalid IPv4 address", u->host);
                }
        }

        if (has_colon) {
                r = parse_port(port, u, diag);
                if (r < 0)
                        return r;
        }

        if (u->scheme == PB_URL_FILE) {
                if (u->userinfo.len > 0 || at < a.len)
                        return pb_diag_set(diag, -EINVAL, "file URL cannot have userinfo", a);
                if (has_colon)
                        return pb_diag_set(diag, -EINVAL, "file URL cannot have a port", a);
        } else if (u->host.len == 0)
                return pb_diag_set(diag, -EINVAL, "empty host", a);

        return 0;
}

static int parse_scheme(struct pb_span s, size_t *ret_len, struct pb_url *u, struct pb_diag *diag) {
        size_t colon = s.len;

        for (size_t i = 0; i < s.len; i++) {
                char c = s.ptr[i];
                if (c == ':') {
                        colon = i;
                        break;
                }
                if (!(pb_is_ascii_alpha(c) || (i > 0 && (pb_is_ascii_digit(c) || c == '+' || c == '-' || c == '.'))))
                        return pb_diag_set(diag, -EINVAL, "missing or invalid URL scheme", pb_span_make(s.ptr, i + 1));
        }
        if (colon == s.len || colon == 0)
                return pb_diag_set(diag, -EINVAL, "missing URL scheme", s);

        static const struct {
                const char *name;
                enum pb_url_scheme scheme;
        } table[] = {
                { "http", PB_URL_HTTP },
                { "https", PB_URL_HTTPS },
                { "file", PB_URL_FILE },
        };
        for (size_t t = 0; t < PB_ELEMENTSOF(table); t++) {
                const char *name = table[t].name;
                size_t n = pb_strlen(name), i;

                if (n != colon)
                        continue;
                for (i = 0; i < n; i++)
                        if (pb_ascii_tolower(s.ptr[i]) != name[i])
                                break;
                if (i == n) {
                        u->scheme = table[t].scheme;
                        *ret_len = colon;
                        return 0;
                }
        }
        return pb_diag_set(diag, -EINVAL, "unsupported URL scheme (use http, https or file)", pb_span_make(s.ptr, colon));
}

static size_t find_first_of(struct pb_span s, size_t from, const char *set) {
        for (size_t i = from; i < s.len; i++)
                if (char_in(s.ptr[i], set))
                        return i;
        return s.len;
}

int pb_url_parse(struct pb_span s, struct pb_url *ret, struct pb_diag *diag) {
        struct pb_url u = {};
        size_t scheme_len = 0, p, end;
        int r;

        if (!ret || (!s.ptr && s.len > 0))
                return pb_diag_set(diag, -EINVAL, "no URL", s);
        if (s.len == 0)
                return pb_diag_set(diag, -EINVAL, "empty URL", s);

        r = check_raw_bytes(s, diag);
        if (r < 0)
                return r;

        r = parse_scheme(s, &scheme_len, &u, diag);
        if (r < 0)
                return r;

        p = scheme_len + 1;
        if (s.len - p < 2 || s.ptr[p] != '/' || s.ptr[p + 1] != '/')
                return pb_diag_set(diag, -EINVAL, "expected '//' after the URL scheme", pb_span_make(s.ptr, p));
        p += 2;

        end = find_first_of(s, p, "/?#");
        r = parse_authority(pb_span_make(s.ptr + p, end - p), &u, diag);
        if (r < 0)
                return r;
        p = end;

        end = find_first_of(s, p, "?#");
        u.path = pb_span_make(s.ptr + p, end - p);
        r = check_component(u.path, ":@/", "invalid character in path", diag);
        if (r < 0)
                return r;
        p = end;

        if (p < s.len && s.ptr[p] == '?') {
                end = find_first_of(s, p + 1, "#");
                u.has_query = true;
                u.query = pb_span_make(s.ptr + p + 1, end - p - 1);
                r = check_component(u.query, ":@/?", "invalid character in query", diag);
                if (r < 0)
                        return r;
                p = end;
        }

        if (p < s.len && s.ptr[p] == '#') {
                u.has_fragment = true;
                u.fragment = pb_span_make(s.ptr + p + 1, s.len - p - 1);
                r = check_component(u.fragment, ":@/?", "invalid character in fragment", diag);
                if (r < 0)
                        return r;
        }

        *ret = u;
        return 0;
}

bool pb_url_is_valid(struct pb_span s) {
        struct pb_url u;
        return pb_url_parse(s, &u, NULL) >= 0;
}

static bool span_has_nul(struct pb_span s) {
        for (size_t i = 0; i < s.len; i++)
                if (s.ptr[i] == 0)
                        return true;
        return false;
}

/*
 * systemd's skip_protocol_and_hostname(): deliberately lenient. Everything up to the first ':'
 * is the scheme, then any number of '/', then everything up to the next '/', '?' or '#' is the
 * host. Returns the offset just past the host, or -EINVAL if there is no scheme or no host.
 * Note the leniency: in "file:///srv/x" the first path segment "srv" counts as the host.
 */
static int skip_scheme_and_host(struct pb_span url, size_t *ret) {
        size_t i = 0, h;

        while (i < url.len && url.ptr[i] != ':')
                i++;
        if (i == url.len || i == 0)
                return -EINVAL;
        i++;
        while (i < url.len && url.ptr[i] == '/')
                i++;
        h = i;
        while (i < url.len && !char_in(url.ptr[i], "/?#"))
                i++;
        if (i == h)
                return -EINVAL;
        *ret = i;
        return 0;
}

/* End of the part of url that precedes query and fragment, with trailing slashes eaten,
 * never moving before `host_end`. */
static size_t path_end(struct pb_span url, size_t host_end) {
        size_t e = host_end;

        while (e < url.len && url.ptr[e] != '?' && url.ptr[e] != '#')
                e++;
        while (e > host_end && url.ptr[e - 1] == '/')
                e--;
        return e;
}

int pb_url_change_suffix(struct pb_span url, size_t n_drop, struct pb_span suffix, char *buf, size_t size,
                         struct pb_diag *diag) {
        size_t h, e;

        if (size > 0)
                buf[0] = 0;
        if ((!url.ptr && url.len > 0) || (!suffix.ptr && suffix.len > 0))
                return pb_diag_set(diag, -EINVAL, "no URL", url);
        if (span_has_nul(url))
                return pb_diag_set(diag, -EINVAL, "NUL byte in URL", url);
        if (span_has_nul(suffix))
                return pb_diag_set(diag, -EINVAL, "NUL byte in URL component", suffix);
        if (skip_scheme_and_host(url, &h) < 0)
                return pb_diag_set(diag, -EINVAL, "URL has no scheme or host", url);

        e = path_end(url, h);

        /* Lenient like systemd: when there are fewer components than asked for, the suffix
         * simply lands right after the host. */
        for (; n_drop > 0; n_drop--) {
                while (e > h && url.ptr[e - 1] != '/')
                        e--;
                while (e > h && url.ptr[e - 1] == '/')
                        e--;
        }

        struct pb_writer w = pb_writer_make(buf, size);
        pb_writer_put(&w, url.ptr, e);
        pb_writer_put_u8(&w, '/');
        pb_writer_put_span(&w, suffix);
        if (pb_writer_finish_str(&w) < 0) {
                if (size > 0)
                        buf[0] = 0;
                return pb_diag_set(diag, -ENOBUFS, "resulting URL does not fit the buffer", url);
        }
        return 0;
}

int pb_url_change_last_component(struct pb_span url, struct pb_span component, char *buf, size_t size,
                                 struct pb_diag *diag) {
        struct pb_diag d = {};
        struct pb_url u;
        size_t prefix;
        int r;

        r = pb_url_change_suffix(url, 1, component, buf, size, diag);
        if (r < 0)
                return r;

        /* Where the copied URL prefix ends; the '/' we inserted follows it. */
        prefix = pb_strlen(buf) - component.len - 1;

        r = pb_url_parse(pb_span_make(buf, pb_strlen(buf)), &u, &d);
        if (r >= 0)
                return 0;

        /* Point the diagnostic at the caller's bytes, not at our output buffer which we clear. */
        if (diag) {
                size_t off = d.where.ptr ? (size_t) (d.where.ptr - buf) : 0, len = d.where.len;

                diag->reason = d.reason;
                if (off < prefix)
                        diag->where = pb_span_make(url.ptr + off, len <= prefix - off ? len : prefix - off);
                else if (off > prefix) {
                        off -= prefix + 1;
                        diag->where = pb_span_make(component.ptr + off,
                                                   len <= component.len - off ? len : component.len - off);
                } else
                        diag->where = component;
        }
        if (size > 0)
                buf[0] = 0;
        return -EINVAL;
}

int pb_url_last_component(struct pb_span url, struct pb_span *ret) {
        size_t h, e, p;

        if ((!url.ptr && url.len > 0) || span_has_nul(url))
                return -EINVAL;
        if (skip_scheme_and_host(url, &h) < 0)
                return -EINVAL;

        e = path_end(url, h);
        p = e;
        while (p > h && url.ptr[p - 1] != '/')
                p--;
        if (p >= e)
                return -EINVAL;

        if (ret)
                *ret = pb_span_make(url.ptr + p, e - p);
        return 0;
}
