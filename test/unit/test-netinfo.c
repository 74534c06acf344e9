/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "netinfo.h"
#include "test.h"

static struct pb_span S(const char *s) {
        return pb_span_from_str(s);
}

static void test_ipv4(void) {
        uint8_t ip[4];
        static const char *const bad[] = {
                "", ".", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1.2.3.-1", "01.2.3.4", "1.2.3.04", "1.2.3.4.",
                ".1.2.3", "1..2.3", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d", "1.2.3.0x1", "1234.1.1.1", "1.2.3.4/24",
                "0000.0.0.0",
        };

        ASSERT_EQ(pb_parse_ipv4(S("10.0.2.15"), ip), 0);
        ASSERT_MEMEQ(ip, ((uint8_t[]) { 10, 0, 2, 15 }), 4);
        ASSERT_EQ(pb_parse_ipv4(S("0.0.0.0"), ip), 0);
        ASSERT_MEMEQ(ip, ((uint8_t[]) { 0, 0, 0, 0 }), 4);
        ASSERT_EQ(pb_parse_ipv4(S("255.255.255.255"), ip), 0);
        ASSERT_MEMEQ(ip, ((uint8_t[]) { 255, 255, 255, 255 }), 4);

        for (size_t i = 0; i < PB_ELEMENTSOF(bad); i++) {
                memset(ip, 0xaa, sizeof ip);
                if (pb_parse_ipv4(S(bad[i]), ip) != -EINVAL)
                        TEST_FAIL("\"%s\" accepted as IPv4", bad[i]);
                /* Nothing written on failure. */
                ASSERT_MEMEQ(ip, ((uint8_t[]) { 0xaa, 0xaa, 0xaa, 0xaa }), 4);
        }
        ASSERT_EQ(pb_parse_ipv4(pb_span_make("1.2.3.4\0", 8), ip), -EINVAL);

        char buf[32];
        struct pb_writer w = pb_writer_make(buf, sizeof buf);
        pb_format_ipv4(&w, (uint8_t[]) { 192, 168, 0, 1 });
        ASSERT_EQ(pb_writer_finish_str(&w), 0);
        ASSERT_STREQ(buf, "192.168.0.1");

        /* Too small: overflow is reported, never a partial address past the buffer. */
        w = pb_writer_make(buf, 8);
        pb_format_ipv4(&w, (uint8_t[]) { 192, 168, 0, 1 });
        ASSERT_EQ(pb_writer_finish_str(&w), -ENOBUFS);
}

static void test_mac(void) {
        uint8_t mac[6];
        static const char *const bad[] = {
                "", "52:54:00:12:34", "52:54:00:12:34:56:78", "52-54-00-12-34-56", "52:54:00:12:34:5g",
                "5:54:00:12:34:56:", "525400123456", "52:54:00:12:34:56 ", "52:54:00:12:34::6",
        };

        ASSERT_EQ(pb_parse_mac(S("52:54:00:12:34:56"), mac), 0);
        ASSERT_MEMEQ(mac, ((uint8_t[]) { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }), 6);
        ASSERT_EQ(pb_parse_mac(S("AA:bb:Cc:dD:ee:FF"), mac), 0);
        ASSERT_MEMEQ(mac, ((uint8_t[]) { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff }), 6);
        for (size_t i = 0; i < PB_ELEMENTSOF(bad); i++)
                if (pb_parse_mac(S(bad[i]), mac) != -EINVAL)
                        TEST_FAIL("\"%s\" accepted as MAC", bad[i]);

        char buf[32];
        struct pb_writer w = pb_writer_make(buf, sizeof buf);
        pb_format_mac(&w, (uint8_t[]) { 0xAA, 0x0b, 0, 1, 0x10, 0xff });
        ASSERT_EQ(pb_writer_finish_str(&w), 0);
        ASSERT_STREQ(buf, "aa:0b:00:01:10:ff");
}

static const char full_text[] =
        "mac=52:54:00:12:34:56\n"
        "ipv4=10.0.2.15/24\n"
        "gateway=10.0.2.2\n"
        "dns=10.0.2.3\n"
        "dns=1.1.1.1\n"
        "origin=dhcp\n";

