/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "credential.h"
#include "test.h"

static struct pb_span S(const char *s) {
        return pb_span_make(s, strlen(s));
}

static void test_cmdline(void) {
        struct pb_credential c;

        ASSERT_EQ(pb_credential_from_cmdline(S("quiet systemd.set_credential=import.pull:raw:root:x.raw ro"),
                                             "import.pull", &c), 1);
        ASSERT_SPANEQ(c.value, "raw:root:x.raw");
        ASSERT_TRUE(!c.base64);

        /* the value keeps later colons and '='; quotes around the value are the kernel's */
        ASSERT_EQ(pb_credential_from_cmdline(S("systemd.set_credential=\"import.pull:a:b=c d\""), "import.pull", &c), 1);
        ASSERT_SPANEQ(c.value, "a:b=c d");

        ASSERT_EQ(pb_credential_from_cmdline(S("systemd.set_credential_binary=import.pull:cmF3Cg=="),
                                             "import.pull", &c), 1);
        ASSERT_SPANEQ(c.value, "cmF3Cg==");
        ASSERT_TRUE(c.base64);

        /* '-' and '_' are the same in keys, as everywhere on the kernel command line */
        ASSERT_EQ(pb_credential_from_cmdline(S("systemd.set-credential=import.pull:v"), "import.pull", &c), 1);

        /* the first assignment wins; other names, no colon, no value, rd. prefix: ignored */
        ASSERT_EQ(pb_credential_from_cmdline(S("systemd.set_credential=other:1 systemd.set_credential=import.pull "
                                               "systemd.set_credential rd.systemd.set_credential=import.pull:rd "
                                               "systemd.set_credential=import.pull:first "
                                               "systemd.set_credential=import.pull:second"),
                                             "import.pull", &c), 1);
        ASSERT_SPANEQ(c.value, "first");

        /* a name that merely starts with the one asked for, an empty value, after "--" */
        ASSERT_EQ(pb_credential_from_cmdline(S("systemd.set_credential=import.pullx:1"), "import.pull", &c), 0);
        ASSERT_EQ(pb_credential_from_cmdline(S("systemd.set_credential=import.pull:"), "import.pull", &c), 1);
        ASSERT_EQ(c.value.len, 0);
        ASSERT_EQ(pb_credential_from_cmdline(S("-- systemd.set_credential=import.pull:x"), "import.pull", &c), 0);
        ASSERT_EQ(pb_credential_from_cmdline(S(""), "import.pull", &c), 0);
}

/* Builds a type 11 structure: 5-byte formatted area, the strings, the terminating empty string. */
static size_t smbios11(uint8_t *buf, const char *const *strings, size_t n) {
        size_t pos = 5;
        buf[0] = 11;
        buf[1] = 5;
        buf[2] = 0x34;
        buf[3] = 0x12;
        buf[4] = (uint8_t) n;
        for (size_t i = 0; i < n; i++) {
                size_t l = strlen(strings[i]) + 1;
                memcpy(buf + pos, strings[i], l);
                pos += l;
        }
        buf[pos++] = 0;
        if (n == 0)
                buf[pos++] = 0;
        return pos;
}

static void test_smbios(void) {
        uint8_t buf[512];
        struct pb_credential c;
        struct pb_diag d = {};

        static const char *const s1[] = {
                "io.systemd.stub.kernel-cmdline-extra=quiet",
                "io.systemd.credential:other=1",
                "io.systemd.credential:import.pull=raw,blockdev,bootorigin:rootdisk:x.raw.zst",
                "io.systemd.credential:import.pull=second",
        };
        size_t n = smbios11(buf, s1, 4);
        ASSERT_EQ(pb_credential_from_smbios11(pb_span_make((char *) buf, n), "import.pull", &c, &d), 1);
        ASSERT_SPANEQ(c.value, "raw,blockdev,bootorigin:rootdisk:x.raw.zst");
        ASSERT_TRUE(!c.base64);
        ASSERT_EQ(pb_credential_from_smbios11(pb_span_make((char *) buf, n), "missing", &c, &d), 0);

        static const char *const s2[] = { "io.systemd.credential.binary:import.pull=cmF3Cg==" };
        n = smbios11(buf, s2, 1);
        ASSERT_EQ(pb_credential_from_smbios11(pb_span_make((char *) buf, n), "import.pull", &c, &d), 1);
        ASSERT_SPANEQ(c.value, "cmF3Cg==");
        ASSERT_TRUE(c.base64);

        /* no strings at all */
        n = smbios11(buf, NULL, 0);
        ASSERT_EQ(pb_credential_from_smbios11(pb_span_make((char *) buf, n), "import.pull", &c, &d), 0);

        /* the last string without its NUL (a truncated read) still counts */
        n = smbios11(buf, s1 + 2, 1) - 2;
        ASSERT_EQ(pb_credential_from_smbios11(pb_span_make((char *) buf, n), "import.pull", &c, &d), 1);
        ASSERT_SPANEQ(c.value, "raw,blockdev,bootorigin:rootdisk:x.raw.zst");

        /* a longer formatted area (newer SMBIOS) is skipped by its length byte */
        uint8_t long_hdr[] = { 11, 8, 0, 0, 1, 0xaa, 0xbb, 0xcc, 'i', 'o', '.', 's', 'y', 's', 't', 'e', 'm', 'd',
                               '.', 'c', 'r', 'e', 'd', 'e', 'n', 't', 'i', 'a', 'l', ':', 'a', '=', 'b', 0, 0 };
        ASSERT_EQ(pb_credential_from_smbios11(pb_span_make((char *) long_hdr, sizeof long_hdr), "a", &c, &d), 1);
        ASSERT_SPANEQ(c.value, "b");

        /* not type 11, too short, length byte out of range */
        buf[0] = 1;
        ASSERT_EQ(pb_credential_from_smbios11(pb_span_make((char *) buf, n), "import.pull", &c, &d), -EBADMSG);
        ASSERT_STREQ(d.reason, "not an SMBIOS type 11 structure");
        ASSERT_EQ(pb_credential_from_smbios11(pb_span_make((char *) buf, 4), "import.pull", &c, &d), -EBADMSG);
        uint8_t bad_len[] = { 11, 200, 0, 0, 1, 'x', 0, 0 };
        ASSERT_EQ(pb_credential_from_smbios11(pb_span_make((char *) bad_len, sizeof bad_len), "x", &c, &d), -EBADMSG);
        ASSERT_STREQ(d.reason, "SMBIOS structure length out of range");
        uint8_t short_len[] = { 11, 4, 0, 0, 'x', 0, 0 };
        ASSERT_EQ(pb_credential_from_smbios11(pb_span_make((char *) short_len, sizeof short_len), "x", &c, &d), -EBADMSG);
}

static void test_name_valid(void) {
        ASSERT_TRUE(pb_credential_name_valid(S("import.pull")));
        ASSERT_TRUE(!pb_credential_name_valid(S("")));
        ASSERT_TRUE(!pb_credential_name_valid(S(".")));
        ASSERT_TRUE(!pb_credential_name_valid(S("..")));
        ASSERT_TRUE(!pb_credential_name_valid(S("a/b")));
        char longname[300];
        memset(longname, 'a', sizeof longname);
        ASSERT_TRUE(pb_credential_name_valid(pb_span_make(longname, 255)));
        ASSERT_TRUE(!pb_credential_name_valid(pb_span_make(longname, 256)));
}

int main(void) {
        test_cmdline();
        test_smbios();
        test_name_valid();
        printf("credential: all tests passed\n");
        return 0;
}
