/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * zstd's seekable format, read with our own code (Debian's libzstd does not ship the seekable API):
 * the file is a run of frames and ends with a skippable frame holding the seek table,
 *   magic 0x184D2A5E, frame size (4), entries (compressed size 4, decompressed size 4,
 *   [checksum 4]) x n, footer: n (4), descriptor (1; bit 7 checksums, bits 6-2 reserved),
 *   magic 0x8F92EAB1,
 * all little-endian; the entries' compressed sizes add up to the offset of the table. Each frame
 * is decoded with ZSTD_decompressDCtx; the checksum is XXH64's low 32 bits of the frame's data,
 * computed with Debian's xxhash header (libzstd keeps its own copy private).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "macro.h"
#include "seek-formats.h"

#define SEEK_TABLE_MAGIC UINT32_C(0x184D2A5E)
#define SEEKABLE_MAGIC UINT32_C(0x8F92EAB1)
#define SKIPPABLE_HEADER 8
#define FOOTER_SIZE 9
#define DESC_CHECKSUM 0x80
#define DESC_RESERVED 0x7c

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

#ifndef PB_SEEK_TRUST_TABLE
/* The largest empty zstd frame: the largest frame header (18 bytes, RFC 8878), one empty last
 * block (3), a checksum (4). */
#define EMPTY_FRAME_MAX (18 + 3 + 4)

/* Reads the c bytes at coff that a table entry lists as holding no data, and checks that they are
 * one skippable frame or one zstd frame with no content. */
