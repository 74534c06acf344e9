/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "base.h"
#include "test.h"

static void test_strings(void) {
        ASSERT_EQ(pb_strlen(""), 0);
        ASSERT_EQ(pb_strlen("abc"), 3);
        ASSERT_EQ(pb_strnlen("abc", 2), 2);
        ASSERT_EQ(pb_strnlen("abc", 3), 3);
        ASSERT_EQ(pb_strnlen("abc", 10), 3);
        ASSERT_EQ(pb_strnlen("abc", 0), 0);
        /* strnlen must not read past max: the 4 bytes here have no NUL. */
        const char nonul[4] = { 'a', 'b', 'c', 'd' };
        ASSERT_EQ(pb_strnlen(nonul, sizeof nonul), 4);
}

static void test_spans(void) {
        struct pb_span s = pb_span_from_str("hello");
        struct pb_span null = pb_span_from_str(NULL);
        struct pb_span empty = pb_span_from_str("");

        ASSERT_EQ(s.len, 5);
        ASSERT_TRUE(null.ptr == NULL && null.len == 0);
        ASSERT_EQ(empty.len, 0);

        ASSERT_TRUE(pb_span_eq(s, "hello"));
        ASSERT_TRUE(!pb_span_eq(s, "hell"));
        ASSERT_TRUE(!pb_span_eq(s, "hello!"));
        ASSERT_TRUE(!pb_span_eq(s, "Hello"));
        ASSERT_TRUE(pb_span_eq(null, ""));
        ASSERT_TRUE(pb_span_eq(empty, ""));
        ASSERT_TRUE(pb_span_eq(null, NULL));

        ASSERT_TRUE(pb_span_eq_span(s, pb_span_make("hello world", 5)));
        ASSERT_TRUE(!pb_span_eq_span(s, pb_span_make("hello world", 6)));
        ASSERT_TRUE(pb_span_eq_span(null, empty));
        ASSERT_TRUE(pb_span_eq_span(PB_SPAN_NULL, PB_SPAN_NULL));
        /* Embedded NULs are ordinary bytes. */
        ASSERT_TRUE(pb_span_eq_span(pb_span_make("a\0b", 3), pb_span_make("a\0b", 3)));
        ASSERT_TRUE(!pb_span_eq_span(pb_span_make("a\0b", 3), pb_span_make("a\0c", 3)));
        ASSERT_TRUE(!pb_span_eq(pb_span_make("a\0b", 3), "a"));

        ASSERT_TRUE(pb_span_startswith(s, "he"));
        ASSERT_TRUE(pb_span_startswith(s, ""));
        ASSERT_TRUE(pb_span_startswith(s, "hello"));
        ASSERT_TRUE(!pb_span_startswith(s, "hello!"));
        ASSERT_TRUE(!pb_span_startswith(s, "x"));
        ASSERT_TRUE(pb_span_startswith(null, ""));
        ASSERT_TRUE(!pb_span_startswith(null, "a"));

        ASSERT_TRUE(pb_span_endswith(s, "llo"));
        ASSERT_TRUE(pb_span_endswith(s, ""));
        ASSERT_TRUE(pb_span_endswith(s, "hello"));
        ASSERT_TRUE(!pb_span_endswith(s, "ohello"));
        ASSERT_TRUE(!pb_span_endswith(s, "ll"));
        ASSERT_TRUE(pb_span_endswith(null, ""));
        ASSERT_TRUE(!pb_span_endswith(null, "a"));
}

static void test_span_copy(void) {
        char buf[6];

        memset(buf, 'x', sizeof buf);
        ASSERT_EQ(pb_span_copy(pb_span_from_str("hello"), buf, sizeof buf), 0);
        ASSERT_STREQ(buf, "hello");

        memset(buf, 'x', sizeof buf);
        ASSERT_EQ(pb_span_copy(pb_span_from_str("hello!"), buf, sizeof buf), -ENOBUFS);
        ASSERT_STREQ(buf, "");
        ASSERT_EQ(buf[1], 'x'); /* nothing else touched */

        ASSERT_EQ(pb_span_copy(pb_span_make("hello", 3), buf, 4), 0);
        ASSERT_STREQ(buf, "hel");
        ASSERT_EQ(pb_span_copy(PB_SPAN_NULL, buf, 1), 0);
        ASSERT_STREQ(buf, "");
        buf[0] = 'x';
        ASSERT_EQ(pb_span_copy(pb_span_from_str("a"), buf, 0), -ENOBUFS);
        ASSERT_EQ(buf[0], 'x'); /* size 0: nothing may be written */
        ASSERT_EQ(pb_span_copy(PB_SPAN_NULL, NULL, 0), -ENOBUFS);
}

