/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * dm-verity over a lazily served DDI: the root partition (data) and the root-verity partition
 * (hash tree, with the superblock veritysetup and systemd-repart write) of the served disk become
 * one read-only device-mapper device whose every block the kernel checks against the trusted root
 * hash as it is read. A block that does not match fails the read with EIO (and the kernel logs
 * "device-mapper: verity: ...: data block N is corrupted"): nothing unverified reaches the root.
 */

#include <stddef.h>

#include "base.h"

#define VERITY_ROOTHASH_HEX_MAX 128
#define VERITY_DM_NAME "pullboot-root"

/* The hash partition's superblock, as read (the values feed the hash check itself: a wrong one
 * makes every read fail, never pass). */
struct verity_sb {
        unsigned hash_type;
        char algorithm[32];
        unsigned data_block_size, hash_block_size;
        unsigned long long data_blocks;
        char salt_hex[2 * 256 + 1];
};

/* Parses the 512-byte superblock at the start of the hash partition. -EBADMSG if it is not one
 * (diag says what; the caller logs it). */
int verity_sb_parse(const unsigned char buf[512], struct verity_sb *ret, struct pb_diag *diag);

/* The dm-verity table line for data_dev/hash_dev (e.g. "/dev/nbd0p2", major:minor accepted too). */
int verity_table(const struct verity_sb *sb, const char *data_dev, const char *hash_dev, const char *roothash_hex,
                 char *buf, size_t size);

/* On disk (e.g. /dev/nbd0), the DPS root partition of this architecture and its root-verity
 * partition become VERITY_DM_NAME, checked against roothash_hex; dev (e.g. "/dev/dm-0") is what to
 * mount. The dm-verity module must be loaded. Logs what failed and returns a negative errno. */
int verity_open_root(const char *disk, const char *dev_dir, const char *roothash_hex, char *dev, size_t dev_size);
