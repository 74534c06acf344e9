/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * initrd/pull/estimate.c: the room an image needs, from its first and last bytes. Each case
 * compresses a small image here (liblzma, libzstd, zlib), hands the estimator only what the
 * probes would fetch, and checks the bounds against what the sparse sink really stores: the
 * bytes of the 4 KiB blocks that are not all zero.
 */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "estimate.h"
#include "test.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

struct buf {
        uint8_t *p;
        size_t n;
};

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint8_t rand_byte(void) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return (uint8_t) rng;
}

/* An image of n bytes: random data in [at, at + len) ranges, zeros elsewhere. */
static struct buf image(size_t n, const size_t *at, const size_t *len, size_t k) {
        struct buf b = { calloc(n, 1), n };
        ASSERT_TRUE(b.p);
        for (size_t i = 0; i < k; i++)
                for (size_t j = 0; j < len[i]; j++)
                        b.p[at[i] + j] = rand_byte();
        return b;
}

/* What sink-raw.c stores: whole 4 KiB blocks that hold a non-zero byte. */
static uint64_t stored_bytes(const struct buf *b) {
        uint64_t s = 0;
        for (size_t off = 0; off < b->n; off += 4096) {
                size_t k = b->n - off < 4096 ? b->n - off : 4096;
                for (size_t i = 0; i < k; i++)
                        if (b->p[off + i]) {
                                s += k;
                                break;
                        }
        }
        return s;
}

static struct buf zstd_of(const struct buf *in) {
        struct buf out = { malloc(ZSTD_compressBound(in->n)), 0 };
        ASSERT_TRUE(out.p);
        out.n = ZSTD_compress(out.p, ZSTD_compressBound(in->n), in->p, in->n, 3);
        ASSERT_TRUE(!ZSTD_isError(out.n));
        return out;
}

/* Multi-block xz, as `xz -T2 --block-size=...` writes it. */
static struct buf xz_of(const struct buf *in, uint64_t block_size) {
        lzma_stream s = LZMA_STREAM_INIT;
        lzma_mt mt = { .threads = 2, .block_size = block_size, .preset = 0, .check = LZMA_CHECK_CRC64 };
        struct buf out = { malloc(in->n + in->n / 2 + 65536), 0 };
        ASSERT_TRUE(out.p);
        ASSERT_EQ(lzma_stream_encoder_mt(&s, &mt), LZMA_OK);
        s.next_in = in->p;
        s.avail_in = in->n;
        s.next_out = out.p;
        s.avail_out = in->n + in->n / 2 + 65536;
        lzma_ret r;
        while ((r = lzma_code(&s, LZMA_FINISH)) == LZMA_OK)
                ;
        ASSERT_EQ(r, LZMA_STREAM_END);
        out.n = s.total_out;
        lzma_end(&s);
        return out;
}

static struct buf gzip_of(const struct buf *in) {
        z_stream z = {};
        struct buf out = { malloc(compressBound((uLong) in->n) + 64), 0 };
        ASSERT_TRUE(out.p);
        ASSERT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_in = in->p;
        z.avail_in = (uInt) in->n;
        z.next_out = out.p;
        z.avail_out = (uInt) (compressBound((uLong) in->n) + 64);
        ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
        out.n = z.total_out;
        deflateEnd(&z);
        return out;
}

/* What the probes fetch: the size, the first FIT_HEAD_BYTES, then the tail (grown once). */
static int probe(const struct buf *file, struct fit_facts *f) {
        *f = (struct fit_facts) { .format = DECODE_UNKNOWN, .size = file->n, .uncompressed = UINT64_MAX };
        ASSERT_EQ(fit_parse_head(file->p, file->n < FIT_HEAD_BYTES ? file->n : FIT_HEAD_BYTES, f), 0);
        size_t want = fit_tail_wanted(f);
        for (int round = 0; want > 0 && round < 2; round++) {
                size_t more = 0;
                if (want > file->n)
                        want = file->n;
                int r = fit_parse_tail(file->p + file->n - want, want, f, &more);
                if (r != -EAGAIN)
                        return r;
                ASSERT_TRUE(more > want);
                want = more;
        }
        return 0;
}

static void assert_bounds(const char *what, const struct fit_estimate *e, uint64_t stored) {
        printf("%s: needed %" PRIu64 " <= stored %" PRIu64 " <= most %" PRIu64 " (%s)\n", what, e->needed, stored,
               e->most, e->basis);
        ASSERT_TRUE(e->needed <= stored);
        ASSERT_TRUE(e->most == UINT64_MAX || stored <= e->most);
}

