/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xz files with many blocks: the index at the end of each stream lists every block's compressed
 * and uncompressed size, so each block is a frame. The streams are read from the end of the file
 * backwards (stream padding, footer, index by the footer's backward size, header), with liblzma
 * decoding the footer, index and header and joining the streams' indexes; a block is decoded with
 * lzma_block_header_decode + lzma_block_buffer_decode.
 */
#include <errno.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "seek-formats.h"

#define PAD_CHUNK 4096
/* Stream padding is for block devices and tapes: a few KiB at most in a real file. */
#define PAD_MAX (UINT64_C(1) << 20)
/* An index takes a few bytes a block: 16 MiB holds far more than PB_SEEK_FRAMES_MAX records. */
#define INDEX_MAX (UINT64_C(16) << 20)
#define INDEX_MEMLIMIT (UINT64_C(256) << 20)
/* The refusals are static strings (pb_diag): they name these limits in words. */
_Static_assert(PAD_MAX == UINT64_C(1) << 20 && INDEX_MAX == UINT64_C(16) << 20 &&
               INDEX_MEMLIMIT == UINT64_C(256) << 20 && PB_SEEK_XZ_MEMLIMIT == UINT64_C(128) << 20 &&
               PB_SEEK_FRAMES_MAX == UINT64_C(1) << 20, "update the messages that name the limits");

static void lzma_index_endp(lzma_index **i) {
        if (*i)
                lzma_index_end(*i, NULL);
}

static int corrupt(struct pb_diag *diag, const char *reason) {
        return pb_diag_set(diag, -EBADMSG, reason, PB_SPAN_NULL);
}

/* Moves *pos back over the zero bytes of stream padding before it (whole 4-byte words, as the
 * format requires) and returns their number in *padding. The first read is the 12 bytes a stream
 * footer takes: without padding (the usual case) they are the footer, returned in footer with
 * *have_footer set, and the table costs no extra request. */
static int skip_padding(uint64_t *pos, uint64_t *padding, uint8_t footer[static LZMA_STREAM_HEADER_SIZE],
                bool *have_footer, pb_range_read_fn read, void *userdata, struct pb_diag *diag) {
        uint8_t buf[PAD_CHUNK];
        uint64_t start = *pos;
        size_t chunk = LZMA_STREAM_HEADER_SIZE;

        *have_footer = false;
        for (;; chunk = sizeof buf) {
                size_t n = *pos < chunk ? (size_t) *pos : chunk;
                n &= ~(size_t) 3;
                if (n == 0)
                        break;
                int r = read(userdata, *pos - n, buf, n);
                if (r < 0)
                        return r;
                size_t i = n;
                while (i >= 4 && memcmp(buf + i - 4, "\0\0\0\0", 4) == 0)
                        i -= 4;
                if (i == LZMA_STREAM_HEADER_SIZE && *pos == start) {
                        memcpy(footer, buf, LZMA_STREAM_HEADER_SIZE);
                        *have_footer = true;
                }
                *pos -= n - i;
                if (i > 0)
                        break;
                if (start - *pos > PAD_MAX)
                        return corrupt(diag, "the xz file ends in more than 1 MiB of zeros (stream padding): a "
                                       "wrong or damaged file");
        }
        *padding = start - *pos;
        return 0;
}

/* Decodes the stream that ends at end (its footer's last byte): its index with the stream flags
 * set, and where the stream starts. */
static int read_stream(uint64_t end, const uint8_t *footer_bytes, lzma_index **ret_index, uint64_t *start, pb_range_read_fn read, void *userdata,
                struct pb_diag *diag) {
        _cleanup_(lzma_index_endp) lzma_index *idx = NULL;
        _cleanup_free_ uint8_t *ibuf = NULL;
        uint8_t fbuf[LZMA_STREAM_HEADER_SIZE], hbuf[LZMA_STREAM_HEADER_SIZE];
        lzma_stream_flags footer, header;
        int r;

        if (end < 2 * LZMA_STREAM_HEADER_SIZE)
                return corrupt(diag, "the xz file's stream footer is corrupt or truncated");
        if (footer_bytes)
                memcpy(fbuf, footer_bytes, sizeof fbuf);
        else {
                r = read(userdata, end - LZMA_STREAM_HEADER_SIZE, fbuf, sizeof fbuf);
                if (r < 0)
                        return r;
        }
        lzma_ret ret = lzma_stream_footer_decode(&footer, fbuf);
        if (ret == LZMA_OPTIONS_ERROR)
                return pb_diag_set(diag, -EMEDIUMTYPE, "the xz file uses a stream format newer than this liblzma "
                                   "reads", PB_SPAN_NULL);
        if (ret != LZMA_OK)
                return corrupt(diag, "the xz file's stream footer is corrupt or truncated");

        uint64_t isize = footer.backward_size;
        if (isize > INDEX_MAX)
                return pb_diag_set(diag, -E2BIG, "the xz file's index is larger than the 16 MiB this server reads; "
                                   "recompress with larger blocks (xz --block-size=4MiB)", PB_SPAN_NULL);
        if (isize > end - 2 * LZMA_STREAM_HEADER_SIZE)
                return corrupt(diag, "the xz file's index size is corrupt or truncated");
        uint64_t ipos = end - LZMA_STREAM_HEADER_SIZE - isize;
        ibuf = malloc(isize);
        if (!ibuf)
                return -ENOMEM;
        r = read(userdata, ipos, ibuf, isize);
        if (r < 0)
                return r;
        uint64_t memlimit = INDEX_MEMLIMIT;
        size_t in_pos = 0;
        ret = lzma_index_buffer_decode(&idx, &memlimit, NULL, ibuf, &in_pos, isize);
        if (ret == LZMA_MEMLIMIT_ERROR)
                return pb_diag_set(diag, -E2BIG, "the xz file's index needs more than 256 MiB of memory; "
                                   "recompress with larger blocks (xz --block-size=4MiB)", PB_SPAN_NULL);
        if (ret == LZMA_MEM_ERROR)
                return -ENOMEM;
        if (ret != LZMA_OK || in_pos != isize || lzma_index_size(idx) != isize)
                return corrupt(diag, "the xz file's index is corrupt or truncated");
        if (lzma_index_stream_flags(idx, &footer) != LZMA_OK)
                return corrupt(diag, "the xz file's stream footer is corrupt or truncated");

        uint64_t ssize = lzma_index_stream_size(idx);
        if (ssize > end)
                return corrupt(diag, "the xz file's index is corrupt (its blocks reach before the file's start)");
        r = read(userdata, end - ssize, hbuf, sizeof hbuf);
        if (r < 0)
                return r;
        if (lzma_stream_header_decode(&header, hbuf) != LZMA_OK ||
            lzma_stream_flags_compare(&header, &footer) != LZMA_OK)
                return corrupt(diag, "the xz file's stream header is corrupt or not where the index puts it");

        *start = end - ssize;
        *ret_index = TAKE_PTR(idx);
        return 0;
}

static void filters_free(lzma_filter (*filters)[LZMA_FILTERS_MAX + 1]) {
        for (size_t i = 0; i < LZMA_FILTERS_MAX && (*filters)[i].id != LZMA_VLI_UNKNOWN; i++) {
                free((*filters)[i].options);
                (*filters)[i].options = NULL;
        }
}

/* Decodes the block header at in into *block and filters (whose options the caller frees). */
static int block_header(const uint8_t *in, size_t len, uint8_t check, lzma_block *block,
                lzma_filter filters[static LZMA_FILTERS_MAX + 1]) {
        for (size_t i = 0; i <= LZMA_FILTERS_MAX; i++)
                filters[i] = (lzma_filter) { .id = LZMA_VLI_UNKNOWN };
        *block = (lzma_block) { .version = 1, .check = check, .filters = filters };
        if (len == 0 || in[0] == 0x00)         /* 0x00 starts the index, not a block */
                return -EBADMSG;
        block->header_size = lzma_block_header_size_decode(in[0]);
        if (block->header_size > len)
                return -EBADMSG;
        switch (lzma_block_header_decode(block, NULL, in)) {
        case LZMA_OK:
                return 0;
        case LZMA_MEM_ERROR:
                return -ENOMEM;
        case LZMA_OPTIONS_ERROR:
                return -EOPNOTSUPP;
        default:
                return -EBADMSG;
        }
}

int pb_seek_xz_load(pb_seek_table *t, uint64_t csize, pb_range_read_fn read, void *userdata,
                struct pb_diag *diag) {
        _cleanup_(lzma_index_endp) lzma_index *all = NULL;
        uint64_t pos = csize;
        int r;

        /* Streams from the last to the first: each one's index, with the padding after it, goes
         * in front of the ones read so far. */
        while (pos > 0) {
                _cleanup_(lzma_index_endp) lzma_index *idx = NULL;
                uint8_t footer[LZMA_STREAM_HEADER_SIZE];
                uint64_t padding, start;
                bool have_footer;

                r = skip_padding(&pos, &padding, footer, &have_footer, read, userdata, diag);
                if (r < 0)
                        return r;
                if (padding % 4 != 0 || pos == 0)
                        return corrupt(diag, "the xz file's stream padding is corrupt or truncated");
                r = read_stream(pos, have_footer ? footer : NULL, &idx, &start, read, userdata, diag);
                if (r < 0)
                        return r;
                if (lzma_index_stream_padding(idx, padding) != LZMA_OK)
                        return corrupt(diag, "the xz file's stream padding is corrupt or truncated");
                if (all) {
                        if (lzma_index_cat(idx, all, NULL) != LZMA_OK)
                                return corrupt(diag, "the xz file's streams are corrupt (too large together)");
                        all = NULL;     /* now part of idx */
                }
                all = TAKE_PTR(idx);
                pos = start;
        }
        if (!all || lzma_index_file_size(all) != csize)
                return corrupt(diag, "the xz file's index is corrupt (it does not account for the whole file)");

        lzma_index_iter it;
        uint64_t blocks = 0;
        lzma_index_iter_init(&it, all);
        while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_NONEMPTY_BLOCK))
                blocks++;
        if (blocks > PB_SEEK_FRAMES_MAX)
                return pb_diag_set(diag, -E2BIG, "the xz file has more blocks than this server takes (2^20); "
                                   "recompress with larger blocks (xz --block-size=4MiB)", PB_SPAN_NULL);
        if (blocks == 1)
                return pb_diag_set(diag, -EMEDIUMTYPE, "the xz file is one block, which can only be decompressed "
                                   "from its start; recompress it in blocks (xz --block-size=4MiB) to read it lazily",
                                   PB_SPAN_NULL);

        t->frames = calloc(blocks ?: 1, sizeof *t->frames);
        if (!t->frames)
                return -ENOMEM;
        lzma_index_iter_rewind(&it);
        while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_NONEMPTY_BLOCK))
                t->frames[t->n_frames++] = (pb_seek_frame) {
                        .uoff = it.block.uncompressed_file_offset,
                        .usize = it.block.uncompressed_size,
                        .coff = it.block.compressed_file_offset,
                        .csize = it.block.total_size,
                        .xz_check = it.stream.flags->check,
                };

        /* xz writes every block with the same filters: the first block's header tells, before the
         * boot depends on it, whether blocks fit the decoder memory limit. */
        if (t->n_frames > 0) {
                uint8_t hbuf[LZMA_BLOCK_HEADER_SIZE_MAX];
                size_t hlen = t->frames[0].csize < sizeof hbuf ? (size_t) t->frames[0].csize : sizeof hbuf;
                _cleanup_(filters_free) lzma_filter filters[LZMA_FILTERS_MAX + 1] = { { .id = LZMA_VLI_UNKNOWN } };
                lzma_block block;
                uint64_t mem = 0;

                r = read(userdata, t->frames[0].coff, hbuf, hlen);
                if (r < 0)
                        return r;
                r = block_header(hbuf, hlen, t->frames[0].xz_check, &block, filters);
                if (r >= 0)
                        mem = lzma_raw_decoder_memusage(filters);
                if (r == -EBADMSG)
                        return corrupt(diag, "the xz file's first block header is corrupt or truncated");
                if (r == -EOPNOTSUPP || mem == UINT64_MAX)
                        return pb_diag_set(diag, -EMEDIUMTYPE, "the xz file's blocks use filters this liblzma does "
                                           "not decode", PB_SPAN_NULL);
                if (r < 0)
                        return r;
                if (mem > PB_SEEK_XZ_MEMLIMIT)
                        return pb_diag_set(diag, -E2BIG, "the xz file's blocks need more than the 128 MiB of memory "
                                           "each allowed to decode; recompress with a smaller dictionary (xz -6, or "
                                           "--lzma2=dict=64MiB)", PB_SPAN_NULL);
        }
        t->format = PB_SEEK_XZ;
        t->usize = lzma_index_uncompressed_size(all);
        t->csize = csize;
        return 0;
}

