/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "image.h"

/* The initrd as the kernel reads it: a newc cpio archive, optionally compressed. */

enum initrd_compression {
        INITRD_ZSTD,
        INITRD_XZ,
        INITRD_GZIP,
        INITRD_NONE,
};

int initrd_compression_from_string(const char *s);
const char *initrd_compression_to_string(enum initrd_compression c);
/* Levels: zstd 1-19 (default 19), xz 0-9 (6), gzip 1-9 (9); -ERANGE outside, -EINVAL for none. */
int initrd_compression_check_level(enum initrd_compression c, int level);
int initrd_compression_default_level(enum initrd_compression c);

struct initrd_stats {
        uint64_t entries;
        uint64_t cpio_bytes;            /* the uncompressed archive */
        uint64_t output_bytes;
};

/*
 * Writes the (sorted) image to output: entries in the image's order, owner 0:0, every mtime set
 * to mtime, inode numbers counting up from 1, so the same image gives the same bytes. The archive
 * goes to a temporary file beside output that is renamed over it only when complete.
 */
int initrd_write(const struct image *img, const char *output, enum initrd_compression c, int level,
                 int64_t mtime, struct initrd_stats *ret_stats);

/* Prints the paths in an initrd (any compression libarchive reads), sorted, one per line;
 * symlinks as "PATH -> TARGET". */
int initrd_list(const char *path, FILE *out);
/* The same for an initrd in memory (the fuzz target's entry point). */
int initrd_list_buffer(const void *buf, size_t size, FILE *out);
