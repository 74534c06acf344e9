/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sys/mount.h>

#include "mount-opts.h"
#include "test.h"

static void check(const char *options, unsigned long flags_in, unsigned long want_flags, const char *want_data) {
        char data[64];
        unsigned long flags = flags_in;

        ASSERT_EQ(mount_options_parse(options, &flags, data, sizeof(data)), 0);
        if (flags != want_flags)
                TEST_FAIL("'%s': flags %#lx, want %#lx", options ? options : "(null)", flags, want_flags);
        ASSERT_STREQ(data, want_data);
}

int main(void) {
        check(NULL, 0, 0, "");
        check("", 0, 0, "");
        check("defaults", 0, 0, "");
        check("ro", 0, MS_RDONLY, "");
        check("rw", MS_RDONLY, 0, "");
        check("ro,rw", 0, 0, "");
        check("noatime,nodev,nosuid,noexec", 0, MS_NOATIME | MS_NODEV | MS_NOSUID | MS_NOEXEC, "");
        check("exec", MS_NOEXEC, 0, "");
        check("data=ordered,noatime,errors=remount-ro", 0, MS_NOATIME, "data=ordered,errors=remount-ro");
        check("subvol=@,compress=zstd", 0, 0, "subvol=@,compress=zstd");
        check("x-systemd.device-timeout=0,nofail,_netdev,discard", 0, 0, "discard");
        check(",,noatime,,", 0, MS_NOATIME, "");
        check("lazytime,relatime,strictatime", 0, MS_LAZYTIME | MS_RELATIME | MS_STRICTATIME, "");
        /* Names are exact: "roo" is file-system data. */
        check("roo,rwx", 0, 0, "roo,rwx");

        /* Too long for the buffer: an error, not a truncated option. */
        char small[8];
        unsigned long f = 0;
        ASSERT_EQ(mount_options_parse("data=writeback", &f, small, sizeof(small)), -ENOBUFS);
        ASSERT_EQ(mount_options_parse("abc", &f, small, 0), -ENOBUFS);
        printf("mount-opts: ok\n");
        return 0;
}
