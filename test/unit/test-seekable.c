/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * initrd/lazy/seekable.c: the seek tables of multi-block xz and seekable zstd. Files with many
 * frames are built in memory; random ranges read through the table (find the frame, decode it,
 * copy the part asked for) must equal the original bytes. Malformed and hostile tables must be
 * refused with the documented errno and a reason (struct pb_diag) for the log line.
 *
 * `test-seekable FILE ORIGINAL` checks a file made by another tool (xz, pullboot-mkseekable) the
 * same way against the bytes it was made from (the mkseekable CLI test uses it).
 * `test-seekable hostile` runs only the hostile tables; the build also links this test against a
 * table reader with its checks compiled out (PB_SEEK_TRUST_TABLE), where it must fail: the proof
 * that these cases catch a reader that trusts the table.
 */
#include <errno.h>
#include <lzma.h>
#include <stdbool.h>
#include <string.h>
#include <zstd.h>

#include "seek-build.h"
#include "seekable.h"
#include "test.h"

struct file {
        const uint8_t *p;
        size_t n;
        unsigned reads;
};

static int mem_read(void *userdata, uint64_t off, void *buf, size_t len) {
        struct file *f = userdata;
        f->reads++;
        if (off > f->n || len > f->n - off)
                TEST_FAIL("read of %zu bytes at %ju is outside the %zu-byte file", len, (uintmax_t) off, f->n);
        memcpy(buf, f->p + off, len);
        return 0;
}

static int load(pb_seek_table *t, const struct buf *b, uint64_t max, struct pb_diag *why, unsigned *reads) {
        struct file f = { b->p, b->n, 0 };
        *why = (struct pb_diag) {};
        int r = pb_seek_table_load_max(t, b->n, max, mem_read, &f, why);
        if (reads)
                *reads = f.reads;
        return r;
}

/* Reads [off, off+len) of the image through the table into out, as the NBD server does. */
static int read_range(const pb_seek_table *t, const struct buf *file, uint64_t off, size_t len, uint8_t *out) {
        while (len > 0) {
                const pb_seek_frame *f = pb_seek_table_find(t, off);
                if (!f)
                        return -ENXIO;
                uint8_t *frame = malloc(f->usize);
                ASSERT_TRUE(frame);
                int r = pb_seek_frame_decode(t, f, file->p + f->coff, frame);
                if (r < 0) {
                        free(frame);
                        return r;
                }
                size_t skip = off - f->uoff, n = f->usize - skip < len ? f->usize - skip : len;
                memcpy(out, frame + skip, n);
                free(frame);
                out += n;
                off += n;
                len -= n;
        }
        return 0;
}

static void check_ranges(const pb_seek_table *t, const struct buf *file, const uint8_t *data, size_t n) {
        uint32_t x = 12345;
        uint8_t *out = malloc(n ?: 1);

        ASSERT_TRUE(out);
        ASSERT_EQ(t->usize, n);
        ASSERT_EQ(read_range(t, file, 0, n, out), 0);          /* the whole image, frame by frame */
        ASSERT_MEMEQ(out, data, n);
        for (int i = 0; i < 300; i++) {
                x = x * 1103515245 + 12345;
                uint64_t off = (x >> 3) % n;
                x = x * 1103515245 + 12345;
                size_t len = 1 + (x >> 3) % (n - off < 300000 ? n - off : 300000);
                memset(out, 0, len);
                ASSERT_EQ(read_range(t, file, off, len, out), 0);
                if (memcmp(out, data + off, len) != 0)
                        TEST_FAIL("range %ju+%zu differs from the original", (uintmax_t) off, len);
        }
        ASSERT_EQ(read_range(t, file, n - 1, 1, out), 0);      /* the last byte, in the partial frame */
        ASSERT_EQ(out[0], data[n - 1]);
        ASSERT_TRUE(pb_seek_table_find(t, n) == NULL);
        ASSERT_TRUE(pb_seek_table_find(t, UINT64_MAX) == NULL);
        free(out);
}

#define N (1000 * 1000 + 4321)  /* not a multiple of any frame size: a partial last frame */

