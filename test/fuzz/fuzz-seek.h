/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The part the seek-table fuzz targets share: load the table of the input through a reader that
 * traps on any read outside the file, check the table's invariants, decode every frame, and
 * compare the frames' bytes with what the format's own whole-file decoder makes of the input. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seekable.h"

#define CHECK(x)                            \
        do {                                \
                if (!(x))                   \
                        __builtin_trap();   \
        } while (0)

/* Small caps keep a run's memory bounded; the parsers treat them like the real ones. */
#define FUZZ_FRAME_MAX (1u << 20)
#define FUZZ_OUT_MAX (4u << 20)

struct fuzz_file {
        const uint8_t *p;
        size_t n;
};

static int fuzz_read(void *userdata, uint64_t off, void *buf, size_t len) {
        const struct fuzz_file *f = userdata;
        CHECK(off <= f->n && len <= f->n - off);
        memcpy(buf, f->p + off, len);
        return 0;
}

/* reference: decodes the whole input into out (FUZZ_OUT_MAX bytes), true and *len on success. */
static inline void fuzz_seek_table(const uint8_t *data, size_t size, enum pb_seek_format format,
                                   bool (*reference)(const uint8_t *in, size_t n, uint8_t *out, size_t *len)) {
        struct fuzz_file f = { data, size };
        pb_seek_table t;
        struct pb_diag why = {};

        int r = pb_seek_table_load_max(&t, size, FUZZ_FRAME_MAX, fuzz_read, &f, &why);
        if (r < 0) {
                CHECK(r == -EBADMSG || r == -EMEDIUMTYPE || r == -E2BIG);
                CHECK(why.reason && why.reason[0] != '\0');
                return;
        }
        if (t.format != format) {
                pb_seek_table_done(&t);
                return;
        }
        uint64_t uend = 0, cend = 0;
        for (size_t i = 0; i < t.n_frames; i++) {
                const pb_seek_frame *fr = &t.frames[i];
                CHECK(fr->uoff == uend && fr->usize > 0 && fr->usize <= FUZZ_FRAME_MAX);
                CHECK(fr->coff >= cend && fr->coff <= size && fr->csize <= size - fr->coff);
                CHECK(pb_seek_table_find(&t, fr->uoff) == fr && pb_seek_table_find(&t, fr->uoff + fr->usize - 1) == fr);
                uend += fr->usize;
                cend = fr->coff + fr->csize;
        }
        CHECK(uend == t.usize && pb_seek_table_find(&t, t.usize) == NULL);

        /* Decode every frame; if all decode, the image must be what the whole-file decoder says. */
        uint8_t *img = t.usize <= FUZZ_OUT_MAX ? malloc(t.usize ?: 1) : NULL;
        bool all = img != NULL;
        for (size_t i = 0; img && i < t.n_frames; i++) {
                const pb_seek_frame *fr = &t.frames[i];
                r = pb_seek_frame_decode(&t, fr, data + fr->coff, img + fr->uoff);
                CHECK(r == 0 || r == -EBADMSG || r == -E2BIG || r == -ENOMEM);
                if (r < 0)
                        all = false;
        }
        if (all) {
                uint8_t *ref = malloc(FUZZ_OUT_MAX);
                size_t len = 0;
                if (ref && reference(data, size, ref, &len))
                        CHECK(len == t.usize && memcmp(ref, img, len) == 0);
                free(ref);
        }
        free(img);
        pb_seek_table_done(&t);
}
