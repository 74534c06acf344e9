/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test.h"
#include "url.h"

static struct pb_span S(const char *s) {
        return pb_span_from_str(s);
}

static void check_parse(const char *in, enum pb_url_scheme scheme, const char *userinfo, const char *host,
                        int port, const char *path, const char *query, const char *fragment) {
        struct pb_url u;
        struct pb_diag d = {};
        int r = pb_url_parse(S(in), &u, &d);

        if (r < 0)
                TEST_FAIL("pb_url_parse(\"%s\") failed: %s", in, d.reason);
        ASSERT_EQ(u.scheme, scheme);
        ASSERT_SPANEQ(u.userinfo, userinfo);
        ASSERT_SPANEQ(u.host, host);
        ASSERT_EQ(u.has_port, port >= 0);
        if (port >= 0)
                ASSERT_EQ(u.port, port);
        ASSERT_SPANEQ(u.path, path);
        ASSERT_EQ(u.has_query, query != NULL);
        if (query)
                ASSERT_SPANEQ(u.query, query);
        ASSERT_EQ(u.has_fragment, fragment != NULL);
        if (fragment)
                ASSERT_SPANEQ(u.fragment, fragment);
        ASSERT_TRUE(pb_url_is_valid(S(in)));
}

/* Rejected with exactly this reason; `where` (if not NULL) is the reported span. */
static void check_reject(const char *in, const char *reason, const char *where) {
        struct pb_url u;
        struct pb_diag d = {};
        int r = pb_url_parse(S(in), &u, &d);

        if (r != -EINVAL)
                TEST_FAIL("pb_url_parse(\"%s\") = %d, expected -EINVAL (%s)", in, r, reason);
        if (strcmp(d.reason, reason) != 0)
                TEST_FAIL("pb_url_parse(\"%s\"): reason \"%s\", expected \"%s\"", in, d.reason, reason);
        if (where)
                ASSERT_SPANEQ(d.where, where);
        ASSERT_TRUE(!pb_url_is_valid(S(in)));
}