static void test_parse_full(void) {
        struct pb_netinfo ni;
        struct pb_diag d = {};

        ASSERT_EQ(pb_netinfo_parse(S(full_text), &ni, &d), 0);
        ASSERT_TRUE(ni.has_mac);
        ASSERT_MEMEQ(ni.mac, ((uint8_t[]) { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }), 6);
        ASSERT_TRUE(ni.has_ipv4);
        ASSERT_MEMEQ(ni.ipv4, ((uint8_t[]) { 10, 0, 2, 15 }), 4);
        ASSERT_EQ(ni.prefix_len, 24);
        ASSERT_TRUE(ni.has_gateway);
        ASSERT_MEMEQ(ni.gateway, ((uint8_t[]) { 10, 0, 2, 2 }), 4);
        ASSERT_EQ(ni.n_dns, 2);
        ASSERT_MEMEQ(ni.dns[0], ((uint8_t[]) { 10, 0, 2, 3 }), 4);
        ASSERT_MEMEQ(ni.dns[1], ((uint8_t[]) { 1, 1, 1, 1 }), 4);
        ASSERT_TRUE(!ni.ipv4_static);

        /* Format gives back exactly the canonical text. */
        char buf[512];
        ASSERT_EQ(pb_netinfo_format(&ni, buf, sizeof buf), 0);
        ASSERT_STREQ(buf, full_text);
}

static void test_parse_tolerant(void) {
        struct pb_netinfo ni;
        struct pb_diag d = {};
        char buf[512];

        /* CRLF, blank lines, unknown keys (even odd-looking ones), no final newline, trailing NULs. */
        static const char text[] =
                "\r\n"
                "mac=52:54:00:AB:CD:EF\r\n"
                "future-key=whatever = you\tlike\r\n"
                "\n"
                "ipv4=192.168.1.7/0\r\n"
                "x=\r\n"
                "Mac=not-a-mac\n"
                "origin=static";
        ASSERT_EQ(pb_netinfo_parse(pb_span_make(text, sizeof text), &ni, &d), 0); /* includes the NUL */
        ASSERT_TRUE(ni.has_mac);
        ASSERT_MEMEQ(ni.mac, ((uint8_t[]) { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef }), 6);
        ASSERT_TRUE(ni.has_ipv4);
        ASSERT_EQ(ni.prefix_len, 0);
        ASSERT_TRUE(!ni.has_gateway);
        ASSERT_EQ(ni.n_dns, 0);
        ASSERT_TRUE(ni.ipv4_static);
        ASSERT_EQ(pb_netinfo_format(&ni, buf, sizeof buf), 0);
        ASSERT_STREQ(buf, "mac=52:54:00:ab:cd:ef\nipv4=192.168.1.7/0\norigin=static\n");

        /* Empty record: nothing known. */
        ASSERT_EQ(pb_netinfo_parse(S(""), &ni, &d), 0);
        ASSERT_TRUE(!ni.has_mac && !ni.has_ipv4 && !ni.has_gateway && ni.n_dns == 0 && !ni.ipv4_static);
        ASSERT_EQ(pb_netinfo_format(&ni, buf, sizeof buf), 0);
        ASSERT_STREQ(buf, "");

        ASSERT_EQ(pb_netinfo_parse(S("ipv4=1.2.3.4/32\n"), &ni, &d), 0);
        ASSERT_EQ(ni.prefix_len, 32);
}

static void check_bad(const char *text, const char *reason, const char *where) {
        struct pb_netinfo ni = { .n_dns = 77 };
        struct pb_diag d = {};

        if (pb_netinfo_parse(S(text), &ni, &d) != -EINVAL)
                TEST_FAIL("accepted: \"%s\"", text);
        if (strcmp(d.reason, reason) != 0)
                TEST_FAIL("\"%s\": reason \"%s\", expected \"%s\"", text, d.reason, reason);
        ASSERT_SPANEQ(d.where, where);
        ASSERT_EQ(ni.n_dns, 77); /* *ret untouched on failure */
}

