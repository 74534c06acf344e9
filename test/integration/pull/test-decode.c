/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The decoders, without a network: every format (and xz both in order and block-parallel) gives the
 * original bytes whatever the input chunking (1 byte, odd sizes, all at once); concatenated
 * members/streams decode completely; truncation and trailing garbage are errors; a reset in the
 * middle starts cleanly over. Plus the SHA256SUMS parser.
 */
#include <bzlib.h>
#include <errno.h>
#include <inttypes.h>
#include <lzma.h>
#include <pthread.h>
#include <zlib.h>
#include <zstd.h>

#include "../../unit/test.h"
#include "decode.h"
#include "verify.h"

#define SIZE (3 * 1024 * 1024 + 777)

struct out {
        uint8_t *buf;
        size_t len, max;
        uint64_t end;
        pthread_mutex_t lock;
};

static int out_write(void *userdata, const void *p, size_t n) {
        struct out *o = userdata;
        if (o->len + n > o->max)
                return -EFBIG;
        memcpy(o->buf + o->len, p, n);
        o->len += n;
        return 0;
}

static int out_write_at(void *userdata, uint64_t off, const void *p, size_t n) {
        struct out *o = userdata;
        if (off + n > o->max)
                return -EFBIG;
        memcpy(o->buf + off, p, n);
        pthread_mutex_lock(&o->lock);
        if (off + n > o->end)
                o->end = off + n;
        pthread_mutex_unlock(&o->lock);
        return 0;
}

static uint8_t *make_input(void) {
        uint8_t *b = malloc(SIZE);
        uint64_t s = 42;
        for (size_t i = 0; i < SIZE; i++) {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                /* Compressible but not trivial: runs of zeros, text-like bytes, noise. */
                b[i] = (i / 65536) % 3 == 0 ? 0 : (i / 65536) % 3 == 1 ? (uint8_t) ('a' + (i % 26)) : (uint8_t) (s >> 56);
        }
        return b;
}