static void test_chars(void) {
        for (int c = 0; c < 256; c++) {
                int expect = c >= '0' && c <= '9' ? c - '0' :
                             c >= 'a' && c <= 'f' ? c - 'a' + 10 :
                             c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                ASSERT_EQ(pb_hex_digit((char) c), expect);
                ASSERT_EQ(pb_is_ascii_digit((char) c), c >= '0' && c <= '9');
                ASSERT_EQ(pb_is_ascii_alpha((char) c), (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
                ASSERT_EQ((unsigned char) pb_ascii_tolower((char) c), c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
}

static void test_le(void) {
        uint8_t b[8];

        pb_put_le16(b, 0x1234);
        ASSERT_MEMEQ(b, "\x34\x12", 2);
        ASSERT_EQ(pb_le16(b), 0x1234);
        pb_put_le32(b, 0xdeadbeef);
        ASSERT_MEMEQ(b, "\xef\xbe\xad\xde", 4);
        ASSERT_EQ(pb_le32(b), 0xdeadbeef);
        pb_put_le64(b, UINT64_C(0x0102030405060708));
        ASSERT_MEMEQ(b, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
        ASSERT_TRUE(pb_le64(b) == UINT64_C(0x0102030405060708));
        pb_put_le64(b, UINT64_MAX);
        ASSERT_TRUE(pb_le64(b) == UINT64_MAX);
        ASSERT_TRUE(pb_le32(b) == UINT32_MAX);
        /* High bits must not sign-extend. */
        b[0] = 0x80;
        b[1] = 0xff;
        ASSERT_EQ(pb_le16(b), 0xff80);
}

static void test_writer_basic(void) {
        uint8_t buf[64];
        struct pb_writer w = pb_writer_make(buf, sizeof buf);

        pb_writer_put_u8(&w, 0xab);
        pb_writer_put_le16(&w, 0x0102);
        pb_writer_put_le32(&w, 0x03040506);
        pb_writer_put_le64(&w, UINT64_C(0x0708090a0b0c0d0e));
        pb_writer_put(&w, "xyz", 3);
        pb_writer_put(&w, NULL, 0);
        pb_writer_put_str(&w, "s");
        pb_writer_put_str(&w, "");
        pb_writer_put_span(&w, pb_span_make("span!", 4));
        pb_writer_put_span(&w, PB_SPAN_NULL);
        ASSERT_EQ(pb_writer_status(&w), 0);
        ASSERT_EQ(w.len, 1 + 2 + 4 + 8 + 3 + 1 + 4);
        ASSERT_MEMEQ(buf, "\xab\x02\x01\x06\x05\x04\x03\x0e\x0d\x0c\x0b\x0a\x09\x08\x07xyzsspan", w.len);
}

static void test_writer_overflow(void) {
        uint8_t buf[8];
        struct pb_writer w;

        /* Exactly full is fine for binary output... */
        memset(buf, 0xee, sizeof buf);
        w = pb_writer_make(buf, 4);
        pb_writer_put_le32(&w, 0x11223344);
        ASSERT_EQ(pb_writer_status(&w), 0);
        ASSERT_EQ(w.len, 4);
        /* ...one more byte overflows, and nothing past size is touched. */
        pb_writer_put_u8(&w, 1);
        ASSERT_EQ(pb_writer_status(&w), -ENOBUFS);
        ASSERT_EQ(w.len, 4);
        ASSERT_EQ(buf[4], 0xee);
        /* Sticky: a later put that would fit is still refused. */
        pb_writer_put(&w, NULL, 0);
        pb_writer_put_u8(&w, 2);
        ASSERT_EQ(pb_writer_status(&w), -ENOBUFS);
        ASSERT_EQ(w.len, 4);
        ASSERT_MEMEQ(buf, "\x44\x33\x22\x11\xee", 5);

        /* A put that does not fit as a whole writes nothing of itself. */
        memset(buf, 0xee, sizeof buf);
        w = pb_writer_make(buf, 5);
        pb_writer_put(&w, "abc", 3);
        pb_writer_put(&w, "defg", 4);
        ASSERT_EQ(w.len, 3);
        ASSERT_TRUE(w.overflow);
        ASSERT_MEMEQ(buf, "abc\xee\xee", 5);

        /* Zero-sized writer. */
        w = pb_writer_make(NULL, 0);
        pb_writer_put(&w, "", 0);
        ASSERT_EQ(pb_writer_status(&w), 0);
        pb_writer_put_u8(&w, 1);
        ASSERT_EQ(pb_writer_status(&w), -ENOBUFS);
        ASSERT_EQ(pb_writer_finish_str(&w), -ENOBUFS);

        /* Huge n must not wrap around the size check. */
        w = pb_writer_make(buf, sizeof buf);
        pb_writer_put_u8(&w, 1);
        pb_writer_put(&w, "x", SIZE_MAX);
        ASSERT_TRUE(w.overflow);
        ASSERT_EQ(w.len, 1);
}

static void test_writer_finish_str(void) {
        char buf[8];
        struct pb_writer w;

        memset(buf, 'x', sizeof buf);
        w = pb_writer_make(buf, sizeof buf);
        pb_writer_put_str(&w, "1234567");
        ASSERT_EQ(pb_writer_finish_str(&w), 0);
        ASSERT_STREQ(buf, "1234567");
        ASSERT_EQ(w.len, 7); /* NUL not counted */

        /* Text that fills the buffer leaves no room for the NUL: overflow, truncated and terminated. */
        memset(buf, 'x', sizeof buf);
        w = pb_writer_make(buf, sizeof buf);
        pb_writer_put_str(&w, "12345678");
        ASSERT_EQ(pb_writer_status(&w), 0);
        ASSERT_EQ(pb_writer_finish_str(&w), -ENOBUFS);
        ASSERT_STREQ(buf, "1234567");
        ASSERT_EQ(pb_writer_status(&w), -ENOBUFS);

        /* After an overflow the output is still a valid C string. */
        memset(buf, 'x', sizeof buf);
        w = pb_writer_make(buf, 4);
        pb_writer_put_str(&w, "abcdef");
        ASSERT_EQ(pb_writer_finish_str(&w), -ENOBUFS);
        ASSERT_EQ(buf[3], 0);
        ASSERT_EQ(buf[4], 'x');

        w = pb_writer_make(buf, 1);
        ASSERT_EQ(pb_writer_finish_str(&w), 0);
        ASSERT_STREQ(buf, "");
}

static const char *fmt_uint(char *buf, size_t size, uint64_t v, unsigned base, unsigned min_digits, bool upper) {
        struct pb_writer w = pb_writer_make(buf, size);
        pb_writer_put_uint(&w, v, base, min_digits, upper);
        if (pb_writer_finish_str(&w) < 0)
                return NULL;
        return buf;
}

static void test_writer_uint(void) {
        char buf[80];

        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 0, 10, 0, false), "0");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 0, 10, 1, false), "0");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 0, 10, 3, false), "000");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 7, 10, 3, false), "007");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 12345, 10, 3, false), "12345");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, UINT64_MAX, 10, 0, false), "18446744073709551615");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, UINT64_MAX, 16, 0, false), "ffffffffffffffff");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, UINT64_MAX, 16, 0, true), "FFFFFFFFFFFFFFFF");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 0xbeef, 16, 8, true), "0000BEEF");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 0xbeef, 16, 4, false), "beef");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 5, 2, 0, false), "101");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 8, 8, 0, false), "10");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 35, 16, 0, false), "23");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, UINT64_MAX, 2, 0, false),
                     "1111111111111111111111111111111111111111111111111111111111111111");
        /* Unsupported bases fall back to decimal. */
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 42, 0, 0, false), "42");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 42, 1, 0, false), "42");
        ASSERT_STREQ(fmt_uint(buf, sizeof buf, 42, 37, 0, false), "42");
        /* Too small a buffer is reported. */
        ASSERT_TRUE(fmt_uint(buf, 3, 123, 10, 0, false) == NULL);
        ASSERT_STREQ(fmt_uint(buf, 4, 123, 10, 0, false), "123");
}

