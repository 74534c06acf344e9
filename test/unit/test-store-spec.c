/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* initrd/plan/store-spec.c: pullboot.store=, pullboot.store-format= and the tmpfs store's size cap. */
#include "store.h"
#include "test.h"

#define MIB (1024ULL * 1024ULL)
#define GIB (1024ULL * MIB)

static void check(const char *cmdline, int want_r, enum store_kind want_kind, bool want_format) {
        struct store_spec s;
        struct pb_diag diag = {};
        int r = store_spec_from_cmdline(pb_span_from_str(cmdline), &s, &diag);

        if (r != want_r)
                TEST_FAIL("\"%s\": %d (%s), expected %d", cmdline, r, diag.reason ? diag.reason : "-", want_r);
        if (r < 0)
                return;
        ASSERT_EQ(s.kind, want_kind);
        ASSERT_EQ(s.format, want_format);
}

static void test_cmdline(void) {
        check("", 0, STORE_TMPFS, false);
        check("pullboot.store=tmpfs", 0, STORE_TMPFS, false);
        check("pullboot.store=", 0, STORE_TMPFS, false);
        check("pullboot.store=PARTLABEL=pb", 0, STORE_DISK, false);
        check("rd.pullboot.store=PARTUUID=0fc63daf-8483-4772-8e79-3d69d8477de4", 0, STORE_DISK, false);
        check("pullboot.store=/dev/vdb1 pullboot.store-format=yes", 0, STORE_DISK, true);
        check("pullboot.store=/dev/vdb1 pullboot.store-format", 0, STORE_DISK, true);
        check("pullboot.store=/dev/vdb1 pullboot.store-format=no", 0, STORE_DISK, false);
        /* The last one wins, tmpfs included. */
        check("pullboot.store=/dev/vdb1 rd.pullboot.store=tmpfs", 0, STORE_TMPFS, false);
        check("pullboot.store=tmpfs pullboot.store=LABEL=x", 0, STORE_DISK, false);
        /* Not a partition, or formatting nothing. */
        check("pullboot.store=bind:/x", -EINVAL, 0, false);
        check("pullboot.store=gpt-auto", -EINVAL, 0, false);
        check("pullboot.store=relative", -EINVAL, 0, false);
        check("pullboot.store-format=yes", -EINVAL, 0, false);
        check("pullboot.store=/dev/vdb pullboot.store-format=perhaps", -EINVAL, 0, false);

        struct store_spec s;
        ASSERT_EQ(store_spec_from_cmdline(pb_span_from_str("pullboot.store=PARTLABEL=pb-store"), &s, NULL), 0);
        ASSERT_EQ(s.device.kind, ROOT_PARTLABEL);
        ASSERT_EQ(strcmp(s.device.what, "pb-store"), 0);
}

static void test_size(void) {
        /* Unknown need: three quarters of RAM. */
        ASSERT_EQ(store_tmpfs_size(1024 * MIB, 0), 768 * MIB);
        /* Small images: at least 16 MiB of margin. */
        ASSERT_EQ(store_tmpfs_size(1024 * MIB, 100 * MIB), 116 * MIB);
        /* Large ones: 1/16. */
        ASSERT_EQ(store_tmpfs_size(8 * GIB, 1 * GIB), 1 * GIB + 64 * MIB);
        /* Never above nine tenths of RAM, even when the images need more. */
        ASSERT_EQ(store_tmpfs_size(1000 * MIB, 950 * MIB), 900 * MIB);
        ASSERT_EQ(store_tmpfs_size(1000 * MIB, 890 * MIB), 900 * MIB);
        ASSERT_EQ(store_tmpfs_size(1000 * MIB, UINT64_MAX), 900 * MIB);
}

int main(void) {
        test_cmdline();
        test_size();
        printf("ok\n");
        return 0;
}
