/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "log.h"
#include "macro.h"
#include "mounts.h"

#define EFIVARFS_PATH "/sys/firmware/efi/efivars"

struct api_mount {
        const char *what, *where, *type, *options;
        unsigned long flags;
        bool fatal;
};

/* /run holds the pulled images (the loop devices' backing files), so it may use most of the
 * memory; the pull engine checks the free space before writing. */
static const struct api_mount api_mounts[] = {
        { "proc", "/proc", "proc", NULL, MS_NOSUID | MS_NOEXEC | MS_NODEV, true },
        { "sysfs", "/sys", "sysfs", NULL, MS_NOSUID | MS_NOEXEC | MS_NODEV, true },
        { "devtmpfs", "/dev", "devtmpfs", "mode=0755", MS_NOSUID, true },
        { "devpts", "/dev/pts", "devpts", "mode=0620,gid=5,ptmxmode=0666", MS_NOSUID | MS_NOEXEC, false },
        { "tmpfs", "/dev/shm", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV, false },
        { "tmpfs", "/run", "tmpfs", "mode=0755,size=80%", MS_NOSUID | MS_NODEV, true },
};

int mounts_is_mount_point(const char *path) {
        char parent[4096];
        struct stat a, b;

        if (strcmp(path, "/") == 0)
                return 1;
        if (snprintf(parent, sizeof parent, "%s/..", path) >= (int) sizeof parent)
                return -ENAMETOOLONG;
        if (stat(path, &a) < 0 || stat(parent, &b) < 0)
                return -errno;
        return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

static int mount_one(const struct api_mount *m) {
        if (mkdir(m->where, 0755) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "cannot create %s", m->where);
        if (mounts_is_mount_point(m->where) > 0)
                return 0;
        if (mount(m->what, m->where, m->type, m->flags, m->options) < 0)
                return log_errno(m->fatal ? LOG_LEVEL_ERROR : LOG_LEVEL_WARNING, -errno,
                                 "cannot mount %s on %s", m->type, m->where);
        return 0;
}

int mounts_api_filesystems(void) {
        for (size_t i = 0; i < ELEMENTSOF(api_mounts); i++) {
                int r = mount_one(&api_mounts[i]);
                if (r < 0 && api_mounts[i].fatal)
                        return r;
        }
        return 0;
}

int mounts_efivarfs(void) {
        if (access("/sys/firmware/efi", F_OK) < 0)
                return -ENOENT;
        if (mounts_is_mount_point(EFIVARFS_PATH) > 0)
                return 0;
        if (mount("efivarfs", EFIVARFS_PATH, "efivarfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
                return -errno;
        return 0;
}
