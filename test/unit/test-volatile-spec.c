/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* initrd/plan/volatile-spec.c: systemd.volatile= as systemd reads it, and pullboot.overlay=. */
#include "test.h"
#include "volatile-root.h"

static void check_mode(const char *cmdline, enum volatile_mode want, bool want_ignored) {
        struct volatile_spec v;
        struct pb_diag diag = {};

        if (volatile_spec_from_cmdline(pb_span_from_str(cmdline), &v, &diag) != 0)
                TEST_FAIL("\"%s\": refused: %s", cmdline, diag.reason);
        if (v.mode != want)
                TEST_FAIL("\"%s\": mode %s, expected %s", cmdline, volatile_mode_to_string(v.mode),
                          volatile_mode_to_string(want));
        if (want_ignored != (v.ignored[0] != '\0'))
                TEST_FAIL("\"%s\": ignored \"%s\", expected %s", cmdline, v.ignored, want_ignored ? "a reason" : "none");
        ASSERT_EQ(v.upper.kind, ROOT_UNSET);
}

static void test_values(void) {
        /* systemd's volatile_mode_from_string(): parse_boolean() first, then the two words. */
        static const char *const yes[] = { "yes", "1", "y", "true", "t", "on", "YES", "True", "On" };
        static const char *const no[] = { "no", "0", "n", "false", "f", "off", "NO", "Off" };
        static const char *const bad[] = { "", "overlayfs", "Overlay", "STATE", "2", "tmpfs", "yes ", "o" };
        enum volatile_mode m;

        for (size_t i = 0; i < PB_ELEMENTSOF(yes); i++) {
                ASSERT_EQ(volatile_mode_from_string(pb_span_from_str(yes[i]), &m), 0);
                ASSERT_EQ(m, VOLATILE_YES);
        }
        for (size_t i = 0; i < PB_ELEMENTSOF(no); i++) {
                ASSERT_EQ(volatile_mode_from_string(pb_span_from_str(no[i]), &m), 0);
                ASSERT_EQ(m, VOLATILE_NO);
        }
        ASSERT_EQ(volatile_mode_from_string(pb_span_from_str("state"), &m), 0);
        ASSERT_EQ(m, VOLATILE_STATE);
        ASSERT_EQ(volatile_mode_from_string(pb_span_from_str("overlay"), &m), 0);
        ASSERT_EQ(m, VOLATILE_OVERLAY);
        for (size_t i = 0; i < PB_ELEMENTSOF(bad); i++)
                if (volatile_mode_from_string(pb_span_from_str(bad[i]), &m) != -EINVAL)
                        TEST_FAIL("\"%s\" accepted as a volatile mode", bad[i]);

        ASSERT_STREQ(volatile_mode_to_string(VOLATILE_OVERLAY), "overlay");
        ASSERT_TRUE(volatile_mode_to_string(_VOLATILE_MODE_MAX) == NULL);
        ASSERT_TRUE(volatile_mode_protects_image(VOLATILE_OVERLAY));
        ASSERT_TRUE(volatile_mode_protects_image(VOLATILE_YES));
        ASSERT_TRUE(!volatile_mode_protects_image(VOLATILE_STATE));
        ASSERT_TRUE(!volatile_mode_protects_image(VOLATILE_NO));
}

