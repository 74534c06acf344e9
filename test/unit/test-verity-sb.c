/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * initrd/lazy/verity-sb.c: the superblock systemd-repart (through libcryptsetup) writes at the
 * start of a root-verity partition, and the dm-verity table built from it. The bytes below are the
 * layout of such a superblock (512-byte blocks, as systemd-repart 252 makes them for an image file).
 * Malformed superblocks must be refused, not turned into a table.
 */
#include <errno.h>
#include <string.h>

#include "test.h"
#include "verity.h"

static void put32(unsigned char *p, unsigned v) {
        for (int i = 0; i < 4; i++)
                p[i] = (unsigned char) (v >> (8 * i));
}

static void make_sb(unsigned char sb[512]) {
        memset(sb, 0, 512);
        memcpy(sb, "verity\0\0", 8);
        put32(sb + 8, 1);                 /* version */
        put32(sb + 12, 1);                /* hash type */
        memcpy(sb + 32, "sha256", 6);
        put32(sb + 64, 512);              /* data block size */
        put32(sb + 68, 4096);             /* hash block size */
        put32(sb + 72, 20480);            /* data blocks (low half of the u64) */
        sb[80] = 4;                       /* salt size */
        memcpy(sb + 88, "\x7a\xfb\x40\x5f", 4);
}

int main(void) {
        unsigned char sb[512];
        struct verity_sb v;
        struct pb_diag why = {};
        char table[1024];
        const char *hash = "2cb0a559d215623bff58d1b358c231e209f9549e15d4dfa7fc1b0b8c70f5919d";

        make_sb(sb);
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), 0);
        ASSERT_EQ(verity_table(&v, "/dev/nbd0p1", "/dev/nbd0p2", hash, table, sizeof table), 0);
        /* version, devices, block sizes, data blocks, hash start (the block after the superblock),
         * algorithm, root hash, salt */
        ASSERT_STREQ(table, "1 /dev/nbd0p1 /dev/nbd0p2 512 4096 20480 1 sha256 "
                            "2cb0a559d215623bff58d1b358c231e209f9549e15d4dfa7fc1b0b8c70f5919d 7afb405f");

        /* 512-byte hash blocks: the tree still starts one block (the superblock's) in. */
        put32(sb + 68, 512);
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), 0);
        ASSERT_EQ(verity_table(&v, "a", "b", hash, table, sizeof table), 0);
        ASSERT_STREQ(table, "1 a b 512 512 20480 1 sha256 "
                            "2cb0a559d215623bff58d1b358c231e209f9549e15d4dfa7fc1b0b8c70f5919d 7afb405f");

        /* No salt: dm-verity's "-". */
        sb[80] = 0;
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), 0);
        ASSERT_STREQ(v.salt_hex, "-");

        /* Refused: not a superblock, another version, odd block sizes, a salt past its field, a table
         * argument smuggled in through the algorithm name, no data. */
        make_sb(sb);
        sb[0] = 'V';
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), -EBADMSG);
        make_sb(sb);
        put32(sb + 8, 2);
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), -EBADMSG);
        make_sb(sb);
        put32(sb + 64, 1000);
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), -EBADMSG);
        make_sb(sb);
        put32(sb + 68, 256);
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), -EBADMSG);
        make_sb(sb);
        sb[81] = 1;                       /* salt size 260 */
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), -EBADMSG);
        make_sb(sb);
        memcpy(sb + 32, "sha256 1 2", 10);
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), -EBADMSG);
        make_sb(sb);
        put32(sb + 72, 0);
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), -EBADMSG);
        make_sb(sb);
        put32(sb + 12, 2);
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), -EBADMSG);

        /* A table that does not fit is an error, not a cut line. */
        make_sb(sb);
        ASSERT_EQ(verity_sb_parse(sb, &v, &why), 0);
        ASSERT_EQ(verity_table(&v, "/dev/nbd0p1", "/dev/nbd0p2", hash, table, 40), -ENOBUFS);
        return 0;
}
