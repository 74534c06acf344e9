/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strverscmp.h"
#include "test.h"

static int sgn(int v) {
        return (v > 0) - (v < 0);
}

#define ASSERT_CMP(a, b, expected)                                                       \
        do {                                                                             \
                ASSERT_EQ(sgn(strverscmp_improved((a), (b))), (expected));               \
                ASSERT_EQ(sgn(strverscmp_improved((b), (a))), -(expected));              \
        } while (0)

static void test_documented_order(void) {
        /* The order systemd documents for strverscmp_improved(), oldest first. */
        static const char *const order[] = {
                "122.1", "123~rc1-1", "123", "123-a", "123-a.1", "123-1", "123-1.1",
                "123^post1", "123.a-1", "123.1-1", "123a-1", "124-1",
        };
        size_t n = sizeof(order) / sizeof(order[0]);

        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++) {
                        int want = i < j ? -1 : i > j ? 1 : 0;
                        int got = sgn(strverscmp_improved(order[i], order[j]));
                        if (got != want)
                                TEST_FAIL("'%s' vs '%s': got %d, want %d", order[i], order[j], got, want);
                }
}

static void test_numbers(void) {
        ASSERT_CMP("1.10", "1.9", 1);
        ASSERT_CMP("1.0010", "1.9", 1);
        ASSERT_CMP("001", "1", 0);
        ASSERT_CMP("0", "00", 0);
        ASSERT_CMP("99999999999999999999999", "99999999999999999999998", 1);
        ASSERT_CMP("123456789012345678901234567890", "9", 1);
        ASSERT_CMP("2", "10", -1);
        /* A number is newer than letters. */
        ASSERT_CMP("1.1", "1.a", 1);
        ASSERT_CMP("1a", "1.a", 1);
}

static void test_letters(void) {
        ASSERT_CMP("abc", "abcd", -1);
        ASSERT_CMP("abc", "abd", -1);
        ASSERT_CMP("B", "a", -1);   /* byte order, no locale */
        ASSERT_CMP("alpha", "beta", -1);
}

static void test_prefixes_and_ends(void) {
        ASSERT_CMP("", "", 0);
        ASSERT_CMP(NULL, "", 0);
        ASSERT_CMP(NULL, NULL, 0);
        ASSERT_CMP("", "1", -1);
        ASSERT_CMP("1", "1.0", -1);      /* more segments are newer */
        ASSERT_CMP("1~rc1", "1", -1);    /* ... except pre-releases */
        ASSERT_CMP("1~rc1", "1~rc2", -1);
        ASSERT_CMP("1~~a", "1~a", -1);
        ASSERT_CMP("1~", "1", -1);
        ASSERT_CMP("1-1", "1^1", -1);
        ASSERT_CMP("1^1", "1.1", -1);
        ASSERT_CMP("1.1", "11", -1);
        /* Characters outside the alphabet only separate segments. */
        ASSERT_CMP("1_2", "1+2", 0);
        ASSERT_CMP("1_2", "1 2", 0);
        ASSERT_CMP("1_2", "1.2", 1);
        ASSERT_CMP("_1", "1", 0);
        ASSERT_CMP("1!", "1", 0);
        ASSERT_CMP("..", ".", 1);
        ASSERT_CMP("1.-", "1.-", 0);
}

static void test_labels(void) {
        /* Partition labels as image builders write them. */
        ASSERT_CMP("root-1.0", "root-2.0", -1);
        ASSERT_CMP("os_1.9", "os_1.10", -1);
        ASSERT_CMP("os_20250101", "os_20241231", 1);
        ASSERT_CMP("root", "root", 0);
        ASSERT_CMP("", "root", -1);
        ASSERT_CMP("_empty", "", 1);
}

int main(void) {
        test_documented_order();
        test_numbers();
        test_letters();
        test_prefixes_and_ends();
        test_labels();
        printf("strverscmp: ok\n");
        return 0;
}
