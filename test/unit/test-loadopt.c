/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "devpath.h"
#include "loadopt.h"
#include "test.h"

static struct pb_span S(const char *s) {
        return pb_span_from_str(s);
}

static const char boot_url[] = "http://192.168.1.10/boot/grubx64.efi";

/* Boot0099 as virt-fw-vars --set-boot-uri writes it (reference/virt-firmware.md), spelled out
 * byte by byte rather than built with the code under test. */
static size_t make_boot0099(uint8_t *buf) {
        static const char title[] = "netboot grubx64.efi";
        size_t n = 0;

        memcpy(buf, "\x01\x00\x00\x00\x2c\x00", 6);
        n = 6;
        for (size_t i = 0; i < sizeof title; i++) {  /* including the NUL */
                buf[n++] = (uint8_t) title[i];
                buf[n++] = 0;
        }
        memcpy(buf + n, "\x03\x18\x28\x00", 4);
        n += 4;
        memcpy(buf + n, boot_url, 36);
        n += 36;
        memcpy(buf + n, "\x7f\xff\x04\x00", 4);
        return n + 4;
}

static void test_boot0099_parse(void) {
        uint8_t buf[128];
        size_t size = make_boot0099(buf);
        struct pb_load_option o;
        struct pb_dp_node n;
        struct pb_span uri;
        char title[64];

        ASSERT_EQ(size, 90);
        ASSERT_EQ(pb_loadopt_parse(buf, size, &o), 0);
        ASSERT_EQ(o.attributes, PB_LOAD_OPTION_ACTIVE);
        ASSERT_TRUE(o.description == buf + 6);
        ASSERT_EQ(o.description_size, 40);
        ASSERT_TRUE(o.file_path == buf + 46);
        ASSERT_EQ(o.file_path_size, 44);
        ASSERT_TRUE(o.optional_data == buf + 90);
        ASSERT_EQ(o.optional_data_size, 0);
        ASSERT_EQ(pb_loadopt_description(&o, title, sizeof title), 0);
        ASSERT_STREQ(title, "netboot grubx64.efi");
        ASSERT_EQ(pb_loadopt_description(&o, title, 19), -ENOBUFS);

        ASSERT_EQ(pb_dp_find(o.file_path, o.file_path_size, PB_DP_TYPE_MESSAGING, PB_DP_MSG_URI, &n), 1);
        ASSERT_EQ(pb_dp_get_uri(&n, &uri), 0);
        ASSERT_SPANEQ(uri, boot_url);
}

static void test_boot0099_build(void) {
        uint8_t expect[128], dp[64], out[128];
        size_t size = make_boot0099(expect);
        struct pb_writer d = pb_writer_make(dp, sizeof dp), w = pb_writer_make(out, sizeof out);

        pb_dp_put_uri(&d, S(boot_url));
        pb_dp_put_end(&d);
        ASSERT_EQ(pb_writer_status(&d), 0);

        ASSERT_EQ(pb_loadopt_build(&w, PB_LOAD_OPTION_ACTIVE, S("netboot grubx64.efi"), dp, d.len, NULL, 0), 0);
        ASSERT_EQ(w.len, size);
        ASSERT_MEMEQ(out, expect, size);

        /* Exactly enough room, then one byte short. */
        w = pb_writer_make(out, size);
        ASSERT_EQ(pb_loadopt_build(&w, PB_LOAD_OPTION_ACTIVE, S("netboot grubx64.efi"), dp, d.len, NULL, 0), 0);
        w = pb_writer_make(out, size - 1);
        ASSERT_EQ(pb_loadopt_build(&w, PB_LOAD_OPTION_ACTIVE, S("netboot grubx64.efi"), dp, d.len, NULL, 0), -ENOBUFS);
}

