/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the size estimator's parsers (initrd/pull/estimate.c): the first bytes of a
 * download (format, zstd frame header, first xz block header) and its last bytes (xz stream
 * footer and index through liblzma, gzip ISIZE), then the estimate itself. The first input byte
 * picks how the rest is read: as the head, or as the tail of an xz or gzip file, and how much
 * larger than the input the whole file claims to be. Besides "no crash", checks that a tail that
 * asks for more asks for more than it got, and that the lower bound never exceeds the upper.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "estimate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                            \
        do {                                \
                if (!(x))                   \
                        __builtin_trap();   \
        } while (0)

static void check_estimate(const struct fit_facts *f) {
        struct fit_estimate e;
        for (int type = PB_TYPE_TAR; type <= PB_TYPE_RAW; type++) {
                fit_estimate(f, (enum pb_image_type) type, &e);
                CHECK(e.basis);
                CHECK(e.most == UINT64_MAX || e.needed <= e.most);
        }
        uint64_t projected, at_least;
        fit_remaining(f, f->size / 2, f->uncompressed_min / 2, f->uncompressed_min / 4, &projected, &at_least);
        CHECK(projected == UINT64_MAX || at_least <= projected);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        uint8_t mode = data[0];
        data++;
        size--;
        struct fit_facts f = { .format = DECODE_UNKNOWN, .size = size, .uncompressed = UINT64_MAX };
        if ((mode & 3) == 0) {
                CHECK(fit_parse_head(data, size, &f) == 0);
                CHECK(f.format >= DECODE_UNKNOWN && f.format <= DECODE_BZIP2);
        } else {
                /* The input is the end of a file that may be longer. */
                f.format = (mode & 3) == 1 ? DECODE_XZ : DECODE_GZIP;
                f.size = size + (uint64_t) (mode >> 2) * 4096;
                size_t more = 0;
                int r = fit_parse_tail(data, size, &f, &more);
                CHECK(r == 0 || r == -EAGAIN || r == -EBADMSG || r == -E2BIG || r == -ENOMEM);
                if (r == -EAGAIN)
                        CHECK(more > size && more <= (size_t) FIT_INDEX_MAX + 12 + size);
                if (r == 0 && f.format == DECODE_XZ) {
                        uint64_t sum = 0;
                        for (size_t i = 0; i < f.n_blocks; i++)
                                sum += f.blocks[i].uncompressed;
                        CHECK(sum == f.uncompressed_min);
                        CHECK(f.blocks_span <= f.size);
                }
        }
        check_estimate(&f);
        fit_facts_done(&f);
        return 0;
}
