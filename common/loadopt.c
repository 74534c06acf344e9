/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "devpath.h"
#include "loadopt.h"
#include "utf16.h"

/* Attributes u32 + FilePathListLength u16. */
#define LOADOPT_HEADER_SIZE 6u

static struct pb_span bytes_span(const uint8_t *p, size_t n) {
        return pb_span_make((const char *) p, n);
}

int pb_loadopt_parse_diag(const uint8_t *buf, size_t size, struct pb_load_option *ret, struct pb_diag *diag) {
        size_t fp_len, desc_max, desc_size;
        const uint8_t *fp;
        int r;

        if (size < LOADOPT_HEADER_SIZE)
                return pb_diag_set(diag, -EBADMSG, "load option shorter than its 6-byte header",
                                   bytes_span(buf, size));
        fp_len = pb_le16(buf + 4);
        if (fp_len > size - LOADOPT_HEADER_SIZE)
                return pb_diag_set(diag, -EBADMSG, "FilePathListLength runs past the end of the load option",
                                   bytes_span(buf + 4, 2));

        /* The description lies between the header and the device path list, so its NUL has
         * to come before the last FilePathListLength bytes. */
        desc_max = size - LOADOPT_HEADER_SIZE - fp_len;
        if (pb_ucs2le_size(buf + LOADOPT_HEADER_SIZE, desc_max, &desc_size) < 0)
                return pb_diag_set(diag, -EBADMSG, "load option description is not NUL-terminated",
                                   bytes_span(buf + LOADOPT_HEADER_SIZE, desc_max));

        fp = buf + LOADOPT_HEADER_SIZE + desc_size;
        r = pb_dp_validate_list(fp, fp_len, diag);
        if (r < 0)
                return r;

        if (ret)
                *ret = (struct pb_load_option) {
                        .attributes = pb_le32(buf),
                        .description = buf + LOADOPT_HEADER_SIZE,
                        .description_size = desc_size,
                        .file_path = fp,
                        .file_path_size = fp_len,
                        .optional_data = fp + fp_len,
                        .optional_data_size = size - LOADOPT_HEADER_SIZE - desc_size - fp_len,
                };
        return 0;
}

int pb_loadopt_parse(const uint8_t *buf, size_t size, struct pb_load_option *ret) {
        return pb_loadopt_parse_diag(buf, size, ret, NULL);
}

int pb_loadopt_description(const struct pb_load_option *o, char *buf, size_t size) {
        return pb_ucs2le_to_utf8(o->description, o->description_size, buf, size, NULL);
}

static int check_file_path(const uint8_t *dp, size_t dp_size) {
        /* FilePathListLength is a u16. */
        if (dp_size > 0xffff)
                return -EBADMSG;
        return pb_dp_validate_list(dp, dp_size, NULL);
}

static void put_tail(struct pb_writer *w, const uint8_t *dp, size_t dp_size,
                     const uint8_t *optional_data, size_t optional_size) {
        pb_writer_put(w, dp, dp_size);
        pb_writer_put(w, optional_data, optional_size);
}

int pb_loadopt_build(struct pb_writer *w, uint32_t attributes, struct pb_span title_utf8,
                     const uint8_t *dp, size_t dp_size, const uint8_t *optional_data, size_t optional_size) {
        size_t i = 0;
        uint16_t c;
        int r;

        r = check_file_path(dp, dp_size);
        if (r < 0)
                return r;
        /* Check the title before writing anything, so an error leaves w as it was. */
        while ((r = pb_utf8_next_ucs2(title_utf8, &i, &c)) > 0)
                ;
        if (r < 0)
                return r;

        pb_writer_put_le32(w, attributes);
        pb_writer_put_le16(w, (uint16_t) dp_size);
        r = pb_utf8_put_ucs2le(w, title_utf8, true);
        if (r < 0)
                return r;
        put_tail(w, dp, dp_size, optional_data, optional_size);
        return pb_writer_status(w);
}

int pb_loadopt_build_raw(struct pb_writer *w, uint32_t attributes, const uint8_t *description,
                         size_t description_size, const uint8_t *dp, size_t dp_size,
                         const uint8_t *optional_data, size_t optional_size) {
        size_t n;
        int r;

        /* Exactly one string: its only NUL is the last unit. */
        if (pb_ucs2le_size(description, description_size, &n) < 0 || n != description_size)
                return -EBADMSG;
        r = check_file_path(dp, dp_size);
        if (r < 0)
                return r;

        pb_writer_put_le32(w, attributes);
        pb_writer_put_le16(w, (uint16_t) dp_size);
        pb_writer_put(w, description, description_size);
        put_tail(w, dp, dp_size, optional_data, optional_size);
        return pb_writer_status(w);
}
