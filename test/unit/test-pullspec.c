/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pullspec.h"
#include "test.h"

#define ORIGIN "http://example.com/dir/image.efi"

static struct pb_pullspec parse_ok(const char *expr) {
        struct pb_pullspec spec;
        struct pb_diag d = { 0 };
        char msg[256];
        int r = pb_pullspec_parse(pb_span_from_str(expr), &spec, &d);
        if (r < 0) {
                pb_pullspec_diag_format(&d, msg, sizeof msg);
                TEST_FAIL("'%s' refused: %s", expr, msg);
        }
        return spec;
}

/* Refused, and the rendered diagnostic is exactly `want`. */
static void parse_fails(const char *expr, const char *want) {
        struct pb_pullspec spec;
        struct pb_diag d = { 0 };
        char msg[512];
        int r = pb_pullspec_parse(pb_span_from_str(expr), &spec, &d);
        if (r >= 0)
                TEST_FAIL("'%s' accepted, expected: %s", expr, want);
        ASSERT_EQ(r, -EINVAL);
        pb_pullspec_diag_format(&d, msg, sizeof msg);
        if (strcmp(msg, want) != 0)
                TEST_FAIL("'%s':\n  got:  %s\n  want: %s", expr, msg, want);
}

static void assert_warning(const struct pb_pullspec *spec, unsigned i, const char *want) {
        char msg[256];
        ASSERT_TRUE(i < spec->n_warnings);
        pb_pullspec_diag_format(&spec->warnings[i], msg, sizeof msg);
        ASSERT_STREQ(msg, want);
}

static void candidate(const char *expr, const char *origin, unsigned idx, const char *want) {
        struct pb_pullspec spec = parse_ok(expr);
        struct pb_diag d = { 0 };
        char buf[512], msg[256];
        int r = pb_pullspec_candidate_url(&spec, pb_span_from_str(origin), idx, buf, sizeof buf, &d);
        if (r < 0) {
                pb_pullspec_diag_format(&d, msg, sizeof msg);
                TEST_FAIL("'%s' with origin '%s' [%u]: %s", expr, origin, idx, msg);
        }
        ASSERT_STREQ(buf, want);
}

static void candidate_fails(const char *expr, const char *origin, int err, const char *want) {
        struct pb_pullspec spec = parse_ok(expr);
        struct pb_diag d = { 0 };
        char buf[512], msg[256];
        int r = pb_pullspec_candidate_url(&spec, pb_span_from_str(origin), 0, buf, sizeof buf, &d);
        ASSERT_EQ(r, err);
        ASSERT_STREQ(buf, "");
        pb_pullspec_diag_format(&d, msg, sizeof msg);
        ASSERT_STREQ(msg, want);
}

static void local_name(const char *expr, const char *url, const char *want) {
        struct pb_pullspec spec = parse_ok(expr);
        struct pb_diag d = { 0 };
        char buf[300], msg[256];
        int r = pb_pullspec_local_name(&spec, pb_span_from_str(url), buf, sizeof buf, &d);
        if (r < 0) {
                pb_pullspec_diag_format(&d, msg, sizeof msg);
                TEST_FAIL("'%s' on '%s': %s", expr, url, msg);
        }
        ASSERT_STREQ(buf, want);
}

static void local_name_fails(const char *expr, const char *url, const char *want) {
        struct pb_pullspec spec = parse_ok(expr);
        struct pb_diag d = { 0 };
        char buf[300], msg[256];
        ASSERT_EQ(pb_pullspec_local_name(&spec, pb_span_from_str(url), buf, sizeof buf, &d), -EINVAL);
        pb_pullspec_diag_format(&d, msg, sizeof msg);
        ASSERT_STREQ(msg, want);
}

static void target(const char *expr, const char *local, bool in_initrd, const char *want) {
        struct pb_pullspec spec = parse_ok(expr);
        char buf[300];
        ASSERT_EQ(pb_pullspec_target_path(&spec, local, in_initrd, buf, sizeof buf), 0);
        ASSERT_STREQ(buf, want);
}

