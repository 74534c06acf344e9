/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "devnode.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "time-util.h"

void poll_pause(void) {
        struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };

        nanosleep(&ts, NULL);
}

int sysfs_block_exists(const char *sysname) {
        char p[256];

        if (snprintf(p, sizeof(p), "/sys/class/block/%s", sysname) >= (int) sizeof(p))
                return -ENAMETOOLONG;
        return access(p, F_OK) == 0;
}

int udev_running(void) {
        return access("/run/udev/control", F_OK) == 0;
}

static int sysfs_devnum(const char *sysname, dev_t *ret) {
        _cleanup_free_ char *s = NULL;
        char p[256];
        unsigned ma, mi;
        int r;

        if (snprintf(p, sizeof(p), "/sys/class/block/%s/dev", sysname) >= (int) sizeof(p))
                return -ENAMETOOLONG;
        r = read_full_file(p, 64, &s, NULL);
        if (r < 0)
                return r;
        if (sscanf(s, "%u:%u", &ma, &mi) != 2)
                return -EBADMSG;
        *ret = makedev(ma, mi);
        return 0;
}

static int is_node_of(const char *path, dev_t devnum) {
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        return S_ISBLK(st.st_mode) && st.st_rdev == devnum;
}

int devnode_wait(const char *dev_dir, const char *sysname, unsigned timeout_ms, char *path, size_t size) {
        char buf[512];
        dev_t devnum = 0;
        int r;

        if (!path) {
                path = buf;
                size = sizeof(buf);
        }
        if (snprintf(path, size, "%s/%s", dev_dir ?: "/dev", sysname) >= (int) size)
                return -ENAMETOOLONG;

        for (uint64_t deadline = now_ms() + timeout_ms;;) {
                if (devnum == 0 && sysfs_devnum(sysname, &devnum) < 0)
                        devnum = 0;
                if (devnum != 0 && is_node_of(path, devnum) > 0)
                        return 0;
                if (now_ms() >= deadline)
                        break;
                poll_pause();
        }

        if (devnum == 0)
                return -ENOENT;

        /* No devtmpfs here (or it is slow): make the node, as udev-less initrds do. A stale node
         * of another device under that name is replaced. */
        (void) unlink(path);
        if (mknod(path, S_IFBLK | 0600, devnum) < 0) {
                r = -errno;
                if (r == -EEXIST && is_node_of(path, devnum) > 0)
                        return 0;
                return log_error_errno(r, "cannot create device node %s", path);
        }
        log_debug("created device node %s (%u:%u)", path, major(devnum), minor(devnum));
        return 0;
}

int partition_node_name(const char *whole, unsigned partno, char *buf, size_t size) {
        size_t n = strlen(whole);
        /* The kernel appends 'p' when the disk name ends in a digit (loop0p1, nvme0n1p1). */
        bool p = n > 0 && whole[n - 1] >= '0' && whole[n - 1] <= '9';

        if (partno == 0 || snprintf(buf, size, "%s%s%u", whole, p ? "p" : "", partno) >= (int) size)
                return -EINVAL;
        return 0;
}