static void test_zstd_sparse(void) {
        size_t at[] = { 0, 3 * MiB }, len[] = { 1 * MiB, 512 * KiB };
        struct buf img = image(8 * MiB, at, len, 2), z = zstd_of(&img);
        struct fit_facts f;
        struct fit_estimate e;

        ASSERT_EQ(probe(&z, &f), 0);
        ASSERT_EQ(f.format, DECODE_ZSTD);
        ASSERT_EQ(f.uncompressed, 8 * MiB);
        ASSERT_TRUE(f.decoder_memory > 0);
        fit_estimate(&f, PB_TYPE_RAW, &e);
        assert_bounds("zstd sparse", &e, stored_bytes(&img));
        /* Decisive: the random 1.5 MiB cannot hide; the zeros' allowance (8 MiB / 32) is all it loses. */
        ASSERT_TRUE(e.needed >= 1536 * KiB - 8 * MiB / FIT_ZERO_RATIO - 8 * KiB);
        ASSERT_EQ(e.most, 8 * MiB);

        /* As a tar, the whole unpacked size counts. */
        fit_estimate(&f, PB_TYPE_TAR, &e);
        ASSERT_EQ(e.needed, 8 * MiB);
        fit_facts_done(&f);
        free(img.p);
        free(z.p);
}

/* Two frames (pzstd, cat a.zst b.zst): the first header sizes only its own frame. */
static void test_zstd_frames(void) {
        size_t at[] = { 0 }, len[] = { 1 * MiB };
        struct buf img = image(1 * MiB, at, len, 1), z = zstd_of(&img);
        struct buf two = { malloc(2 * z.n), 2 * z.n };
        struct fit_facts f;
        struct fit_estimate e;

        memcpy(two.p, z.p, z.n);
        memcpy(two.p + z.n, z.p, z.n);
        ASSERT_EQ(probe(&two, &f), 0);
        ASSERT_EQ(f.uncompressed, UINT64_MAX);
        ASSERT_EQ(f.uncompressed_min, 1 * MiB);
        fit_estimate(&f, PB_TYPE_RAW, &e);
        ASSERT_EQ(e.needed, 0);
        free(two.p);
        free(z.p);
        free(img.p);
}

static void test_zstd_zeros_and_text(void) {
        struct buf img = image(4 * MiB, NULL, NULL, 0), z = zstd_of(&img);
        struct fit_facts f;
        struct fit_estimate e;

        ASSERT_EQ(probe(&z, &f), 0);
        fit_estimate(&f, PB_TYPE_RAW, &e);
        assert_bounds("zstd zeros", &e, 0);
        ASSERT_EQ(e.needed, 0);
        free(z.p);

        /* Compressible data that is all stored: the bound stays honest, if weak. */
        for (size_t i = 0; i < img.n; i++)
                img.p[i] = (uint8_t) ('a' + i % 7);
        z = zstd_of(&img);
        ASSERT_EQ(probe(&z, &f), 0);
        fit_estimate(&f, PB_TYPE_RAW, &e);
        assert_bounds("zstd text", &e, stored_bytes(&img));
        free(z.p);
        free(img.p);
}

static void test_xz_blocks(void) {
        /* 16 blocks of 256 KiB; every other one random, the rest zeros. */
        size_t at[8], len[8];
        for (size_t i = 0; i < 8; i++) {
                at[i] = 2 * i * 256 * KiB;
                len[i] = 256 * KiB;
        }
        struct buf img = image(4 * MiB, at, len, 8), x = xz_of(&img, 256 * KiB);
        struct fit_facts f;
        struct fit_estimate e;

        ASSERT_EQ(probe(&x, &f), 0);
        ASSERT_EQ(f.format, DECODE_XZ);
        ASSERT_EQ(f.n_blocks, 16);
        ASSERT_EQ(f.uncompressed, 4 * MiB);
        ASSERT_EQ(f.blocks_span, x.n);
        ASSERT_TRUE(f.decoder_memory > 0);
        fit_estimate(&f, PB_TYPE_RAW, &e);
        assert_bounds("xz blocks", &e, stored_bytes(&img));
        /* Per block, zero blocks give no allowance to the random ones. */
        ASSERT_TRUE(e.needed >= 2 * MiB - 8 * (256 * KiB / FIT_ZERO_RATIO + 1088) - 4 * KiB);

        /* A tail shorter than the index asks for more, exactly once. */
        size_t more = 0;
        struct fit_facts g = { .format = DECODE_XZ, .size = x.n, .uncompressed = UINT64_MAX };
        ASSERT_EQ(fit_parse_tail(x.p + x.n - 20, 20, &g, &more), -EAGAIN);
        ASSERT_TRUE(more > 20 && more < 1024);
        ASSERT_EQ(fit_parse_tail(x.p + x.n - more, more, &g, &more), 0);
        ASSERT_EQ(g.n_blocks, 16);
        fit_facts_done(&g);

        /* Stream padding after the footer is skipped. */
        struct buf padded = { malloc(x.n + 8), x.n + 8 };
        memcpy(padded.p, x.p, x.n);
        memset(padded.p + x.n, 0, 8);
        ASSERT_EQ(probe(&padded, &g), 0);
        ASSERT_EQ(g.uncompressed, 4 * MiB);
        fit_facts_done(&g);

        /* Two streams: only the last one's index is read, so only a minimum is known. */
        struct buf two = { malloc(2 * x.n), 2 * x.n };
        memcpy(two.p, x.p, x.n);
        memcpy(two.p + x.n, x.p, x.n);
        ASSERT_EQ(probe(&two, &g), 0);
        ASSERT_EQ(g.uncompressed, UINT64_MAX);
        ASSERT_EQ(g.uncompressed_min, 4 * MiB);
        fit_estimate(&g, PB_TYPE_RAW, &e);
        ASSERT_TRUE(e.needed <= stored_bytes(&img)); /* the last stream's blocks alone */
        ASSERT_EQ(e.most, UINT64_MAX);
        fit_facts_done(&g);

        /* A damaged footer or index is no estimate. */
        x.p[x.n - 3] ^= 0xFF;
        ASSERT_EQ(probe(&x, &g), -EBADMSG);
        fit_facts_done(&g);

        free(two.p);
        free(padded.p);
        fit_facts_done(&f);
        free(img.p);
        free(x.p);
}