/* The five examples of systemd-import-generator(8). */
static void test_man_page_examples(void) {
        struct pb_pullspec s;
        char url[256], local[256], path[256];

        /* Example 1: confext raw, default verification. */
        s = parse_ok("raw,confext::https://example.com/myconfext.raw.gz");
        ASSERT_EQ(s.type, PB_TYPE_RAW);
        ASSERT_EQ(s.class, PB_CLASS_CONFEXT);
        ASSERT_EQ(s.verify, PB_VERIFY_SIGNATURE);
        ASSERT_TRUE(!s.read_only && !s.blockdev && !s.bootorigin);
        ASSERT_EQ(s.runtime, -1);
        ASSERT_SPANEQ(s.local, "");
        ASSERT_SPANEQ(s.remote, "https://example.com/myconfext.raw.gz");
        ASSERT_EQ(s.n_warnings, 0);
        ASSERT_EQ(pb_pullspec_n_candidates(&s), 1);
        ASSERT_EQ(pb_pullspec_candidate_url(&s, PB_SPAN_NULL, 0, url, sizeof url, NULL), 0);
        ASSERT_STREQ(url, "https://example.com/myconfext.raw.gz");
        ASSERT_EQ(pb_pullspec_local_name(&s, pb_span_from_str(url), local, sizeof local, NULL), 0);
        ASSERT_STREQ(local, "myconfext");
        ASSERT_EQ(pb_pullspec_target_path(&s, local, false, path, sizeof path), 0);
        ASSERT_STREQ(path, "/var/lib/confexts/myconfext.raw");

        /* Example 2: sysext tar without verification. */
        s = parse_ok("tar,sysext,verify=no::https://example.com/mysysext.tar.gz");
        ASSERT_EQ(s.type, PB_TYPE_TAR);
        ASSERT_EQ(s.class, PB_CLASS_SYSEXT);
        ASSERT_EQ(s.verify, PB_VERIFY_NO);
        ASSERT_EQ(pb_pullspec_local_name(&s, s.remote, local, sizeof local, NULL), 0);
        ASSERT_STREQ(local, "mysysext");
        ASSERT_EQ(pb_pullspec_target_path(&s, local, false, path, sizeof path), 0);
        ASSERT_STREQ(path, "/var/lib/extensions/mysysext");

        /* Example 3: root disk into memory, attached as a loop device. */
        s = parse_ok("raw,machine,verify=no,blockdev:image:https://example.com/image.raw.xz");
        ASSERT_EQ(s.class, PB_CLASS_MACHINE);
        ASSERT_TRUE(s.blockdev && !s.bootorigin);
        ASSERT_SPANEQ(s.local, "image");
        ASSERT_EQ(pb_pullspec_local_name(&s, s.remote, local, sizeof local, NULL), 0);
        ASSERT_STREQ(local, "image");
        ASSERT_EQ(pb_pullspec_target_path(&s, local, true, path, sizeof path), 0);
        ASSERT_STREQ(path, "/run/machines/image.raw");

        /* Example 4: URL derived from the boot origin, root=gpt-auto. */
        s = parse_ok("raw,machine,verify=no,blockdev,bootorigin:rootdisk:image.raw.xz");
        ASSERT_TRUE(s.blockdev && s.bootorigin);
        ASSERT_EQ(pb_pullspec_n_candidates(&s), 1);
        ASSERT_EQ(pb_pullspec_candidate_url(&s, pb_span_from_str("http://example.com/image.efi"), 0, url,
                                            sizeof url, NULL), 0);
        ASSERT_STREQ(url, "http://example.com/image.raw.xz");
        ASSERT_EQ(pb_pullspec_local_name(&s, pb_span_from_str(url), local, sizeof local, NULL), 0);
        ASSERT_STREQ(local, "rootdisk");
        ASSERT_EQ(pb_pullspec_target_path(&s, local, true, path, sizeof path), 0);
        ASSERT_STREQ(path, "/run/machines/rootdisk.raw");

        /* Example 5: tar root, bind-mounted. */
        s = parse_ok("tar,machine,verify=no,bootorigin:root:image.tar.xz");
        ASSERT_EQ(s.type, PB_TYPE_TAR);
        ASSERT_EQ(pb_pullspec_candidate_url(&s, pb_span_from_str("http://example.com/image.efi"), 0, url,
                                            sizeof url, NULL), 0);
        ASSERT_STREQ(url, "http://example.com/image.tar.xz");
        ASSERT_EQ(pb_pullspec_target_path(&s, "root", true, path, sizeof path), 0);
        ASSERT_STREQ(path, "/run/machines/root");
}

