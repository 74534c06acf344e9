/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "seek-build.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>

static void *xrealloc(void *p, size_t n) {
        p = realloc(p, n);
        if (!p) {
                fprintf(stderr, "out of memory\n");
                exit(1);
        }
        return p;
}

void buf_add(struct buf *b, const void *p, size_t n) {
        if (b->n + n > b->cap) {
                b->cap = (b->n + n) * 2;
                b->p = xrealloc(b->p, b->cap);
        }
        memcpy(b->p + b->n, p, n);
        b->n += n;
}

void buf_le32(struct buf *b, uint32_t v) {
        uint8_t x[4] = { v, v >> 8, v >> 16, v >> 24 };
        buf_add(b, x, 4);
}

uint8_t *seek_test_data(size_t n, uint32_t seed) {
        static const char text[] = "pullboot serves the image's blocks from HTTP Range requests. ";
        uint8_t *d = xrealloc(NULL, n ?: 1);
        uint32_t x = seed | 1;

        for (size_t i = 0; i < n;) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                size_t run = 1 + x % 200;
                for (size_t j = 0; j < run && i < n; j++, i++)
                        d[i] = (x & 0x100) ? text[(i + j) % (sizeof text - 1)] : (uint8_t) (x >> (j % 24));
        }
        return d;
}

void seek_build_xz(struct buf *out, const uint8_t *data, size_t n, uint64_t block_size) {
        lzma_stream s = LZMA_STREAM_INIT;
        lzma_mt mt = { .threads = 1, .block_size = block_size, .preset = 0, .check = LZMA_CHECK_CRC32 };
        uint8_t chunk[65536];

        if (lzma_stream_encoder_mt(&s, &mt) != LZMA_OK) {
                fprintf(stderr, "lzma_stream_encoder_mt failed\n");
                exit(1);
        }
        s.next_in = data;
        s.avail_in = n;
        for (;;) {
                s.next_out = chunk;
                s.avail_out = sizeof chunk;
                lzma_ret r = lzma_code(&s, LZMA_FINISH);
                buf_add(out, chunk, sizeof chunk - s.avail_out);
                if (r == LZMA_STREAM_END)
                        break;
                if (r != LZMA_OK) {
                        fprintf(stderr, "lzma_code failed: %d\n", r);
                        exit(1);
                }
        }
        lzma_end(&s);
}

void seek_build_zstd_frame(struct buf *out, const uint8_t *data, size_t n, struct seek_entry *e) {
        size_t bound = ZSTD_compressBound(n);
        if (out->n + bound > out->cap) {
                out->cap = (out->n + bound) * 2;
                out->p = xrealloc(out->p, out->cap);
        }
        size_t c = ZSTD_compress(out->p + out->n, bound, data, n, 1);
        if (ZSTD_isError(c)) {
                fprintf(stderr, "ZSTD_compress: %s\n", ZSTD_getErrorName(c));
                exit(1);
        }
        out->n += c;
        *e = (struct seek_entry) { .csize = c, .usize = n, .checksum = (uint32_t) XXH64(data, n, 0) };
}

void seek_build_zstd_table(struct buf *out, const struct seek_entry *e, size_t n, bool checksums, uint8_t extra_bits) {
        buf_le32(out, 0x184D2A5E);
        buf_le32(out, n * (checksums ? 12 : 8) + 9);
        for (size_t i = 0; i < n; i++) {
                buf_le32(out, e[i].csize);
                buf_le32(out, e[i].usize);
                if (checksums)
                        buf_le32(out, e[i].checksum);
        }
        buf_le32(out, n);
        uint8_t desc = (checksums ? 0x80 : 0) | extra_bits;
        buf_add(out, &desc, 1);
        buf_le32(out, 0x8F92EAB1);
}

void seek_build_zstd(struct buf *out, const uint8_t *data, size_t n, size_t frame_size, bool checksums) {
        size_t frames = (n + frame_size - 1) / frame_size;
        struct seek_entry *e = xrealloc(NULL, (frames ?: 1) * sizeof *e);

        for (size_t i = 0; i < frames; i++) {
                size_t off = i * frame_size, len = n - off < frame_size ? n - off : frame_size;
                seek_build_zstd_frame(out, data + off, len, &e[i]);
        }
        seek_build_zstd_table(out, e, frames, checksums, 0);
        free(e);
}
