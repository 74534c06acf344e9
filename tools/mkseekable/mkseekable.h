/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define MKSEEKABLE_EXIT_OK 0
#define MKSEEKABLE_EXIT_FAILURE 1
#define MKSEEKABLE_EXIT_USAGE 2
#define MKSEEKABLE_EXIT_NOT_SEEKABLE 3

/* The frame size when none is given: what docs/performance.md recommends for a lazy root. */
#define MKSEEKABLE_DEFAULT_FRAME (UINT64_C(4) << 20)

struct compress_opts {
        uint64_t frame_size;
        int level;
        unsigned threads;
        bool checksums;
};

struct compress_stats {
        uint64_t usize, csize, frames;
};

/* Compresses everything read from in_fd into seekable zstd on out_fd: frames of frame_size bytes
 * (the last one shorter), each an ordinary zstd frame with its content size, then the seek table.
 * Any zstd decompressor reads the result as one stream. 0 or a negative errno (logged). */
int compress_seekable(int in_fd, int out_fd, const struct compress_opts *o, struct compress_stats *ret);

/* Prints the seek table of path (xz or zstd; raw files map 1:1). Exit status. */
int list_seek_table(const char *path, bool json);
/* Decodes every frame of path as the lazy root would (checksums included) and prints how long
 * decoding took. Exit status (2 for a frame that does not decode). */
int verify_seek_table(const char *path);