static void test_parse_good(void) {
        check_parse("http://example.com", PB_URL_HTTP, "", "example.com", -1, "", NULL, NULL);
        check_parse("https://example.com/", PB_URL_HTTPS, "", "example.com", -1, "/", NULL, NULL);
        check_parse("HTTPS://Example.COM/a/b.efi", PB_URL_HTTPS, "", "Example.COM", -1, "/a/b.efi", NULL, NULL);
        check_parse("hTtP://10.0.2.2:8080/boot/image.efi", PB_URL_HTTP, "", "10.0.2.2", 8080, "/boot/image.efi",
                    NULL, NULL);
        check_parse("http://user:pa%20ss@host:1/p?q=1&r=2#frag", PB_URL_HTTP, "user:pa%20ss", "host", 1, "/p",
                    "q=1&r=2", "frag");
        check_parse("http://@host/", PB_URL_HTTP, "", "host", -1, "/", NULL, NULL);
        check_parse("http://host:0/", PB_URL_HTTP, "", "host", 0, "/", NULL, NULL);
        check_parse("http://host:65535", PB_URL_HTTP, "", "host", 65535, "", NULL, NULL);
        check_parse("http://host:00080/", PB_URL_HTTP, "", "host", 80, "/", NULL, NULL);
        check_parse("http://host:/x", PB_URL_HTTP, "", "host", -1, "/x", NULL, NULL); /* empty port = default */
        check_parse("http://host?", PB_URL_HTTP, "", "host", -1, "", "", NULL);
        check_parse("http://host#", PB_URL_HTTP, "", "host", -1, "", NULL, "");
        check_parse("http://host/a?b?c/d:@#e/f?:@", PB_URL_HTTP, "", "host", -1, "/a", "b?c/d:@", "e/f?:@");
        check_parse("http://host/a;b=c,d!$&'()*+~_.-:@/%2F%aa", PB_URL_HTTP, "", "host", -1,
                    "/a;b=c,d!$&'()*+~_.-:@/%2F%aa", NULL, NULL);
        check_parse("http://h%41st/", PB_URL_HTTP, "", "h%41st", -1, "/", NULL, NULL);
        check_parse("http://a-b_c~d!$&'()*+,;=/", PB_URL_HTTP, "", "a-b_c~d!$&'()*+,;=", -1, "/", NULL, NULL);
        check_parse("https://host//double//slash/", PB_URL_HTTPS, "", "host", -1, "//double//slash/", NULL, NULL);

        /* IPv6 literals */
        check_parse("http://[::1]/", PB_URL_HTTP, "", "::1", -1, "/", NULL, NULL);
        check_parse("http://[::1]:8080", PB_URL_HTTP, "", "::1", 8080, "", NULL, NULL);
        check_parse("http://[::]/", PB_URL_HTTP, "", "::", -1, "/", NULL, NULL);
        check_parse("http://[1:2:3:4:5:6:7:8]/", PB_URL_HTTP, "", "1:2:3:4:5:6:7:8", -1, "/", NULL, NULL);
        check_parse("http://[1::]/", PB_URL_HTTP, "", "1::", -1, "/", NULL, NULL);
        check_parse("http://[1:2:3:4:5:6:7::]/", PB_URL_HTTP, "", "1:2:3:4:5:6:7::", -1, "/", NULL, NULL);
        check_parse("http://[::2:3:4:5:6:7:8]/", PB_URL_HTTP, "", "::2:3:4:5:6:7:8", -1, "/", NULL, NULL);
        check_parse("http://[fe80::abcd:EF01]/", PB_URL_HTTP, "", "fe80::abcd:EF01", -1, "/", NULL, NULL);
        check_parse("http://[::ffff:10.0.2.2]:80/", PB_URL_HTTP, "", "::ffff:10.0.2.2", 80, "/", NULL, NULL);
        check_parse("http://[1:2:3:4:5:6:1.2.3.4]/", PB_URL_HTTP, "", "1:2:3:4:5:6:1.2.3.4", -1, "/", NULL, NULL);
        check_parse("http://[::1.2.3.4]/", PB_URL_HTTP, "", "::1.2.3.4", -1, "/", NULL, NULL);
        check_parse("http://[fe80::1%25eth0]:8/", PB_URL_HTTP, "", "fe80::1%25eth0", 8, "/", NULL, NULL);
        check_parse("http://u@[::1]:1/", PB_URL_HTTP, "u", "::1", 1, "/", NULL, NULL);
        {
                struct pb_url u;
                ASSERT_EQ(pb_url_parse(S("http://[::1]/"), &u, NULL), 0);
                ASSERT_TRUE(u.host_is_ipv6);
                ASSERT_EQ(pb_url_parse(S("http://h/"), &u, NULL), 0);
                ASSERT_TRUE(!u.host_is_ipv6);
        }

        /* file URLs */
        check_parse("file:///srv/images/a.raw", PB_URL_FILE, "", "", -1, "/srv/images/a.raw", NULL, NULL);
        check_parse("FILE://localhost/x", PB_URL_FILE, "", "localhost", -1, "/x", NULL, NULL);
        check_parse("file://", PB_URL_FILE, "", "", -1, "", NULL, NULL);
}

