/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "base.h"

size_t pb_strlen(const char *s) {
        size_t n = 0;
        while (s[n])
                n++;
        return n;
}

size_t pb_strnlen(const char *s, size_t max) {
        size_t n = 0;
        while (n < max && s[n])
                n++;
        return n;
}

struct pb_span pb_span_from_str(const char *s) {
        return pb_span_make(s, s ? pb_strlen(s) : 0);
}

bool pb_span_eq(struct pb_span a, const char *s) {
        return pb_span_eq_span(a, pb_span_from_str(s));
}

bool pb_span_eq_span(struct pb_span a, struct pb_span b) {
        return a.len == b.len && (a.len == 0 || pb_memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* n == 0 is answered before touching a.ptr, which may be NULL for an empty span. */
bool pb_span_startswith(struct pb_span a, const char *prefix) {
        size_t n = pb_strlen(prefix);
        return n == 0 || (a.len >= n && pb_memcmp(a.ptr, prefix, n) == 0);
}

bool pb_span_endswith(struct pb_span a, const char *suffix) {
        size_t n = pb_strlen(suffix);
        return n == 0 || (a.len >= n && pb_memcmp(a.ptr + a.len - n, suffix, n) == 0);
}

int pb_span_copy(struct pb_span a, char *buf, size_t size) {
        if (size == 0)
                return -ENOBUFS;
        if (a.len >= size) {
                buf[0] = 0;
                return -ENOBUFS;
        }
        if (a.len > 0)
                pb_memcpy(buf, a.ptr, a.len);
        buf[a.len] = 0;
        return 0;
}

int pb_hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

void pb_writer_put(struct pb_writer *w, const void *p, size_t n) {
        if (w->overflow)
                return;
        if (n > w->size - w->len) {
                w->overflow = true;
                return;
        }
        if (n > 0)
                pb_memcpy(w->data + w->len, p, n);
        w->len += n;
}

void pb_writer_put_u8(struct pb_writer *w, uint8_t v) {
        pb_writer_put(w, &v, 1);
}

void pb_writer_put_le16(struct pb_writer *w, uint16_t v) {
        uint8_t b[2];
        pb_put_le16(b, v);
        pb_writer_put(w, b, sizeof b);
}

void pb_writer_put_le32(struct pb_writer *w, uint32_t v) {
        uint8_t b[4];
        pb_put_le32(b, v);
        pb_writer_put(w, b, sizeof b);
}

void pb_writer_put_le64(struct pb_writer *w, uint64_t v) {
        uint8_t b[8];
        pb_put_le64(b, v);
        pb_writer_put(w, b, sizeof b);
}

void pb_writer_put_str(struct pb_writer *w, const char *s) {
        pb_writer_put(w, s, pb_strlen(s));
}

void pb_writer_put_span(struct pb_writer *w, struct pb_span s) {
        pb_writer_put(w, s.ptr, s.len);
}

void pb_writer_put_hex(struct pb_writer *w, const uint8_t *p, size_t n, bool upper) {
        const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                char b[2] = { digits[p[i] >> 4], digits[p[i] & 15] };
                pb_writer_put(w, b, 2);
        }
}

void pb_writer_put_uint(struct pb_writer *w, uint64_t v, unsigned base, unsigned min_digits, bool upper) {
        const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        char tmp[64];
        unsigned n = 0;

        if (base < 2 || base > 16)
                base = 10;
        do {
                tmp[n++] = digits[v % base];
                v /= base;
        } while (v > 0 && n < sizeof tmp);
        while (n < min_digits && n < sizeof tmp)
                tmp[n++] = '0';
        while (n > 0)
                pb_writer_put(w, &tmp[--n], 1);
}

int pb_writer_finish_str(struct pb_writer *w) {
        if (!w->overflow && w->len < w->size) {
                w->data[w->len] = 0;
                return 0;
        }
        w->overflow = true;
        if (w->size > 0)
                w->data[w->size - 1] = 0;
        return -ENOBUFS;
}