static int check_empty_entry(pb_range_read_fn read, void *userdata, uint64_t coff, uint32_t c, uint64_t data_end,
                             struct pb_diag *diag) {
        uint8_t b[EMPTY_FRAME_MAX];
        int r;

        if (coff > data_end || c > data_end - coff)
                goto bad;       /* the sum check after the loop would say it too, less precisely */
        if (c >= SKIPPABLE_HEADER) {
                if ((r = read(userdata, coff, b, SKIPPABLE_HEADER)) < 0)
                        return r;
                if ((le32(b) & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START) {
                        if ((uint64_t) le32(b + 4) + SKIPPABLE_HEADER == c)
                                return 0;
                        goto bad;
                }
        }
        if (c > sizeof b)
                goto bad;
        if ((r = read(userdata, coff, b, c)) < 0)
                return r;
        if (ZSTD_findFrameCompressedSize(b, c) == c && ZSTD_getFrameContentSize(b, c) == 0)
                return 0;
bad:
        return pb_diag_set(diag, -EBADMSG, "a zstd seek table entry lists no data, but its bytes are not one "
                           "skippable or empty frame: a corrupt table", PB_SPAN_NULL);
}
#endif

int pb_seek_zstd_load(pb_seek_table *t, uint64_t csize, pb_range_read_fn read, void *userdata,
                struct pb_diag *diag) {
        uint8_t footer[FOOTER_SIZE];
        _cleanup_free_ uint8_t *buf = NULL;
        int r;

        if (csize < SKIPPABLE_HEADER + FOOTER_SIZE)
                goto no_table;
        r = read(userdata, csize - FOOTER_SIZE, footer, sizeof footer);
        if (r < 0)
                return r;
        if (le32(footer + 5) != SEEKABLE_MAGIC)
                goto no_table;
        if (footer[4] & DESC_RESERVED)
                return pb_diag_set(diag, -EMEDIUMTYPE, "the zstd seek table uses a format newer than this reader "
                                   "(reserved descriptor bits set); rewrite it with pullboot-mkseekable", PB_SPAN_NULL);

        bool checksums = footer[4] & DESC_CHECKSUM;
        uint64_t n = le32(footer), entry = checksums ? 12 : 8;
        if (n > PB_SEEK_FRAMES_MAX)
                return pb_diag_set(diag, -E2BIG, "the zstd seek table lists more frames than this server takes "
                                   "(2^20); compress with larger frames (pullboot-mkseekable --frame-size=4M)",
                                   PB_SPAN_NULL);
        /* n is at most 2^20: none of this overflows, and the table is at most 12 MiB. */
        uint64_t table = n * entry + FOOTER_SIZE, frame = SKIPPABLE_HEADER + table;
        if (frame > csize)
                return pb_diag_set(diag, -EBADMSG, "the zstd seek table is larger than the file: a truncated file "
                                   "or a corrupt table", PB_SPAN_NULL);
        buf = malloc(frame);
        if (!buf)
                return -ENOMEM;
        r = read(userdata, csize - frame, buf, frame);
        if (r < 0)
                return r;
        if (le32(buf) != SEEK_TABLE_MAGIC || le32(buf + 4) != table)
                return pb_diag_set(diag, -EBADMSG, "the zstd seek table's skippable frame header does not match "
                                   "its footer: a corrupt table", PB_SPAN_NULL);

        t->frames = calloc(n ?: 1, sizeof *t->frames);
        if (!t->frames)
                return -ENOMEM;
        uint64_t coff = 0, uoff = 0;
        for (uint64_t i = 0; i < n; i++) {
                const uint8_t *e = buf + SKIPPABLE_HEADER + i * entry;
                uint32_t c = le32(e), u = le32(e + 4);

#ifndef PB_SEEK_TRUST_TABLE
                if (c == 0)
                        return pb_diag_set(diag, -EBADMSG, "a zstd seek table entry has no compressed bytes: a "
                                           "corrupt table", PB_SPAN_NULL);
#endif
#ifndef PB_SEEK_TRUST_TABLE
                /* An entry that adds no data is skipped, never decoded: it must be a skippable frame or
                 * an empty one, exactly, or the image would silently lose the frames it covers. */
                if (u == 0 && (r = check_empty_entry(read, userdata, coff, c, csize - frame, diag)) < 0)
                        return r;
#endif
                /* Skippable or empty frames hold no data: the image is the other frames. */
                if (u > 0)
                        t->frames[t->n_frames++] = (pb_seek_frame) {
                                .uoff = uoff, .usize = u, .coff = coff, .csize = c,
                                .checksum = checksums ? le32(e + 8) : 0,
                        };
                coff += c;
                uoff += u;
        }
#ifndef PB_SEEK_TRUST_TABLE
        if (coff != csize - frame)
                return pb_diag_set(diag, -EBADMSG, "the zstd seek table's frames do not add up to the bytes before "
                                   "the table: a corrupt table or a file changed after it was written", PB_SPAN_NULL);
#endif
        t->format = PB_SEEK_ZSTD;
        t->usize = uoff;
        t->csize = csize;
        t->checksums = checksums;
        return 0;

no_table:
        return pb_diag_set(diag, -EMEDIUMTYPE, "the zstd file has no seek table at its end (a plain zstd stream "
                           "cannot be read from the middle); make a seekable one with pullboot-mkseekable "
                           "--frame-size=4M", PB_SPAN_NULL);
}

int pb_seek_zstd_decode(const pb_seek_table *t, const pb_seek_frame *f, const void *in, void *out) {
        /* One entry, one frame: a compressed size that spans more (or less) is not what was indexed. */
        size_t n = ZSTD_findFrameCompressedSize(in, f->csize);
        if (ZSTD_isError(n) || n != f->csize)
                return -EBADMSG;
        unsigned long long content = ZSTD_getFrameContentSize(in, f->csize);
        if (content == ZSTD_CONTENTSIZE_ERROR || (content != ZSTD_CONTENTSIZE_UNKNOWN && content != f->usize))
                return -EBADMSG;

        ZSTD_DCtx *dctx = ZSTD_createDCtx();
        if (!dctx)
                return -ENOMEM;
        n = ZSTD_decompressDCtx(dctx, out, f->usize, in, f->csize);
        ZSTD_freeDCtx(dctx);
        if (ZSTD_isError(n))
                return ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation ? -ENOMEM : -EBADMSG;
        if (n != f->usize)
                return -EBADMSG;
        if (t->checksums && (uint32_t) XXH64(out, f->usize, 0) != f->checksum)
                return -EBADMSG;
        return 0;
}