static void test_parse_bad(void) {
        check_reject("", "empty URL", "");
        check_reject("http://ho st/", "space in URL (percent-encode it as %20)", " ");
        check_reject("http://host/a b", "space in URL (percent-encode it as %20)", " ");
        check_reject("http://host/\x01", "control character in URL", "\x01");
        check_reject("http://host/\x7f", "control character in URL", "\x7f");
        check_reject("http://host/\t", "control character in URL", "\t");
        check_reject("http://host/x\n", "control character in URL", "\n");
        check_reject("http://host/\xc3\xa4", "non-ASCII byte in URL (percent-encode it)", "\xc3");
        check_reject("host/path", "missing or invalid URL scheme", "host/");
        check_reject("://host/", "missing URL scheme", NULL);
        check_reject("1http://host/", "missing or invalid URL scheme", "1");
        check_reject("ftp://host/", "unsupported URL scheme (use http, https or file)", "ftp");
        check_reject("httpx://host/", "unsupported URL scheme (use http, https or file)", "httpx");
        check_reject("http:/host/", "expected '//' after the URL scheme", "http:");
        check_reject("http:host", "expected '//' after the URL scheme", "http:");
        check_reject("http:", "expected '//' after the URL scheme", "http:");
        check_reject("file:/x", "expected '//' after the URL scheme", "file:");
        check_reject("http://", "empty host", "");
        check_reject("https:///path", "empty host", "");
        check_reject("http://user@/", "empty host", "user@");
        check_reject("http://:80/", "empty host", ":80");
        check_reject("http://host:65536/", "port out of range", "65536");
        check_reject("http://host:99999999999999999999/", "port out of range", NULL);
        check_reject("http://host:8a/", "invalid character in port", "a");
        check_reject("http://host:-1/", "invalid character in port", "-");
        check_reject("http://host:+1/", "invalid character in port", "+");
        check_reject("http://host:1:2/", "invalid character in port", ":");
        check_reject("http://[::1/", "unterminated IPv6 literal", "[::1");
        check_reject("http://[::1", "unterminated IPv6 literal", "[::1");
        check_reject("http://[::1]x/", "unexpected character after IPv6 literal", "x");
        check_reject("http://[::1]:x/", "invalid character in port", "x");
        check_reject("http://[]/", "too few groups in IPv6 literal", NULL);
        check_reject("http://[1:2:3:4:5:6:7]/", "too few groups in IPv6 literal", NULL);
        check_reject("http://[1:2:3:4:5:6:7:8:9]/", "too many groups in IPv6 literal", NULL);
        check_reject("http://[1:2:3:4:5:6:7:8::]/", "too many groups in IPv6 literal", NULL);
        check_reject("http://[1:2:3:4::5:6:7:8]/", "too many groups in IPv6 literal", NULL);
        check_reject("http://[1::2::3]/", "'::' appears more than once in IPv6 literal", NULL);
        check_reject("http://[:1::2]/", "IPv6 literal starts with a single ':'", NULL);
        check_reject("http://[1::2:]/", "IPv6 literal ends with a single ':'", NULL);
        check_reject("http://[:::1]/", "invalid character in IPv6 literal", ":");
        check_reject("http://[12345::1]/", "IPv6 group longer than 4 hex digits", NULL);
        check_reject("http://[::g]/", "invalid character in IPv6 literal", "g");
        check_reject("http://[::1.2.3]/", "invalid IPv4 tail in IPv6 literal", "1.2.3");
        check_reject("http://[::1.2.3.256]/", "invalid IPv4 tail in IPv6 literal", "1.2.3.256");
        check_reject("http://[::1.2.3.4:5]/", "invalid IPv4 tail in IPv6 literal", "1.2.3.4:5");
        check_reject("http://[1:2:3:4:5:6:7:1.2.3.4]/", "too many groups in IPv6 literal", NULL);
        check_reject("http://[fe80::1%eth0]/", "invalid IPv6 zone (must be '%25' followed by the zone name)", "%eth0");
        check_reject("http://[fe80::1%25]/", "invalid IPv6 zone (must be '%25' followed by the zone name)", "%25");
        check_reject("http://[fe80::1%25a:b]/", "invalid character in IPv6 zone", ":");
        check_reject("http://[v1.abc]/", "IPvFuture literals are not supported", "v1.abc");
        check_reject("http://ho]st/", "invalid character in host", "]");
        check_reject("http://h[o/", "invalid character in host", "[");
        check_reject("http://h%4/", "invalid percent escape", "%4");
        check_reject("http://h%zz/", "invalid percent escape", "%zz");
        check_reject("http://h\"/", "invalid character in host", "\"");
        check_reject("http://1.2.3.256/", "invalid IPv4 address", "1.2.3.256");
        check_reject("http://1.2.3/", "invalid IPv4 address", "1.2.3");
        check_reject("http://010.0.0.1/", "invalid IPv4 address", "010.0.0.1");
        check_reject("http://a@b@host/", "invalid character in userinfo", "@");
        check_reject("http://us[er@host/", "invalid character in userinfo", "[");
        check_reject("http://host/a%", "invalid percent escape", "%");
        check_reject("http://host/a%2", "invalid percent escape", "%2");
        check_reject("http://host/a%2g/", "invalid percent escape", "%2g");
        check_reject("http://host/a\\b", "invalid character in path", "\\");
        check_reject("http://host/a%00b", "percent-encoded NUL in URL", "%00");
        check_reject("http://host/?a=%00", "percent-encoded NUL in URL", "%00");
        check_reject("http://h%00st/", "percent-encoded NUL in URL", "%00");
        check_reject("http://u%00@h/", "percent-encoded NUL in URL", "%00");
        check_reject("http://[fe80::1%25a%00]/", "invalid character in IPv6 zone", "%");
        check_parse("http://host/%01%0a%fF", PB_URL_HTTP, "", "host", -1, "/%01%0a%fF", NULL, NULL);
        check_reject("http://host/a<b", "invalid character in path", "<");
        check_reject("http://host/a{b", "invalid character in path", "{");
        check_reject("http://host/a[b", "invalid character in path", "[");
        check_reject("http://host/a?b^", "invalid character in query", "^");
        check_reject("http://host/a?b%", "invalid percent escape", "%");
        check_reject("http://host/a#b#c", "invalid character in fragment", "#");
        check_reject("http://host/a#`", "invalid character in fragment", "`");
        check_reject("file://u@host/x", "file URL cannot have userinfo", NULL);
        check_reject("file://@host/x", "file URL cannot have userinfo", NULL);
        check_reject("file://host:1/x", "file URL cannot have a port", NULL);

        char longhost[300 + 16] = "http://";
        memset(longhost + 7, 'a', 256);
        longhost[7 + 256] = 0;
        check_reject(longhost, "host name too long", NULL);
        longhost[7 + 255] = 0;
        ASSERT_TRUE(pb_url_is_valid(S(longhost)));

        /* Embedded NUL is a control character, not an end of string. */
        struct pb_url u;
        struct pb_diag d = {};
        ASSERT_EQ(pb_url_parse(pb_span_make("http://h/\0x", 11), &u, &d), -EINVAL);
        ASSERT_STREQ(d.reason, "control character in URL");
        ASSERT_EQ(pb_url_parse(pb_span_make(NULL, 0), &u, NULL), -EINVAL);
}

