/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sink.h"
#include "templock.h"

/* mkstemp()/mkdtemp() replace exactly this many X's. */
#define TEMP_SUFFIX_LEN 6

static int lock_path(const char *path) {
        /* O_NONBLOCK: the temporary may be a directory or a file; this descriptor is only a lock. */
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

int temp_lock(const char *path) {
        struct stat a, b;
        int fd = lock_path(path);
        if (fd == -ENOENT || fd == -EWOULDBLOCK)
                return -ESTALE;
        if (fd < 0)
                return fd;
        /* Still the one at path: not removed (and replaced) by a sweep before the lock was taken. */
        if (fstat(fd, &a) < 0 || lstat(path, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
                close(fd);
                return -ESTALE;
        }
        return fd;
}

int temp_remove_stale(const char *dir, const char *name) {
        char prefix[512];
        int n = snprintf(prefix, sizeof prefix, ".#pull.%s.", name);
        if (n < 0 || (size_t) n >= sizeof prefix)
                return 0;
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        int removed = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strncmp(de->d_name, prefix, (size_t) n) != 0 || strlen(de->d_name + n) != TEMP_SUFFIX_LEN)
                        continue;
                char path[4096];
                if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path)
                        continue;
                int fd = lock_path(path);
                if (fd == -EWOULDBLOCK) {
                        log_debug("%s is in use by a running pull; leaving it", path);
                        continue;
                }
                if (fd < 0)
                        continue;
                /* Held now: removed under the lock, so no pull can be using it. */
                int r = rm_rf(path);
                close(fd);
                if (r < 0)
                        log_warning_errno(r, "cannot remove %s, left by an interrupted pull", path);
                else {
                        log_info("removed %s, left by an interrupted pull", path);
                        removed++;
                }
        }
        closedir(d);
        return removed;
}