static void test_xz_index_too_large(void) {
        uint8_t footer[LZMA_STREAM_HEADER_SIZE];
        lzma_stream_flags fl = { .version = 0, .check = LZMA_CHECK_CRC32, .backward_size = 32u << 20 };
        ASSERT_EQ(lzma_stream_footer_encode(&fl, footer), LZMA_OK);
        struct fit_facts f = { .format = DECODE_XZ, .size = 1u << 30, .uncompressed = UINT64_MAX };
        size_t more = 0;
        ASSERT_EQ(fit_parse_tail(footer, sizeof footer, &f, &more), -E2BIG);
}

static void test_gzip(void) {
        size_t at[] = { 100 * KiB }, len[] = { 300 * KiB };
        struct buf img = image(2 * MiB, at, len, 1), g = gzip_of(&img);
        struct fit_facts f;
        struct fit_estimate e;

        ASSERT_EQ(probe(&g, &f), 0);
        ASSERT_EQ(f.format, DECODE_GZIP);
        ASSERT_EQ(f.uncompressed, UINT64_MAX);   /* ISIZE is the size modulo 2^32 ... */
        ASSERT_EQ(f.uncompressed_min, 2 * MiB);  /* ... so a lower bound */
        fit_estimate(&f, PB_TYPE_RAW, &e);
        ASSERT_EQ(e.needed, 0);                  /* no upper size, so zeros could explain anything */
        ASSERT_EQ(e.most, UINT64_MAX);
        fit_estimate(&f, PB_TYPE_TAR, &e);
        ASSERT_EQ(e.needed, 2 * MiB);
        free(img.p);
        free(g.p);
}

static void test_uncompressed_and_bzip2(void) {
        uint8_t head[64] = "some raw bytes";
        struct fit_facts f = { .format = DECODE_UNKNOWN, .size = 10 * MiB, .uncompressed = UINT64_MAX };
        struct fit_estimate e;
        ASSERT_EQ(fit_parse_head(head, sizeof head, &f), 0);
        ASSERT_EQ(f.format, DECODE_NONE);
        ASSERT_EQ(fit_tail_wanted(&f), 0);
        fit_estimate(&f, PB_TYPE_RAW, &e);
        ASSERT_EQ(e.needed, 10 * MiB);
        ASSERT_EQ(e.most, 10 * MiB);

        f = (struct fit_facts) { .format = DECODE_UNKNOWN, .size = 10 * MiB, .uncompressed = UINT64_MAX };
        ASSERT_EQ(fit_parse_head((const uint8_t *) "BZh91AY&SY", 10, &f), 0);
        ASSERT_EQ(f.format, DECODE_BZIP2);
        fit_estimate(&f, PB_TYPE_RAW, &e);
        ASSERT_EQ(e.needed, 0);
        ASSERT_EQ(e.most, UINT64_MAX);

        /* Nothing probed: nothing known. */
        f = (struct fit_facts) { .format = DECODE_UNKNOWN, .size = UINT64_MAX, .uncompressed = UINT64_MAX };
        fit_estimate(&f, PB_TYPE_RAW, &e);
        ASSERT_EQ(e.needed, 0);
        ASSERT_EQ(e.most, UINT64_MAX);
}

