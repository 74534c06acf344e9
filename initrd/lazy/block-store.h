/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The lazy root's RAM copy of the image: a sparse memfd as large as the image (only the chunks
 * that were fetched or written take memory) and one "present" flag per chunk. A chunk is the
 * unit fetched from the server: a fixed-size piece of a raw image, one frame of a seekable
 * compressed image. Writes of the booted system land here too, after their chunks were fetched:
 * the memfd is the copy-on-write layer, and nothing is ever written back to the server.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seekable.h"

#define BLOCK_STORE_RAW_CHUNK (64 * 1024)

struct block_store {
        int fd;                          /* memfd, image-sized */
        uint64_t size;                   /* the image's (uncompressed) size */
        const pb_seek_table *table;      /* not owned; RAW: fixed chunks of raw_chunk bytes */
        uint64_t raw_chunk;
        size_t n_chunks;
        uint8_t *present;                /* one byte per chunk */
        size_t n_present;
        uint64_t bytes_present;          /* uncompressed bytes of the present chunks */
};

int block_store_init(struct block_store *b, const pb_seek_table *t);
void block_store_done(struct block_store *b);

/* The chunk holding byte uoff (uoff < size). */
size_t block_store_chunk_index(const struct block_store *b, uint64_t uoff);
/* Where chunk i lives in the image and in the remote file. */
void block_store_chunk(const struct block_store *b, size_t i, pb_seek_frame *ret);

static inline bool block_store_has(const struct block_store *b, size_t i) {
        return b->present[i] != 0;
}
/* Are all chunks of [off, off+len) present? */
bool block_store_has_range(const struct block_store *b, uint64_t off, uint64_t len);

/* Stores the decoded chunk i (remote bytes in, f.csize of them) and marks it present. */
int block_store_fill(struct block_store *b, size_t i, const void *in);

/* Bytes of the copy; the caller checked presence. 0 or negative errno. */
int block_store_pread(const struct block_store *b, void *buf, size_t len, uint64_t off);
int block_store_pwrite(struct block_store *b, const void *buf, size_t len, uint64_t off);
