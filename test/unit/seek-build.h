/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Builders of seekable test files in memory, for test-seekable and the fuzz seeds: multi-block xz
 * with liblzma's encoder, seekable zstd frame by frame with a seek table written here (so that the
 * tests can also write the malformed ones a careful writer never makes). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
        uint8_t *p;
        size_t n, cap;
};

void buf_add(struct buf *b, const void *p, size_t n);
void buf_le32(struct buf *b, uint32_t v);

/* Test data that compresses somewhat (text runs between random bytes), from a seed. */
uint8_t *seek_test_data(size_t n, uint32_t seed);

/* One xz stream of data in blocks of block_size bytes (the last one shorter). */
void seek_build_xz(struct buf *out, const uint8_t *data, size_t n, uint64_t block_size);

/* A zstd frame of data (level 1), and an entry of the seek table under construction. */
struct seek_entry {
        uint32_t csize, usize, checksum;
};
void seek_build_zstd_frame(struct buf *out, const uint8_t *data, size_t n, struct seek_entry *e);
/* The seek table frame for n entries, with checksums or not, and the descriptor's other bits. */
void seek_build_zstd_table(struct buf *out, const struct seek_entry *e, size_t n, bool checksums, uint8_t extra_bits);
/* data as a seekable zstd file of frames of frame_size bytes. */
void seek_build_zstd(struct buf *out, const uint8_t *data, size_t n, size_t frame_size, bool checksums);
