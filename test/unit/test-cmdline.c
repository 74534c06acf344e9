/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cmdline.h"
#include "test.h"

/*
 * Expected words in a compact notation: each entry is "WORD|KEY|VALUE" where VALUE is "-" for
 * "no '='" (has_value false). Checked against the iterator for the whole list, then the end.
 */
static void check_words_n(struct pb_span in, const char *const *expect, size_t n) {
        struct pb_cmdline_iter it;
        struct pb_cmdline_arg arg;
        size_t i = 0;

        pb_cmdline_iter_init(&it, in);
        for (; i < n; i++) {
                char word[128], key[128], value[128];
                const char *e = expect[i], *b1 = strchr(e, '|'), *b2 = b1 ? strchr(b1 + 1, '|') : NULL;

                if (!b1 || !b2)
                        TEST_FAIL("bad expectation %s", e);
                snprintf(word, sizeof word, "%.*s", (int) (b1 - e), e);
                snprintf(key, sizeof key, "%.*s", (int) (b2 - b1 - 1), b1 + 1);
                snprintf(value, sizeof value, "%s", b2 + 1);

                if (pb_cmdline_next(&it, &arg) != 1)
                        TEST_FAIL("input \"%.*s\": word %zu (\"%s\") missing", (int) in.len, in.ptr, i, word);
                if (arg.word.len != strlen(word) || memcmp(arg.word.ptr, word, arg.word.len) != 0 ||
                    arg.key.len != strlen(key) || memcmp(arg.key.ptr, key, arg.key.len) != 0)
                        TEST_FAIL("input \"%.*s\": word %zu: got word \"%.*s\" key \"%.*s\", expected \"%s\" \"%s\"",
                                  (int) in.len, in.ptr, i, (int) arg.word.len, arg.word.ptr, (int) arg.key.len,
                                  arg.key.ptr, word, key);
                if (strcmp(value, "-") == 0) {
                        if (arg.has_value)
                                TEST_FAIL("input \"%.*s\": word %zu has a value \"%.*s\"", (int) in.len, in.ptr, i,
                                          (int) arg.value.len, arg.value.ptr);
                        ASSERT_EQ(arg.value.len, 0);
                } else {
                        if (!arg.has_value)
                                TEST_FAIL("input \"%.*s\": word %zu has no value", (int) in.len, in.ptr, i);
                        if (arg.value.len != strlen(value) || memcmp(arg.value.ptr, value, arg.value.len) != 0)
                                TEST_FAIL("input \"%.*s\": word %zu: value \"%.*s\", expected \"%s\"", (int) in.len,
                                          in.ptr, i, (int) arg.value.len, arg.value.ptr, value);
                }
        }
        if (pb_cmdline_next(&it, &arg) != 0)
                TEST_FAIL("input \"%.*s\": unexpected extra word \"%.*s\"", (int) in.len, in.ptr, (int) arg.word.len,
                          arg.word.ptr);
        /* Stays at the end. */
        ASSERT_EQ(pb_cmdline_next(&it, &arg), 0);
        ASSERT_TRUE(it.done);
}

#define CHECK_WORDS(in, ...)                                                                        \
        do {                                                                                        \
                static const char *const _e[] = { __VA_ARGS__ };                                    \
                check_words_n(pb_span_from_str(in), _e, PB_ELEMENTSOF(_e));                        \
        } while (0)

#define CHECK_NO_WORDS(in)                                                                          \
        check_words_n(pb_span_from_str(in), NULL, 0)

static void test_tokenizer_basic(void) {
        CHECK_NO_WORDS("");
        CHECK_NO_WORDS("   \t\n ");
        CHECK_WORDS("a", "a|a|-");
        CHECK_WORDS("  a  b=c\td ", "a|a|-", "b=c|b|c", "d|d|-");
        CHECK_WORDS("root=/dev/vda1 ro quiet\n", "root=/dev/vda1|root|/dev/vda1", "ro|ro|-", "quiet|quiet|-");
        /* Only the first '=' splits. */
        CHECK_WORDS("a=b=c", "a=b=c|a|b=c");
        CHECK_WORDS("rd.systemd.pull=raw,machine,verify=no:img:https://h/a.raw.zst",
                    "rd.systemd.pull=raw,machine,verify=no:img:https://h/a.raw.zst|rd.systemd.pull|"
                    "raw,machine,verify=no:img:https://h/a.raw.zst");
        /* Empty values and keys without values. */
        CHECK_WORDS("key= key", "key=|key|", "key|key|-");
        /* Kernel quirk: an '=' as the very first character does not split. */
        CHECK_WORDS("=x ==x", "=x|=x|-", "==x|=|x");
        /* All of the kernel's isspace(): \t \n \v \f \r, space and Latin-1 NBSP. */
        CHECK_WORDS("a\tb\nc\r\nd\ve\ff\xa0g", "a|a|-", "b|b|-", "c|c|-", "d|d|-", "e|e|-", "f|f|-", "g|g|-");
}

