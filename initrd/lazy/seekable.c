/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "seekable.h"

#include <errno.h>
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
static int table_check(pb_seek_table *t, uint64_t max_frame_usize, struct pb_diag *diag) {
        uint64_t uend = 0, cend = 0, max = 0;

        if (t->n_frames > PB_SEEK_FRAMES_MAX)
                return pb_diag_set(diag, -E2BIG, "the image has more frames than this server takes (2^20); "
                                   "compress it with larger frames", PB_SPAN_NULL);
        for (size_t i = 0; i < t->n_frames; i++) {
                const pb_seek_frame *f = &t->frames[i];

                if (f->usize > max_frame_usize)
                        return pb_diag_set(diag, -E2BIG, t->format == PB_SEEK_XZ ?
                                           "a frame of the xz image is larger than the server's frame size "
                                           "limit; recompress with smaller frames (xz --block-size=4MiB)" :
                                           "a frame of the zstd image is larger than the server's frame size "
                                           "limit; recompress with smaller frames (pullboot-mkseekable --frame-size=4M)", PB_SPAN_NULL);
#ifndef PB_SEEK_TRUST_TABLE
                if (f->usize == 0 || f->uoff != uend || f->csize == 0 || f->coff < cend ||
                    f->csize > pb_seek_csize_bound(f->usize) || f->coff > t->csize || f->csize > t->csize - f->coff)
                        return pb_diag_set(diag, -EBADMSG, "a frame of the seek table does not fit the file: a "
                                           "corrupt or forged table", PB_SPAN_NULL);
#endif
                uend = f->uoff + f->usize;
                cend = f->coff + f->csize;
                if (f->usize > max)
                        max = f->usize;
        }
#ifndef PB_SEEK_TRUST_TABLE
        if (uend != t->usize)
                return pb_diag_set(diag, -EBADMSG, "the frames do not add up to the image size the seek table "
                                   "gives: a corrupt or forged table", PB_SPAN_NULL);
#endif
        t->max_frame_usize = max;
        return 0;
}

int pb_seek_table_load_max(pb_seek_table *t, uint64_t csize, uint64_t max_frame_usize, pb_range_read_fn read,
                void *userdata, struct pb_diag *diag) {
        uint8_t head[6] = {};
        int r;

        *t = (pb_seek_table) {};
        if (csize >= sizeof(head)) {
                r = read(userdata, 0, head, sizeof(head));
                if (r < 0)
                        return r;
        }
        if (memcmp(head, xz_magic, sizeof(xz_magic)) == 0)
                r = pb_seek_xz_load(t, csize, read, userdata, diag);
        else if (memcmp(head, zstd_magic, sizeof(zstd_magic)) == 0 || is_zstd_skippable(head))
                r = pb_seek_zstd_load(t, csize, read, userdata, diag);
        else if (head[0] == 0x1f && head[1] == 0x8b)
                return pb_diag_set(diag, -EMEDIUMTYPE, "gzip streams cannot be read from the middle; use raw, "
                                   "multi-block xz (xz --block-size=4MiB) or seekable zstd (pullboot-mkseekable)",
                                   PB_SPAN_NULL);
        else if (memcmp(head, "BZh", 3) == 0)
                return pb_diag_set(diag, -EMEDIUMTYPE, "bzip2 streams cannot be read from the middle; use raw, "
                                   "multi-block xz (xz --block-size=4MiB) or seekable zstd (pullboot-mkseekable)",
                                   PB_SPAN_NULL);
        else {
                *t = (pb_seek_table) { .format = PB_SEEK_RAW, .usize = csize, .csize = csize };
                return 0;
        }
        if (r >= 0)
                r = table_check(t, max_frame_usize, diag);
        if (r < 0)
                pb_seek_table_done(t);
        return r;
}

int pb_seek_table_load(pb_seek_table *t, uint64_t csize, pb_range_read_fn read, void *userdata,
                struct pb_diag *diag) {
        return pb_seek_table_load_max(t, csize, PB_SEEK_FRAME_USIZE_MAX, read, userdata, diag);
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