static void test_options(void) {
        struct pb_pullspec s;
        static const struct {
                const char *opt;
                enum pb_image_class class;
        } classes[] = {
                { "sysext", PB_CLASS_SYSEXT },
                { "confext", PB_CLASS_CONFEXT },
                { "machine", PB_CLASS_MACHINE },
                { "portable", PB_CLASS_PORTABLE },
        };
        static const struct {
                const char *opt;
                enum pb_image_type type;
        } types[] = {
                { "tar", PB_TYPE_TAR },
                { "raw", PB_TYPE_RAW },
        };

        /* Every class with every type, in both orders. */
        for (size_t i = 0; i < PB_ELEMENTSOF(classes); i++)
                for (size_t j = 0; j < PB_ELEMENTSOF(types); j++) {
                        char expr[128];
                        snprintf(expr, sizeof expr, "%s,%s::http://h/x", classes[i].opt, types[j].opt);
                        s = parse_ok(expr);
                        ASSERT_EQ(s.class, classes[i].class);
                        ASSERT_EQ(s.type, types[j].type);
                        snprintf(expr, sizeof expr, "%s,%s::http://h/x", types[j].opt, classes[i].opt);
                        s = parse_ok(expr);
                        ASSERT_EQ(s.class, classes[i].class);
                        ASSERT_EQ(s.type, types[j].type);
                        ASSERT_EQ(s.n_warnings, 0);
                }

        /* ro/rw: last one wins, default rw. */
        ASSERT_TRUE(!parse_ok("raw,machine::http://h/x").read_only);
        ASSERT_TRUE(parse_ok("raw,machine,ro::http://h/x").read_only);
        ASSERT_TRUE(!parse_ok("raw,machine,ro,rw::http://h/x").read_only);
        ASSERT_TRUE(parse_ok("rw,raw,machine,ro::http://h/x").read_only);

        /* verify= */
        ASSERT_EQ(parse_ok("raw,machine::http://h/x").verify, PB_VERIFY_SIGNATURE);
        ASSERT_EQ(parse_ok("raw,machine,verify=no::http://h/x").verify, PB_VERIFY_NO);
        ASSERT_EQ(parse_ok("raw,machine,verify=checksum::http://h/x").verify, PB_VERIFY_CHECKSUM);
        ASSERT_EQ(parse_ok("raw,machine,verify=no,verify=signature::http://h/x").verify, PB_VERIFY_SIGNATURE);

        /* Unknown verify= values only warn and keep the previous mode, like systemd. */
        s = parse_ok("raw,machine,verify=no,verify=maybe::http://h/x");
        ASSERT_EQ(s.verify, PB_VERIFY_NO);
        ASSERT_EQ(s.n_warnings, 1);
        assert_warning(&s, 0, "option 'verify=maybe': unknown verification mode, ignored "
                              "(use no, checksum, signature or sha256:HEX)");
        s = parse_ok("raw,machine,verify=::http://h/x");
        ASSERT_EQ(s.verify, PB_VERIFY_SIGNATURE);
        ASSERT_EQ(s.n_warnings, 1);
        s = parse_ok("raw,machine,verify=NO::http://h/x");
        ASSERT_EQ(s.verify, PB_VERIFY_SIGNATURE);
        ASSERT_EQ(s.n_warnings, 1);

        /* verify=sha256:HEX pins the digest (either case); a later mode drops the pin. */
        s = parse_ok("raw,machine,verify=sha256:"
                     "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff::http://h/x");
        ASSERT_EQ(s.verify, PB_VERIFY_SHA256);
        ASSERT_EQ(s.sha256[0], 0x00);
        ASSERT_EQ(s.sha256[1], 0x11);
        ASSERT_EQ(s.sha256[10], 0xaa);
        ASSERT_EQ(s.sha256[31], 0xff);
        s = parse_ok("raw,machine,verify=sha256:"
                     "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff,verify=no::http://h/x");
        ASSERT_EQ(s.verify, PB_VERIFY_NO);
        ASSERT_EQ(s.sha256[1], 0);

        /* The pin's ':' does not split OPTIONS from LOCAL, wherever the option stands. */
        s = parse_ok("verify=sha256:"
                     "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100,raw,machine:img:http://h/x");
        ASSERT_EQ(s.verify, PB_VERIFY_SHA256);
        ASSERT_EQ(s.sha256[0], 0xff);
        ASSERT_SPANEQ(s.local, "img");
        ASSERT_SPANEQ(s.remote, "http://h/x");
        /* ...but only as a whole option: here the ':' splits as usual. */
        s = parse_ok("raw,machine,xverify=sha256:img:http://h/x");
        ASSERT_SPANEQ(s.local, "img");
        assert_warning(&s, 0, "option 'xverify=sha256': unknown, ignored");

        /* blockdev, bootorigin */
        s = parse_ok("raw,machine,blockdev::http://h/x");
        ASSERT_TRUE(s.blockdev && !s.bootorigin);
        s = parse_ok("raw,machine,bootorigin::x.raw");
        ASSERT_TRUE(!s.blockdev && s.bootorigin);

        /* runtime= takes systemd booleans; anything else warns and is ignored. */
        ASSERT_EQ(parse_ok("raw,machine::http://h/x").runtime, -1);
        ASSERT_EQ(parse_ok("raw,machine,runtime=yes::http://h/x").runtime, 1);
        ASSERT_EQ(parse_ok("raw,machine,runtime=1::http://h/x").runtime, 1);
        ASSERT_EQ(parse_ok("raw,machine,runtime=on::http://h/x").runtime, 1);
        ASSERT_EQ(parse_ok("raw,machine,runtime=false::http://h/x").runtime, 0);
        ASSERT_EQ(parse_ok("raw,machine,runtime=off::http://h/x").runtime, 0);
        ASSERT_EQ(parse_ok("raw,machine,runtime=0,runtime=t::http://h/x").runtime, 1);
        s = parse_ok("raw,machine,runtime=no,runtime=perhaps::http://h/x");
        ASSERT_EQ(s.runtime, 0);
        ASSERT_EQ(s.n_warnings, 1);
        assert_warning(&s, 0, "option 'runtime=perhaps': not a boolean, ignored");
        s = parse_ok("raw,machine,runtime::http://h/x");
        assert_warning(&s, 0, "option 'runtime': unknown, ignored");

        /* Unknown and empty options warn, in order. */
        s = parse_ok("raw,,machine,Raw,foo=bar,::http://h/x");
        ASSERT_EQ(s.n_warnings, 4);
        assert_warning(&s, 0, "empty option (stray ','), ignored");
        assert_warning(&s, 1, "option 'Raw': unknown, ignored");
        assert_warning(&s, 2, "option 'foo=bar': unknown, ignored");
        assert_warning(&s, 3, "empty option (stray ','), ignored");
        ASSERT_SPANEQ(s.warnings[1].where, "Raw");

        /* Warnings beyond the cap are dropped, not overflowed. */
        s = parse_ok("a,b,c,d,e,f,g,h,i,j,k,raw,machine::http://h/x");
        ASSERT_EQ(s.n_warnings, PB_PULLSPEC_MAX_WARNINGS);
        assert_warning(&s, 7, "option 'h': unknown, ignored");

        /* REMOTE keeps its colons; LOCAL is taken verbatim. */
        s = parse_ok("raw,machine:name:http://h:8080/a:b/x.raw");
        ASSERT_SPANEQ(s.local, "name");
        ASSERT_SPANEQ(s.remote, "http://h:8080/a:b/x.raw");
        s = parse_ok("raw,machine:ümlaut-ok.v1:file:///srv/x.raw");
        ASSERT_SPANEQ(s.local, "ümlaut-ok.v1");
        ASSERT_SPANEQ(s.remote, "file:///srv/x.raw");
        /* Backslashes after the split are part of REMOTE, left to the URL check. */
        s = parse_ok("raw,machine,bootorigin::x\\y");
        ASSERT_SPANEQ(s.remote, "x\\y");
}