static void check_suffix(const char *in, size_t n, const char *suffix, const char *out) {
        char buf[256];
        int r = pb_url_change_suffix(S(in), n, S(suffix), buf, sizeof buf, NULL);

        if (!out) {
                if (r != -EINVAL)
                        TEST_FAIL("pb_url_change_suffix(\"%s\", %zu) = %d, expected -EINVAL", in, n, r);
                ASSERT_STREQ(buf, "");
                return;
        }
        if (r < 0)
                TEST_FAIL("pb_url_change_suffix(\"%s\", %zu, \"%s\") = %d", in, n, suffix, r);
        ASSERT_STREQ(buf, out);
}

/* Every vector of systemd's test-import-util.c TEST(import_url_change_suffix). */
static void test_change_suffix_systemd_vectors(void) {
        check_suffix("https://foobar/waldo/quux", 1, "wuff", "https://foobar/waldo/wuff");
        check_suffix("https://foobar/waldo/quux/", 1, "wuff", "https://foobar/waldo/wuff");
        check_suffix("https://foobar/waldo/quux///?mief", 1, "wuff", "https://foobar/waldo/wuff");
        check_suffix("https://foobar/waldo/quux///?mief#opopo", 1, "wuff", "https://foobar/waldo/wuff");
        check_suffix("https://foobar/waldo/quux/quff", 2, "wuff", "https://foobar/waldo/wuff");
        check_suffix("https://foobar/waldo/quux/quff/", 2, "wuff", "https://foobar/waldo/wuff");
        check_suffix("https://foobar/waldo/quux/quff", 0, "wuff", "https://foobar/waldo/quux/quff/wuff");
        check_suffix("https://foobar/waldo/quux/quff?aa?bb##4", 0, "wuff", "https://foobar/waldo/quux/quff/wuff");
        check_suffix("https://", 0, "wuff", NULL);
        check_suffix("", 0, "wuff", NULL);
        check_suffix(":", 0, "wuff", NULL);
        check_suffix(":/", 0, "wuff", NULL);
        check_suffix("x:/", 0, "wuff", NULL);
        check_suffix("x:y", 0, "wuff", "x:y/wuff");
        check_suffix("x:y/z", 0, "wuff", "x:y/z/wuff");
        check_suffix("x:y/z/", 0, "wuff", "x:y/z/wuff");
        check_suffix("x:y/z/", 1, "wuff", "x:y/wuff");
        check_suffix("x:y/z/", 2, "wuff", "x:y/wuff");

        /* The same inputs with n=1, the import_url_change_last_component() case. */
        check_suffix("https://", 1, "wuff", NULL);
        check_suffix("", 1, "wuff", NULL);
        check_suffix(":", 1, "wuff", NULL);
        check_suffix(":/", 1, "wuff", NULL);
        check_suffix("x:/", 1, "wuff", NULL);

        /* More components asked for than exist: the suffix lands right after the host. */
        check_suffix("https://foobar/a", 5, "wuff", "https://foobar/wuff");
        check_suffix("https://foobar", 1, "wuff", "https://foobar/wuff");
        check_suffix("https://foobar/", 1, "wuff", "https://foobar/wuff");
        check_suffix("https://foobar?x", 1, "wuff", "https://foobar/wuff");
        check_suffix("https://foobar#x/y", 1, "wuff", "https://foobar/wuff");
        /* Empty suffix: just chop. */
        check_suffix("https://foobar/a/b", 1, "", "https://foobar/a/");
}

