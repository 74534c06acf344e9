/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "utf16.h"

static bool is_surrogate(uint32_t c) {
        return c >= 0xd800 && c <= 0xdfff;
}

static bool is_continuation(uint8_t b) {
        return (b & 0xc0) == 0x80;
}

int pb_utf8_next_ucs2(struct pb_span s, size_t *offset, uint16_t *ret) {
        const uint8_t *p = (const uint8_t *) s.ptr;
        size_t i = *offset, need;
        uint32_t c, min;

        if (i >= s.len)
                return 0;

        c = p[i];
        if (c < 0x80) {
                need = 0;
                min = 0;
        } else if ((c & 0xe0) == 0xc0) {
                need = 1;
                min = 0x80;
                c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
                need = 2;
                min = 0x800;
                c &= 0x0f;
        } else
                /* Continuation bytes out of place, and 4-byte sequences: those encode code
                 * points above U+FFFF, which CHAR16 cannot hold (no surrogate pairs in UCS-2). */
                return -EILSEQ;

        if (need > s.len - i - 1)
                return -EILSEQ;
        for (size_t k = 1; k <= need; k++) {
                if (!is_continuation(p[i + k]))
                        return -EILSEQ;
                c = (c << 6) | (p[i + k] & 0x3f);
        }
        if (c < min || is_surrogate(c))
                return -EILSEQ;
        /* An embedded NUL would silently cut the CHAR16 string short. */
        if (c == 0)
                return -EILSEQ;

        *offset = i + need + 1;
        *ret = (uint16_t) c;
        return 1;
}

size_t pb_ucs2_encode_utf8(uint16_t c, char out[static 3]) {
        if (c < 0x80) {
                out[0] = (char) c;
                return 1;
        }
        if (c < 0x800) {
                out[0] = (char) (0xc0 | (c >> 6));
                out[1] = (char) (0x80 | (c & 0x3f));
                return 2;
        }
        out[0] = (char) (0xe0 | (c >> 12));
        out[1] = (char) (0x80 | ((c >> 6) & 0x3f));
        out[2] = (char) (0x80 | (c & 0x3f));
        return 3;
}

int pb_utf8_put_ucs2le(struct pb_writer *w, struct pb_span s, bool nul) {
        size_t i = 0;
        uint16_t c;
        int r;

        while ((r = pb_utf8_next_ucs2(s, &i, &c)) > 0)
                pb_writer_put_le16(w, c);
        if (r < 0)
                return r;
        if (nul)
                pb_writer_put_le16(w, 0);
        return pb_writer_status(w);
}

int pb_utf8_to_ucs2le(struct pb_span s, uint8_t *buf, size_t size, size_t *ret_size) {
        struct pb_writer w = pb_writer_make(buf, size);
        int r;

        r = pb_utf8_put_ucs2le(&w, s, true);
        if (r < 0)
                return r;
        if (ret_size)
                *ret_size = w.len;
        return 0;
}

int pb_utf8_to_ucs2(struct pb_span s, uint16_t *buf, size_t n_units, size_t *ret_len) {
        size_t i = 0, n = 0;
        uint16_t c;
        int r;

        while ((r = pb_utf8_next_ucs2(s, &i, &c)) > 0) {
                if (n + 1 >= n_units)
                        return -ENOBUFS;
                buf[n++] = c;
        }
        if (r < 0)
                return r;
        if (n_units == 0)
                return -ENOBUFS;
        buf[n] = 0;
        if (ret_len)
                *ret_len = n;
        return 0;
}

int pb_ucs2le_to_utf8(const uint8_t *p, size_t size, char *buf, size_t bufsize, size_t *ret_len) {
        size_t i, n = 0;

        if (bufsize > 0)
                buf[0] = 0;

        for (i = 0; i + 1 < size; i += 2) {
                uint16_t c = pb_le16(p + i);
                char enc[3];
                size_t k;

                if (c == 0)
                        break;
                if (is_surrogate(c))
                        return -EILSEQ;
                k = pb_ucs2_encode_utf8(c, enc);
                /* Keep one byte for the NUL. */
                if (k >= bufsize - n || bufsize == 0) {
                        if (bufsize > 0)
                                buf[0] = 0;
                        return -ENOBUFS;
                }
                for (size_t j = 0; j < k; j++)
                        buf[n++] = enc[j];
        }
        /* The loop ends on a NUL unit, or with 0 or 1 bytes left; one left is half a unit. */
        if (i + 1 == size) {
                if (bufsize > 0)
                        buf[0] = 0;
                return -EILSEQ;
        }
        if (bufsize == 0)
                return -ENOBUFS;
        buf[n] = 0;
        if (ret_len)
                *ret_len = n;
        return 0;
}

int pb_ucs2le_size(const uint8_t *p, size_t size, size_t *ret_size) {
        for (size_t i = 0; i + 1 < size; i += 2)
                if (p[i] == 0 && p[i + 1] == 0) {
                        if (ret_size)
                                *ret_size = i + 2;
                        return 0;
                }
        return -EBADMSG;
}
