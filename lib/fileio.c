/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

ssize_t read_up_to(int fd, void *buf, size_t n) {
        uint8_t *p = buf;
        size_t got = 0;

        while (got < n) {
                ssize_t k = read(fd, p + got, n - got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                got += (size_t) k;
        }
        return (ssize_t) got;
}

int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;

        for (;;) {
                if (alloc - size < 4096) {
                        size_t n = alloc ? alloc * 2 : 4096;
                        if (n > max + 1)
                                n = max + 1;
                        if (n <= size)
                                return -EFBIG;
                        char *p = realloc(buf, n + 1);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        alloc = n;
                }
                size_t want = alloc - size;
                ssize_t k = read_up_to(fd, buf + size, want);
                if (k < 0)
                        return (int) k;
                size += (size_t) k;
                if (size > max)
                        return -EFBIG;
                if ((size_t) k < want)
                        break;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, max, ret, ret_size);
}

int write_full_fd(int fd, const void *buf, size_t n) {
        const char *p = buf;

        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

int read_exact_fd(int fd, void *buf, size_t n) {
        ssize_t k = read_up_to(fd, buf, n);
        if (k < 0)
                return (int) k;
        return (size_t) k < n ? -EPIPE : 0;
}

int pread_exact(int fd, void *buf, size_t n, uint64_t off) {
        uint8_t *p = buf;

        while (n > 0) {
                ssize_t k = pread(fd, p, n, (off_t) off);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -EIO;
                p += k;
                off += (uint64_t) k;
                n -= (size_t) k;
        }
        return 0;
}

int pwrite_full(int fd, const void *buf, size_t n, uint64_t off) {
        const uint8_t *p = buf;

        while (n > 0) {
                ssize_t k = pwrite(fd, p, n, (off_t) off);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                p += k;
                off += (uint64_t) k;
                n -= (size_t) k;
        }
        return 0;
}

/* The directory that holds path, so the rename itself can be made durable. */
static int fsync_parent(const char *path) {
        _cleanup_free_ char *dir = strdup(path);
        char *slash;

        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (!slash)
                strcpy(dir, ".");
        else if (slash == dir)
                dir[1] = '\0';
        else
                *slash = '\0';
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

/* Temporary file beside path with data, mode (and owner, if st is given), fsync'd, renamed over
 * path, then the directory fsync'd. */
static int replace_file(const char *path, const void *data, size_t size, unsigned mode, const struct stat *st) {
        _cleanup_free_ char *tmp = NULL;

        if (asprintf(&tmp, "%s.pbtmp.XXXXXX", path) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;

        int r = write_full_fd(fd, data, size);
        if (r < 0)
                goto fail;
        /* chown first: it may clear the mode's set-id bits, fchmod then restores them. */
        if ((st && fchown(fd, st->st_uid, st->st_gid) < 0) || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
                r = -errno;
                goto fail;
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }
        return fsync_parent(path);
fail:
        unlink(tmp);
        return r;
}

int write_file_atomic(const char *path, const void *data, size_t size, unsigned mode) {
        struct stat st;

        if (stat(path, &st) == 0)
                mode = st.st_mode & 07777;
        return replace_file(path, data, size, mode, NULL);
}

int write_file_replace(const char *path, const void *data, size_t size) {
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        return replace_file(path, data, size, st.st_mode & 07777, &st);
}

int read_string_or_at_file(const char *arg, size_t max, char **ret) {
        if (arg[0] == '@')
                return read_full_file(arg + 1, max, ret, NULL);
        char *s = strdup(arg);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int mkdir_p(const char *path, unsigned mode) {
        char buf[PATH_MAX];
        struct stat st;
        size_t n = strlen(path);

        if (n == 0)
                return -EINVAL;
        if (n >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, n + 1);
        for (char *p = buf + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char c = *p;
                *p = '\0';
                /* EEXIST alone does not say the thing in the way is a directory. */
                if (mkdir(buf, mode) < 0) {
                        if (errno != EEXIST)
                                return -errno;
                        if (stat(buf, &st) < 0)
                                return -errno;
                        if (!S_ISDIR(st.st_mode))
                                return -ENOTDIR;
                }
                if (c == '\0')
                        return 0;
                *p = c;
        }
}

int mkdir_parents(const char *path, unsigned mode) {
        char buf[PATH_MAX];
        const char *slash = strrchr(path, '/');

        if (!slash || slash == path)
                return 0;
        size_t n = (size_t) (slash - path);
        if (n >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, n);
        buf[n] = '\0';
        return mkdir_p(buf, mode);
}

int symlink_replace(const char *target, const char *path) {
        const char *slash = strrchr(path, '/');
        int dir_len = slash ? (int) (slash - path) : 0;
        const char *name = slash ? slash + 1 : path;
        char tmp[PATH_MAX];

        if (snprintf(tmp, sizeof tmp, "%.*s%s.#%s.%d", dir_len, path, slash ? "/" : "", name, (int) getpid()) >=
            (int) sizeof tmp)
                return -ENAMETOOLONG;
        (void) unlink(tmp);
        if (symlink(target, tmp) < 0)
                return -errno;
        if (rename(tmp, path) < 0) {
                int r = -errno;
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

int symlink_replace_in(const char *dir, const char *name, const char *target) {
        char path[PATH_MAX];

        if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int) sizeof path)
                return -ENAMETOOLONG;
        return symlink_replace(target, path);
}