static void test_xz_blocks(void) {
        uint8_t *data = seek_test_data(N, 1);
        struct buf b = {};
        pb_seek_table t;
        struct pb_diag why = {};
        unsigned reads;

        seek_build_xz(&b, data, N, 64 * 1024);
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, &reads), 0);
        ASSERT_EQ(t.format, PB_SEEK_XZ);
        ASSERT_EQ(t.n_frames, (N + 65535) / 65536);
        ASSERT_EQ(t.max_frame_usize, 65536);
        ASSERT_EQ(t.frames[t.n_frames - 1].usize, N % 65536);
        ASSERT_EQ(t.csize, b.n);
        /* magic, footer, index, stream header, first block header: a handful of range
         * requests, not a walk through the blocks */
        ASSERT_EQ(reads, 5);
        check_ranges(&t, &b, data, N);
        pb_seek_table_done(&t);
        free(b.p);
        free(data);
}

static void test_xz_concatenated(void) {
        uint8_t *data = seek_test_data(N, 2);
        static const uint8_t zeros[16] = {};
        struct buf b = {};
        pb_seek_table t;
        struct pb_diag why = {};

        /* Three streams, stream padding after the first and the last, as `cat a.xz b.xz` and
         * `xz --block-size` on tapes make. */
        seek_build_xz(&b, data, 300000, 100000);
        buf_add(&b, zeros, 8);
        seek_build_xz(&b, data + 300000, 1, 100000);
        seek_build_xz(&b, data + 300001, N - 300001, 128 * 1024);
        buf_add(&b, zeros, 12);
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), 0);
        ASSERT_EQ(t.n_frames, 3 + 1 + (N - 300001 + 131071) / 131072);
        check_ranges(&t, &b, data, N);
        pb_seek_table_done(&t);

        /* Padding that is not whole 4-byte words is not stream padding. */
        b.n -= 1;
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), -EBADMSG);
        free(b.p);
        free(data);
}

static void test_xz_refused(void) {
        uint8_t *data = seek_test_data(N, 3);
        struct buf b = {};
        pb_seek_table t;
        struct pb_diag why = {};

        /* One block: not seekable, and the why says how to make a seekable one. */
        seek_build_xz(&b, data, N, N);
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), -EMEDIUMTYPE);
        ASSERT_TRUE(strstr(why.reason ?: "", "xz --block-size="));
        ASSERT_EQ(t.n_frames, 0);
        free(b.p);

        /* Blocks larger than the cap: refused before any is decoded. */
        b = (struct buf) {};
        seek_build_xz(&b, data, N, 256 * 1024);
        ASSERT_EQ(load(&t, &b, 100 * 1024, &why, NULL), -E2BIG);
        ASSERT_TRUE(strstr(why.reason ?: "", "--block-size"));

        /* A flipped bit in the index (CRC32) or footer, and a truncated file. */
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), 0);
        pb_seek_table_done(&t);
        b.p[b.n - 14] ^= 0x10;
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), -EBADMSG);
        b.p[b.n - 14] ^= 0x10;
        b.p[b.n - 8] ^= 0x01;
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), -EBADMSG);
        b.p[b.n - 8] ^= 0x01;
        b.n -= 100;
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), -EBADMSG);
        b.n += 100;

        /* A corrupt block decodes to an error, never to other bytes. */
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), 0);
        b.p[t.frames[1].coff + 40] ^= 0x55;
        uint8_t *out = malloc(t.frames[1].usize);
        ASSERT_EQ(pb_seek_frame_decode(&t, &t.frames[1], b.p + t.frames[1].coff, out), -EBADMSG);
        free(out);
        pb_seek_table_done(&t);
        free(b.p);
        free(data);
}

/* Rewrites the LZMA2 dictionary size in the block header at h to the largest there is (4 GiB),
 * with the header's CRC32 made to match: a forged header that asks for GiBs of decoder memory. */
static void forge_dict(uint8_t *h) {
        size_t size = ((size_t) h[0] + 1) * 4;
        for (size_t i = 2; i + 2 < size - 4; i++)
                if (h[i] == 0x21 && h[i + 1] == 0x01) {
                        h[i + 2] = 40;
                        uint32_t crc = lzma_crc32(h, size - 4, 0);
                        memcpy(h + size - 4, (uint8_t[]) { crc, crc >> 8, crc >> 16, crc >> 24 }, 4);
                        return;
                }
        TEST_FAIL("no LZMA2 filter in the block header");
}

