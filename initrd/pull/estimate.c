/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader(): the window, besides the content size */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "estimate.h"

/* Headers the rule does not count as data: an xz block header (at most 1024 bytes) and check (at
 * most 64); for a whole stream, its headers, footers and index, generously. */
#define XZ_BLOCK_SLACK (1024 + 64)
#define STREAM_SLACK 4096
/* Memory liblzma may use to decode an index of FIT_INDEX_MAX bytes. */
#define INDEX_MEMLIMIT (UINT64_C(64) << 20)
#define MiB (UINT64_C(1) << 20)

static const uint8_t xz_magic[] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t zstd_magic[] = { 0x28, 0xB5, 0x2F, 0xFD };
static const uint8_t gz_magic[] = { 0x1F, 0x8B };

void fit_facts_done(struct fit_facts *f) {
        free(f->blocks);
        f->blocks = NULL;
        f->n_blocks = 0;
}

static bool starts_with(const uint8_t *p, size_t n, const uint8_t *magic, size_t k) {
        return n >= k && memcmp(p, magic, k) == 0;
}

/* The dictionary of the first xz block, from its header right after the stream header. */
static uint64_t xz_first_block_memory(const uint8_t *p, size_t n) {
        lzma_stream_flags flags;
        lzma_filter filters[LZMA_FILTERS_MAX + 1];
        uint64_t mem = 0;

        if (n < LZMA_STREAM_HEADER_SIZE + 1 || lzma_stream_header_decode(&flags, p) != LZMA_OK)
                return 0;
        const uint8_t *h = p + LZMA_STREAM_HEADER_SIZE;
        if (h[0] == 0)
                return 0; /* the index: no blocks */
        lzma_block block = { .version = 1, .check = flags.check, .filters = filters };
        block.header_size = lzma_block_header_size_decode(h[0]);
        if (n - LZMA_STREAM_HEADER_SIZE < block.header_size)
                return 0;
        for (unsigned i = 0; i <= LZMA_FILTERS_MAX; i++)
                filters[i] = (lzma_filter) { .id = LZMA_VLI_UNKNOWN };
        if (lzma_block_header_decode(&block, NULL, h) != LZMA_OK)
                return 0;
        mem = lzma_raw_decoder_memusage(filters);
        for (unsigned i = 0; i < LZMA_FILTERS_MAX && filters[i].id != LZMA_VLI_UNKNOWN; i++)
                free(filters[i].options);
        return mem == UINT64_MAX ? 0 : mem;
}