static void check_change(const char *in, const char *comp, const char *out) {
        char buf[256];
        struct pb_diag d = {};
        int r = pb_url_change_last_component(S(in), S(comp), buf, sizeof buf, &d);

        if (r < 0)
                TEST_FAIL("pb_url_change_last_component(\"%s\", \"%s\") = %d: %s", in, comp, r, d.reason);
        ASSERT_STREQ(buf, out);
}

static void check_change_fail(const char *in, const char *comp, const char *reason, const char *where) {
        char buf[256];
        struct pb_diag d = {};
        int r = pb_url_change_last_component(S(in), S(comp), buf, sizeof buf, &d);

        if (r != -EINVAL)
                TEST_FAIL("pb_url_change_last_component(\"%s\", \"%s\") = %d, expected -EINVAL", in, comp, r);
        ASSERT_STREQ(buf, "");
        ASSERT_STREQ(d.reason, reason);
        if (where)
                ASSERT_SPANEQ(d.where, where);
}

static void test_change_last_component(void) {
        /* The brief's vectors and systemd's. */
        check_change("https://foobar/waldo/quux", "wuff", "https://foobar/waldo/wuff");
        check_change("https://foobar/waldo/quux/", "wuff", "https://foobar/waldo/wuff");
        check_change("https://foobar/waldo/quux///?mief", "wuff", "https://foobar/waldo/wuff");
        check_change("https://foobar/waldo/quux///?mief#opopo", "wuff", "https://foobar/waldo/wuff");
        check_change_fail("", "wuff", "URL has no scheme or host", "");
        check_change_fail(":", "wuff", "URL has no scheme or host", ":");
        check_change_fail(":/", "wuff", "URL has no scheme or host", ":/");
        check_change_fail("x:/", "wuff", "URL has no scheme or host", "x:/");
        check_change_fail("https://", "wuff", "URL has no scheme or host", "https://");

        /* The real use: UKI URL -> root image URL. */
        check_change("http://10.0.2.2:8080/images/os_1.2.efi", "os_1.2.raw.zst", "http://10.0.2.2:8080/images/os_1.2.raw.zst");
        check_change("HTTPS://[::1]:443/a/b.efi?token=x#y", "b.raw", "HTTPS://[::1]:443/a/b.raw");
        check_change("http://host/uki.efi", "sub/dir/x.raw", "http://host/sub/dir/x.raw");
        check_change("http://host/uki.efi", "x.raw?sig=1", "http://host/x.raw?sig=1");
        /* No path: systemd appends after the host. */
        check_change("https://host", "x.raw", "https://host/x.raw");
        check_change("https://host/", "x.raw", "https://host/x.raw");
        check_change("https://host:8443", "x.raw", "https://host:8443/x.raw");
        /* file URLs: systemd takes the first path segment for the host. */
        check_change("file:///srv/a.efi", "a.raw", "file:///srv/a.raw");
        check_change("file:///a.efi", "a.raw", "file:///a.efi/a.raw");
        check_change("file://host/a.efi", "a.raw", "file://host/a.raw");

        /* Results that are not valid URLs are refused; diag points into the caller's strings. */
        check_change_fail("x:y", "wuff", "unsupported URL scheme (use http, https or file)", "x");
        check_change_fail("ftp://host/a", "b", "unsupported URL scheme (use http, https or file)", "ftp");
        check_change_fail("http://host/a", "b c", "space in URL (percent-encode it as %20)", " ");
        check_change_fail("http://host/a", "b%zz", "invalid percent escape", "%zz");
        check_change_fail("http://host/a", "b#c#d", "invalid character in fragment", "#");
        check_change_fail("http://ho^st/a", "b", "invalid character in host", "^");
        check_change_fail("http://host:99999/a", "b", "port out of range", "99999");
        check_change_fail("http://host/a", "\x01", "control character in URL", "\x01");

        /* NUL bytes and buffer sizes. */
        char buf[64];
        struct pb_diag d = {};
        ASSERT_EQ(pb_url_change_last_component(pb_span_make("http://h/a\0b", 12), S("c"), buf, sizeof buf, &d), -EINVAL);
        ASSERT_STREQ(d.reason, "NUL byte in URL");
        ASSERT_EQ(pb_url_change_last_component(S("http://h/a"), pb_span_make("c\0", 2), buf, sizeof buf, &d), -EINVAL);
        ASSERT_STREQ(d.reason, "NUL byte in URL component");
        /* "http://h/c" is 10 bytes + NUL */
        ASSERT_EQ(pb_url_change_last_component(S("http://h/a"), S("c"), buf, 10, NULL), -ENOBUFS);
        ASSERT_STREQ(buf, "");
        ASSERT_EQ(pb_url_change_last_component(S("http://h/a"), S("c"), buf, 11, NULL), 0);
        ASSERT_STREQ(buf, "http://h/c");
        ASSERT_EQ(pb_url_change_last_component(S("http://h/a"), S("c"), buf, 0, NULL), -ENOBUFS);
}