static void test_tokenizer_quotes(void) {
        CHECK_WORDS("\"a b\" c", "a b|a b|-", "c|c|-");
        CHECK_WORDS("key=\"v w\" x", "key=\"v w\"|key|v w", "x|x|-");
        CHECK_WORDS("\"key=v w\" x", "key=v w|key|v w", "x|x|-");
        /* The second quote closes the first: the space splits. */
        CHECK_WORDS("\"key=\"v w\"\"", "key=\"v|key|v", "w\"\"|w\"\"|-");
        /* Quotes in the middle of a word group but stay. */
        CHECK_WORDS("a\"b c\"d e", "a\"b c\"d|a\"b c\"d|-", "e|e|-");
        CHECK_WORDS("k=a\"b c\" e", "k=a\"b c\"|k|a\"b c\"", "e|e|-");
        /* A value quote without its partner is dropped, the rest kept. */
        CHECK_WORDS("k=\"abc d", "k=\"abc d|k|abc d");
        CHECK_WORDS("k=\"abc\"def\" x", "k=\"abc\"def\" x|k|abc\"def\" x");
        /* Unbalanced quotes swallow the rest of the line. */
        CHECK_WORDS("a \"b c d", "a|a|-", "b c d|b c d|-");
        CHECK_WORDS("x=a\"b c -- d", "x=a\"b c -- d|x|a\"b c -- d");
        CHECK_WORDS("\"", "||-");
        CHECK_WORDS("a \"", "a|a|-", "||-");
        /* Empty quoted word, lone quotes as values. */
        CHECK_WORDS("\"\" x", "||-", "x|x|-");
        CHECK_WORDS("k=\" x", "k=\" x|k| x");
        CHECK_WORDS("k=\"\" x", "k=\"\"|k|", "x|x|-");
        CHECK_WORDS("k=\"", "k=\"|k|");
        CHECK_WORDS("\"k=\"", "k=|k|");
        CHECK_WORDS("\"k\"=v", "k\"=v|k\"|v");
        /* Separators right after a closing quote end the word. */
        CHECK_WORDS("\"a\"\tb", "a|a|-", "b|b|-");
}

static void test_dashdash(void) {
        struct pb_span rest;

        CHECK_WORDS("a b --", "a|a|-", "b|b|-");
        CHECK_WORDS("a b --\n", "a|a|-", "b|b|-");
        CHECK_WORDS("a -- b c", "a|a|-");
        CHECK_NO_WORDS("\"--\" b");
        CHECK_WORDS("--=x b", "--=x|--|x", "b|b|-");
        CHECK_WORDS("--- b", "---|---|-", "b|b|-");
        CHECK_WORDS("\"a -- b\" c", "a -- b|a -- b|-", "c|c|-");

        rest = pb_cmdline_init_args(pb_span_from_str("quiet -- single  x=\"y z\" \n"));
        ASSERT_SPANEQ(rest, "single  x=\"y z\"");
        rest = pb_cmdline_init_args(pb_span_from_str("quiet --"));
        ASSERT_EQ(rest.len, 0);
        rest = pb_cmdline_init_args(pb_span_from_str("quiet -- \n"));
        ASSERT_EQ(rest.len, 0);
        rest = pb_cmdline_init_args(pb_span_from_str("quiet"));
        ASSERT_EQ(rest.len, 0);
        rest = pb_cmdline_init_args(pb_span_from_str(""));
        ASSERT_EQ(rest.len, 0);
        rest = pb_cmdline_init_args(pb_span_from_str("a -- b -- c"));
        ASSERT_SPANEQ(rest, "b -- c");
        rest = pb_cmdline_init_args(PB_SPAN_NULL);
        ASSERT_EQ(rest.len, 0);
}

