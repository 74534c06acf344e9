/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/json.c: the JSON string writer every program's --json output goes through. */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "test.h"

/* Runs the writer on n bytes and returns what it printed (caller frees). */
static char *render(const char *s, size_t n) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_TRUE(f);
        json_write_string(f, s, n);
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

#define CHECK(in, expected)                                              \
        do {                                                             \
                char *_out = render((in), sizeof(in) - 1);               \
                ASSERT_STREQ(_out, (expected));                          \
                free(_out);                                              \
        } while (0)

static void test_escapes(void) {
        CHECK("", "\"\"");
        CHECK("plain", "\"plain\"");
        CHECK("a\"b\\c", "\"a\\\"b\\\\c\"");
        CHECK("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
        CHECK("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
        /* Embedded NUL: the length counts, not the terminator. */
        CHECK("a\0b", "\"a\\u0000b\"");
}

static void test_utf8(void) {
        CHECK("caf\xc3\xa9", "\"caf\xc3\xa9\"");                          /* U+00E9 */
        CHECK("\xe2\x82\xac", "\"\xe2\x82\xac\"");                        /* U+20AC */
        CHECK("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");                /* U+1F600 */
        CHECK("\xff", "\"\\ufffd\"");                                     /* never valid */
        CHECK("\xc3", "\"\\ufffd\"");                                     /* truncated */
        CHECK("\xe2\x82", "\"\\ufffd\\ufffd\"");                          /* truncated, each byte replaced */
        CHECK("\xc0\xaf", "\"\\ufffd\\ufffd\"");                          /* overlong '/' */
        CHECK("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");               /* surrogate D800 */
        CHECK("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");    /* above U+10FFFF */
        CHECK("x\x80y", "\"x\\ufffdy\"");                                 /* stray continuation */
}

static void test_cstring(void) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_TRUE(f);
        json_write_cstring(f, NULL);
        fputc(' ', f);
        json_write_cstring(f, "k\"v");
        ASSERT_EQ(fclose(f), 0);
        ASSERT_STREQ(buf, "null \"k\\\"v\"");
        free(buf);

        ASSERT_EQ(utf8_sequence_length((const unsigned char *) "\xc3\xa9", 2), 2);
        ASSERT_EQ(utf8_sequence_length((const unsigned char *) "\xc3\xa9", 1), 0);
        ASSERT_EQ(utf8_sequence_length((const unsigned char *) "", 0), 0);
}

int main(void) {
        test_escapes();
        test_utf8();
        test_cstring();
        return 0;
}
