/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The file tree of the initrd, built in memory before anything is written: directories, files
 * (copied from a host path when the archive is written), symlinks, small generated files and
 * device nodes. Paths are absolute inside the image ("/usr/lib/..."). Directory components are
 * resolved through the image's own symlinks, and missing ones are created mirroring the host (a
 * host symlink such as /lib -> usr/lib becomes the same symlink in the image), so that files
 * land where the host's loader and libkmod expect them.
 */

enum image_type {
        IMAGE_DIR,
        IMAGE_FILE,     /* contents from source */
        IMAGE_DATA,     /* contents from data */
        IMAGE_SYMLINK,
        IMAGE_CHAR,
};

struct image_entry {
        char *path;             /* absolute, normalised, no trailing slash ("/" is never stored) */
        enum image_type type;
        mode_t mode;            /* permission bits only */
        char *source;           /* IMAGE_FILE: host file */
        char *target;           /* IMAGE_SYMLINK */
        char *data;             /* IMAGE_DATA */
        size_t size;            /* IMAGE_DATA, and IMAGE_FILE after image_add_file */
        unsigned rdev_major, rdev_minor;
};

struct image {
        struct image_entry *entries;
        size_t n, allocated;
};

void image_done(struct image *img);

/* Finds an entry by exact path (no symlinks followed). */
const struct image_entry *image_find(const struct image *img, const char *path);

/* Adds a directory (and its parents). */
int image_add_dir(struct image *img, const char *path, mode_t mode);
/* Adds a regular file with the contents of the host file source (symlinks in source followed). */
int image_add_file(struct image *img, const char *path, const char *source);
int image_add_data(struct image *img, const char *path, const void *data, size_t size, mode_t mode);
int image_add_symlink(struct image *img, const char *path, const char *target);
int image_add_char(struct image *img, const char *path, mode_t mode, unsigned major, unsigned minor);

/*
 * Copies a host path to the same path in the image, recreating every symlink on the way (in
 * directories and the file itself), so a soname symlink resolves to its target as it does on the
 * host. Returns the host path of the regular file finally reached in *ret_real (malloc'd; NULL
 * if the path led to a directory, which is added empty).
 */
int image_add_host_path(struct image *img, const char *host_path, char **ret_real);

/* Sorts entries by path: parents before their contents, as the kernel's unpacker needs. */
void image_sort(struct image *img);