static void test_nul_and_null(void) {
        static const char *const e[] = { "a|a|-", "b|b|-" };
        struct pb_cmdline_iter it;

        check_words_n(pb_span_make("a b\0c d", 7), e, 2);
        pb_cmdline_iter_init(&it, PB_SPAN_NULL);
        ASSERT_EQ(pb_cmdline_next(&it, NULL), 0);
}

static void check_get(const char *cmdline, const char *key, unsigned flags, const char *expect) {
        struct pb_cmdline_arg arg;
        int r = pb_cmdline_get(pb_span_from_str(cmdline), key, flags, &arg);

        if (!expect) {
                if (r != 0)
                        TEST_FAIL("get(\"%s\", %s, %u) found \"%.*s\"", cmdline, key, flags, (int) arg.word.len,
                                  arg.word.ptr);
                return;
        }
        if (r != 1)
                TEST_FAIL("get(\"%s\", %s, %u) not found", cmdline, key, flags);
        if (strcmp(expect, "-") == 0) {
                ASSERT_TRUE(!arg.has_value);
                return;
        }
        ASSERT_TRUE(arg.has_value);
        ASSERT_SPANEQ(arg.value, expect);
}

static void test_get(void) {
        const unsigned I = PB_CMDLINE_IN_INITRD, S = PB_CMDLINE_RD_STRICT;

        check_get("x=1 x=2", "x", 0, "2");
        check_get("x=1 x=2 x", "x", 0, "-");
        check_get("x=1 x= ", "x", 0, "");
        check_get("xy=1 x_=2", "x", 0, NULL);
        check_get("x=1 -- x=2", "x", 0, "1");
        check_get("quiet", "quiet", 0, "-");
        check_get("", "x", 0, NULL);
        /* '-' and '_' are the same in keys. */
        check_get("systemd.pull-x=1", "systemd.pull_x", 0, "1");
        check_get("a_b-c=1", "a-b_c", 0, "1");

        /* Outside the initrd rd. words are invisible. */
        check_get("rd.x=1", "x", 0, NULL);
        check_get("rd.x=1 x=2", "x", 0, "2");
        check_get("x=2 rd.x=1", "x", 0, "2");
        check_get("rd.x=1", "rd.x", 0, NULL);
        check_get("x=2 rd.x=1", "x", S, "2");

        /* In the initrd: rd.X is X, plain X still counts, the last one wins. */
        check_get("rd.x=1", "x", I, "1");
        check_get("rd.x=1 x=2", "x", I, "2");
        check_get("x=2 rd.x=1", "x", I, "1");
        check_get("rd.x=1", "rd.x", I, NULL);
        check_get("rd.rd.x=1", "rd.x", I, "1");
        check_get("\"rd.x=a b\"", "x", I, "a b");

        /* In the initrd, strict: only rd.X. */
        check_get("x=2 rd.x=1 x=3", "x", I | S, "1");
        check_get("x=2", "x", I | S, NULL);
        check_get("rd.x", "x", I | S, "-");

        struct pb_cmdline_arg arg = {
                .key = pb_span_from_str("rd.systemd.pull"),
        };
        ASSERT_TRUE(pb_cmdline_key_matches(&arg, "systemd.pull", I));
        ASSERT_TRUE(!pb_cmdline_key_matches(&arg, "systemd.pull", 0));
        ASSERT_TRUE(!pb_cmdline_key_matches(&arg, "systemd.pul", I));
        ASSERT_TRUE(!pb_cmdline_key_matches(&arg, "systemd.pull.x", I));
        ASSERT_TRUE(!pb_cmdline_key_matches(NULL, "x", I));
        ASSERT_EQ(pb_cmdline_get(pb_span_from_str("x=1"), "x", 0, NULL), 1);
}

