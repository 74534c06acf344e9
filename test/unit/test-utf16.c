/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test.h"
#include "utf16.h"

static struct pb_span S(const char *s) {
        return pb_span_from_str(s);
}

static void test_to_ucs2le_basic(void) {
        uint8_t buf[64];
        size_t n = 0;

        ASSERT_EQ(pb_utf8_to_ucs2le(S("Ab"), buf, sizeof buf, &n), 0);
        ASSERT_EQ(n, 6);
        ASSERT_MEMEQ(buf, "A\0b\0\0\0", 6);

        /* 2- and 3-byte sequences; U+FFFF is the last representable code point. */
        ASSERT_EQ(pb_utf8_to_ucs2le(S("\xc3\xa9\xe2\x82\xac\xef\xbf\xbf"), buf, sizeof buf, &n), 0);
        ASSERT_EQ(n, 8);
        ASSERT_MEMEQ(buf, "\xe9\x00\xac\x20\xff\xff\0\0", 8);

        /* Empty string is just the NUL. */
        ASSERT_EQ(pb_utf8_to_ucs2le(S(""), buf, sizeof buf, &n), 0);
        ASSERT_EQ(n, 2);
        ASSERT_MEMEQ(buf, "\0\0", 2);
}

static void test_to_ucs2le_nobufs(void) {
        uint8_t buf[8];
        size_t n = 99;

        /* "abc" needs 8 bytes with NUL: fits exactly, one less does not. */
        ASSERT_EQ(pb_utf8_to_ucs2le(S("abc"), buf, 8, &n), 0);
        ASSERT_EQ(n, 8);
        n = 99;
        ASSERT_EQ(pb_utf8_to_ucs2le(S("abc"), buf, 7, &n), -ENOBUFS);
        ASSERT_EQ(n, 99);
        ASSERT_EQ(pb_utf8_to_ucs2le(S("abc"), buf, 0, &n), -ENOBUFS);
        ASSERT_EQ(pb_utf8_to_ucs2le(S(""), buf, 1, &n), -ENOBUFS);
}

static void test_invalid_utf8(void) {
        static const char *bad[] = {
                "\x80",                 /* lone continuation */
                "a\xbf",
                "\xc0\x80",             /* overlong NUL */
                "\xc1\xbf",             /* overlong */
                "\xe0\x80\xaf",         /* overlong '/' */
                "\xe0\x9f\xbf",         /* overlong U+07FF */
                "\xed\xa0\x80",         /* U+D800 surrogate */
                "\xed\xbf\xbf",         /* U+DFFF surrogate */
                "\xf0\x9f\x98\x80",     /* U+1F600, beyond UCS-2 */
                "\xf4\x8f\xbf\xbf",     /* U+10FFFF */
                "\xf8\x88\x80\x80\x80", /* 5-byte form */
                "\xff",
                "\xfe",
                "\xc3",                 /* truncated */
                "\xe2\x82",             /* truncated */
                "x\xe2",
                "\xc3\x28",             /* bad continuation */
                "\xe2\x28\xa1",
                "\xe2\x82\x28",
        };
        uint8_t buf[64];
        uint16_t ubuf[16];

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                if (pb_utf8_to_ucs2le(S(bad[i]), buf, sizeof buf, NULL) != -EILSEQ)
                        TEST_FAIL("bad UTF-8 #%zu accepted", i);
                if (pb_utf8_to_ucs2(S(bad[i]), ubuf, 16, NULL) != -EILSEQ)
                        TEST_FAIL("bad UTF-8 #%zu accepted (aligned)", i);
        }
        /* An embedded NUL would truncate the CHAR16 string. */
        ASSERT_EQ(pb_utf8_to_ucs2le(pb_span_make("a\0b", 3), buf, sizeof buf, NULL), -EILSEQ);
        /* Truncation is judged by the span, not by a NUL after it. */
        ASSERT_EQ(pb_utf8_to_ucs2le(pb_span_make("\xc3\xa9", 1), buf, sizeof buf, NULL), -EILSEQ);
}

static void test_to_ucs2_aligned(void) {
        uint16_t buf[4];
        size_t n = 0;

        ASSERT_EQ(pb_utf8_to_ucs2(S("h\xc3\xa9!"), buf, 4, &n), 0);
        ASSERT_EQ(n, 3);
        ASSERT_EQ(buf[0], 'h');
        ASSERT_EQ(buf[1], 0xe9);
        ASSERT_EQ(buf[2], '!');
        ASSERT_EQ(buf[3], 0);
        ASSERT_EQ(pb_utf8_to_ucs2(S("abcd"), buf, 4, &n), -ENOBUFS);
        ASSERT_EQ(pb_utf8_to_ucs2(S(""), buf, 0, &n), -ENOBUFS);
        ASSERT_EQ(pb_utf8_to_ucs2(S(""), buf, 1, &n), 0);
        ASSERT_EQ(n, 0);
        ASSERT_EQ(buf[0], 0);
}

static void test_to_utf8(void) {
        char buf[32];
        size_t n = 0;

        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "n\0e\0t\0\0\0x\0", 10, buf, sizeof buf, &n), 0);
        ASSERT_STREQ(buf, "net");
        ASSERT_EQ(n, 3);

        /* No NUL: up to the end. */
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "o\0k\0", 4, buf, sizeof buf, &n), 0);
        ASSERT_STREQ(buf, "ok");

        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "\xe9\x00\xac\x20\xff\xff\x7f\x00\x80\x00\xff\x07\x00\x08",
                                    14, buf, sizeof buf, &n), 0);
        ASSERT_STREQ(buf, "\xc3\xa9\xe2\x82\xac\xef\xbf\xbf\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80");
        ASSERT_EQ(n, 16);

        /* Empty input, and an empty string. */
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "", 0, buf, sizeof buf, &n), 0);
        ASSERT_STREQ(buf, "");
        ASSERT_EQ(n, 0);
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "\0\0", 2, buf, sizeof buf, &n), 0);
        ASSERT_STREQ(buf, "");
}