static void test_roundtrip_optional_data(void) {
        static const uint8_t opt[] = { 'i', 0, 'n', 0, 'i', 0, 't', 0, 0, 0, 0xff };
        uint8_t dp[128], out[256], again[256];
        struct pb_writer d = pb_writer_make(dp, sizeof dp), w = pb_writer_make(out, sizeof out),
                         w2 = pb_writer_make(again, sizeof again);
        struct pb_load_option o;
        char title[64];

        /* Two paths in the list, as some loaders write (the second one e.g. for an initrd). */
        ASSERT_EQ(pb_dp_put_filepath(&d, S("\\EFI\\Linux\\a.efi")), 0);
        pb_dp_put_end(&d);
        pb_dp_put_uri(&d, S("http://x/"));
        pb_dp_put_end(&d);
        ASSERT_EQ(pb_writer_status(&d), 0);

        ASSERT_EQ(pb_loadopt_build(&w, PB_LOAD_OPTION_ACTIVE | PB_LOAD_OPTION_HIDDEN, S("Caf\xc3\xa9 \xe2\x82\xac"),
                                   dp, d.len, opt, sizeof opt), 0);
        ASSERT_EQ(pb_loadopt_parse(out, w.len, &o), 0);
        ASSERT_EQ(o.attributes, 9);
        ASSERT_EQ(o.description_size, 7 * 2);
        ASSERT_EQ(o.file_path_size, d.len);
        ASSERT_MEMEQ(o.file_path, dp, d.len);
        ASSERT_EQ(o.optional_data_size, sizeof opt);
        ASSERT_MEMEQ(o.optional_data, opt, sizeof opt);
        ASSERT_EQ(pb_loadopt_description(&o, title, sizeof title), 0);
        ASSERT_STREQ(title, "Caf\xc3\xa9 \xe2\x82\xac");

        ASSERT_EQ(pb_loadopt_build_raw(&w2, o.attributes, o.description, o.description_size, o.file_path,
                                       o.file_path_size, o.optional_data, o.optional_data_size), 0);
        ASSERT_EQ(w2.len, w.len);
        ASSERT_MEMEQ(again, out, w.len);

        /* Empty title. */
        w = pb_writer_make(out, sizeof out);
        ASSERT_EQ(pb_loadopt_build(&w, 0, S(""), dp, d.len, NULL, 0), 0);
        ASSERT_EQ(pb_loadopt_parse(out, w.len, &o), 0);
        ASSERT_EQ(o.description_size, 2);
        ASSERT_EQ(pb_loadopt_description(&o, title, sizeof title), 0);
        ASSERT_STREQ(title, "");
}

static void test_parse_errors(void) {
        uint8_t buf[128];
        size_t size = make_boot0099(buf);
        struct pb_load_option o = {};
        struct pb_diag diag = {};

        /* Every truncation of a valid option is refused, never read past. */
        for (size_t n = 0; n < size; n++) {
                uint8_t *copy = malloc(n ? n : 1);

                memcpy(copy, buf, n);
                if (pb_loadopt_parse(copy, n, &o) != -EBADMSG)
                        TEST_FAIL("truncation to %zu bytes accepted", n);
                free(copy);
        }
        ASSERT_EQ(pb_loadopt_parse_diag(buf, 5, &o, &diag), -EBADMSG);
        ASSERT_STREQ(diag.reason, "load option shorter than its 6-byte header");

        /* FilePathListLength beyond the buffer. */
        buf[4] = 0x55;
        ASSERT_EQ(pb_loadopt_parse_diag(buf, size, &o, &diag), -EBADMSG);
        ASSERT_STREQ(diag.reason, "FilePathListLength runs past the end of the load option");
        ASSERT_TRUE(diag.where.ptr == (const char *) buf + 4 && diag.where.len == 2);
        buf[4] = 0xff;
        buf[5] = 0xff;
        ASSERT_EQ(pb_loadopt_parse(buf, size, &o), -EBADMSG);

        /* FilePathListLength one short: the End node runs out. One long: the description loses
         * its NUL (it must end before the list starts). */
        size = make_boot0099(buf);
        buf[4] = 0x2b;
        ASSERT_EQ(pb_loadopt_parse_diag(buf, size, &o, &diag), -EBADMSG);
        buf[4] = 0x2d;
        ASSERT_EQ(pb_loadopt_parse_diag(buf, size, &o, &diag), -EBADMSG);
        ASSERT_STREQ(diag.reason, "load option description is not NUL-terminated");

        /* Zero-length list; a list that is only part of a node. */
        size = make_boot0099(buf);
        buf[4] = 0;
        ASSERT_EQ(pb_loadopt_parse_diag(buf, size, &o, &diag), -EBADMSG);
        buf[4] = 4;
        ASSERT_EQ(pb_loadopt_parse(buf, size, &o), -EBADMSG);

        /* Description without a NUL anywhere. */
        {
                static const uint8_t nonul[] = { 1, 0, 0, 0, 4, 0, 'a', 0, 'b', 0, 0x7f, 0xff, 0x04, 0x00 };
                static const uint8_t odd[] = { 1, 0, 0, 0, 4, 0, 0, 0x7f, 0xff, 0x04, 0x00 };
                static const uint8_t minimal[] = { 1, 0, 0, 0, 4, 0, 0, 0, 0x7f, 0xff, 0x04, 0x00 };

                ASSERT_EQ(pb_loadopt_parse_diag(nonul, sizeof nonul, &o, &diag), -EBADMSG);
                ASSERT_STREQ(diag.reason, "load option description is not NUL-terminated");
                /* Odd-sized description area: the NUL byte pair straddles into the list. */
                ASSERT_EQ(pb_loadopt_parse(odd, sizeof odd, &o), -EBADMSG);
                ASSERT_EQ(pb_loadopt_parse(minimal, sizeof minimal, &o), 0);
                ASSERT_EQ(o.description_size, 2);
                ASSERT_EQ(o.file_path_size, 4);
        }

        /* Zero-length node inside the list. */
        size = make_boot0099(buf);
        buf[48] = 0;
        buf[49] = 0;
        ASSERT_EQ(pb_loadopt_parse_diag(buf, size, &o, &diag), -EBADMSG);
        ASSERT_STREQ(diag.reason, "device path node shorter than its 4-byte header");
        ASSERT_TRUE(diag.where.ptr == (const char *) buf + 46);
}