static void test_remaining(void) {
        struct fit_facts f = { .format = DECODE_ZSTD, .size = 700 * MiB, .uncompressed = 1536 * MiB };
        uint64_t projected, at_least;
        /* Half the image written, 300 MiB of it stored, 350 MiB of the download in. */
        fit_remaining(&f, 350 * MiB, 768 * MiB, 300 * MiB, &projected, &at_least);
        /* 350 MiB still to come can hide at most 768 MiB / 32 of zeros (plus slack) ... */
        ASSERT_TRUE(at_least > 320 * MiB && at_least < 350 * MiB);
        /* ... which is more than the density so far (300 MiB) would say: the bound wins. */
        ASSERT_EQ(projected, at_least);
        /* Denser so far: the projection (the rest at 500/768) is the figure. */
        fit_remaining(&f, 350 * MiB, 768 * MiB, 500 * MiB, &projected, &at_least);
        ASSERT_EQ(projected, 500 * MiB);

        /* The case: the zeros are not counted. A 1.5 GiB image at 69% with 200 MiB stored. */
        f = (struct fit_facts) { .format = DECODE_ZSTD, .size = 174 * MiB, .uncompressed = 1536 * MiB };
        fit_remaining(&f, 120 * MiB, 1060 * MiB, 200 * MiB, &projected, &at_least);
        ASSERT_TRUE(projected < 100 * MiB);     /* was 1536 - 1060 = 476 MiB and more */

        f.uncompressed = UINT64_MAX;
        fit_remaining(&f, 0, 0, 0, &projected, &at_least);
        ASSERT_EQ(projected, UINT64_MAX);
}

static void test_decide(void) {
        struct fit_facts f = { .format = DECODE_ZSTD, .size = 700 * MiB, .uncompressed = 1536 * MiB,
                               .decoder_memory = 8 * MiB };
        struct fit_estimate e = { .needed = 650 * MiB, .most = 1536 * MiB };
        /* A 512 MiB guest: /run is 80% of MemTotal. */
        struct fit_room run = { .free = 380 * MiB, .fs_size = 384 * MiB, .ram = true, .mem_available = 420 * MiB,
                                .mem_total = 480 * MiB };
        uint64_t avail, add;

        ASSERT_EQ(fit_decide(&e, &f, &run, &avail, &add), FIT_NO);
        ASSERT_EQ(avail, 380 * MiB);
        /* (650 - 380) / 0.8 = 337.5 MiB, rounded up to 16 MiB. */
        ASSERT_EQ(add, 352 * MiB);

        /* MemAvailable less the decoder's window is the tighter limit. */
        run.mem_available = 300 * MiB;
        ASSERT_EQ(fit_decide(&e, &f, &run, &avail, &add), FIT_NO);
        ASSERT_EQ(avail, 292 * MiB);
        ASSERT_EQ(add, 368 * MiB); /* 650 + 8 - 300 = 358 -> 368 */

        /* A small tmpfs of a fixed size: more RAM would not help. */
        struct fit_room small = { .free = 40 * MiB, .fs_size = 48 * MiB, .ram = true, .mem_available = 20000 * MiB,
                                  .mem_total = 24000 * MiB };
        ASSERT_EQ(fit_decide(&e, &f, &small, &avail, &add), FIT_NO);
        ASSERT_EQ(add, 0);

        /* A disk: no RAM figures at all. */
        struct fit_room disk = { .free = 1000 * MiB, .fs_size = 2000 * MiB };
        ASSERT_EQ(fit_decide(&e, &f, &disk, &avail, &add), FIT_MAYBE); /* only the upper bound exceeds */
        disk.free = 2000 * MiB;
        ASSERT_EQ(fit_decide(&e, &f, &disk, &avail, &add), FIT_YES);
        disk.free = 600 * MiB;
        ASSERT_EQ(fit_decide(&e, &f, &disk, &avail, &add), FIT_NO);
        ASSERT_EQ(add, 0);

        /* Nothing known: never a refusal. */
        e = (struct fit_estimate) { .needed = 0, .most = UINT64_MAX };
        ASSERT_EQ(fit_decide(&e, &f, &small, &avail, &add), FIT_UNKNOWN);
}

int main(void) {
        test_zstd_sparse();
        test_zstd_zeros_and_text();
        test_zstd_frames();
        test_xz_blocks();
        test_xz_index_too_large();
        test_gzip();
        test_uncompressed_and_bzip2();
        test_remaining();
        test_decide();
        printf("all estimate tests passed\n");
        return 0;
}