static void check_last(const char *in, const char *out) {
        struct pb_span s = PB_SPAN_NULL;
        int r = pb_url_last_component(S(in), &s);

        if (!out) {
                if (r != -EINVAL)
                        TEST_FAIL("pb_url_last_component(\"%s\") = %d, expected -EINVAL", in, r);
                return;
        }
        if (r < 0)
                TEST_FAIL("pb_url_last_component(\"%s\") = %d", in, r);
        ASSERT_SPANEQ(s, out);
}

/* Every vector of systemd's TEST(import_url_last_component); systemd's -EADDRNOTAVAIL is -EINVAL here. */
static void test_last_component(void) {
        check_last("https://foobar/waldo/quux", "quux");
        check_last("https://foobar/waldo/quux/", "quux");
        check_last("https://foobar/waldo/", "waldo");
        check_last("https://foobar/", NULL);
        check_last("https://foobar", NULL);
        check_last("https://foobar/waldo/quux?foo=bar", "quux");
        check_last("https://foobar/waldo/quux/?foo=bar", "quux");
        check_last("https://foobar/waldo/quux/?foo=bar#piep", "quux");
        check_last("https://foobar/waldo/quux/#piep", "quux");
        check_last("https://foobar/waldo/quux#piep", "quux");
        check_last("https://", NULL);
        check_last("", NULL);
        check_last(":", NULL);
        check_last(":/", NULL);
        check_last("x:/", NULL);
        check_last("x:y", NULL);
        check_last("x:y/z", "z");

        check_last("http://10.0.2.2/images/os.efi", "os.efi");
        check_last("file:///srv/os.efi", "os.efi");
        check_last("file:///os.efi", NULL); /* "os.efi" is taken for the host, as in systemd */
        ASSERT_EQ(pb_url_last_component(pb_span_make("http://h/a\0", 11), NULL), -EINVAL);
        ASSERT_EQ(pb_url_last_component(S("http://h/a"), NULL), 0);
}

int main(void) {
        test_parse_good();
        test_parse_bad();
        test_change_suffix_systemd_vectors();
        test_change_last_component();
        test_last_component();
        printf("url: all tests passed\n");
        return 0;
}