static void test_rejections(void) {
        char longname[300], expr[400];

        parse_fails("", "expression '': expected OPTIONS:LOCAL:REMOTE, no ':' found");
        parse_fails("raw,machine", "expression 'raw,machine': expected OPTIONS:LOCAL:REMOTE, no ':' found");
        parse_fails("raw,machine:http", "expression 'raw,machine:http': expected OPTIONS:LOCAL:REMOTE, only one ':' found");
        parse_fails("raw,machine:", "expression 'raw,machine:': expected OPTIONS:LOCAL:REMOTE, only one ':' found");
        parse_fails("raw,machine::", "REMOTE is empty (an empty REMOTE needs the option 'bootorigin')");
        parse_fails("raw,machine:x:", "REMOTE is empty (an empty REMOTE needs the option 'bootorigin')");
        parse_fails("raw,machine::image.raw", "REMOTE 'image.raw': not a valid http, https or file URL");
        parse_fails("raw,machine::ftp://h/x.raw", "REMOTE 'ftp://h/x.raw': not a valid http, https or file URL");
        parse_fails("raw,machine::http://h/a b", "REMOTE 'http://h/a b': not a valid http, https or file URL");
        parse_fails("raw,machine::http://h/\x01", "REMOTE 'http://h/\\x01': not a valid http, https or file URL");

        /* Missing or repeated class and type. */
        parse_fails("raw::http://h/x", "options 'raw': no image class (exactly one of sysext, confext, machine, portable is required)");
        parse_fails("machine::http://h/x", "options 'machine': no image type (exactly one of tar, raw is required)");
        parse_fails("::http://h/x", "options '': no image type (exactly one of tar, raw is required)");
        parse_fails("ro,verify=no::http://h/x", "options 'ro,verify=no': no image type (exactly one of tar, raw is required)");
        parse_fails("raw,machine,sysext::http://h/x",
                    "option 'sysext': image class given twice (exactly one of sysext, confext, machine, portable is allowed)");
        parse_fails("raw,machine,machine::http://h/x",
                    "option 'machine': image class given twice (exactly one of sysext, confext, machine, portable is allowed)");
        parse_fails("raw,machine,tar::http://h/x", "option 'tar': image type given twice (exactly one of tar, raw is allowed)");
        parse_fails("raw,raw,machine::http://h/x", "option 'raw': image type given twice (exactly one of tar, raw is allowed)");

        /* blockdev is raw only. */
        parse_fails("tar,machine,blockdev::http://h/x", "option 'blockdev': only supported for raw images");
        parse_fails("blockdev,machine,tar:root:http://h/x", "option 'blockdev': only supported for raw images");

        /* A malformed pin is an error, never a silent downgrade. */
        parse_fails("raw,machine,verify=sha256:abc::http://h/x",
                    "option 'verify=sha256:abc': the digest must be 64 hexadecimal digits");
        parse_fails("raw,machine,verify=sha256:"
                    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg::http://h/x",
                    "option 'verify=sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg': "
                    "the digest must be 64 hexadecimal digits");
        parse_fails("raw,machine,verify=sha256:::http://h/x",
                    "option 'verify=sha256:': the digest must be 64 hexadecimal digits");

        /* LOCAL must be a valid image name. */
        parse_fails("raw,machine:a/b:http://h/x", "LOCAL 'a/b': not a valid image name (a file name without '/' or control characters, not starting with '.#')");
        parse_fails("raw,machine:..:http://h/x", "LOCAL '..': not a valid image name (a file name without '/' or control characters, not starting with '.#')");
        parse_fails("raw,machine:.:http://h/x", "LOCAL '.': not a valid image name (a file name without '/' or control characters, not starting with '.#')");
        parse_fails("raw,machine:.#tmp:http://h/x", "LOCAL '.#tmp': not a valid image name (a file name without '/' or control characters, not starting with '.#')");
        parse_fails("raw,machine:a\tb:http://h/x", "LOCAL 'a\\x09b': not a valid image name (a file name without '/' or control characters, not starting with '.#')");
        parse_fails("raw,machine:a\x7f:http://h/x", "LOCAL 'a\\x7f': not a valid image name (a file name without '/' or control characters, not starting with '.#')");
        parse_fails("raw,machine:\xc3\x28:http://h/x", "LOCAL '\xc3(': not a valid image name (a file name without '/' or control characters, not starting with '.#')");
        parse_fails("raw,machine:\xc0\xaf:http://h/x", "LOCAL '\xc0\xaf': not a valid image name (a file name without '/' or control characters, not starting with '.#')");
        parse_fails("raw,machine:\xed\xa0\x80:http://h/x", "LOCAL '\xed\xa0\x80': not a valid image name (a file name without '/' or control characters, not starting with '.#')");
        memset(longname, 'a', 256);
        longname[256] = 0;
        snprintf(expr, sizeof expr, "raw,machine:%s:http://h/x", longname);
        {
                struct pb_pullspec s;
                ASSERT_EQ(pb_pullspec_parse(pb_span_from_str(expr), &s, NULL), -EINVAL);
                longname[255] = 0;
                snprintf(expr, sizeof expr, "raw,machine:%s:http://h/x", longname);
                ASSERT_EQ(pb_pullspec_parse(pb_span_from_str(expr), &s, NULL), 0);
                ASSERT_EQ(s.local.len, 255);
        }

        /* Backslash escapes before REMOTE are refused rather than unescaped. */
        parse_fails("raw\\,machine::http://h/x", "'raw\\': backslash escapes are not supported in OPTIONS or LOCAL");
        parse_fails("raw,machine:a\\:b:http://h/x", "'raw,machine:a\\': backslash escapes are not supported in OPTIONS or LOCAL");

        /* A NUL inside the span is data, not a terminator. */
        {
                struct pb_pullspec s;
                static const char nul[] = "raw,machine:a\0b:http://h/x";
                ASSERT_EQ(pb_pullspec_parse(pb_span_make(nul, sizeof nul - 1), &s, NULL), -EINVAL);
        }

        /* Errors leave *ret untouched. */
        {
                struct pb_pullspec s;
                memset(&s, 0x5a, sizeof s);
                ASSERT_EQ(pb_pullspec_parse(pb_span_from_str("tar,machine,blockdev::http://h/x"), &s, NULL), -EINVAL);
                ASSERT_EQ(s.n_warnings, 0x5a5a5a5a);
        }
}