static void test_boolean(void) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on", "YES", "True", "On", "Y", "T" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off", "NO", "False", "oFF", "N", "F" };
        static const char *const bad[] = { "", "2", "yess", "enable", "on ", " on", "tru", "nope", "offf", "-1",
                                           "00", "01" };

        for (size_t i = 0; i < PB_ELEMENTSOF(yes); i++)
                if (pb_parse_boolean(pb_span_from_str(yes[i])) != 1)
                        TEST_FAIL("\"%s\" is not true", yes[i]);
        for (size_t i = 0; i < PB_ELEMENTSOF(no); i++)
                if (pb_parse_boolean(pb_span_from_str(no[i])) != 0)
                        TEST_FAIL("\"%s\" is not false", no[i]);
        for (size_t i = 0; i < PB_ELEMENTSOF(bad); i++)
                if (pb_parse_boolean(pb_span_from_str(bad[i])) != -EINVAL)
                        TEST_FAIL("\"%s\" is accepted as a boolean", bad[i]);
        ASSERT_EQ(pb_parse_boolean(pb_span_make("yes\0", 4)), -EINVAL);
        ASSERT_EQ(pb_parse_boolean(PB_SPAN_NULL), -EINVAL);
}

/* systemd's splitting: the words as strv_split_full(EXTRACT_UNQUOTE|EXTRACT_RELAX|
 * EXTRACT_RETAIN_ESCAPE) yields them, "|"-joined with key and value as in check_words_n(). */
static void check_sd(const char *in, const char *const *expect, size_t n) {
        struct pb_cmdline_sd_iter it;
        struct pb_cmdline_arg arg;
        char buf[256], got[512];
        size_t i = 0;

        pb_cmdline_sd_iter_init(&it, pb_span_from_str(in));
        for (; pb_cmdline_sd_next(&it, buf, sizeof buf, &arg) > 0; i++) {
                snprintf(got, sizeof got, "%.*s|%.*s|%s%.*s", (int) arg.word.len, arg.word.ptr, (int) arg.key.len,
                         arg.key.ptr, arg.has_value ? "" : "-", (int) arg.value.len, arg.value.ptr);
                if (i >= n)
                        TEST_FAIL("input '%s': extra word %s", in, got);
                if (strcmp(got, expect[i]) != 0)
                        TEST_FAIL("input '%s': word %zu is %s, expected %s", in, i, got, expect[i]);
        }
        if (i != n)
                TEST_FAIL("input '%s': %zu words, expected %zu", in, i, n);
}

#define CHECK_SD(in, ...)                                                                           \
        do {                                                                                        \
                static const char *const _e[] = { __VA_ARGS__ };                                    \
                check_sd(in, _e, PB_ELEMENTSOF(_e));                                                \
        } while (0)

static void test_sd_split(void) {
        struct pb_cmdline_sd_iter it;
        struct pb_cmdline_arg arg;
        char small[4];

        CHECK_SD("a b=c", "a|a|-", "b=c|b|c");
        /* Quotes anywhere group and vanish; the kernel would keep these. */
        CHECK_SD("k=a:\"b c\":d", "k=a:b c:d|k|a:b c:d");
        CHECK_SD("k='x \"y' z", "k=x \"y|k|x \"y", "z|z|-");
        CHECK_SD("\"k=v w\"", "k=v w|k|v w");
        CHECK_SD("\"k\"=v", "k=v|k|v");
        /* Unterminated: to the end of the line. Backslash: an ordinary character. */
        CHECK_SD("a \"b c", "a|a|-", "b c|b c|-");
        CHECK_SD("a\\ b", "a\\|a\\|-", "b|b|-");
        /* "--" is a word like any other; tabs, newlines and CRs separate, \v does not. */
        CHECK_SD("-- x=1\n", "--|--|-", "x=1|x|1");
        CHECK_SD("a\tb\rc\vd", "a|a|-", "b|b|-", "c\vd|c\vd|-");
        CHECK_SD("\"\" k=", "||-", "k=|k|");
        CHECK_SD("   ");
        pb_cmdline_sd_iter_init(&it, pb_span_from_str("longword"));
        ASSERT_EQ(pb_cmdline_sd_next(&it, small, sizeof small, &arg), -ENOBUFS);
        pb_cmdline_sd_iter_init(&it, pb_span_make(NULL, 0));
        ASSERT_EQ(pb_cmdline_sd_next(&it, small, sizeof small, &arg), 0);
}

int main(void) {
        test_tokenizer_basic();
        test_tokenizer_quotes();
        test_dashdash();
        test_nul_and_null();
        test_get();
        test_boolean();
        test_sd_split();
        printf("cmdline: all tests passed\n");
        return 0;
}