static void test_xz_memlimit(void) {
        uint8_t *data = seek_test_data(N, 9);
        struct buf b = {};
        pb_seek_table t;
        struct pb_diag why = {};

        seek_build_xz(&b, data, N, 256 * 1024);
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), 0);
        uint64_t coff0 = t.frames[0].coff, coff2 = t.frames[2].coff;
        uint8_t *out = malloc(t.frames[2].usize);

        /* A later block asking for 4 GiB: refused when it is decoded, before anything is allocated. */
        forge_dict(b.p + coff2);
        ASSERT_EQ(pb_seek_frame_decode(&t, &t.frames[2], b.p + coff2, out), -E2BIG);
        ASSERT_EQ(pb_seek_frame_decode(&t, &t.frames[1], b.p + t.frames[1].coff, out), 0);
        pb_seek_table_done(&t);
        /* The first one: refused when the table is loaded, with the why. */
        forge_dict(b.p + coff0);
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), -E2BIG);
        ASSERT_TRUE(strstr(why.reason ?: "", "memory") && strstr(why.reason ?: "", "dict"));
        free(out);
        free(b.p);
        free(data);
}

static void test_zstd_seekable(bool checksums) {
        uint8_t *data = seek_test_data(N, 4);
        struct buf b = {};
        pb_seek_table t;
        struct pb_diag why = {};
        unsigned reads;

        seek_build_zstd(&b, data, N, 48 * 1024, checksums);
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, &reads), 0);
        ASSERT_EQ(t.format, PB_SEEK_ZSTD);
        ASSERT_EQ(t.checksums, checksums);
        ASSERT_EQ(t.n_frames, (N + 48 * 1024 - 1) / (48 * 1024));
        ASSERT_EQ(reads, 3);    /* magic, footer, table */
        check_ranges(&t, &b, data, N);

        /* A flipped bit in a frame's literals: with checksums in the table it is caught; without,
         * zstd decodes other bytes (the reason pullboot-mkseekable writes checksums). */
        const pb_seek_frame *f = &t.frames[3];
        uint8_t *out = malloc(f->usize);
        b.p[f->coff + f->csize / 2] ^= 0x04;
        if (checksums)
                ASSERT_EQ(pb_seek_frame_decode(&t, f, b.p + f->coff, out), -EBADMSG);
        else
                ASSERT_TRUE(pb_seek_frame_decode(&t, f, b.p + f->coff, out) < 0 ||
                            memcmp(out, data + f->uoff, f->usize) != 0);
        b.p[f->coff + f->csize / 2] ^= 0x04;
        ASSERT_EQ(pb_seek_frame_decode(&t, f, b.p + f->coff, out), 0);
        free(out);
        pb_seek_table_done(&t);
        free(b.p);
        free(data);
}

static void test_zstd_empty_frames(void) {
        uint8_t *data = seek_test_data(N, 5);
        static const uint8_t skippable[] = { 0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 'n', 'o', 't', 'e' };
        struct seek_entry e[8];
        struct buf b = {};
        pb_seek_table t;
        struct pb_diag why = {};

        /* A skippable frame first (the format allows it), an empty frame, data, another
         * skippable frame between data frames, the rest. */
        buf_add(&b, skippable, sizeof skippable);
        e[0] = (struct seek_entry) { .csize = sizeof skippable };
        seek_build_zstd_frame(&b, data, 0, &e[1]);
        seek_build_zstd_frame(&b, data, 400000, &e[2]);
        buf_add(&b, skippable, sizeof skippable);
        e[3] = (struct seek_entry) { .csize = sizeof skippable };
        seek_build_zstd_frame(&b, data + 400000, N - 400000, &e[4]);
        seek_build_zstd_table(&b, e, 5, true, 0x03);    /* unused bits: ignored */
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), 0);
        ASSERT_EQ(t.n_frames, 2);
        ASSERT_EQ(t.frames[1].coff, 2 * sizeof skippable + e[1].csize + e[2].csize);
        check_ranges(&t, &b, data, N);
        pb_seek_table_done(&t);
        free(b.p);

        /* Only empty frames: an empty image. */
        b = (struct buf) {};
        seek_build_zstd_frame(&b, data, 0, &e[0]);
        seek_build_zstd_table(&b, e, 1, false, 0);
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), 0);
        ASSERT_EQ(t.usize, 0);
        ASSERT_EQ(t.n_frames, 0);
        ASSERT_TRUE(pb_seek_table_find(&t, 0) == NULL);
        pb_seek_table_done(&t);
        free(b.p);
        free(data);
}