static void test_parse_bad(void) {
        check_bad("mac=52:54:00:12:34\n", "invalid MAC address (expected aa:bb:cc:dd:ee:ff)", "52:54:00:12:34");
        check_bad("mac=\n", "invalid MAC address (expected aa:bb:cc:dd:ee:ff)", "");
        check_bad("mac=52:54:00:12:34:56\nmac=52:54:00:12:34:56\n", "duplicate mac=", "mac=52:54:00:12:34:56");
        check_bad("ipv4=10.0.2.15\n", "ipv4= needs a prefix length (a.b.c.d/N)", "10.0.2.15");
        check_bad("ipv4=10.0.2.15/33\n", "invalid IPv4 prefix length (0-32)", "33");
        check_bad("ipv4=10.0.2.15/\n", "invalid IPv4 prefix length (0-32)", "");
        check_bad("ipv4=10.0.2.15/024\n", "invalid IPv4 prefix length (0-32)", "024");
        check_bad("ipv4=10.0.2.15/-1\n", "invalid IPv4 prefix length (0-32)", "-1");
        check_bad("ipv4=10.0.2.15/24/8\n", "invalid IPv4 prefix length (0-32)", "24/8");
        check_bad("ipv4=10.0.2/24\n", "invalid IPv4 address", "10.0.2");
        check_bad("ipv4=1.1.1.1/1\nipv4=1.1.1.1/1\n", "duplicate ipv4=", "ipv4=1.1.1.1/1");
        check_bad("gateway=10.0.2.256\n", "invalid gateway IPv4 address", "10.0.2.256");
        check_bad("gateway=1.1.1.1\ngateway=1.1.1.1\n", "duplicate gateway=", "gateway=1.1.1.1");
        check_bad("dns=1.1.1.1 \n", "invalid DNS server IPv4 address", "1.1.1.1 ");
        check_bad("dns=1.1.1.1\ndns=1.1.1.2\ndns=1.1.1.3\ndns=1.1.1.4\ndns=1.1.1.5\n", "too many dns= entries (at most 4)",
                  "dns=1.1.1.5");
        check_bad("origin=DHCP\n", "invalid origin (expected dhcp or static)", "DHCP");
        check_bad("origin=dhcp\norigin=static\n", "duplicate origin=", "origin=static");
        check_bad("mac\n", "expected key=value", "mac");
        check_bad("=x\n", "empty key", "=x");

        /* "mac " is not "mac": an unknown key, skipped. */
        struct pb_netinfo ni;
        ASSERT_EQ(pb_netinfo_parse(S("mac =52:54:00:12:34:56\n"), &ni, NULL), 0);
        ASSERT_TRUE(!ni.has_mac);
}

static void test_parse_bad_nul(void) {
        struct pb_netinfo ni;
        struct pb_diag d = {};

        ASSERT_EQ(pb_netinfo_parse(pb_span_make("mac=1\0x\n", 8), &ni, &d), -EINVAL);
        ASSERT_STREQ(d.reason, "NUL byte inside the record");
        ASSERT_EQ(pb_netinfo_parse(PB_SPAN_NULL, &ni, &d), 0);
        ASSERT_EQ(pb_netinfo_parse(S("x"), NULL, &d), -EINVAL);
}

static void check_roundtrip(const struct pb_netinfo *in) {
        char buf[512];
        struct pb_netinfo out;
        struct pb_diag d = {};

        ASSERT_EQ(pb_netinfo_format(in, buf, sizeof buf), 0);
        if (pb_netinfo_parse(S(buf), &out, &d) < 0)
                TEST_FAIL("own output rejected: %s: \"%s\"", d.reason, buf);
        ASSERT_EQ(out.has_mac, in->has_mac);
        if (in->has_mac)
                ASSERT_MEMEQ(out.mac, in->mac, 6);
        ASSERT_EQ(out.has_ipv4, in->has_ipv4);
        if (in->has_ipv4) {
                ASSERT_MEMEQ(out.ipv4, in->ipv4, 4);
                ASSERT_EQ(out.prefix_len, in->prefix_len);
        }
        ASSERT_EQ(out.has_gateway, in->has_gateway);
        if (in->has_gateway)
                ASSERT_MEMEQ(out.gateway, in->gateway, 4);
        ASSERT_EQ(out.n_dns, in->n_dns);
        for (unsigned i = 0; i < in->n_dns; i++)
                ASSERT_MEMEQ(out.dns[i], in->dns[i], 4);
        ASSERT_EQ(out.ipv4_static, in->ipv4_static);
}

