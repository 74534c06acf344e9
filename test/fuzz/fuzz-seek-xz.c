/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the multi-block xz reader (initrd/lazy/seek-xz.c): stream padding, footers,
 * indexes and headers read backwards, concatenated streams, and each block's decoding. An accepted
 * table must tile the image and stay inside the file; decoded blocks must equal what liblzma's
 * stream decoder makes of the whole file.
 */
#include <lzma.h>

#include "fuzz-seek.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool reference(const uint8_t *in, size_t n, uint8_t *out, size_t *len) {
        lzma_stream s = LZMA_STREAM_INIT;
        if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
                return false;
        s.next_in = in;
        s.avail_in = n;
        s.next_out = out;
        s.avail_out = FUZZ_OUT_MAX;
        lzma_ret r = lzma_code(&s, LZMA_FINISH);
        *len = FUZZ_OUT_MAX - s.avail_out;
        lzma_end(&s);
        return r == LZMA_STREAM_END;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        fuzz_seek_table(data, size, PB_SEEK_XZ, reference);
        return 0;
}