static void test_suffix_stripping(void) {
        static const struct {
                const char *in, *out;
        } raw[] = {
                { "image.raw.xz", "image" },
                { "image.raw.zst", "image" },
                { "image.raw.gz", "image" },
                { "image.raw.bz2", "image" },
                { "image.raw", "image" },
                { "image", "image" },
                { "foo.xz.raw", "foo" },           /* second pass */
                { "a.sysext.raw", "a" },
                { "a.confext.raw.zst", "a" },
                { "x.qcow2.gz", "x" },
                { "x.img.bin", "x" },
                { "x.bin.img", "x" },
                { "x.tar.xz", "x.tar" },           /* raw does not know tar */
                { "x.raw.xz.gz.zst", "x" },
                { "x.RAW", "x.RAW" },              /* case-sensitive like systemd */
                { ".raw", "" },
                { "image.efi", "image.efi" },
        };
        static const struct {
                const char *in, *out;
        } tar[] = {
                { "x.tar", "x" },
                { "x.tar.gz", "x" },
                { "x.tar.bz2", "x" },
                { "x.tar.xz", "x" },
                { "x.tar.zst", "x" },
                { "x.tgz", "x" },
                { "x.tbz2", "x" },
                { "x.txz", "x" },
                { "x.tzst", "x" },
                { "x.tar.xz.tar", "x.tar.xz" },    /* only one suffix goes */
                { "x.zip", "x.zip" },
                { "x", "x" },
        };
        struct pb_span out;

        for (size_t i = 0; i < PB_ELEMENTSOF(raw); i++)
                ASSERT_SPANEQ(pb_raw_strip_suffixes(pb_span_from_str(raw[i].in)), raw[i].out);
        for (size_t i = 0; i < PB_ELEMENTSOF(tar); i++) {
                ASSERT_EQ(pb_tar_strip_suffixes(pb_span_from_str(tar[i].in), &out), 0);
                ASSERT_SPANEQ(out, tar[i].out);
        }
        ASSERT_EQ(pb_tar_strip_suffixes(pb_span_from_str(".tar"), &out), -EINVAL);
        ASSERT_EQ(pb_tar_strip_suffixes(pb_span_from_str(".tgz"), &out), -EINVAL);
        ASSERT_EQ(pb_tar_strip_suffixes(pb_span_from_str(""), &out), -EINVAL);

        /* Through the URL: query and fragment are ignored, trailing slashes eaten. */
        local_name("raw,machine::http://h/x", "http://h/dir/image.raw.xz", "image");
        local_name("raw,machine::http://h/x", "http://h/dir/image.raw.xz?token=1#frag", "image");
        local_name("raw,machine::http://h/x", "http://h/dir/image.raw.xz/", "image");
        local_name("raw,machine::http://h/x", "file:///srv/images/fedora.qcow2.xz", "fedora");
        local_name("tar,machine::http://h/x", "https://h/trees/debian-12.tar.zst", "debian-12");
        local_name("tar,portable::http://h/x", "https://h/trees/foo.raw", "foo.raw");
        local_name("raw,machine:given:http://h/x", "http://h/dir/image.raw.xz", "given");
        local_name_fails("raw,machine::http://h/x", "http://h/dir/.raw.xz",
                         "local name '' derived from the URL is not a valid image name (give LOCAL explicitly)");
        local_name_fails("raw,machine::http://h/x", "http://h/dir/..raw.gz",
                         "local name '.' derived from the URL is not a valid image name (give LOCAL explicitly)");
        local_name_fails("tar,machine::http://h/x", "http://h/dir/.tar.gz",
                         "URL component '.tar.gz': nothing left after stripping the tar suffix (give LOCAL explicitly)");
        local_name_fails("raw,machine::http://h/x", "http://h/",
                         "URL 'http://h/': no last path component to derive the local name from (give LOCAL explicitly)");

        /* Buffer bounds. */
        {
                struct pb_pullspec s = parse_ok("raw,machine::http://h/x");
                char small[5];
                ASSERT_EQ(pb_pullspec_local_name(&s, pb_span_from_str("http://h/abcde.raw"), small, sizeof small, NULL), -ENOBUFS);
                ASSERT_STREQ(small, "");
                ASSERT_EQ(pb_pullspec_local_name(&s, pb_span_from_str("http://h/abcd.raw"), small, sizeof small, NULL), 0);
                ASSERT_STREQ(small, "abcd");
        }
}