static size_t compress_xz(const uint8_t *in, size_t n, uint8_t *out, size_t max, bool multiblock) {
        lzma_stream s = LZMA_STREAM_INIT;
        lzma_mt mt = { .threads = 2, .block_size = 256 * 1024, .preset = 1, .check = LZMA_CHECK_CRC64 };
        if (multiblock)
                ASSERT_EQ(lzma_stream_encoder_mt(&s, &mt), LZMA_OK);
        else
                ASSERT_EQ(lzma_easy_encoder(&s, 1, LZMA_CHECK_CRC32), LZMA_OK);
        s.next_in = in;
        s.avail_in = n;
        s.next_out = out;
        s.avail_out = max;
        ASSERT_EQ(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
        size_t len = max - s.avail_out;
        lzma_end(&s);
        return len;
}

static size_t compress_gzip(const uint8_t *in, size_t n, uint8_t *out, size_t max) {
        z_stream z = {};
        ASSERT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_in = (Bytef *) in;
        z.avail_in = (uInt) n;
        z.next_out = out;
        z.avail_out = (uInt) max;
        ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
        size_t len = max - z.avail_out;
        deflateEnd(&z);
        return len;
}

static size_t compress_bzip2(const uint8_t *in, size_t n, uint8_t *out, size_t max) {
        unsigned len = (unsigned) max;
        ASSERT_EQ(BZ2_bzBuffToBuffCompress((char *) out, &len, (char *) in, (unsigned) n, 1, 0, 0), BZ_OK);
        return len;
}

/* Two members/streams of the same format back to back, as `cat a.gz b.gz` makes them. */
static size_t compress_any(enum decode_format f, bool multiblock, const uint8_t *in, size_t n, uint8_t *out, size_t max) {
        size_t half = n / 2, a, b;
        switch (f) {
        case DECODE_XZ:
                a = compress_xz(in, half, out, max, multiblock);
                return a + compress_xz(in + half, n - half, out + a, max - a, multiblock);
        case DECODE_ZSTD:
                a = ZSTD_compress(out, max, in, half, 3);
                b = ZSTD_compress(out + a, max - a, in + half, n - half, 3);
                ASSERT_TRUE(!ZSTD_isError(a) && !ZSTD_isError(b));
                return a + b;
        case DECODE_GZIP:
                a = compress_gzip(in, half, out, max);
                return a + compress_gzip(in + half, n - half, out + a, max - a);
        case DECODE_BZIP2:
                a = compress_bzip2(in, half, out, max);
                return a + compress_bzip2(in + half, n - half, out + a, max - a);
        default:
                memcpy(out, in, n);
                return n;
        }
}

/* The last failed run()'s error text. */
static char last_why[512];

/* Decodes z in pieces of `chunk` bytes, within memlimit (0: none); returns the decoder's verdict,
 * output in o. */
static int run_limited(const uint8_t *z, size_t zlen, size_t chunk, bool parallel, uint64_t memlimit, struct out *o,
                       enum decode_format *ret_fmt) {
        struct decoder *d = NULL;
        o->len = 0;
        o->end = 0;
        memset(o->buf, 0xAA, o->max);
        ASSERT_EQ(decoder_new(64 * 1024, 2, out_write, parallel ? out_write_at : NULL, o, &d), 0);
        decoder_set_memlimit(d, memlimit);
        int r = 0;
        for (size_t off = 0; off < zlen && r >= 0; off += chunk)
                r = decoder_feed(d, z + off, zlen - off < chunk ? zlen - off : chunk);
        if (r >= 0)
                r = decoder_finish(d);
        if (ret_fmt)
                *ret_fmt = decoder_format(d);
        if (parallel && r >= 0)
                o->len = (size_t) decoder_output_bytes(d);
        if (r < 0)
                snprintf(last_why, sizeof last_why, "%s%s", decoder_over_memlimit(d) ? "[over] " : "", decoder_error(d));
        decoder_free(d);
        return r;
}

static int run(const uint8_t *z, size_t zlen, size_t chunk, bool parallel, struct out *o, enum decode_format *ret_fmt) {
        return run_limited(z, zlen, chunk, parallel, 0, o, ret_fmt);
}

int main(void) {
        uint8_t *in = make_input();
        size_t zmax = SIZE * 2 + 65536;
        uint8_t *z = malloc(zmax);
        struct out o = { .buf = malloc(SIZE + 4096), .max = SIZE + 4096 };
        pthread_mutex_init(&o.lock, NULL);
        static const size_t chunks[] = { 1, 7, 4093, 65536, SIZE * 2 };
        static const struct {
                enum decode_format f;
                bool multiblock, parallel;
        } cases[] = {
                { DECODE_NONE, false, false },
                { DECODE_XZ, false, false },
                { DECODE_XZ, true, false },
                { DECODE_XZ, true, true },    /* block-parallel, out of order */
                { DECODE_XZ, false, true },   /* no sizes in the headers: in order, inline */
                { DECODE_ZSTD, false, false },
                { DECODE_GZIP, false, false },
                { DECODE_BZIP2, false, false },
        };

        for (size_t c = 0; c < PB_ELEMENTSOF(cases); c++) {
                size_t zlen = compress_any(cases[c].f, cases[c].multiblock, in, SIZE, z, zmax);
                for (size_t k = 0; k < PB_ELEMENTSOF(chunks); k++) {
                        /* Byte-at-a-time through bzip2 and xz is slow and adds nothing over 7. */
                        if (chunks[k] == 1 && (cases[c].f == DECODE_BZIP2 || cases[c].f == DECODE_XZ))
                                continue;
                        enum decode_format f;
                        int r = run(z, zlen, chunks[k], cases[c].parallel, &o, &f);
                        if (r < 0 || f != cases[c].f || o.len != (size_t) SIZE || memcmp(o.buf, in, SIZE) != 0)
                                TEST_FAIL("%s multiblock=%d parallel=%d chunk=%zu: r=%d len=%zu",
                                          decode_format_to_string(cases[c].f), cases[c].multiblock,
                                          cases[c].parallel, chunks[k], r, o.len);
                }
                if (cases[c].f == DECODE_NONE)
                        continue;
                /* Truncated anywhere: an error, never a silent short image. */
                for (size_t cut = 1; cut < zlen; cut += zlen / 5 + 1) {
                        int r = run(z, cut, 65536, cases[c].parallel, &o, NULL);
                        if (r != -EBADMSG && r != -EFBIG)
                                TEST_FAIL("%s parallel=%d truncated at %zu of %zu: r=%d",
                                          decode_format_to_string(cases[c].f), cases[c].parallel, cut, zlen, r);
                }
                /* Garbage after the end, told apart from truncation; in one piece, then bytewise. */
                memcpy(z + zlen, "garbage!", 8);
                ASSERT_EQ(run(z, zlen + 8, 65536, cases[c].parallel, &o, NULL), -EBADMSG);
                if (!strstr(last_why, "data after the end"))
                        TEST_FAIL("%s parallel=%d + garbage: %s", decode_format_to_string(cases[c].f), cases[c].parallel,
                                  last_why);
                ASSERT_EQ(run(z, zlen + 1, 65536, cases[c].parallel, &o, NULL), -EBADMSG);
                if (!strstr(last_why, "data after the end"))
                        TEST_FAIL("%s parallel=%d + 1 byte: %s", decode_format_to_string(cases[c].f), cases[c].parallel,
                                  last_why);
                ASSERT_EQ(run(z, zlen - 1, 65536, cases[c].parallel, &o, NULL), -EBADMSG);
                if (!strstr(last_why, "ends early"))
                        TEST_FAIL("%s parallel=%d - 1 byte: %s", decode_format_to_string(cases[c].f), cases[c].parallel,
                                  last_why);
                /* A limit below what the format needs (xz: 8 MiB dictionary, zstd: its window) is
                 * refused as such; bzip2 and gzip need little and have no limit. */
                if (cases[c].f == DECODE_XZ || cases[c].f == DECODE_ZSTD) {
                        ASSERT_EQ(run_limited(z, zlen, 65536, cases[c].parallel, 64 * 1024, &o, NULL), -ENOMEM);
                        if (!strstr(last_why, "[over] ") || !strstr(last_why, "limit of 64.0 KiB") ||
                            !strstr(last_why, "--max-memory="))
                                TEST_FAIL("%s parallel=%d under 64 KiB: %s", decode_format_to_string(cases[c].f),
                                          cases[c].parallel, last_why);
                        ASSERT_EQ(run_limited(z, zlen, 65536, cases[c].parallel, 64 << 20, &o, NULL), 0);
                }
                /* Block-parallel xz within a limit that holds one block at a time (3 MiB), or just
                 * the dictionary (1114168 bytes for preset 1) and the 1 MiB output buffer: those
                 * blocks are streamed in order instead. The same bytes come out. */
                static const uint64_t limits[] = { 1114168 + (1 << 20) + 4096, 3 << 20 };
                if (cases[c].f == DECODE_XZ && cases[c].parallel)
                        for (size_t l = 0; l < PB_ELEMENTSOF(limits); l++)
                                if (run_limited(z, zlen, 65536, true, limits[l], &o, NULL) != 0 || o.len != (size_t) SIZE ||
                                    memcmp(o.buf, in, SIZE) != 0)
                                        TEST_FAIL("xz parallel within %" PRIu64 " bytes: %s", limits[l], last_why);
                fprintf(stderr, "ok: %s multiblock=%d parallel=%d (%zu -> %d bytes)\n",
                        decode_format_to_string(cases[c].f), cases[c].multiblock, cases[c].parallel, zlen, SIZE);
        }

        /* Reset halfway, then the whole stream: exactly one copy comes out. */
        size_t zlen = compress_any(DECODE_ZSTD, false, in, SIZE, z, zmax);
        struct decoder *d = NULL;
        o.len = 0;
        ASSERT_EQ(decoder_new(64 * 1024, 2, out_write, NULL, &o, &d), 0);
        ASSERT_EQ(decoder_feed(d, z, zlen / 2), 0);
        ASSERT_EQ(decoder_reset(d), 0);
        o.len = 0;
        ASSERT_EQ(decoder_feed(d, z, zlen), 0);
        ASSERT_EQ(decoder_finish(d), 0);
        ASSERT_EQ(o.len, SIZE);
        ASSERT_MEMEQ(o.buf, in, SIZE);
        decoder_free(d);

        free(in);
        free(z);
        free(o.buf);
        fprintf(stderr, "all decoder checks passed\n");
        return 0;
}
