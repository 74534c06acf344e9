/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "seekable.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

int pb_seek_table_load(pb_seek_table *t, uint64_t csize, pb_range_read_fn read, void *userdata,
                char *why, size_t why_size) {
        uint8_t head[6] = {};
        int r;

        *t = (pb_seek_table) {};
        if (csize >= sizeof(head)) {
                r = read(userdata, 0, head, sizeof(head));
                if (r < 0)
                        return r;
        }
        if (memcmp(head, xz_magic, sizeof(xz_magic)) == 0 || memcmp(head, zstd_magic, sizeof(zstd_magic)) == 0) {
                /* Filled in by the xz index and zstd seek table readers. */
                snprintf(why, why_size, "%s images are not seekable yet",
                         head[0] == 0xfd ? "xz" : "zstd");
                return -EMEDIUMTYPE;
        }
        if ((head[0] == 0x1f && head[1] == 0x8b) || memcmp(head, "BZh", 3) == 0) {
                snprintf(why, why_size, "%s streams cannot be read from the middle",
                         head[0] == 0x1f ? "gzip" : "bzip2");
                return -EMEDIUMTYPE;
        }
        *t = (pb_seek_table) { .format = PB_SEEK_RAW, .usize = csize, .csize = csize };
        return 0;
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
        if (t->format == PB_SEEK_RAW) {
                memcpy(out, in, f->usize);
                return 0;
        }
        return -EOPNOTSUPP;
}

void pb_seek_table_done(pb_seek_table *t) {
        free(t->frames);
        *t = (pb_seek_table) {};
}
