/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "pullspec.h"

/*
 * How much room an image will take at its target, from what can be learnt before downloading it:
 * the download's size, its first bytes (format; a zstd frame's content size, the decoder's window)
 * and its last bytes (an xz index: every block's compressed and uncompressed size; gzip's ISIZE).
 * Pure: the probes that fetch those bytes live in estimate-check.c.
 *
 * The lower bound for a raw image, which is written sparsely (all-zero blocks stay holes), rests
 * on one rule: compressed bytes cannot come from fewer stored bytes. A run of zeros costs a real
 * compressor almost nothing (the cheapest setting measured, `zstd --fast=1000`, spends 1/137 of
 * it; gzip -1 1/229, xz 1/6800), and incompressible data grows by well under 1/1024 (stored
 * chunks). So per xz block, or for the whole stream when only totals are known:
 *
 *     stored >= (compressed - headers - uncompressed / FIT_ZERO_RATIO) / (1 + 1/1024)
 *
 * with FIT_ZERO_RATIO = 32, four times more generous to zeros than any compressor measured. A
 * block that compresses to almost nothing counts as zeros and adds nothing. The bound needs the
 * uncompressed size (without it, zeros could explain any compressed size); an input crafted to
 * store zeros uncompressed inside a compressed container would break it.
 */

#define FIT_HEAD_BYTES 4096          /* first probe: magic, zstd frame header, first xz block header */
#define FIT_TAIL_BYTES 65536         /* xz: stream footer and, for most images, the whole index */
#define FIT_INDEX_MAX (1u << 20)     /* a larger xz index is not fetched (no estimate then) */
#define FIT_ZERO_RATIO 32

struct fit_block {
        uint64_t compressed;         /* xz unpadded size: block header, data, check */
        uint64_t uncompressed;
};

struct fit_facts {
        enum decode_format format;   /* DECODE_UNKNOWN: the first bytes are not known */
        uint64_t size;               /* the download's size; UINT64_MAX: unknown */
        uint64_t uncompressed;       /* exactly, as a header or index says; UINT64_MAX: unknown */
        uint64_t uncompressed_min;   /* at least this (gzip ISIZE, the last xz stream) */
        uint64_t decoder_memory;     /* what decoding is known to need (zstd window, xz dictionary); 0: unknown */
        struct fit_block *blocks;    /* xz: the blocks of the last stream, from its index */
        size_t n_blocks;
        uint64_t blocks_span;        /* the bytes that stream takes (header to footer) */
};

struct fit_estimate {
        uint64_t needed;             /* refuse if this does not fit: a lower bound (see above) */
        uint64_t most;               /* at most this; UINT64_MAX: unknown */
        uint64_t uncompressed;       /* the image's size; UINT64_MAX: unknown */
        const char *basis;           /* what the figures rest on, for messages */
};

void fit_facts_done(struct fit_facts *f);

/* The first n bytes of the download: sets format, and what the header tells. 0 always. */
int fit_parse_head(const uint8_t *p, size_t n, struct fit_facts *f);

/*
 * The last n bytes of the f->size-byte download, for xz (stream footer, then the index with
 * liblzma's index decoder) and gzip (ISIZE). 0 when done; -EAGAIN with *ret_tail set when the
 * index needs a longer tail (at most FIT_INDEX_MAX plus footer); -EBADMSG if the bytes are not
 * what the format puts there; -E2BIG for an index over FIT_INDEX_MAX.
 */
int fit_parse_tail(const uint8_t *p, size_t n, struct fit_facts *f, size_t *ret_tail);
/* How many trailing bytes to fetch first for this format; 0: none wanted. */
size_t fit_tail_wanted(const struct fit_facts *f);

/* The estimate for an image of this type. A raw image without a bound has needed 0. */
void fit_estimate(const struct fit_facts *f, enum pb_image_type type, struct fit_estimate *ret);

/*
 * During the download of a raw image: how much the rest will store, after received compressed
 * bytes have arrived and written uncompressed bytes (stored of them non-zero) have been written.
 * *ret_projected continues the density seen so far; *ret_at_least is the rule above applied to
 * what has not arrived yet. UINT64_MAX where unknown.
 */
void fit_remaining(const struct fit_facts *f, uint64_t received, uint64_t written, uint64_t stored,
                   uint64_t *ret_projected, uint64_t *ret_at_least);

/* The room at the target, as estimate-check.c measures it. */
struct fit_room {
        uint64_t free;               /* statvfs of the target's directory */
        uint64_t fs_size;            /* that file system's size */
        bool ram;                    /* tmpfs/ramfs: the image costs RAM */
        uint64_t mem_available;      /* MemAvailable; UINT64_MAX: unknown */
        uint64_t mem_total;          /* MemTotal; 0: unknown */
};

enum fit_verdict {
        FIT_UNKNOWN,                 /* nothing to go by */
        FIT_YES,
        FIT_MAYBE,                   /* only the upper bound exceeds the room: warn, go on */
        FIT_NO,                      /* the lower bound exceeds it: refuse */
};

/*
 * The verdict, the room the image can have (*ret_available: the free space, and on a RAM-backed
 * target no more than MemAvailable less what decoding needs) and, when refused from RAM, about
 * how much RAM to add (rounded up to 16 MiB). A tmpfs of at least a quarter of RAM is taken to be
 * sized in percent of it (the initrd's /run: 80%) and to grow by its share of what is added; a
 * smaller one is of a fixed size, which more RAM does not grow: *ret_add_ram is 0 then.
 */
enum fit_verdict fit_decide(const struct fit_estimate *e, const struct fit_facts *f, const struct fit_room *room,
                            uint64_t *ret_available, uint64_t *ret_add_ram);
