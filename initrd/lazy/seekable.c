/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "seekable.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seek-formats.h"

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

/* A zstd skippable frame (magic 0x184D2A50..5F, little-endian): the seekable format allows one
 * first, so it marks a zstd file as well as a compressed frame does. */
static int is_zstd_skippable(const uint8_t *h) {
        return (h[0] & 0xf0) == 0x50 && h[1] == 0x2a && h[2] == 0x4d && h[3] == 0x18;
}

const char *pb_seek_format_name(enum pb_seek_format f) {
        switch (f) {
        case PB_SEEK_RAW:
                return "raw";
        case PB_SEEK_XZ:
                return "xz";
        case PB_SEEK_ZSTD:
                return "zstd";
        }
        return "?";
}

/* Whatever a format's parser made of the file's tail, the table must describe the file: frames
 * that tile the image from 0 without gaps or overlaps, compressed ranges in order inside the file,
 * and no frame larger than the cap. The parsers check their own format's rules; this is the
 * common ground the server's arithmetic relies on. */
static int table_check(pb_seek_table *t, uint64_t max_frame_usize, char *why, size_t why_size) {
        uint64_t uend = 0, cend = 0, max = 0;

        if (t->n_frames > PB_SEEK_FRAMES_MAX) {
                snprintf(why, why_size, "the %s image has %zu frames, more than the %" PRIu64 " this server takes; "
                         "compress it with larger frames", pb_seek_format_name(t->format), t->n_frames,
                         PB_SEEK_FRAMES_MAX);
                return -E2BIG;
        }
        for (size_t i = 0; i < t->n_frames; i++) {
                const pb_seek_frame *f = &t->frames[i];

                if (f->usize > max_frame_usize) {
                        snprintf(why, why_size, "frame %zu of the %s image holds %" PRIu64 " bytes, more than the "
                                 "%" PRIu64 " a frame may have here; recompress with smaller frames (%s)", i,
                                 pb_seek_format_name(t->format), f->usize, max_frame_usize,
                                 t->format == PB_SEEK_XZ ? "xz --block-size=4MiB" : "pullboot-mkseekable --frame-size=4M");
                        return -E2BIG;
                }
#ifndef PB_SEEK_TRUST_TABLE
                if (f->usize == 0 || f->uoff != uend || f->csize == 0 || f->coff < cend ||
                    f->csize > pb_seek_csize_bound(f->usize) || f->coff > t->csize || f->csize > t->csize - f->coff) {
                        snprintf(why, why_size, "frame %zu of the %s image's table does not fit the file (data at "
                                 "%" PRIu64 "+%" PRIu64 ", compressed at %" PRIu64 "+%" PRIu64 " of %" PRIu64
                                 " bytes): a corrupt or forged table", i, pb_seek_format_name(t->format), f->uoff,
                                 f->usize, f->coff, f->csize, t->csize);
                        return -EBADMSG;
                }
#endif
                uend = f->uoff + f->usize;
                cend = f->coff + f->csize;
                if (f->usize > max)
                        max = f->usize;
        }
#ifndef PB_SEEK_TRUST_TABLE
        if (uend != t->usize) {
                snprintf(why, why_size, "the %s image's frames hold %" PRIu64 " bytes but its table says %" PRIu64
                         ": a corrupt or forged table", pb_seek_format_name(t->format), uend, t->usize);
                return -EBADMSG;
        }
#endif
        t->max_frame_usize = max;
        return 0;
}

int pb_seek_table_load_max(pb_seek_table *t, uint64_t csize, uint64_t max_frame_usize, pb_range_read_fn read,
                void *userdata, char *why, size_t why_size) {
        uint8_t head[6] = {};
        int r;

        *t = (pb_seek_table) {};
        if (why_size > 0)
                why[0] = '\0';
        if (csize >= sizeof(head)) {
                r = read(userdata, 0, head, sizeof(head));
                if (r < 0)
                        return r;
        }
        if (memcmp(head, xz_magic, sizeof(xz_magic)) == 0)
                r = pb_seek_xz_load(t, csize, read, userdata, why, why_size);
        else if (memcmp(head, zstd_magic, sizeof(zstd_magic)) == 0 || is_zstd_skippable(head))
                r = pb_seek_zstd_load(t, csize, read, userdata, why, why_size);
        else if ((head[0] == 0x1f && head[1] == 0x8b) || memcmp(head, "BZh", 3) == 0) {
                snprintf(why, why_size, "%s streams cannot be read from the middle; use raw, multi-block xz "
                         "(xz --block-size=4MiB) or seekable zstd (pullboot-mkseekable)",
                         head[0] == 0x1f ? "gzip" : "bzip2");
                return -EMEDIUMTYPE;
        } else {
                *t = (pb_seek_table) { .format = PB_SEEK_RAW, .usize = csize, .csize = csize };
                return 0;
        }
        if (r >= 0)
                r = table_check(t, max_frame_usize, why, why_size);
        if (r < 0)
                pb_seek_table_done(t);
        return r;
}

int pb_seek_table_load(pb_seek_table *t, uint64_t csize, pb_range_read_fn read, void *userdata,
                char *why, size_t why_size) {
        return pb_seek_table_load_max(t, csize, PB_SEEK_FRAME_USIZE_MAX, read, userdata, why, why_size);
}

const pb_seek_frame *pb_seek_table_find(const pb_seek_table *t, uint64_t uoff) {
        size_t lo = 0, hi = t->n_frames;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const pb_seek_frame *f = &t->frames[mid];

                if (uoff < f->uoff)
                        hi = mid;
                else if (uoff - f->uoff >= f->usize)
                        lo = mid + 1;
                else
                        return f;
        }
        return NULL;
}

int pb_seek_frame_decode(const pb_seek_table *t, const pb_seek_frame *f, const void *in, void *out) {
        switch (t->format) {
        case PB_SEEK_RAW:
                memcpy(out, in, f->usize);
                return 0;
        case PB_SEEK_XZ:
                return pb_seek_xz_decode(f, in, out);
        case PB_SEEK_ZSTD:
                return pb_seek_zstd_decode(t, f, in, out);
        }
        return -EOPNOTSUPP;
}

void pb_seek_table_done(pb_seek_table *t) {
        free(t->frames);
        *t = (pb_seek_table) {};
}