int pb_seek_xz_decode(const pb_seek_frame *f, const void *in, void *out) {
        _cleanup_(filters_free) lzma_filter filters[LZMA_FILTERS_MAX + 1] = { { .id = LZMA_VLI_UNKNOWN } };
        lzma_block block;
        size_t in_pos, out_pos = 0;

        int r = block_header(in, f->csize, f->xz_check, &block, filters);
        if (r == -EOPNOTSUPP)
                return -EBADMSG;        /* other filters than the first block's: not what was loaded */
        if (r < 0)
                return r;
        /* The block's dictionary is allocated before a byte is decoded: a forged header must not
         * make the server allocate GiBs. */
        if (lzma_raw_decoder_memusage(filters) > PB_SEEK_XZ_MEMLIMIT)
                return -E2BIG;
        if (block.uncompressed_size != LZMA_VLI_UNKNOWN && block.uncompressed_size != f->usize)
                return -EBADMSG;
        block.uncompressed_size = f->usize;     /* checked by the decoder at the block's end */

        in_pos = block.header_size;
        lzma_ret ret = lzma_block_buffer_decode(&block, NULL, in, &in_pos, f->csize, out, &out_pos, f->usize);
        if (ret == LZMA_MEM_ERROR)
                return -ENOMEM;
        if (ret != LZMA_OK || in_pos != f->csize || out_pos != f->usize)
                return -EBADMSG;
        return 0;
}