static void test_zstd_refused(void) {
        uint8_t *data = seek_test_data(N, 6);
        struct buf b = {};
        pb_seek_table t;
        struct pb_diag why = {};

        /* A plain zstd file: no seek table; the why names the tool that makes one. */
        seek_build_zstd_frame(&b, data, N, &(struct seek_entry) {});
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), -EMEDIUMTYPE);
        ASSERT_TRUE(strstr(why.reason ?: "", "pullboot-mkseekable"));
        free(b.p);

        /* A frame larger than the cap. */
        b = (struct buf) {};
        seek_build_zstd(&b, data, N, 512 * 1024, true);
        ASSERT_EQ(load(&t, &b, 256 * 1024, &why, NULL), -E2BIG);
        ASSERT_TRUE(strstr(why.reason ?: "", "--frame-size"));
        free(b.p);

        /* gzip and bzip2 are not seekable; anything else is raw. */
        struct buf gz = { (uint8_t *) "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8 }, bz = { (uint8_t *) "BZh91AY&SY", 10 };
        ASSERT_EQ(load(&t, &gz, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), -EMEDIUMTYPE);
        ASSERT_TRUE(strstr(why.reason ?: "", "gzip"));
        ASSERT_EQ(load(&t, &bz, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), -EMEDIUMTYPE);
        struct buf raw = { data, 4096 };
        ASSERT_EQ(load(&t, &raw, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), 0);
        ASSERT_EQ(t.format, PB_SEEK_RAW);
        ASSERT_EQ(t.usize, 4096);
        free(data);
}

/* A seekable zstd file of 4 frames whose table entries the hostile cases then rewrite. */
static void build_four(struct buf *b, struct seek_entry *e, const uint8_t *data) {
        *b = (struct buf) {};
        for (int i = 0; i < 4; i++)
                seek_build_zstd_frame(b, data + i * 10000, 10000, &e[i]);
}

static void expect_refused(const struct buf *b, int err, const char *what) {
        pb_seek_table t;
        struct pb_diag why = {};

        int r = load(&t, b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL);
        if (r == 0) {
                /* A table that loads must at least not decode into wrong bytes unnoticed. */
                pb_seek_table_done(&t);
                TEST_FAIL("hostile table accepted: %s", what);
        }
        if (r != err)
                TEST_FAIL("hostile table (%s): got %d, expected %d (%s)", what, r, err, why.reason ?: "");
        if (!why.reason)
                TEST_FAIL("hostile table (%s) refused without a why", what);
}

static void test_zstd_hostile(void) {
        uint8_t *data = seek_test_data(40000, 7);
        struct seek_entry e[4], h[4];
        struct buf b;

        /* Compressed sizes that do not add up to where the table starts: too much, too little. */
        build_four(&b, e, data);
        memcpy(h, e, sizeof h);
        h[1].csize += 1;
        seek_build_zstd_table(&b, h, 4, true, 0);
        expect_refused(&b, -EBADMSG, "csizes add up to more than the data");
        free(b.p);

        build_four(&b, e, data);
        memcpy(h, e, sizeof h);
        h[2].csize -= 7;
        h[3].csize += 3;
        seek_build_zstd_table(&b, h, 4, false, 0);
        expect_refused(&b, -EBADMSG, "csizes add up to less than the data");
        free(b.p);

        /* Offsets not contiguous: a frame of zero compressed bytes claiming data. */
        build_four(&b, e, data);
        memcpy(h, e, sizeof h);
        h[1].csize += h[2].csize;
        h[2].csize = 0;
        seek_build_zstd_table(&b, h, 4, false, 0);
        expect_refused(&b, -EBADMSG, "a frame with no compressed bytes");
        free(b.p);

        /* A frame whose compressed size is far beyond what its data can need (it would make the
         * server fetch and hold megabytes for a few bytes). */
        build_four(&b, e, data);
        memcpy(h, e, sizeof h);
        h[0].csize += h[1].csize + h[2].csize;
        h[0].usize = 10;
        h[1].csize = h[2].csize = 1;
        h[0].csize -= 2;
        seek_build_zstd_table(&b, h, 4, false, 0);
        expect_refused(&b, -EBADMSG, "csize far above the bound of its usize");
        free(b.p);

        /* A frame of 4 GiB: over the memory cap. */
        build_four(&b, e, data);
        memcpy(h, e, sizeof h);
        h[3].usize = UINT32_MAX;
        seek_build_zstd_table(&b, h, 4, false, 0);
        expect_refused(&b, -E2BIG, "a 4 GiB frame");
        free(b.p);

        /* A frame count that would overflow 32-bit table arithmetic (0x15555556 * 12 wraps to 8
         * + ...) and one far beyond the file: refused before anything is allocated for them. */
        build_four(&b, e, data);
        seek_build_zstd_table(&b, e, 4, true, 0);
        uint8_t *n = b.p + b.n - 9;
        memcpy(n, "\x56\x55\x55\x15", 4);
        expect_refused(&b, -E2BIG, "0x15555556 frames");
        memcpy(n, "\x00\x00\x01\x00", 4);
        expect_refused(&b, -EBADMSG, "65536 frames in a 40 KB file");
        memcpy(n, "\x03\x00\x00\x00", 4);  /* fewer frames than the table holds: the frame size disagrees */
        expect_refused(&b, -EBADMSG, "3 frames in a table of 4");
        free(b.p);

        /* Reserved descriptor bits: a format this reader does not know. */
        build_four(&b, e, data);
        seek_build_zstd_table(&b, e, 4, true, 0x40);
        expect_refused(&b, -EMEDIUMTYPE, "reserved descriptor bit");
        free(b.p);
        free(data);
}

