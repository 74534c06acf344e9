/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/escape.c: how untrusted text reaches a terminal in plan, bootcfg and ukify output. */
#include <stdio.h>
#include <stdlib.h>

#include "escape.h"
#include "test.h"

static void check_both(const char *in, size_t n, const char *expected) {
        char *buf = NULL, *e;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_TRUE(f);
        fput_escaped(f, in, n);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_STREQ(buf, expected);
        free(buf);

        /* The string form stops at the first NUL; compare only where the input has none. */
        if (strlen(in) == n) {
                e = escape_control(in);
                ASSERT_TRUE(e);
                ASSERT_STREQ(e, expected);
                free(e);
        }
}

int main(void) {
        check_both("", 0, "");
        check_both("plain text", 10, "plain text");
        check_both("\x1b[2J", 4, "\\x1b[2J");                   /* would clear the screen */
        check_both("a\nb\tc\r", 6, "a\\x0ab\\x09c\\x0d");        /* would forge lines */
        check_both("\x7f\x01\x1f", 3, "\\x7f\\x01\\x1f");
        check_both("caf\xc3\xa9 \xe2\x82\xac", 9, "caf\xc3\xa9 \xe2\x82\xac"); /* UTF-8 kept */
        check_both("a\0b", 3, "a\\x00b");                         /* the length counts */
        check_both("a\\x41", 5, "a\\x41");                        /* backslashes are not doubled */
        return 0;
}