int fit_parse_head(const uint8_t *p, size_t n, struct fit_facts *f) {
        f->format = DECODE_NONE;
        if (starts_with(p, n, xz_magic, sizeof xz_magic)) {
                f->format = DECODE_XZ;
                f->decoder_memory = xz_first_block_memory(p, n);
        } else if (starts_with(p, n, zstd_magic, sizeof zstd_magic)) {
                ZSTD_frameHeader h;
                f->format = DECODE_ZSTD;
                if (ZSTD_getFrameHeader(&h, p, n) == 0 && h.frameType == ZSTD_frame) {
                        if (h.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN)
                                f->uncompressed = h.frameContentSize;
                        f->decoder_memory = h.windowSize;
                }
                /* The header sizes the first frame only. One frame cannot be much larger than
                 * its content: a download that is says several frames follow (pzstd,
                 * concatenated files), whose whole size is unknown. */
                if (f->uncompressed != UINT64_MAX && f->size != UINT64_MAX &&
                    f->size > f->uncompressed + f->uncompressed / 1024 + STREAM_SLACK) {
                        f->uncompressed_min = f->uncompressed;
                        f->uncompressed = UINT64_MAX;
                }
        } else if (starts_with(p, n, gz_magic, sizeof gz_magic))
                f->format = DECODE_GZIP;
        else if (n >= 4 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9')
                f->format = DECODE_BZIP2;
        else if (n < sizeof xz_magic && n > 0 &&
                 (starts_with(xz_magic, sizeof xz_magic, p, n) || starts_with(zstd_magic, sizeof zstd_magic, p, n)))
                f->format = DECODE_UNKNOWN; /* too short to tell: the decoder will say */
        if (f->format == DECODE_NONE && f->size != UINT64_MAX)
                f->uncompressed = f->size;
        return 0;
}

size_t fit_tail_wanted(const struct fit_facts *f) {
        switch (f->format) {
        case DECODE_XZ:
                return FIT_TAIL_BYTES;
        case DECODE_GZIP:
                return 8;
        default:
                return 0;
        }
}

static int parse_xz_index(const uint8_t *p, size_t n, uint64_t padding, struct fit_facts *f, size_t *ret_tail) {
        lzma_stream_flags footer;
        lzma_index *idx = NULL;
        uint64_t memlimit = INDEX_MEMLIMIT;
        size_t pos = 0;
        int r = 0;

        if (n < LZMA_STREAM_HEADER_SIZE || lzma_stream_footer_decode(&footer, p + n - LZMA_STREAM_HEADER_SIZE) != LZMA_OK)
                return -EBADMSG;
        if (footer.backward_size > FIT_INDEX_MAX)
                return -E2BIG;
        uint64_t need = footer.backward_size + LZMA_STREAM_HEADER_SIZE;
        if (need > n) {
                *ret_tail = (size_t) (need + padding);
                return -EAGAIN;
        }
        const uint8_t *in = p + n - need;
        if (lzma_index_buffer_decode(&idx, &memlimit, NULL, in, &pos, (size_t) footer.backward_size) != LZMA_OK ||
            pos != footer.backward_size || lzma_index_stream_flags(idx, &footer) != LZMA_OK) {
                r = -EBADMSG;
                goto finish;
        }
        uint64_t span = lzma_index_stream_size(idx), blocks = lzma_index_block_count(idx);
        if (f->size != UINT64_MAX && span + padding > f->size) {
                r = -EBADMSG;
                goto finish;
        }
        struct fit_block *b = blocks > 0 ? calloc(blocks, sizeof *b) : NULL;
        if (blocks > 0 && !b) {
                r = -ENOMEM;
                goto finish;
        }
        lzma_index_iter it;
        size_t i = 0;
        lzma_index_iter_init(&it, idx);
        while (i < blocks && !lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK)) {
                b[i].compressed = it.block.unpadded_size;
                b[i].uncompressed = it.block.uncompressed_size;
                i++;
        }
        free(f->blocks);
        f->blocks = b;
        f->n_blocks = i;
        f->blocks_span = span;
        f->uncompressed_min = lzma_index_uncompressed_size(idx);
        /* Streams before this one (concatenated xz) are not in this index. */
        if (f->size != UINT64_MAX && span + padding == f->size)
                f->uncompressed = f->uncompressed_min;
finish:
        lzma_index_end(idx, NULL);
        return r;
}

int fit_parse_tail(const uint8_t *p, size_t n, struct fit_facts *f, size_t *ret_tail) {
        switch (f->format) {
        case DECODE_XZ: {
                /* Stream padding (zeros, in fours) may follow the last footer. */
                uint64_t padding = 0;
                while (n >= 4 && memcmp(p + n - 4, "\0\0\0\0", 4) == 0) {
                        n -= 4;
                        padding += 4;
                }
                return parse_xz_index(p, n, padding, f, ret_tail);
        }
        case DECODE_GZIP:
                /* ISIZE, the size modulo 2^32 of the last member: the whole is at least that. */
                if (n < 8)
                        return -EBADMSG;
                f->uncompressed_min = (uint64_t) p[n - 4] | (uint64_t) p[n - 3] << 8 | (uint64_t) p[n - 2] << 16 |
                                      (uint64_t) p[n - 1] << 24;
                return 0;
        default:
                return 0;
        }
}

/* The rule of estimate.h for compressed bytes c that decode to u bytes, headers slack apart. */
static uint64_t stored_at_least(uint64_t c, uint64_t u, uint64_t slack) {
        uint64_t free_bytes = slack + u / FIT_ZERO_RATIO;
        if (c <= free_bytes)
                return 0;
        uint64_t x = c - free_bytes;
        return x - x / 1025; /* x / (1 + 1/1024) */
}

static uint64_t round_up(uint64_t v, uint64_t to) {
        return v > UINT64_MAX - to ? UINT64_MAX : (v + to - 1) / to * to;
}

