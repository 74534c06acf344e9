/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A seekable view of a remote image: which compressed bytes hold a given range of the
 * uncompressed image, so that a block device can be served from HTTP Range requests without
 * downloading the whole file. Raw images map 1:1; xz files with many blocks (the index at the end)
 * and zstd's seekable format (a seek table in a skippable frame at the end) map frame by frame.
 * The table is built from the file's tail, read through a caller-provided range reader, so this
 * code does no I/O of its own and is testable and fuzzable without a network. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* The largest frame pb_seek_table_load() accepts, uncompressed: the server holds a decoded frame in
 * RAM, so a table (hostile or made with huge blocks) must not make it allocate GiBs. 64 MiB is 4x
 * the largest frame size docs/performance.md measures. */
#define PB_SEEK_FRAME_USIZE_MAX (UINT64_C(64) << 20)
/* At most this many frames (1 TiB in 1 MiB frames): bounds the table's own memory (40 bytes a frame). */
#define PB_SEEK_FRAMES_MAX (UINT64_C(1) << 20)
/* Decoder memory one xz block may ask for (its LZMA2 dictionary): xz -9 needs 65 MiB. */
#define PB_SEEK_XZ_MEMLIMIT (UINT64_C(128) << 20)

enum pb_seek_format {
        PB_SEEK_RAW,
        PB_SEEK_XZ,
        PB_SEEK_ZSTD,
};

/* One independently decodable unit: usize bytes of the image at uoff are the decoding of the
 * csize bytes of the remote file at coff. */
typedef struct pb_seek_frame {
        uint64_t uoff, usize;
        uint64_t coff, csize;
        uint32_t checksum;      /* zstd with table->checksums: XXH64's low 32 bits of the frame's data */
        uint8_t xz_check;       /* xz: the integrity check of the frame's stream (an lzma_check) */
} pb_seek_frame;

typedef struct pb_seek_table {
        enum pb_seek_format format;
        uint64_t usize;         /* the image's size */
        uint64_t csize;         /* the remote file's size */
        size_t n_frames;        /* 0 for PB_SEEK_RAW: offsets map 1:1 */
        pb_seek_frame *frames;  /* sorted by uoff, contiguous, owned */
        uint64_t max_frame_usize;
        bool checksums;         /* zstd: the seek table carries per-frame checksums (verified on decode) */
} pb_seek_table;

/* Reads exactly len bytes at off of the remote file into buf; 0 or negative errno. */
typedef int (*pb_range_read_fn)(void *userdata, uint64_t off, void *buf, size_t len);

/* Builds the table of a remote file of csize bytes. The format is told by the first bytes (xz and
 * zstd magic; anything else is raw). Returns 0, or -EMEDIUMTYPE when the file is compressed but
 * not seekable (a single xz block, zstd without a seek table, gzip, bzip2: diag says which, for
 * the log line of the full-download fallback), or another negative errno (diag says why when the
 * file itself is refused; a failed read is the reader's to report). Silent: it is fuzzed. */
int pb_seek_table_load(pb_seek_table *t, uint64_t csize, pb_range_read_fn read, void *userdata,
                struct pb_diag *diag);

/* The same with another cap on a frame's uncompressed size than PB_SEEK_FRAME_USIZE_MAX. A table
 * with a larger frame, or more than PB_SEEK_FRAMES_MAX frames, is refused with -E2BIG (diag says
 * how to make smaller ones); a table that does not describe the file (offsets not
 * contiguous, sizes overflowing or not adding up to the file's size) with -EBADMSG. Frames with no
 * uncompressed bytes (zstd skippable frames, empty xz blocks) are left out of the table. */
int pb_seek_table_load_max(pb_seek_table *t, uint64_t csize, uint64_t max_frame_usize, pb_range_read_fn read,
                void *userdata, struct pb_diag *diag);

/* "raw", "xz" or "zstd". */
const char *pb_seek_format_name(enum pb_seek_format f);

/* The frame holding uncompressed offset uoff, or NULL past the end (or for PB_SEEK_RAW). */
const pb_seek_frame *pb_seek_table_find(const pb_seek_table *t, uint64_t uoff);

/* Decodes one frame: in holds its f->csize compressed bytes, out receives f->usize bytes.
 * Returns 0 or a negative errno (-EBADMSG for corrupt or mismatching data, including a failed
 * seek table checksum; -E2BIG for an xz block asking for more than PB_SEEK_XZ_MEMLIMIT of decoder
 * memory). Uses no state but its arguments: threads may decode frames of one table at once. */
int pb_seek_frame_decode(const pb_seek_table *t, const pb_seek_frame *f, const void *in, void *out);

void pb_seek_table_done(pb_seek_table *t);