static void test_optional_data_and_tail(void) {
        uint8_t buf[128];
        size_t size = make_boot0099(buf);
        struct pb_load_option o;

        /* Bytes after the list are optional data, even ones that look like a device path. */
        memcpy(buf + size, "\x7f\xff\x04\x00xyz", 7);
        ASSERT_EQ(pb_loadopt_parse(buf, size + 7, &o), 0);
        ASSERT_EQ(o.file_path_size, 44);
        ASSERT_EQ(o.optional_data_size, 7);
        ASSERT_TRUE(o.optional_data == buf + size);
}

static void test_build_errors(void) {
        static const uint8_t bad_dp[] = { 0x03, 0x18, 0x05, 0x00, 'x', 0x7f, 0xff };
        static const uint8_t good_dp[] = { 0x7f, 0xff, 0x04, 0x00 };
        static uint8_t big[0x10000 + 4];
        uint8_t out[64];
        struct pb_writer w = pb_writer_make(out, sizeof out);

        ASSERT_EQ(pb_loadopt_build(&w, 1, S("x"), bad_dp, sizeof bad_dp, NULL, 0), -EBADMSG);
        ASSERT_EQ(pb_loadopt_build(&w, 1, S("x"), good_dp, 0, NULL, 0), -EBADMSG);
        ASSERT_EQ(pb_loadopt_build(&w, 1, S("x"), good_dp, 3, NULL, 0), -EBADMSG);
        ASSERT_EQ(pb_loadopt_build(&w, 1, S("bad \xc0\xaf"), good_dp, sizeof good_dp, NULL, 0), -EILSEQ);
        ASSERT_EQ(pb_loadopt_build(&w, 1, S("\xf0\x9f\x98\x80"), good_dp, sizeof good_dp, NULL, 0), -EILSEQ);
        ASSERT_EQ(w.len, 0);
        ASSERT_EQ(pb_writer_status(&w), 0);

        /* A list longer than FilePathListLength can say: 16385 End nodes. */
        for (size_t i = 0; i < sizeof big; i += 4)
                memcpy(big + i, good_dp, 4);
        ASSERT_EQ(pb_loadopt_build(&w, 1, S("x"), big, sizeof big, NULL, 0), -EBADMSG);

        /* Raw descriptions must end in their only NUL. */
        ASSERT_EQ(pb_loadopt_build_raw(&w, 1, (const uint8_t *) "a\0", 2, good_dp, 4, NULL, 0), -EBADMSG);
        ASSERT_EQ(pb_loadopt_build_raw(&w, 1, (const uint8_t *) "\0\0a\0\0", 6, good_dp, 4, NULL, 0), -EBADMSG);
        ASSERT_EQ(pb_loadopt_build_raw(&w, 1, (const uint8_t *) "a\0\0", 3, good_dp, 4, NULL, 0), -EBADMSG);
        ASSERT_EQ(w.len, 0);
        ASSERT_EQ(pb_loadopt_build_raw(&w, 1, (const uint8_t *) "a\0\0", 4, good_dp, 4, NULL, 0), 0);
        ASSERT_EQ(w.len, 14);
        ASSERT_MEMEQ(out, "\x01\0\0\0\x04\0a\0\0\0\x7f\xff\x04\0", 14);
}

static void test_description_invalid_ucs2(void) {
        /* A lone surrogate in a firmware-written title: the option parses, only the UTF-8
         * rendering is refused, and the raw rebuild still reproduces it. */
        static const uint8_t opt[] = { 1, 0, 0, 0, 4, 0, 0x00, 0xd8, 0, 0, 0x7f, 0xff, 0x04, 0x00 };
        struct pb_load_option o;
        uint8_t out[32];
        struct pb_writer w = pb_writer_make(out, sizeof out);
        char title[16];

        ASSERT_EQ(pb_loadopt_parse(opt, sizeof opt, &o), 0);
        ASSERT_EQ(pb_loadopt_description(&o, title, sizeof title), -EILSEQ);
        ASSERT_EQ(pb_loadopt_build_raw(&w, o.attributes, o.description, o.description_size, o.file_path,
                                       o.file_path_size, o.optional_data, o.optional_data_size), 0);
        ASSERT_EQ(w.len, sizeof opt);
        ASSERT_MEMEQ(out, opt, sizeof opt);
}

int main(void) {
        test_boot0099_parse();
        test_boot0099_build();
        test_roundtrip_optional_data();
        test_parse_errors();
        test_optional_data_and_tail();
        test_build_errors();
        test_description_invalid_ucs2();
        return 0;
}
