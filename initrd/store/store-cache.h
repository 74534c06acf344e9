/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The local-disk cache of a disk store: what is known about an image kept from an earlier boot,
 * in a sidecar file next to it (".NAME.pullboot-cache", hidden from machinectl's image list),
 * written atomically (temporary + rename) after the image itself was committed:
 *
 *   url=URL the image was downloaded from
 *   etag=VALUE and last-modified=VALUE the server's validators for it (either may be absent)
 *   download-sha256=HEX of the downloaded (compressed) stream, which verified at the time
 *   image-sha256=HEX of the stored file as committed
 *
 * A later boot reuses the image only when the stored file still hashes to image-sha256 (nothing,
 * e.g. a booted system writing to its root, changed it), download-sha256 equals what this boot's
 * SHA256SUMS / pin expects, and the server answers the conditional request with 304.
 */

struct store_record {
        char url[4096];
        char etag[256];
        char last_modified[64];
        uint8_t download_sha256[32];
        bool has_download_sha256;
        uint8_t image_sha256[32];
        bool has_image_sha256;
};

/* dir/.NAME.pullboot-cache for target dir/NAME. */
int store_record_path(const char *target, char *buf, size_t size);
/* 0 and *ret filled; -ENOENT when there is none; -EBADMSG when it is malformed. */
int store_record_read(const char *target, struct store_record *ret);
/* Atomically (re)writes it. -EINVAL if a value holds a line break. */
int store_record_write(const char *target, const struct store_record *r);
void store_record_remove(const char *target);

/* SHA-256 of a regular file's bytes. */
int store_file_sha256(const char *path, uint8_t ret[32]);

/*
 * Frees room in a persistent store: removes images (regular files and trees in the class
 * directories below root) that are not in keep, least recently used first (by their record's
 * modification time, else the image's), until need bytes are free or nothing is left to remove.
 * need 0: remove every image not in keep. Logs each eviction with name and size. Returns the
 * number of images removed.
 */
int store_evict(const char *root, char *const *keep, size_t n_keep, uint64_t need);