static void test_writer_hex(void) {
        char buf[32];
        struct pb_writer w = pb_writer_make(buf, sizeof buf);
        static const uint8_t bytes[] = { 0x00, 0x0f, 0xa5, 0xff, 0x10 };

        pb_writer_put_hex(&w, bytes, sizeof bytes, false);
        pb_writer_put_u8(&w, '|');
        pb_writer_put_hex(&w, bytes, sizeof bytes, true);
        pb_writer_put_hex(&w, NULL, 0, true);
        ASSERT_EQ(pb_writer_finish_str(&w), 0);
        ASSERT_STREQ(buf, "000fa5ff10|000FA5FF10");

        w = pb_writer_make(buf, 5);
        pb_writer_put_hex(&w, bytes, 3, false);
        ASSERT_EQ(pb_writer_status(&w), -ENOBUFS);
        ASSERT_EQ(w.len, 4); /* whole bytes only */
}

static void test_diag(void) {
        struct pb_diag d = {};
        const char *text = "abc";

        ASSERT_EQ(pb_diag_set(&d, -EINVAL, "why", pb_span_make(text + 1, 1)), -EINVAL);
        ASSERT_STREQ(d.reason, "why");
        ASSERT_TRUE(d.where.ptr == text + 1 && d.where.len == 1);
        ASSERT_EQ(pb_diag_set(NULL, -ENOBUFS, "why", PB_SPAN_NULL), -ENOBUFS);
}

int main(void) {
        test_strings();
        test_spans();
        test_span_copy();
        test_chars();
        test_le();
        test_writer_basic();
        test_writer_overflow();
        test_writer_finish_str();
        test_writer_uint();
        test_writer_hex();
        test_diag();
        printf("base: all tests passed\n");
        return 0;
}
