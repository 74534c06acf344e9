/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the block-parallel xz decoder's walker (initrd/pull/decode-xz.c): stream
 * header, block headers and their sizes, index, footer, padding, concatenated streams. The first
 * byte picks the chunking and the number of workers; the rest is the .xz stream. Besides "no
 * crash", checks that every write stays below the output size the walker accounted for, and that
 * an accepted input decodes to exactly what liblzma's own stream decoder makes of it.
 */
#include <errno.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode-xz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                            \
        do {                                \
                if (!(x))                   \
                        __builtin_trap();   \
        } while (0)

/* Output kept for the comparison; longer outputs are only accounted. */
#define KEEP (1 << 20)

struct out {
        uint8_t *buf;
        uint64_t written, end;      /* updated from the workers */
};

static int write_at(void *userdata, uint64_t offset, const void *p, size_t n) {
        struct out *o = userdata;
        CHECK(n > 0 && offset + n > offset);
        if (offset < KEEP)
                memcpy(o->buf + offset, p, offset + n <= KEEP ? n : KEEP - offset);
        __atomic_fetch_add(&o->written, n, __ATOMIC_RELAXED);
        uint64_t end = offset + n, cur = __atomic_load_n(&o->end, __ATOMIC_RELAXED);
        while (end > cur && !__atomic_compare_exchange_n(&o->end, &cur, end, false, __ATOMIC_RELAXED,
                                                         __ATOMIC_RELAXED))
                ;
        return 0;
}

/* liblzma's single-threaded decoder on the same bytes: true and *len if it accepts them. */
static bool reference(const uint8_t *in, size_t n, uint8_t *out, size_t *len) {
        lzma_stream s = LZMA_STREAM_INIT;
        if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
                return false;
        s.next_in = in;
        s.avail_in = n;
        s.next_out = out;
        s.avail_out = KEEP;
        lzma_ret r = lzma_code(&s, LZMA_FINISH);
        *len = KEEP - s.avail_out;
        lzma_end(&s);
        return r == LZMA_STREAM_END;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct out o = {};
        struct xzpar *x;
        int r = 0;

        if (size < 1)
                return 0;
        size_t chunk = 1 + (size_t) (data[0] & 0x7f) * 37;
        unsigned threads = 1 + (data[0] >> 7);
        data++;
        size--;

        o.buf = calloc(1, KEEP);
        if (!o.buf || xzpar_new(threads, write_at, &o, &x) < 0) {
                free(o.buf);
                return 0;
        }
        for (size_t i = 0; i < size && r >= 0; i += chunk)
                r = xzpar_feed(x, data + i, size - i < chunk ? size - i : chunk);
        if (r >= 0)
                r = xzpar_finish(x);
        else
                CHECK(r == -EBADMSG || r == -ENOMEM);
        uint64_t total = xzpar_output_bytes(x);
        x = xzpar_free(x);      /* joins the workers: o is final from here */
        CHECK(o.end <= total || r < 0);
        if (r >= 0) {
                CHECK(o.written == total && o.end == total);
                if (total <= KEEP) {
                        uint8_t *ref = malloc(KEEP);
                        size_t len = 0;
                        CHECK(!ref || (reference(data, size, ref, &len) && len == total &&
                                       memcmp(ref, o.buf, len) == 0));
                        free(ref);
                }
        }
        free(o.buf);
        return 0;
}
