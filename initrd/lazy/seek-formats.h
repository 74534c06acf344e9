/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The per-format halves of seekable.c: each builds t->frames from the file's tail (and the file's
 * sizes) or says why not in diag; seekable.c then checks the table as a whole. */

#include "seekable.h"

int pb_seek_xz_load(pb_seek_table *t, uint64_t csize, pb_range_read_fn read, void *userdata,
                struct pb_diag *diag);
int pb_seek_xz_decode(const pb_seek_frame *f, const void *in, void *out);

int pb_seek_zstd_load(pb_seek_table *t, uint64_t csize, pb_range_read_fn read, void *userdata,
                struct pb_diag *diag);
int pb_seek_zstd_decode(const pb_seek_table *t, const pb_seek_frame *f, const void *in, void *out);

/* The compressed size no frame of usize bytes legitimately exceeds in either format (incompressible
 * data stored: zstd adds < 1/256 plus its header, xz 3 bytes per 64 KiB plus a header and check). */
static inline uint64_t pb_seek_csize_bound(uint64_t usize) {
        return usize + usize / 64 + 4096;
}