static void test_candidates(void) {
        struct pb_pullspec s;
        char buf[256];

        /* Empty REMOTE: the origin's name with .efi replaced, best compression first. */
        s = parse_ok("raw,machine,bootorigin:rootdisk:");
        ASSERT_EQ(pb_pullspec_n_candidates(&s), 4);
        candidate("raw,machine,bootorigin:rootdisk:", ORIGIN, 0, "http://example.com/dir/image.raw.zst");
        candidate("raw,machine,bootorigin:rootdisk:", ORIGIN, 1, "http://example.com/dir/image.raw.xz");
        candidate("raw,machine,bootorigin:rootdisk:", ORIGIN, 2, "http://example.com/dir/image.raw.gz");
        candidate("raw,machine,bootorigin:rootdisk:", ORIGIN, 3, "http://example.com/dir/image.raw");
        candidate("tar,machine,bootorigin::", ORIGIN, 0, "http://example.com/dir/image.tar.zst");
        candidate("tar,machine,bootorigin::", ORIGIN, 1, "http://example.com/dir/image.tar.xz");
        candidate("tar,machine,bootorigin::", ORIGIN, 2, "http://example.com/dir/image.tar.gz");
        candidate("tar,machine,bootorigin::", ORIGIN, 3, "http://example.com/dir/image.tar");
        /* .efi matches in any case; query and fragment of the origin are dropped. */
        candidate("raw,machine,bootorigin::", "https://h:8443/a/B.EFI?x=1#y", 0, "https://h:8443/a/B.raw.zst");
        candidate("raw,machine,bootorigin::", "http://10.0.2.2:8081/os-v2.Efi", 3, "http://10.0.2.2:8081/os-v2.raw");
        ASSERT_EQ(pb_pullspec_candidate_url(&s, pb_span_from_str(ORIGIN), 4, buf, sizeof buf, NULL), -ERANGE);

        /* The derived local name agrees across candidates. */
        local_name("raw,machine,bootorigin::", "http://example.com/dir/image.raw.zst", "image");
        local_name("tar,machine,bootorigin::", "http://example.com/dir/image.tar", "image");

        /* bootorigin with a REMOTE file name: replaces the last component. */
        candidate("raw,machine,bootorigin:rootdisk:image.raw.xz", ORIGIN, 0, "http://example.com/dir/image.raw.xz");
        candidate("raw,machine,bootorigin::other.raw", "http://h/a/b/uki.efi?q#f", 0, "http://h/a/b/other.raw");
        candidate("raw,machine,bootorigin::other.raw", "http://h/a/b/", 0, "http://h/a/other.raw");
        /* As in systemd, REMOTE is appended verbatim, so it may name a subdirectory. */
        candidate("raw,machine,bootorigin::sub/x.raw", ORIGIN, 0, "http://example.com/dir/sub/x.raw");

        /* Without bootorigin the origin is irrelevant. */
        candidate("raw,machine::http://other/x.raw", ORIGIN, 0, "http://other/x.raw");
        candidate("raw,machine::http://other/x.raw", "", 0, "http://other/x.raw");

        /* Failures. */
        candidate_fails("raw,machine,bootorigin:rootdisk:image.raw.xz", "", -ENODATA,
                        "option 'bootorigin': no boot origin URL (StubDeviceURL is not set)");
        candidate_fails("raw,machine,bootorigin::", "", -ENODATA,
                        "option 'bootorigin': no boot origin URL (StubDeviceURL is not set)");
        candidate_fails("raw,machine,bootorigin::", "file:///boot/image.efi", -EINVAL,
                        "boot origin 'file:///boot/image.efi': not a valid http or https URL");
        candidate_fails("raw,machine,bootorigin::", "not a url", -EINVAL,
                        "boot origin 'not a url': not a valid http or https URL");
        candidate_fails("raw,machine,bootorigin::", "http://h/dir/vmlinuz", -EINVAL,
                        "boot origin 'vmlinuz': last component does not end in .efi, cannot derive the image name "
                        "(give REMOTE explicitly)");
        candidate_fails("raw,machine,bootorigin::", "http://h/dir/.efi", -EINVAL,
                        "boot origin '.efi': last component does not end in .efi, cannot derive the image name "
                        "(give REMOTE explicitly)");
        candidate_fails("raw,machine,bootorigin::", "http://h/", -EINVAL,
                        "boot origin 'http://h/': has no last path component");
        candidate_fails("raw,machine,bootorigin::a b", ORIGIN, -EINVAL,
                        "REMOTE 'a b': replacing the boot origin's last component does not yield a valid URL");

        /* Small buffers fail cleanly. */
        s = parse_ok("raw,machine,bootorigin::");
        ASSERT_EQ(pb_pullspec_candidate_url(&s, pb_span_from_str(ORIGIN), 0, buf, 20, NULL), -ENOBUFS);
        s = parse_ok("raw,machine::http://other/x.raw");
        ASSERT_EQ(pb_pullspec_candidate_url(&s, PB_SPAN_NULL, 0, buf, 18, NULL), -ENOBUFS);
        ASSERT_EQ(pb_pullspec_candidate_url(&s, PB_SPAN_NULL, 0, buf, 19, NULL), 0);
}

