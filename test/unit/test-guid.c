/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "guid.h"
#include "test.h"

static struct pb_span S(const char *s) {
        return pb_span_from_str(s);
}

/* Text and EFI byte order of the GUIDs pullboot uses (docs: reference/uefi.md). */
static const struct {
        const char *text;
        uint8_t bytes[16];
        pb_guid init;
} vectors[] = {
        { "8be4df61-93ca-11d2-aa0d-00e098032b8c",
          { 0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c },
          PB_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c) },
        { "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f",
          { 0x82, 0xb0, 0x67, 0x4a, 0x4c, 0x0a, 0xcf, 0x41, 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f },
          PB_GUID_INIT(0x4a67b082, 0x0a4c, 0x41cf, 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f) },
        { "5568e427-68fc-4f3d-ac74-ca555231cc68",
          { 0x27, 0xe4, 0x68, 0x55, 0xfc, 0x68, 0x3d, 0x4f, 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 },
          PB_GUID_INIT(0x5568e427, 0x68fc, 0x4f3d, 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68) },
        { "fff12b8d-7696-4c8b-a985-2747075b4f50",
          { 0x8d, 0x2b, 0xf1, 0xff, 0x96, 0x76, 0x8b, 0x4c, 0xa9, 0x85, 0x27, 0x47, 0x07, 0x5b, 0x4f, 0x50 },
          PB_GUID_INIT(0xfff12b8d, 0x7696, 0x4c8b, 0xa9, 0x85, 0x27, 0x47, 0x07, 0x5b, 0x4f, 0x50) },
        { "00000000-0000-0000-0000-000000000000", {}, PB_GUID_INIT(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) },
        { "ffffffff-ffff-ffff-ffff-ffffffffffff",
          { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
          PB_GUID_INIT(0xffffffff, 0xffff, 0xffff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff) },
};

static void test_vectors(void) {
        for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
                char text[PB_GUID_STRING_LEN + 1];
                pb_guid g;

                ASSERT_EQ(pb_guid_parse(S(vectors[i].text), &g), 0);
                ASSERT_MEMEQ(g.b, vectors[i].bytes, 16);
                ASSERT_MEMEQ(vectors[i].init.b, vectors[i].bytes, 16);
                ASSERT_TRUE(pb_guid_eq(&g, &vectors[i].init));
                ASSERT_EQ(pb_guid_format(&g, text, sizeof text), 0);
                ASSERT_STREQ(text, vectors[i].text);
        }
}

static void test_parse_forms(void) {
        static const uint8_t expect[16] = { 0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
                                            0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c };
        pb_guid g;

        ASSERT_EQ(pb_guid_parse(S("8BE4DF61-93CA-11D2-AA0D-00E098032B8C"), &g), 0);
        ASSERT_MEMEQ(g.b, expect, 16);
        ASSERT_EQ(pb_guid_parse(S("{8be4df61-93Ca-11d2-aa0d-00e098032b8c}"), &g), 0);
        ASSERT_MEMEQ(g.b, expect, 16);
        ASSERT_EQ(pb_guid_parse(S("8be4df61-93ca-11d2-aa0d-00e098032b8c"), NULL), 0);
}

static void test_parse_invalid(void) {
        static const char *bad[] = {
                "",
                "8be4df61-93ca-11d2-aa0d-00e098032b8",          /* short */
                "8be4df61-93ca-11d2-aa0d-00e098032b8c0",        /* long */
                "8be4df6193ca-11d2-aa0d-00e098032b8c0",         /* dash missing */
                "8be4df61-93ca-11d2-aa0d_00e098032b8c",
                "8be4df61+93ca-11d2-aa0d-00e098032b8c",
                "8be4df61-93ca-11d2-aa0d-00e098032b8g",
                "8be4df6-193ca-11d2-aa0d-00e098032b8c",         /* dash misplaced */
                " 8be4df61-93ca-11d2-aa0d-00e098032b8",
                "{8be4df61-93ca-11d2-aa0d-00e098032b8c",
                "8be4df61-93ca-11d2-aa0d-00e098032b8c}",
                "(8be4df61-93ca-11d2-aa0d-00e098032b8c)",
                "{8be4df61-93ca-11d2-aa0d-00e098032b8}",
                "0x8be4df-93ca-11d2-aa0d-00e098032b8c",
        };
        pb_guid g = {};

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
                if (pb_guid_parse(S(bad[i]), &g) != -EINVAL)
                        TEST_FAIL("accepted \"%s\"", bad[i]);
        /* Length is the span's, not the C string's. */
        ASSERT_EQ(pb_guid_parse(pb_span_make("8be4df61-93ca-11d2-aa0d-00e098032b8c", 35), &g), -EINVAL);
        ASSERT_EQ(pb_guid_parse(pb_span_make("8be4df61-93ca-11d2-aa0d-00e098032b8c\0", 37), &g), -EINVAL);
}

static void test_format_buffer(void) {
        const pb_guid g = PB_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);
        char buf[PB_GUID_STRING_LEN + 1];
        uint8_t upper[PB_GUID_STRING_LEN];
        struct pb_writer w = pb_writer_make(upper, sizeof upper);

        ASSERT_EQ(pb_guid_format(&g, buf, PB_GUID_STRING_LEN), -ENOBUFS);
        ASSERT_EQ(pb_guid_format(&g, buf, 0), -ENOBUFS);
        pb_guid_put(&w, &g, true);
        ASSERT_EQ(pb_writer_status(&w), 0);
        ASSERT_MEMEQ(upper, "8BE4DF61-93CA-11D2-AA0D-00E098032B8C", PB_GUID_STRING_LEN);
        w.len--;
        pb_guid_put(&w, &g, true);
        ASSERT_EQ(pb_writer_status(&w), -ENOBUFS);
}

static void test_eq(void) {
        pb_guid a = PB_GUID_INIT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), b = a;

        ASSERT_TRUE(pb_guid_eq(&a, &b));
        b.b[15] ^= 1;
        ASSERT_TRUE(!pb_guid_eq(&a, &b));
}

int main(void) {
        test_vectors();
        test_parse_forms();
        test_parse_invalid();
        test_format_buffer();
        test_eq();
        return 0;
}
