/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode-xz.h"

/*
 * Streaming decompression, format chosen by the magic bytes of the first input. The decoder keeps
 * its state between decoder_feed() calls, so a transfer that breaks and resumes at the compressed
 * offset already consumed simply keeps feeding the same decoder.
 *
 * Output is collected in a buffer of out_size bytes and handed to the write callback only when the
 * buffer is full (and once more at the end), so a sink sees large chunks at offsets that are
 * multiples of out_size.
 */

enum decode_format {
        DECODE_UNKNOWN = -1,
        DECODE_NONE,
        DECODE_XZ,
        DECODE_ZSTD,
        DECODE_GZIP,
        DECODE_BZIP2,
};

typedef int (*decode_write_t)(void *userdata, const void *p, size_t n);

struct decoder;

/* With write_at (a sink that takes bytes at any offset, from several threads at once), multi-block
 * xz is decoded block-parallel (decode-xz.h); everything else goes through write, in order. */
int decoder_new(size_t out_size, unsigned xz_threads, decode_write_t write, decode_write_at_t write_at,
                void *userdata, struct decoder **ret);
struct decoder *decoder_free(struct decoder *d);
/* Forgets everything fed so far (the transfer starts over from byte zero). */
int decoder_reset(struct decoder *d);
/* Bounds what decoding one stream may allocate (xz dictionaries and block buffers, the zstd
 * window); 0: no bound. Call before the first decoder_feed(). */
void decoder_set_memlimit(struct decoder *d, uint64_t bytes);
/* -EBADMSG on corrupt input (data after the end of the compressed stream included; decoder_error()
 * tells trailing data from truncation). -ENOMEM with decoder_over_memlimit() when the stream needs
 * more memory than the limit: refused before allocating it. */
int decoder_feed(struct decoder *d, const void *p, size_t n);
bool decoder_over_memlimit(const struct decoder *d);
/* The input is complete: -EBADMSG if the compressed stream ended early. Flushes the output. */
int decoder_finish(struct decoder *d);

enum decode_format decoder_format(const struct decoder *d);
uint64_t decoder_output_bytes(const struct decoder *d);
/* The uncompressed size if the format's header tells it (zstd frame content size), else UINT64_MAX. */
uint64_t decoder_size_hint(const struct decoder *d);
/* Last error text from the underlying library, for messages. */
const char *decoder_error(const struct decoder *d);

const char *decode_format_to_string(enum decode_format f);
static inline void decoder_freep(struct decoder **d) {
        if (*d)
                decoder_free(*d);
}