static void test_target_paths(void) {
        target("raw,machine::http://h/x", "rootdisk", true, "/run/machines/rootdisk.raw");
        target("raw,machine::http://h/x", "rootdisk", false, "/var/lib/machines/rootdisk.raw");
        target("raw,machine,runtime=no::http://h/x", "rootdisk", true, "/var/lib/machines/rootdisk.raw");
        target("raw,machine,runtime=yes::http://h/x", "rootdisk", false, "/run/machines/rootdisk.raw");
        target("tar,machine::http://h/x", "root", true, "/run/machines/root");
        target("raw,sysext::http://h/x", "ext", true, "/run/extensions/ext.raw");
        target("tar,sysext::http://h/x", "ext", false, "/var/lib/extensions/ext");
        target("raw,confext::http://h/x", "c", false, "/var/lib/confexts/c.raw");
        target("raw,portable::http://h/x", "p", true, "/run/portables/p.raw");

        struct pb_pullspec s = parse_ok("raw,machine::http://h/x");
        char buf[32];
        ASSERT_TRUE(pb_pullspec_runtime(&s, true));
        ASSERT_TRUE(!pb_pullspec_runtime(&s, false));
        ASSERT_EQ(pb_pullspec_target_path(&s, "rootdisk", true, buf, 26), -ENOBUFS);
        ASSERT_EQ(pb_pullspec_target_path(&s, "rootdisk", true, buf, 27), 0);
        ASSERT_STREQ(buf, "/run/machines/rootdisk.raw");
        ASSERT_EQ(pb_pullspec_target_path(&s, "../etc", true, buf, sizeof buf), -EINVAL);
        ASSERT_EQ(pb_pullspec_target_path(&s, "", true, buf, sizeof buf), -EINVAL);
}

static void test_names(void) {
        ASSERT_STREQ(pb_image_class_to_string(PB_CLASS_SYSEXT), "sysext");
        ASSERT_STREQ(pb_image_class_to_string(PB_CLASS_PORTABLE), "portable");
        ASSERT_TRUE(pb_image_class_to_string(PB_CLASS_INVALID) == NULL);
        ASSERT_STREQ(pb_image_class_dir(PB_CLASS_CONFEXT), "confexts");
        ASSERT_STREQ(pb_image_class_dir(PB_CLASS_MACHINE), "machines");
        ASSERT_STREQ(pb_image_type_to_string(PB_TYPE_RAW), "raw");
        ASSERT_STREQ(pb_image_type_to_string(PB_TYPE_TAR), "tar");
        ASSERT_TRUE(pb_image_type_to_string(PB_TYPE_INVALID) == NULL);
        ASSERT_STREQ(pb_verify_to_string(PB_VERIFY_CHECKSUM), "checksum");
        ASSERT_STREQ(pb_verify_to_string(PB_VERIFY_SHA256), "sha256");

        static const char *const actions[] = {
                "none", "exit", "exit-force", "reboot", "reboot-force", "reboot-immediate", "poweroff",
                "poweroff-force", "poweroff-immediate", "halt", "halt-force", "halt-immediate", "kexec",
                "kexec-force", "soft-reboot", "soft-reboot-force",
        };
        for (size_t i = 0; i < PB_ELEMENTSOF(actions); i++) {
                enum pb_emergency_action a = pb_emergency_action_from_string(pb_span_from_str(actions[i]));
                ASSERT_EQ(a, (int) i);
                ASSERT_STREQ(pb_emergency_action_to_string(a), actions[i]);
        }
        ASSERT_EQ(pb_emergency_action_from_string(pb_span_from_str("Reboot")), PB_ACTION_INVALID);
        ASSERT_EQ(pb_emergency_action_from_string(pb_span_from_str("")), PB_ACTION_INVALID);
        ASSERT_EQ(pb_emergency_action_from_string(pb_span_from_str("reboot ")), PB_ACTION_INVALID);
        ASSERT_TRUE(pb_emergency_action_to_string(PB_ACTION_INVALID) == NULL);
        ASSERT_EQ(PB_ACTION_POWEROFF, 6);
}