static void test_cmdline(void) {
        check_mode("", VOLATILE_NO, false);
        check_mode("root=gpt-auto quiet", VOLATILE_NO, false);
        check_mode("systemd.volatile=overlay", VOLATILE_OVERLAY, false);
        check_mode("systemd.volatile=state root=gpt-auto", VOLATILE_STATE, false);
        check_mode("systemd.volatile=off", VOLATILE_NO, false);
        check_mode("systemd.volatile=\"overlay\"", VOLATILE_OVERLAY, false);
        /* the last value wins */
        check_mode("systemd.volatile=state systemd.volatile=overlay", VOLATILE_OVERLAY, false);
        check_mode("systemd.volatile=overlay systemd.volatile=no", VOLATILE_NO, false);
        /* the bare word is "yes", but does not undo an earlier value */
        check_mode("systemd.volatile", VOLATILE_YES, false);
        check_mode("systemd.volatile=state systemd.volatile", VOLATILE_STATE, false);
        /* the key is plain: systemd-volatile-root does not read an rd. form */
        check_mode("rd.systemd.volatile=overlay", VOLATILE_NO, false);
        check_mode("systemd.volatileX=overlay systemd.volatile_mode=yes", VOLATILE_NO, false);
        /* after "--" the words are init's */
        check_mode("quiet -- systemd.volatile=overlay", VOLATILE_NO, false);
        /* unknown values: ignored with a reason, as systemd logs and carries on */
        check_mode("systemd.volatile=overlayfs", VOLATILE_NO, true);
        check_mode("systemd.volatile=", VOLATILE_NO, true);
        check_mode("systemd.volatile=yes systemd.volatile=bogus", VOLATILE_NO, true);

        struct volatile_spec v;
        ASSERT_EQ(volatile_spec_from_cmdline(pb_span_from_str("systemd.volatile=bogus"), &v, NULL), 0);
        ASSERT_STREQ(v.ignored, "unknown value 'bogus'");
        char longv[200] = "systemd.volatile=";
        memset(longv + strlen(longv), 'x', 150);
        ASSERT_EQ(volatile_spec_from_cmdline(pb_span_from_str(longv), &v, NULL), 0);
        ASSERT_EQ(strlen(v.ignored), strlen("unknown value ''...") + 64);
}

static void check_upper(const char *cmdline, enum root_kind kind, const char *what) {
        struct volatile_spec v;
        struct pb_diag diag = {};

        if (volatile_spec_from_cmdline(pb_span_from_str(cmdline), &v, &diag) != 0)
                TEST_FAIL("\"%s\": refused: %s", cmdline, diag.reason);
        ASSERT_EQ(v.mode, VOLATILE_OVERLAY);
        ASSERT_EQ(v.upper.kind, kind);
        ASSERT_STREQ(v.upper.what, what);
}

static void check_upper_refused(const char *cmdline) {
        struct volatile_spec v;
        struct pb_diag diag = {};

        if (volatile_spec_from_cmdline(pb_span_from_str(cmdline), &v, &diag) != -EINVAL)
                TEST_FAIL("\"%s\" accepted", cmdline);
        ASSERT_TRUE(diag.reason != NULL);
}

static void test_overlay_upper(void) {
        check_upper("pullboot.overlay=PARTLABEL=upper", ROOT_PARTLABEL, "upper");
        check_upper("systemd.volatile=overlay pullboot.overlay=PARTUUID=0f1e2d3c-aaaa-bbbb-cccc-0123456789ab",
                    ROOT_PARTUUID, "0f1e2d3c-aaaa-bbbb-cccc-0123456789ab");
        check_upper("rd.pullboot.overlay=/dev/vdb1", ROOT_DEVICE, "/dev/vdb1");
        check_upper("pullboot.overlay=LABEL=a pullboot.overlay=UUID=b", ROOT_UUID, "b");
        /* an unknown systemd.volatile= is ignored, the upper still asks for an overlay */
        check_upper("systemd.volatile=bogus pullboot.overlay=LABEL=x", ROOT_LABEL, "x");
        /* empty: as if not given */
        check_mode("pullboot.overlay=", VOLATILE_NO, false);

        check_upper_refused("pullboot.overlay=vdb1");
        check_upper_refused("pullboot.overlay=gpt-auto");
        check_upper_refused("pullboot.overlay=tmpfs");
        check_upper_refused("pullboot.overlay=bind:/x");
        check_upper_refused("pullboot.overlay=UUID=");
        check_upper_refused("systemd.volatile=state pullboot.overlay=PARTLABEL=x");
        check_upper_refused("systemd.volatile=yes pullboot.overlay=PARTLABEL=x");
        check_upper_refused("systemd.volatile=no pullboot.overlay=PARTLABEL=x");
}

int main(void) {
        test_values();
        test_cmdline();
        test_overlay_upper();
        printf("ok\n");
        return 0;
}
