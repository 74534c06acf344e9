/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The boot NIC record: a few "key=value" lines the stub writes and the initrd reads. Readers skip
 * keys they do not know so newer stubs can add some, but a known key with a bad value is an error:
 * configuring the network from a half-understood record is worse than not using it.
 */

#include "netinfo.h"

/* Parses a decimal number of at most max_digits digits without leading zeros ("0" itself is
 * fine), so "010" cannot be mistaken for octal by anyone else reading the same text. */
static int parse_small_dec(struct pb_span s, unsigned max_digits, unsigned max, unsigned *ret) {
        unsigned v = 0;

        if (s.len == 0 || s.len > max_digits)
                return -EINVAL;
        if (s.len > 1 && s.ptr[0] == '0')
                return -EINVAL;
        for (size_t i = 0; i < s.len; i++) {
                if (!pb_is_ascii_digit(s.ptr[i]))
                        return -EINVAL;
                v = v * 10 + (unsigned) (s.ptr[i] - '0');
        }
        if (v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

int pb_parse_ipv4(struct pb_span s, uint8_t ret[4]) {
        uint8_t a[4];
        size_t start = 0;
        unsigned n = 0;

        if (!s.ptr && s.len > 0)
                return -EINVAL;

        for (size_t i = 0; i <= s.len; i++) {
                unsigned v;

                if (i < s.len && s.ptr[i] != '.')
                        continue;
                if (n == 4)
                        return -EINVAL;
                if (parse_small_dec(pb_span_make(s.ptr + start, i - start), 3, 255, &v) < 0)
                        return -EINVAL;
                a[n++] = (uint8_t) v;
                start = i + 1;
        }
        if (n != 4)
                return -EINVAL;
        pb_memcpy(ret, a, 4);
        return 0;
}

int pb_parse_mac(struct pb_span s, uint8_t ret[6]) {
        uint8_t m[6];

        /* Exactly "xx:xx:xx:xx:xx:xx": 6 pairs, 5 colons. */
        if (s.len != 17)
                return -EINVAL;
        for (unsigned i = 0; i < 6; i++) {
                int hi = pb_hex_digit(s.ptr[i * 3]), lo = pb_hex_digit(s.ptr[i * 3 + 1]);

                if (hi < 0 || lo < 0)
                        return -EINVAL;
                if (i < 5 && s.ptr[i * 3 + 2] != ':')
                        return -EINVAL;
                m[i] = (uint8_t) (hi << 4 | lo);
        }
        pb_memcpy(ret, m, 6);
        return 0;
}

void pb_format_ipv4(struct pb_writer *w, const uint8_t ip[4]) {
        for (unsigned i = 0; i < 4; i++) {
                if (i > 0)
                        pb_writer_put_u8(w, '.');
                pb_writer_put_uint(w, ip[i], 10, 1, false);
        }
}

void pb_format_mac(struct pb_writer *w, const uint8_t mac[6]) {
        for (unsigned i = 0; i < 6; i++) {
                if (i > 0)
                        pb_writer_put_u8(w, ':');
                pb_writer_put_hex(w, &mac[i], 1, false);
        }
}

int pb_netinfo_format(const struct pb_netinfo *ni, char *buf, size_t size) {
        struct pb_writer w = pb_writer_make(buf, size);

        if (!ni || ni->n_dns > PB_NETINFO_MAX_DNS || (ni->has_ipv4 && ni->prefix_len > 32)) {
                if (size > 0)
                        buf[0] = 0;
                return -EINVAL;
        }

        if (ni->has_mac) {
                pb_writer_put_str(&w, "mac=");
                pb_format_mac(&w, ni->mac);
                pb_writer_put_u8(&w, '\n');
        }
        if (ni->has_ipv4) {
                pb_writer_put_str(&w, "ipv4=");
                pb_format_ipv4(&w, ni->ipv4);
                pb_writer_put_u8(&w, '/');
                pb_writer_put_uint(&w, ni->prefix_len, 10, 1, false);
                pb_writer_put_u8(&w, '\n');
        }
        if (ni->has_gateway) {
                pb_writer_put_str(&w, "gateway=");
                pb_format_ipv4(&w, ni->gateway);
                pb_writer_put_u8(&w, '\n');
        }
        for (unsigned i = 0; i < ni->n_dns; i++) {
                pb_writer_put_str(&w, "dns=");
                pb_format_ipv4(&w, ni->dns[i]);
                pb_writer_put_u8(&w, '\n');
        }
        /* "dhcp" is the default, so it is only spelled out next to an address it describes. */
        if (ni->ipv4_static)
                pb_writer_put_str(&w, "origin=static\n");
        else if (ni->has_ipv4)
                pb_writer_put_str(&w, "origin=dhcp\n");

        return pb_writer_finish_str(&w);
}

static int parse_line(struct pb_span line, struct pb_netinfo *ni, unsigned *seen, struct pb_diag *diag) {
        enum { SEEN_MAC = 1, SEEN_IPV4 = 2, SEEN_GATEWAY = 4, SEEN_ORIGIN = 8 };
        struct pb_span key, value;
        size_t eq = line.len;

        for (size_t i = 0; i < line.len; i++)
                if (line.ptr[i] == '=') {
                        eq = i;
                        break;
                }
        if (eq == line.len)
                return pb_diag_set(diag, -EINVAL, "expected key=value", line);
        if (eq == 0)
                return pb_diag_set(diag, -EINVAL, "empty key", line);

        key = pb_span_make(line.ptr, eq);
        value = pb_span_make(line.ptr + eq + 1, line.len - eq - 1);

        if (pb_span_eq(key, "mac")) {
                if (*seen & SEEN_MAC)
                        return pb_diag_set(diag, -EINVAL, "duplicate mac=", line);
                if (pb_parse_mac(value, ni->mac) < 0)
                        return pb_diag_set(diag, -EINVAL, "invalid MAC address (expected aa:bb:cc:dd:ee:ff)", value);
                ni->has_mac = true;
                *seen |= SEEN_MAC;

        } else if (pb_span_eq(key, "ipv4")) {
                size_t slash = value.len;
                unsigned prefix;

                if (*seen & SEEN_IPV4)
                        return pb_diag_set(diag, -EINVAL, "duplicate ipv4=", line);
                for (size_t i = 0; i < value.len; i++)
                        if (value.ptr[i] == '/') {
                                slash = i;
                                break;
                        }
                if (slash == value.len)
                        return pb_diag_set(diag, -EINVAL, "ipv4= needs a prefix length (a.b.c.d/N)", value);
                if (pb_parse_ipv4(pb_span_make(value.ptr, slash), ni->ipv4) < 0)
                        return pb_diag_set(diag, -EINVAL, "invalid IPv4 address", pb_span_make(value.ptr, slash));
                if (parse_small_dec(pb_span_make(value.ptr + slash + 1, value.len - slash - 1), 2, 32, &prefix) < 0)
                        return pb_diag_set(diag, -EINVAL, "invalid IPv4 prefix length (0-32)",
                                           pb_span_make(value.ptr + slash + 1, value.len - slash - 1));
                ni->prefix_len = (uint8_t) prefix;
                ni->has_ipv4 = true;
                *seen |= SEEN_IPV4;

        } else if (pb_span_eq(key, "gateway")) {
                if (*seen & SEEN_GATEWAY)
                        return pb_diag_set(diag, -EINVAL, "duplicate gateway=", line);
                if (pb_parse_ipv4(value, ni->gateway) < 0)
                        return pb_diag_set(diag, -EINVAL, "invalid gateway IPv4 address", value);
                ni->has_gateway = true;
                *seen |= SEEN_GATEWAY;

        } else if (pb_span_eq(key, "dns")) {
                if (ni->n_dns >= PB_NETINFO_MAX_DNS)
                        return pb_diag_set(diag, -EINVAL, "too many dns= entries (at most 4)", line);
                if (pb_parse_ipv4(value, ni->dns[ni->n_dns]) < 0)
                        return pb_diag_set(diag, -EINVAL, "invalid DNS server IPv4 address", value);
                ni->n_dns++;

        } else if (pb_span_eq(key, "origin")) {
                if (*seen & SEEN_ORIGIN)
                        return pb_diag_set(diag, -EINVAL, "duplicate origin=", line);
                if (pb_span_eq(value, "static"))
                        ni->ipv4_static = true;
                else if (pb_span_eq(value, "dhcp"))
                        ni->ipv4_static = false;
                else
                        return pb_diag_set(diag, -EINVAL, "invalid origin (expected dhcp or static)", value);
                *seen |= SEEN_ORIGIN;
        }
        /* Anything else is a key from a newer stub: skipped. */

        return 0;
}

int pb_netinfo_parse(struct pb_span text, struct pb_netinfo *ret, struct pb_diag *diag) {
        struct pb_netinfo ni = {};
        unsigned seen = 0;
        size_t start = 0;
        int r;

        if (!ret || (!text.ptr && text.len > 0))
                return pb_diag_set(diag, -EINVAL, "no record", text);

        /* EFI variables written as strings often carry their terminating NUL. */
        while (text.len > 0 && text.ptr[text.len - 1] == 0)
                text.len--;

        for (size_t i = 0; i < text.len; i++)
                if (text.ptr[i] == 0)
                        return pb_diag_set(diag, -EINVAL, "NUL byte inside the record", pb_span_make(text.ptr + i, 1));

        while (start < text.len) {
                size_t end = start;

                while (end < text.len && text.ptr[end] != '\n')
                        end++;

                struct pb_span line = pb_span_make(text.ptr + start, end - start);
                if (line.len > 0 && line.ptr[line.len - 1] == '\r')
                        line.len--;

                if (line.len > 0) {
                        r = parse_line(line, &ni, &seen, diag);
                        if (r < 0)
                                return r;
                }
                start = end + 1;
        }

        *ret = ni;
        return 0;
}