static void test_roundtrip(void) {
        uint32_t seed = 12345;

        check_roundtrip(&(struct pb_netinfo) {});
        check_roundtrip(&(struct pb_netinfo) { .ipv4_static = true });
        check_roundtrip(&(struct pb_netinfo) {
                .has_mac = true, .mac = { 0, 0, 0, 0, 0, 0 },
                .has_ipv4 = true, .ipv4 = { 0, 0, 0, 0 }, .prefix_len = 0,
                .has_gateway = true, .gateway = { 255, 255, 255, 255 },
                .n_dns = 4, .dns = { { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { 9, 10, 11, 12 }, { 0, 0, 0, 0 } },
                .ipv4_static = true,
        });

        /* Pseudo-random records: format -> parse must give the same record back. */
        for (unsigned n = 0; n < 5000; n++) {
                struct pb_netinfo ni = {};
#define RND() (seed = seed * 1103515245u + 12345u, (uint8_t) (seed >> 16))
                ni.has_mac = RND() & 1;
                for (unsigned i = 0; i < 6; i++)
                        ni.mac[i] = ni.has_mac ? RND() : 0;
                ni.has_ipv4 = RND() & 1;
                for (unsigned i = 0; i < 4; i++)
                        ni.ipv4[i] = ni.has_ipv4 ? RND() : 0;
                ni.prefix_len = ni.has_ipv4 ? RND() % 33 : 0;
                ni.has_gateway = RND() & 1;
                for (unsigned i = 0; i < 4; i++)
                        ni.gateway[i] = ni.has_gateway ? RND() : 0;
                ni.n_dns = RND() % (PB_NETINFO_MAX_DNS + 1);
                for (unsigned j = 0; j < ni.n_dns; j++)
                        for (unsigned i = 0; i < 4; i++)
                                ni.dns[j][i] = RND();
                ni.ipv4_static = RND() & 1;
#undef RND
                check_roundtrip(&ni);
        }
}

static void test_format_errors(void) {
        char buf[512];
        struct pb_netinfo ni = { .n_dns = 5 };

        memset(buf, 'x', sizeof buf);
        ASSERT_EQ(pb_netinfo_format(&ni, buf, sizeof buf), -EINVAL);
        ASSERT_STREQ(buf, "");
        ni = (struct pb_netinfo) { .has_ipv4 = true, .prefix_len = 33 };
        ASSERT_EQ(pb_netinfo_format(&ni, buf, sizeof buf), -EINVAL);
        ASSERT_EQ(pb_netinfo_format(NULL, buf, sizeof buf), -EINVAL);

        /* Every buffer size short of the full text fails cleanly and NUL-terminates. */
        struct pb_netinfo full;
        ASSERT_EQ(pb_netinfo_parse(S(full_text), &full, NULL), 0);
        size_t need = strlen(full_text) + 1;
        for (size_t size = 0; size < need; size++) {
                char small[sizeof full_text + 8];
                memset(small, 'x', sizeof small);
                ASSERT_EQ(pb_netinfo_format(&full, small, size), -ENOBUFS);
                if (size > 0)
                        ASSERT_EQ(small[size - 1], 0);
                ASSERT_EQ(small[size], 'x'); /* nothing written past the buffer */
        }
        ASSERT_EQ(pb_netinfo_format(&full, buf, need), 0);
        ASSERT_STREQ(buf, full_text);
}

int main(void) {
        test_ipv4();
        test_mac();
        test_parse_full();
        test_parse_tolerant();
        test_parse_bad();
        test_parse_bad_nul();
        test_roundtrip();
        test_format_errors();
        printf("netinfo: all tests passed\n");
        return 0;
}
