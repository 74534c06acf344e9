/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The image store's mounts must outlive the booted system's shutdown transaction: the loop device
 * of the root holds its image file open, so systemd's "umount" of /run/machines or of the store
 * would fail and print a red [FAILED] at every poweroff. systemd leaves a mount made in the
 * initrd alone until its final shutdown when it carries the option x-initrd.mount
 * (systemd.mount(5)); for a mount it did not make, it reads such userspace options from libmount's
 * /run/mount/utab, which /run carries across switch_root. So each store mount gets a utab line
 * naming it as libmount matches it: source, target and root as in /proc/self/mountinfo.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "store.h"

#define UTAB_DIR "/run/mount"
#define UTAB UTAB_DIR "/utab"

/* mountinfo: ID PARENT MAJ:MIN ROOT TARGET OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
static int find_mount(const char *target, char *root, size_t root_size, char *source, size_t source_size) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096];
        bool found = false;

        if (!f)
                return -errno;
        while (fgets(line, sizeof line, f)) {
                char r[PATH_MAX], t[PATH_MAX], src[PATH_MAX];
                const char *dash = strstr(line, " - ");

                if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", r, t) != 2 ||
                    sscanf(dash + 3, "%*s %4095s", src) != 1 || strcmp(t, target) != 0)
                        continue;
                /* The last one is on top. */
                snprintf(root, root_size, "%s", r);
                snprintf(source, source_size, "%s", src);
                found = true;
        }
        return found ? 0 : -ENOENT;
}

int store_mark_initrd_mount(const char *target) {
        char root[PATH_MAX], source[PATH_MAX];
        int r;

        r = find_mount(target, root, sizeof root, source, sizeof source);
        if (r < 0)
                return log_warning_errno(r, "cannot find the mount %s to mark it x-initrd.mount", target);
        if (mkdir(UTAB_DIR, 0755) < 0 && errno != EEXIST)
                return log_warning_errno(-errno, "cannot create %s", UTAB_DIR);
        _cleanup_close_ int fd = open(UTAB, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_warning_errno(-errno, "cannot open %s", UTAB);
        if (dprintf(fd, "SRC=%s TARGET=%s ROOT=%s OPTS=x-initrd.mount\n", source, target, root) < 0)
                return log_warning_errno(-EIO, "cannot write %s", UTAB);
        return 0;
}