static void test_image_names(void) {
        ASSERT_TRUE(pb_image_name_is_valid(pb_span_from_str("rootdisk")));
        ASSERT_TRUE(pb_image_name_is_valid(pb_span_from_str(".hidden")));
        ASSERT_TRUE(pb_image_name_is_valid(pb_span_from_str("a b")));
        ASSERT_TRUE(pb_image_name_is_valid(pb_span_from_str("\xf0\x9f\x98\x80")));
        ASSERT_TRUE(!pb_image_name_is_valid(pb_span_from_str("")));
        ASSERT_TRUE(!pb_image_name_is_valid(pb_span_from_str("/")));
        ASSERT_TRUE(!pb_image_name_is_valid(pb_span_from_str(".#x")));
        ASSERT_TRUE(!pb_image_name_is_valid(pb_span_from_str("\xf4\x90\x80\x80")));  /* > U+10FFFF */
        ASSERT_TRUE(!pb_image_name_is_valid(pb_span_from_str("\xe2\x82")));          /* truncated */
        ASSERT_TRUE(!pb_image_name_is_valid(pb_span_from_str("\xff")));
}

static void test_diag_format(void) {
        struct pb_diag d = { .reason = "option '{}': unknown, ignored", .where = pb_span_from_str("abcdefghij") };
        char buf[64];

        ASSERT_EQ(pb_pullspec_diag_format(&d, buf, sizeof buf), strlen("option 'abcdefghij': unknown, ignored"));
        ASSERT_STREQ(buf, "option 'abcdefghij': unknown, ignored");
        /* Truncation keeps a terminated, marked string. */
        ASSERT_EQ(pb_pullspec_diag_format(&d, buf, 16), 15);
        ASSERT_STREQ(buf, "option 'abcd...");
        ASSERT_EQ(pb_pullspec_diag_format(&d, buf, 4), 3);
        ASSERT_STREQ(buf, "...");
        pb_pullspec_diag_format(&d, buf, 3);
        ASSERT_TRUE(strlen(buf) < 3);
        ASSERT_EQ(pb_pullspec_diag_format(&d, buf, 0), 0);
        /* Exactly filling the text part still leaves the NUL in place. */
        d.where = pb_span_from_str("abc");
        memset(buf, 'x', sizeof buf);
        ASSERT_EQ(pb_pullspec_diag_format(&d, buf, strlen("option 'abc': unknown, ignored") + 4),
                  strlen("option 'abc': unknown, ignored"));
        ASSERT_STREQ(buf, "option 'abc': unknown, ignored");
        memset(buf, 'x', sizeof buf);
        ASSERT_EQ(pb_pullspec_diag_format(&d, buf, strlen("option 'abc': unknown, ignored") + 1),
                  strlen("option 'abc': unknown, ignored"));
        ASSERT_STREQ(buf, "option 'abc': unknown, ignored");
        /* No reason at all still renders something useful. */
        ASSERT_EQ(pb_pullspec_diag_format(NULL, buf, sizeof buf) > 0, 1);
        ASSERT_STREQ(buf, "invalid pull expression");
}

static void credential_expect(const char *text, const char *const *lines, const unsigned *numbers, size_t n) {
        struct pb_credential_iter it;
        struct pb_span line;
        size_t i = 0;

        pb_credential_iter_init(&it, pb_span_from_str(text));
        while (pb_credential_next(&it, &line) > 0) {
                ASSERT_TRUE(i < n);
                ASSERT_SPANEQ(line, lines[i]);
                ASSERT_EQ(it.line, numbers[i]);
                i++;
        }
        ASSERT_EQ(i, n);
        ASSERT_EQ(pb_credential_next(&it, &line), 0);
        ASSERT_EQ(line.len, 0);
}

static void test_credential(void) {
        static const char text[] =
                "# pulls for this machine\n"
                "raw,machine,verify=no,blockdev,bootorigin:rootdisk:image.raw.xz\r\n"
                "\n"
                "   \t\n"
                "  tar,sysext::https://example.com/mysysext.tar.gz  \n"
                "   # indented comment\n"
                "raw,confext::https://example.com/myconfext.raw.gz";
        static const char *const lines[] = {
                "raw,machine,verify=no,blockdev,bootorigin:rootdisk:image.raw.xz",
                "tar,sysext::https://example.com/mysysext.tar.gz",
                "raw,confext::https://example.com/myconfext.raw.gz",
        };
        static const unsigned numbers[] = { 2, 5, 7 };

        credential_expect(text, lines, numbers, 3);
        credential_expect("", NULL, NULL, 0);
        credential_expect("\n\n#x\n", NULL, NULL, 0);
        {
                static const char *const one[] = { "a" };
                static const unsigned n1[] = { 1 };
                credential_expect("a\n", one, n1, 1);
        }

        /* Every credential line parses (the real import.pull use). */
        struct pb_credential_iter it;
        struct pb_span line;
        unsigned n = 0;
        pb_credential_iter_init(&it, pb_span_from_str(text));
        while (pb_credential_next(&it, &line) > 0) {
                struct pb_pullspec s;
                ASSERT_EQ(pb_pullspec_parse(line, &s, NULL), 0);
                n++;
        }
        ASSERT_EQ(n, 3);

        pb_credential_iter_init(&it, PB_SPAN_NULL);
        ASSERT_EQ(pb_credential_next(&it, &line), 0);
}

int main(void) {
        test_man_page_examples();
        test_options();
        test_rejections();
        test_suffix_stripping();
        test_candidates();
        test_target_paths();
        test_names();
        test_image_names();
        test_diag_format();
        test_credential();
        printf("pullspec: all tests passed\n");
        return 0;
}