static void test_to_utf8_errors(void) {
        char buf[8];
        uint8_t unaligned[7];

        /* Odd size: the half unit is an error, unless a NUL comes first. */
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "a\0b", 3, buf, sizeof buf, NULL), -EILSEQ);
        ASSERT_STREQ(buf, "");
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "a", 1, buf, sizeof buf, NULL), -EILSEQ);
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "a\0\0\0b", 5, buf, sizeof buf, NULL), 0);
        ASSERT_STREQ(buf, "a");

        /* Surrogates, paired or not. */
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "\x00\xd8", 2, buf, sizeof buf, NULL), -EILSEQ);
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "\x3d\xd8\x00\xde", 4, buf, sizeof buf, NULL), -EILSEQ);
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "a\0\xff\xdf", 4, buf, sizeof buf, NULL), -EILSEQ);

        /* Buffer exactly big enough, then one short (the NUL counts). */
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "1\0002\0003\0", 6, buf, 4, NULL), 0);
        ASSERT_STREQ(buf, "123");
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "1\0002\0003\0", 6, buf, 3, NULL), -ENOBUFS);
        ASSERT_STREQ(buf, "");
        /* A 3-byte character that does not fit is not split. */
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "a\0\xac\x20", 4, buf, 4, NULL), -ENOBUFS);
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "a\0\xac\x20", 4, buf, 5, NULL), 0);
        ASSERT_STREQ(buf, "a\xe2\x82\xac");
        ASSERT_EQ(pb_ucs2le_to_utf8((const uint8_t *) "", 0, buf, 0, NULL), -ENOBUFS);

        /* Unaligned input. */
        memcpy(unaligned + 1, "h\0i\0\0\0", 6);
        ASSERT_EQ(pb_ucs2le_to_utf8(unaligned + 1, 6, buf, sizeof buf, NULL), 0);
        ASSERT_STREQ(buf, "hi");
}

static void test_size(void) {
        size_t n = 0;

        ASSERT_EQ(pb_ucs2le_size((const uint8_t *) "a\0b\0\0\0c\0", 8, &n), 0);
        ASSERT_EQ(n, 6);
        ASSERT_EQ(pb_ucs2le_size((const uint8_t *) "\0\0", 2, &n), 0);
        ASSERT_EQ(n, 2);
        ASSERT_EQ(pb_ucs2le_size((const uint8_t *) "a\0b\0", 4, &n), -EBADMSG);
        ASSERT_EQ(pb_ucs2le_size((const uint8_t *) "", 0, &n), -EBADMSG);
        ASSERT_EQ(pb_ucs2le_size((const uint8_t *) "\0", 1, &n), -EBADMSG);
        /* A NUL byte pair across a unit boundary is not a NUL unit. */
        ASSERT_EQ(pb_ucs2le_size((const uint8_t *) "\x01\0\0\x01", 4, &n), -EBADMSG);
        /* Odd trailing byte after a NUL unit is fine, after none it is not found. */
        ASSERT_EQ(pb_ucs2le_size((const uint8_t *) "a\0\0\0\0", 5, &n), 0);
        ASSERT_EQ(n, 4);
        ASSERT_EQ(pb_ucs2le_size((const uint8_t *) "a\0\0", 3, &n), -EBADMSG);
}

static void test_roundtrip_all_bmp(void) {
        /* Every non-surrogate BMP code point survives UCS-2 -> UTF-8 -> UCS-2. */
        for (uint32_t c = 1; c <= 0xffff; c++) {
                uint8_t in[2] = { (uint8_t) c, (uint8_t) (c >> 8) }, out[4];
                char utf8[4];
                size_t n = 0, m = 0;
                int r;

                r = pb_ucs2le_to_utf8(in, 2, utf8, sizeof utf8, &n);
                if (c >= 0xd800 && c <= 0xdfff) {
                        if (r != -EILSEQ)
                                TEST_FAIL("surrogate U+%04X accepted", c);
                        continue;
                }
                if (r != 0 || n != (c < 0x80 ? 1u : c < 0x800 ? 2u : 3u))
                        TEST_FAIL("U+%04X: r=%d n=%zu", c, r, n);
                if (pb_utf8_to_ucs2le(pb_span_make(utf8, n), out, sizeof out, &m) != 0 || m != 4 ||
                    memcmp(out, in, 2) != 0 || out[2] || out[3])
                        TEST_FAIL("U+%04X does not round-trip", c);
        }
}

static void test_writer(void) {
        uint8_t buf[6];
        struct pb_writer w = pb_writer_make(buf, sizeof buf);

        ASSERT_EQ(pb_utf8_put_ucs2le(&w, S("ab"), false), 0);
        ASSERT_EQ(w.len, 4);
        ASSERT_EQ(pb_utf8_put_ucs2le(&w, S("c"), true), -ENOBUFS);
        w = pb_writer_make(buf, sizeof buf);
        ASSERT_EQ(pb_utf8_put_ucs2le(&w, S("\xed\xa0\x80"), true), -EILSEQ);
}

int main(void) {
        test_to_ucs2le_basic();
        test_to_ucs2le_nobufs();
        test_invalid_utf8();
        test_to_ucs2_aligned();
        test_to_utf8();
        test_to_utf8_errors();
        test_size();
        test_roundtrip_all_bmp();
        test_writer();
        return 0;
}
