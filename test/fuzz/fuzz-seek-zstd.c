/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the seekable zstd reader (initrd/lazy/seek-zstd.c): the seek table at the end
 * (footer, descriptor, entries, the skippable frame around them) and each frame's decoding. An
 * accepted table must tile the image and stay inside the file; decoded frames must equal what
 * libzstd makes of the whole file.
 */
#include <zstd.h>

#include "fuzz-seek.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool reference(const uint8_t *in, size_t n, uint8_t *out, size_t *len) {
        size_t r = ZSTD_decompress(out, FUZZ_OUT_MAX, in, n);
        if (ZSTD_isError(r))
                return false;
        *len = r;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        fuzz_seek_table(data, size, PB_SEEK_ZSTD, reference);
        return 0;
}
