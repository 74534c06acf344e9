/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Block-parallel xz decoding for sinks that can write at any offset (raw images).
 *
 * xz -T writes every block header with its compressed and uncompressed size, so the offset of each
 * block's output is known before it is decoded. Each complete block goes to a worker thread that
 * decodes it straight to its place in the image, in 1 MiB pieces; nothing waits to be put back in
 * order. Memory is one compressed block and one dictionary per worker, instead of a whole
 * uncompressed block per thread as an in-order threaded decoder needs. Blocks without sizes (the
 * single-block files of a plain `xz`) are decoded as they stream, in the calling thread. The index
 * and stream footer are checked against the blocks seen.
 */

typedef int (*decode_write_at_t)(void *userdata, uint64_t offset, const void *p, size_t n);

struct xzpar;

int xzpar_new(unsigned threads, decode_write_at_t write_at, void *userdata, struct xzpar **ret);
struct xzpar *xzpar_free(struct xzpar *x);
/* Bounds the memory of the blocks in flight: each one's dictionary, compressed bytes and output
 * buffer. Fewer blocks are decoded at once when more would not fit; a single block that does not
 * fit fails with -ENOMEM and xzpar_over_memlimit(). */
void xzpar_set_memlimit(struct xzpar *x, uint64_t bytes);
bool xzpar_over_memlimit(const struct xzpar *x);
/* -EBADMSG on corrupt input (xzpar_error() says why), or the writer's error. */
int xzpar_feed(struct xzpar *x, const uint8_t *p, size_t n);
/* Waits for the workers; -EBADMSG if the input did not end after a complete stream. */
int xzpar_finish(struct xzpar *x);
uint64_t xzpar_output_bytes(const struct xzpar *x);
const char *xzpar_error(const struct xzpar *x);
