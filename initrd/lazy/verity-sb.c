/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verity superblock and the dm-verity table line: pure, so the unit tests check them on bytes. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "verity.h"

static uint32_t le32(const unsigned char *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t le64(const unsigned char *p) {
        return (uint64_t) le32(p) | (uint64_t) le32(p + 4) << 32;
}

static bool block_size_ok(unsigned s) {
        return s >= 512 && s <= 65536 && (s & (s - 1)) == 0;
}

int verity_sb_parse(const unsigned char buf[512], struct verity_sb *ret, struct pb_diag *diag) {
        /* Layout (cryptsetup's on-disk format 1): "verity\0\0", version, hash type, uuid[16],
         * algorithm[32], data and hash block sizes, data blocks (u64), salt size (u16), salt[256]. */
        if (memcmp(buf, "verity\0\0", 8) != 0 || le32(buf + 8) != 1)
                return pb_diag_set(diag, -EBADMSG, "no verity superblock (format 1) at the start of the hash "
                                   "partition", PB_SPAN_NULL);
        *ret = (struct verity_sb) {
                .hash_type = le32(buf + 12),
                .data_block_size = le32(buf + 64),
                .hash_block_size = le32(buf + 68),
                .data_blocks = le64(buf + 72),
        };
        memcpy(ret->algorithm, buf + 32, sizeof ret->algorithm - 1);
        unsigned salt_size = (unsigned) buf[80] | (unsigned) buf[81] << 8;
        if (ret->hash_type > 1 || !block_size_ok(ret->data_block_size) || !block_size_ok(ret->hash_block_size) ||
            ret->data_blocks == 0 || salt_size > 256 || !ret->algorithm[0] ||
            strspn(ret->algorithm, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(ret->algorithm))
                return pb_diag_set(diag, -EBADMSG, "the verity superblock is malformed (hash type, block sizes, "
                                   "salt size or algorithm out of range)", PB_SPAN_NULL);
        for (unsigned i = 0; i < salt_size; i++)
                snprintf(ret->salt_hex + 2 * i, 3, "%02x", buf[88 + i]);
        if (salt_size == 0)
                strcpy(ret->salt_hex, "-");
        return 0;
}

int verity_table(const struct verity_sb *sb, const char *data_dev, const char *hash_dev, const char *roothash_hex,
                 char *buf, size_t size) {
        /* The hash tree starts after the superblock, in whole hash blocks. */
        unsigned hash_start = (512 + sb->hash_block_size - 1) / sb->hash_block_size;
        int n = snprintf(buf, size, "%u %s %s %u %u %llu %u %s %s %s", sb->hash_type, data_dev, hash_dev,
                         sb->data_block_size, sb->hash_block_size, sb->data_blocks, hash_start, sb->algorithm,
                         roothash_hex, sb->salt_hex);
        return n < 0 || (size_t) n >= size ? -ENOBUFS : 0;
}