/* Tables that load but lie about the data: decoding the frame must fail, not return other bytes. */
static void test_zstd_lying_entries(void) {
        uint8_t *data = seek_test_data(40000, 8);
        struct seek_entry e[4], h[4];
        pb_seek_table t;
        struct pb_diag why = {};
        struct buf b;

        build_four(&b, e, data);
        memcpy(h, e, sizeof h);
        h[1].checksum ^= 1;
        h[2].usize += 1;
        seek_build_zstd_table(&b, h, 4, true, 0);
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), 0);
        uint8_t *out = malloc(20000);
        ASSERT_EQ(pb_seek_frame_decode(&t, &t.frames[0], b.p + t.frames[0].coff, out), 0);
        ASSERT_EQ(pb_seek_frame_decode(&t, &t.frames[1], b.p + t.frames[1].coff, out), -EBADMSG);
        ASSERT_EQ(pb_seek_frame_decode(&t, &t.frames[2], b.p + t.frames[2].coff, out), -EBADMSG);
        free(out);
        pb_seek_table_done(&t);
        free(b.p);

        /* Two frames listed as one: one entry, one frame. */
        build_four(&b, e, data);
        memcpy(h, e, sizeof h);
        h[0].csize += h[1].csize;
        h[0].usize += h[1].usize;
        h[1] = h[2];
        h[2] = h[3];
        seek_build_zstd_table(&b, h, 3, false, 0);
        ASSERT_EQ(load(&t, &b, PB_SEEK_FRAME_USIZE_MAX, &why, NULL), 0);
        out = malloc(20000);
        ASSERT_EQ(pb_seek_frame_decode(&t, &t.frames[0], b.p, out), -EBADMSG);
        free(out);
        pb_seek_table_done(&t);
        free(b.p);
        free(data);
}

static uint8_t *slurp(const char *path, size_t *n) {
        FILE *f = fopen(path, "re");
        struct buf b = {};
        uint8_t chunk[65536];
        size_t k;

        if (!f)
                TEST_FAIL("cannot open %s", path);
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
                buf_add(&b, chunk, k);
        fclose(f);
        *n = b.n;
        return b.p;
}

static int check_file(const char *path, const char *original) {
        struct buf file = {};
        size_t n;
        pb_seek_table t;
        struct pb_diag why = {};

        file.p = slurp(path, &file.n);
        uint8_t *data = slurp(original, &n);
        int r = load(&t, &file, PB_SEEK_FRAME_USIZE_MAX, &why, NULL);
        if (r < 0)
                TEST_FAIL("%s: %d (%s)", path, r, why.reason ?: "");
        if (n == 0 || t.format == PB_SEEK_RAW || t.n_frames < 2)
                TEST_FAIL("%s: expected a seekable file of several frames (format %s, %zu frames)", path,
                          pb_seek_format_name(t.format), t.n_frames);
        check_ranges(&t, &file, data, n);
        printf("%s: %s, %zu frames, all ranges equal to %s\n", path, pb_seek_format_name(t.format), t.n_frames,
               original);
        pb_seek_table_done(&t);
        free(file.p);
        free(data);
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 3)
                return check_file(argv[1], argv[2]);
        if (argc > 1 && strcmp(argv[1], "hostile") == 0) {
                test_zstd_hostile();
                return 0;
        }
        test_xz_blocks();
        test_xz_concatenated();
        test_xz_refused();
        test_xz_memlimit();
        test_zstd_seekable(true);
        test_zstd_seekable(false);
        test_zstd_empty_frames();
        test_zstd_refused();
        test_zstd_hostile();
        test_zstd_lying_entries();
        return 0;
}