void fit_estimate(const struct fit_facts *f, enum pb_image_type type, struct fit_estimate *ret) {
        *ret = (struct fit_estimate) { .most = UINT64_MAX, .uncompressed = f->uncompressed, .basis = "nothing known" };

        if (f->format == DECODE_UNKNOWN || f->size == UINT64_MAX)
                return;
        if (f->format == DECODE_NONE) {
                /* As the download check always did: what it cannot see into must fit whole. */
                ret->needed = ret->most = ret->uncompressed = f->size;
                ret->basis = "the whole uncompressed download";
                return;
        }
        if (type == PB_TYPE_TAR) {
                /* A tree is as large as its contents (the check on zstd's size did this before). */
                if (f->uncompressed != UINT64_MAX) {
                        ret->needed = ret->most = f->uncompressed;
                        ret->basis = "the unpacked tar's size";
                } else if (f->uncompressed_min > 0) {
                        ret->needed = f->uncompressed_min;
                        ret->basis = "at least the unpacked tar's size, from gzip";
                }
                return;
        }
        if (f->uncompressed != UINT64_MAX)
                ret->most = round_up(f->uncompressed, 64 * 1024);
        if (f->n_blocks > 0) {
                uint64_t sum = 0;
                for (size_t i = 0; i < f->n_blocks; i++)
                        sum += stored_at_least(f->blocks[i].compressed, f->blocks[i].uncompressed, XZ_BLOCK_SLACK);
                ret->needed = sum;
                ret->basis = "from the xz index";
        } else if (f->uncompressed != UINT64_MAX) {
                ret->needed = stored_at_least(f->size, f->uncompressed, STREAM_SLACK);
                ret->basis = "from the compressed and uncompressed sizes";
        } else
                ret->basis = "no uncompressed size in the stream";
        if (ret->needed > ret->most)
                ret->needed = ret->most;
}

void fit_remaining(const struct fit_facts *f, uint64_t received, uint64_t written, uint64_t stored,
                   uint64_t *ret_projected, uint64_t *ret_at_least) {
        uint64_t u = f->uncompressed;
        *ret_projected = *ret_at_least = UINT64_MAX;
        if (u == UINT64_MAX)
                return;
        uint64_t rest = u > written ? u - written : 0;
        /* The density so far continued over the rest: zeros stay free. */
        *ret_projected = written > 0 ? (uint64_t) ((unsigned __int128) rest * stored / written) : rest;
        if (f->format == DECODE_NONE || f->format == DECODE_UNKNOWN || f->size == UINT64_MAX)
                *ret_at_least = 0;
        else
                *ret_at_least = stored_at_least(f->size > received ? f->size - received : 0, rest, STREAM_SLACK);
        if (*ret_at_least > *ret_projected)
                *ret_projected = *ret_at_least;
}

enum fit_verdict fit_decide(const struct fit_estimate *e, const struct fit_facts *f, const struct fit_room *room,
                            uint64_t *ret_available, uint64_t *ret_add_ram) {
        uint64_t avail = room->free;
        bool mem_known = room->ram && room->mem_available != UINT64_MAX;

        /* On a RAM-backed target the image and the decoder share what the kernel can give. */
        if (mem_known) {
                uint64_t m = room->mem_available > f->decoder_memory ? room->mem_available - f->decoder_memory : 0;
                if (m < avail)
                        avail = m;
        }
        *ret_available = avail;
        *ret_add_ram = 0;
        if (e->needed == 0 && e->most == UINT64_MAX)
                return FIT_UNKNOWN;
        if (e->needed > avail) {
                if (room->ram) {
                        uint64_t add = 0;
                        if (e->needed > room->free) {
                                /* A tmpfs sized in percent of RAM (the initrd's /run: 80%) grows by its
                                 * share of what is added; a small one of a fixed size does not grow. */
                                if (room->mem_total == 0 || room->fs_size >= room->mem_total)
                                        add = e->needed - room->free;
                                else if (room->fs_size >= room->mem_total / 4)
                                        add = (uint64_t) ((unsigned __int128) (e->needed - room->free) *
                                                          room->mem_total / room->fs_size);
                                else
                                        return FIT_NO; /* add stays 0: more RAM would not help */
                        }
                        if (mem_known && e->needed + f->decoder_memory > room->mem_available &&
                            e->needed + f->decoder_memory - room->mem_available > add)
                                add = e->needed + f->decoder_memory - room->mem_available;
                        *ret_add_ram = round_up(add, 16 * MiB);
                }
                return FIT_NO;
        }
        if (e->most != UINT64_MAX && e->most > avail)
                return FIT_MAYBE;
        return FIT_YES;
}
