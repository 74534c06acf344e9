/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>

#include "mount-opts.h"

static const struct {
        const char *name;
        unsigned long flag;
        bool clear;
} mount_flags[] = {
        { "ro", MS_RDONLY, false },
        { "rw", MS_RDONLY, true },
        { "nosuid", MS_NOSUID, false },
        { "suid", MS_NOSUID, true },
        { "nodev", MS_NODEV, false },
        { "dev", MS_NODEV, true },
        { "noexec", MS_NOEXEC, false },
        { "exec", MS_NOEXEC, true },
        { "sync", MS_SYNCHRONOUS, false },
        { "async", MS_SYNCHRONOUS, true },
        { "dirsync", MS_DIRSYNC, false },
        { "noatime", MS_NOATIME, false },
        { "atime", MS_NOATIME, true },
        { "nodiratime", MS_NODIRATIME, false },
        { "diratime", MS_NODIRATIME, true },
        { "relatime", MS_RELATIME, false },
        { "norelatime", MS_RELATIME, true },
        { "strictatime", MS_STRICTATIME, false },
        { "nostrictatime", MS_STRICTATIME, true },
        { "lazytime", MS_LAZYTIME, false },
        { "nolazytime", MS_LAZYTIME, true },
        { "silent", MS_SILENT, false },
        { "loud", MS_SILENT, true },
        { "mand", MS_MANDLOCK, false },
        { "nomand", MS_MANDLOCK, true },
};

static const char *const fstab_only[] = {
        "defaults", "auto", "noauto", "nofail", "_netdev", "user", "nouser", "users", "owner", "group",
};

int mount_options_parse(const char *options, unsigned long *flags, char *data, size_t size) {
        size_t len = 0;

        if (size == 0)
                return -ENOBUFS;
        data[0] = '\0';

        for (const char *p = options ?: ""; *p;) {
                const char *e = strchrnul(p, ',');
                size_t n = (size_t) (e - p);
                bool done = n == 0;

                for (size_t i = 0; !done && i < sizeof(mount_flags) / sizeof(mount_flags[0]); i++)
                        if (strlen(mount_flags[i].name) == n && strncmp(p, mount_flags[i].name, n) == 0) {
                                if (mount_flags[i].clear)
                                        *flags &= ~mount_flags[i].flag;
                                else
                                        *flags |= mount_flags[i].flag;
                                done = true;
                        }
                for (size_t i = 0; !done && i < sizeof(fstab_only) / sizeof(fstab_only[0]); i++)
                        if (strlen(fstab_only[i]) == n && strncmp(p, fstab_only[i], n) == 0)
                                done = true;
                if (!done && n >= 2 && strncmp(p, "x-", 2) == 0)
                        done = true;

                if (!done) {
                        if (len + (len > 0) + n + 1 > size)
                                return -ENOBUFS;
                        if (len > 0)
                                data[len++] = ',';
                        memcpy(data + len, p, n);
                        len += n;
                        data[len] = '\0';
                }
                p = *e ? e + 1 : e;
        }
        return 0;
}
