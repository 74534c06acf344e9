/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot#### payloads: parse; rebuild from the parsed parts (raw description, and through UTF-8
 * when the description converts) and reparse. Both rebuilds must reproduce the input exactly.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "devpath.h"
#include "loadopt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                \
        do {                                    \
                if (!(x))                       \
                        __builtin_trap();       \
        } while (0)

static void check_same(const struct pb_load_option *a, const struct pb_load_option *b) {
        CHECK(a->attributes == b->attributes);
        CHECK(a->description_size == b->description_size);
        CHECK(memcmp(a->description, b->description, a->description_size) == 0);
        CHECK(a->file_path_size == b->file_path_size);
        CHECK(memcmp(a->file_path, b->file_path, a->file_path_size) == 0);
        CHECK(a->optional_data_size == b->optional_data_size);
        CHECK(memcmp(a->optional_data, b->optional_data, a->optional_data_size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static uint8_t out[0x20000];
        static char title[0x20000], text[0x48000];
        struct pb_load_option o, again;
        struct pb_writer w;
        struct pb_diag diag = {};
        size_t off = 0;
        int r;

        r = pb_loadopt_parse_diag(data, size, &o, &diag);
        if (r < 0) {
                CHECK(r == -EBADMSG && diag.reason);
                CHECK(diag.where.len == 0 ||
                      ((const uint8_t *) diag.where.ptr >= data &&
                       (const uint8_t *) diag.where.ptr + diag.where.len <= data + size));
                return 0;
        }
        CHECK(6 + o.description_size + o.file_path_size + o.optional_data_size == size);

        w = pb_writer_make(out, sizeof out);
        CHECK(pb_loadopt_build_raw(&w, o.attributes, o.description, o.description_size, o.file_path,
                                   o.file_path_size, o.optional_data, o.optional_data_size) == 0);
        CHECK(w.len == size && memcmp(out, data, size) == 0);
        CHECK(pb_loadopt_parse(out, w.len, &again) == 0);
        check_same(&o, &again);

        r = pb_loadopt_description(&o, title, sizeof title);
        if (r == 0) {
                w = pb_writer_make(out, sizeof out);
                CHECK(pb_loadopt_build(&w, o.attributes, pb_span_from_str(title), o.file_path, o.file_path_size,
                                       o.optional_data, o.optional_data_size) == 0);
                CHECK(w.len == size && memcmp(out, data, size) == 0);
        } else
                CHECK(r == -EILSEQ);

        /* Every path of the list renders. */
        while (off < o.file_path_size) {
                size_t len;

                CHECK(pb_dp_validate(o.file_path + off, o.file_path_size - off, &len) == 0);
                r = pb_dp_to_text(o.file_path + off, len, text, sizeof text);
                CHECK(r == 0);
                off += len;
        }
        CHECK(off == o.file_path_size);
        return 0;
}
