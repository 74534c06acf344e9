/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "guid.h"

/* Text position of each byte of the canonical form, in text order, and the EFI byte it lands
 * in: the first three fields are stored little-endian, the last two as written. */
static const uint8_t text_to_byte[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

static bool is_dash_position(size_t i) {
        return i == 8 || i == 13 || i == 18 || i == 23;
}

int pb_guid_parse(struct pb_span s, pb_guid *ret) {
        pb_guid g;
        size_t k = 0;

        if (s.len == PB_GUID_STRING_LEN + 2 && s.ptr[0] == '{' && s.ptr[s.len - 1] == '}')
                s = pb_span_make(s.ptr + 1, s.len - 2);
        if (s.len != PB_GUID_STRING_LEN)
                return -EINVAL;

        for (size_t i = 0; i < s.len;) {
                int hi, lo;

                if (is_dash_position(i)) {
                        if (s.ptr[i] != '-')
                                return -EINVAL;
                        i++;
                        continue;
                }
                hi = pb_hex_digit(s.ptr[i]);
                lo = pb_hex_digit(s.ptr[i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                g.b[text_to_byte[k++]] = (uint8_t) (hi << 4 | lo);
                i += 2;
        }

        if (ret)
                *ret = g;
        return 0;
}

void pb_guid_put(struct pb_writer *w, const pb_guid *g, bool upper) {
        for (size_t k = 0; k < 16; k++) {
                if (k == 4 || k == 6 || k == 8 || k == 10)
                        pb_writer_put_u8(w, '-');
                pb_writer_put_hex(w, &g->b[text_to_byte[k]], 1, upper);
        }
}

int pb_guid_format(const pb_guid *g, char *buf, size_t size) {
        struct pb_writer w = pb_writer_make(buf, size);

        pb_guid_put(&w, g, false);
        return pb_writer_finish_str(&w);
}

bool pb_guid_eq(const pb_guid *a, const pb_guid *b) {
        return pb_memcmp(a->b, b->b, sizeof a->b) == 0;
}
