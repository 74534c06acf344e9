/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "root.h"
#include "test.h"

static struct root_spec parse_ok(const char *cmdline) {
        struct root_spec s;
        struct pb_diag d = {};
        int r = root_spec_from_cmdline(pb_span_from_str(cmdline), &s, &d);
        if (r != 0)
                TEST_FAIL("'%s': %d (%s)", cmdline, r, d.reason ? d.reason : "");
        return s;
}

static void parse_fails(const char *cmdline, int err, const char *where) {
        struct root_spec s;
        struct pb_diag d = {};
        ASSERT_EQ(root_spec_from_cmdline(pb_span_from_str(cmdline), &s, &d), err);
        ASSERT_TRUE(d.reason != NULL);
        ASSERT_SPANEQ(d.where, where);
}

static void assert_format(const struct root_spec *s, const char *want) {
        char buf[ROOT_WHAT_MAX + 16];
        ASSERT_EQ(root_spec_format_what(s, buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, want);
}

static void test_kinds(void) {
        struct root_spec s;

        s = parse_ok("quiet");
        ASSERT_EQ(s.kind, ROOT_UNSET);
        ASSERT_EQ(s.rw, -1);
        ASSERT_STREQ(s.fstype, "");
        ASSERT_STREQ(s.options, "");
        assert_format(&s, "");

        s = parse_ok("console=ttyS0 root=gpt-auto quiet");
        ASSERT_EQ(s.kind, ROOT_GPT_AUTO);
        assert_format(&s, "gpt-auto");

        s = parse_ok("root=/dev/disk/by-loop-ref/image.raw-part2");
        ASSERT_EQ(s.kind, ROOT_DEVICE);
        ASSERT_STREQ(s.what, "/dev/disk/by-loop-ref/image.raw-part2");
        assert_format(&s, "/dev/disk/by-loop-ref/image.raw-part2");

        s = parse_ok("root=PARTUUID=4f68bce3-e8cd-4db1-96e7-fbcaf984b709");
        ASSERT_EQ(s.kind, ROOT_PARTUUID);
        ASSERT_STREQ(s.what, "4f68bce3-e8cd-4db1-96e7-fbcaf984b709");
        assert_format(&s, "PARTUUID=4f68bce3-e8cd-4db1-96e7-fbcaf984b709");

        s = parse_ok("root=UUID=17d42e8e-2490-43f8-94db-1a901bd28b71");
        ASSERT_EQ(s.kind, ROOT_UUID);
        ASSERT_STREQ(s.what, "17d42e8e-2490-43f8-94db-1a901bd28b71");

        s = parse_ok("root=LABEL=rootfs");
        ASSERT_EQ(s.kind, ROOT_LABEL);
        ASSERT_STREQ(s.what, "rootfs");
        assert_format(&s, "LABEL=rootfs");

        /* Quoting: a label with a space. */
        s = parse_ok("root=\"LABEL=my root\" ro");
        ASSERT_EQ(s.kind, ROOT_LABEL);
        ASSERT_STREQ(s.what, "my root");

        s = parse_ok("root=PARTLABEL=root-x86-64");
        ASSERT_EQ(s.kind, ROOT_PARTLABEL);
        ASSERT_STREQ(s.what, "root-x86-64");
        assert_format(&s, "PARTLABEL=root-x86-64");

        s = parse_ok("root=bind:/run/machines/image");
        ASSERT_EQ(s.kind, ROOT_BIND);
        ASSERT_STREQ(s.what, "/run/machines/image");
        assert_format(&s, "bind:/run/machines/image");

        s = parse_ok("root=tmpfs");
        ASSERT_EQ(s.kind, ROOT_TMPFS);
        assert_format(&s, "tmpfs");

        s = parse_ok("root=/dev/vda2");
        ASSERT_EQ(s.kind, ROOT_DEVICE);
        ASSERT_STREQ(s.what, "/dev/vda2");
}

static void test_precedence(void) {
        struct root_spec s;

        /* The last root= wins; an empty one unsets, a bare "root" is ignored. */
        s = parse_ok("root=/dev/sda1 root=gpt-auto");
        ASSERT_EQ(s.kind, ROOT_GPT_AUTO);
        s = parse_ok("root=gpt-auto root=");
        ASSERT_EQ(s.kind, ROOT_UNSET);
        s = parse_ok("root=gpt-auto root");
        ASSERT_EQ(s.kind, ROOT_GPT_AUTO);
        /* rd.root= is not root= (systemd's fstab-generator reads only root=). */
        s = parse_ok("rd.root=/dev/sda1");
        ASSERT_EQ(s.kind, ROOT_UNSET);
        /* Words after "--" belong to init. */
        s = parse_ok("root=gpt-auto -- root=/dev/sda1 rw");
        ASSERT_EQ(s.kind, ROOT_GPT_AUTO);
        ASSERT_EQ(s.rw, -1);

        s = parse_ok("rootfstype=xfs root=LABEL=x rootfstype=ext4");
        ASSERT_STREQ(s.fstype, "ext4");

        /* rootflags= accumulate with ','. */
        s = parse_ok("rootflags=noatime root=/dev/x rootflags=data=ordered rootflags=");
        ASSERT_STREQ(s.options, "noatime,data=ordered");

        /* ro/rw: the last one, only without a value. */
        s = parse_ok("root=/dev/x rw");
        ASSERT_EQ(s.rw, 1);
        ASSERT_TRUE(!root_spec_read_only(&s));
        s = parse_ok("root=/dev/x rw ro");
        ASSERT_EQ(s.rw, 0);
        ASSERT_TRUE(root_spec_read_only(&s));
        s = parse_ok("root=/dev/x ro=1 rw=0");
        ASSERT_EQ(s.rw, -1);
}

static void test_read_only(void) {
        struct root_spec s;

        /* Default read-only, as systemd mounts /sysroot. */
        s = parse_ok("root=gpt-auto");
        ASSERT_TRUE(root_spec_read_only(&s));
        s = parse_ok("root=bind:/x");
        ASSERT_TRUE(root_spec_read_only(&s));
        /* tmpfs defaults to writable. */
        s = parse_ok("root=tmpfs");
        ASSERT_TRUE(!root_spec_read_only(&s));
        s = parse_ok("root=tmpfs ro");
        ASSERT_TRUE(root_spec_read_only(&s));
        /* rootflags= decide when ro/rw are absent. */
        s = parse_ok("root=/dev/x rootflags=noatime,rw");
        ASSERT_TRUE(!root_spec_read_only(&s));
        s = parse_ok("root=/dev/x rootflags=rw,ro");
        ASSERT_TRUE(root_spec_read_only(&s));
        s = parse_ok("root=/dev/x rootflags=rw ro");
        ASSERT_TRUE(root_spec_read_only(&s));
        s = parse_ok("root=/dev/x rootflags=rwx");
        ASSERT_TRUE(root_spec_read_only(&s));
}

static void test_errors(void) {
        parse_fails("quiet root=sda1", -EINVAL, "sda1");
        parse_fails("root=bind:", -EINVAL, "bind:");
        parse_fails("root=bind:relative/dir", -EINVAL, "bind:relative/dir");
        parse_fails("root=UUID=", -EINVAL, "UUID=");
        parse_fails("root=PARTUUID=", -EINVAL, "PARTUUID=");
        parse_fails("root=nfs:10.0.0.1:/x", -EINVAL, "nfs:10.0.0.1:/x");
        parse_fails("root=/dev/nfs", -EINVAL, "/dev/nfs");
        parse_fails("root=fstab", -EINVAL, "fstab");

        /* Too long for the fixed buffers: a clean error, not a truncated root. */
        size_t n = ROOT_WHAT_MAX + 10;
        char *big = malloc(n + 16);
        ASSERT_TRUE(big != NULL);
        strcpy(big, "root=/");
        memset(big + 6, 'a', n);
        big[6 + n] = '\0';
        struct root_spec s;
        ASSERT_EQ(root_spec_from_cmdline(pb_span_from_str(big), &s, NULL), -ENAMETOOLONG);
        strcpy(big, "rootfstype=");
        memset(big + 11, 'a', ROOT_FSTYPE_MAX);
        big[11 + ROOT_FSTYPE_MAX] = '\0';
        ASSERT_EQ(root_spec_from_cmdline(pb_span_from_str(big), &s, NULL), -ENAMETOOLONG);
        /* rootflags= that add up past the buffer. */
        strcpy(big, "root=/x");
        for (int i = 0; i < 200; i++)
                strcat(big, " rootflags=abcdefgh");
        ASSERT_EQ(root_spec_from_cmdline(pb_span_from_str(big), &s, NULL), -ENAMETOOLONG);
        free(big);

        /* A root= value with an embedded NUL (from a span, not a C string). */
        static const char nul[] = "/dev/x\0y";
        root_spec_init(&s);
        ASSERT_EQ(root_spec_set_what(&s, pb_span_make(nul, sizeof(nul) - 1), NULL), -EINVAL);
        ASSERT_EQ(s.kind, ROOT_UNSET);
}

static void test_set_what(void) {
        struct root_spec s;

        root_spec_init(&s);
        ASSERT_EQ(root_spec_set_what(&s, pb_span_from_str("bind:/var/lib/machines/x"), NULL), 0);
        ASSERT_EQ(s.kind, ROOT_BIND);
        ASSERT_EQ(s.rw, -1);
        ASSERT_EQ(root_spec_set_what(&s, pb_span_from_str(""), NULL), 0);
        ASSERT_EQ(s.kind, ROOT_UNSET);
        ASSERT_STREQ(s.what, "");
        /* A failed parse leaves the previous decision alone. */
        ASSERT_EQ(root_spec_set_what(&s, pb_span_from_str("gpt-auto"), NULL), 0);
        ASSERT_EQ(root_spec_set_what(&s, pb_span_from_str("bogus"), NULL), -EINVAL);
        ASSERT_EQ(s.kind, ROOT_GPT_AUTO);

        char small[8];
        ASSERT_EQ(root_spec_set_what(&s, pb_span_from_str("/dev/disk/by-label/x"), NULL), 0);
        ASSERT_EQ(root_spec_format_what(&s, small, sizeof(small)), -ENOBUFS);
}

static void check_loop_ref(const char *cmdline, int want_r, const char *want_ref, unsigned want_part) {
        struct root_spec s = parse_ok(cmdline);
        char ref[64] = "unchanged";
        unsigned part = 999;

        ASSERT_EQ(root_spec_loop_ref(&s, ref, sizeof(ref), &part), want_r);
        if (want_r == 1) {
                ASSERT_STREQ(ref, want_ref);
                ASSERT_EQ(part, want_part);
        }
}

static void test_loop_ref(void) {
        check_loop_ref("root=/dev/disk/by-loop-ref/image.raw-part2", 1, "image.raw", 2);
        check_loop_ref("root=/dev/disk/by-loop-ref/rootdisk", 1, "rootdisk", 0);
        check_loop_ref("root=/dev/disk/by-loop-ref/a-b-part12345", 1, "a-b", 12345);
        /* Not a partition suffix: part of the name. */
        check_loop_ref("root=/dev/disk/by-loop-ref/x-part", 1, "x-part", 0);
        check_loop_ref("root=/dev/disk/by-loop-ref/x-part0", 1, "x-part0", 0);
        check_loop_ref("root=/dev/disk/by-loop-ref/x-part02", 1, "x-part02", 0);
        check_loop_ref("root=/dev/disk/by-loop-ref/x-part123456", 1, "x-part123456", 0);
        check_loop_ref("root=/dev/disk/by-loop-ref/-part1", 1, "-part1", 0);
        check_loop_ref("root=/dev/disk/by-loop-ref/xpart1", 1, "xpart1", 0);
        /* Other roots. */
        check_loop_ref("root=/dev/disk/by-label/x", 0, NULL, 0);
        check_loop_ref("root=gpt-auto", 0, NULL, 0);
        check_loop_ref("root=LABEL=/dev/disk/by-loop-ref/x", 0, NULL, 0);

        struct root_spec s = parse_ok("root=/dev/disk/by-loop-ref/a-long-reference-name-part1");
        char small[8];
        ASSERT_EQ(root_spec_loop_ref(&s, small, sizeof(small), NULL), -ENOBUFS);
}

int main(void) {
        test_loop_ref();
        test_kinds();
        test_precedence();
        test_read_only();
        test_errors();
        test_set_what();
        printf("root-spec: ok\n");
        return 0;
}
