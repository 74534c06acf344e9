/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "pull/sha256sums.h"
#include "pull/sink.h"
#include "pull/space.h"
#include "pull/verify.h"
#include "store-cache.h"

#define RECORD_SUFFIX ".pullboot-cache"
#define RECORD_MAX (16 * 1024)
#define HASH_CHUNK (1024 * 1024)
#define MAX_CANDIDATES 256

int store_record_path(const char *target, char *buf, size_t size) {
        const char *slash = strrchr(target, '/');
        int n = slash ? snprintf(buf, size, "%.*s/.%s" RECORD_SUFFIX, (int) (slash - target), target, slash + 1)
                      : snprintf(buf, size, ".%s" RECORD_SUFFIX, target);
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

static int set_value(char *dst, size_t size, const char *v) {
        size_t n = strlen(v);
        if (n >= size)
                return -EBADMSG;
        memcpy(dst, v, n + 1);
        return 0;
}

int store_record_read(const char *target, struct store_record *ret) {
        _cleanup_free_ char *text = NULL;
        char path[PATH_MAX];
        int r;

        *ret = (struct store_record) {};
        r = store_record_path(target, path, sizeof path);
        if (r < 0)
                return r;
        r = read_full_file(path, RECORD_MAX, &text, NULL);
        if (r < 0)
                return r == -EFBIG ? -EBADMSG : r;

        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                char *eq = strchr(line, '=');
                if (!eq)
                        return -EBADMSG;
                *eq = 0;
                const char *v = eq + 1;
                if (strcmp(line, "url") == 0)
                        r = set_value(ret->url, sizeof ret->url, v);
                else if (strcmp(line, "etag") == 0)
                        r = set_value(ret->etag, sizeof ret->etag, v);
                else if (strcmp(line, "last-modified") == 0)
                        r = set_value(ret->last_modified, sizeof ret->last_modified, v);
                else if (strcmp(line, "download-sha256") == 0) {
                        r = sha256_from_hex(v, strlen(v), ret->download_sha256) < 0 ? -EBADMSG : 0;
                        ret->has_download_sha256 = r == 0;
                } else if (strcmp(line, "image-sha256") == 0) {
                        r = sha256_from_hex(v, strlen(v), ret->image_sha256) < 0 ? -EBADMSG : 0;
                        ret->has_image_sha256 = r == 0;
                } else
                        r = 0;   /* a newer pullboot's field */
                if (r < 0)
                        return r;
        }
        return ret->url[0] ? 0 : -EBADMSG;
}

/* Appends "key=value\n" when value is not empty; -ENAMETOOLONG when it does not fit. */
static int put(char *buf, size_t size, size_t *len, const char *key, const char *value) {
        if (!value[0])
                return 0;
        int n = snprintf(buf + *len, size - *len, "%s=%s\n", key, value);
        if (n < 0 || (size_t) n >= size - *len)
                return -ENAMETOOLONG;
        *len += (size_t) n;
        return 0;
}

int store_record_write(const char *target, const struct store_record *r) {
        char path[PATH_MAX], text[RECORD_MAX], d[65] = "", i[65] = "";
        size_t len = 0;
        int k;

        if (strpbrk(r->url, "\r\n") || strpbrk(r->etag, "\r\n") || strpbrk(r->last_modified, "\r\n"))
                return -EINVAL;
        k = store_record_path(target, path, sizeof path);
        if (k < 0)
                return k;
        if (r->has_download_sha256)
                sha256_to_hex(r->download_sha256, d);
        if (r->has_image_sha256)
                sha256_to_hex(r->image_sha256, i);
        if ((k = put(text, sizeof text, &len, "url", r->url)) < 0 ||
            (k = put(text, sizeof text, &len, "etag", r->etag)) < 0 ||
            (k = put(text, sizeof text, &len, "last-modified", r->last_modified)) < 0 ||
            (k = put(text, sizeof text, &len, "download-sha256", d)) < 0 ||
            (k = put(text, sizeof text, &len, "image-sha256", i)) < 0)
                return k;
        return write_file_atomic(path, text, len, 0644);
}

void store_record_remove(const char *target) {
        char path[PATH_MAX];
        if (store_record_path(target, path, sizeof path) == 0)
                (void) unlink(path);
}

int store_file_sha256(const char *path, uint8_t ret[32]) {
        struct sha256_ctx *c = NULL;
        _cleanup_free_ char *buf = malloc(HASH_CHUNK);
        int fd, r;

        if (!buf)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        r = sha256_new(&c);
        while (r >= 0) {
                ssize_t n = read(fd, buf, HASH_CHUNK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        r = -errno;
                else if (n == 0)
                        break;
                else
                        r = sha256_update(c, buf, (size_t) n);
        }
        if (r >= 0)
                r = sha256_final(c, ret);
        sha256_free(c);
        close(fd);
        return r;
}

struct candidate {
        char rel[PATH_MAX];       /* CLASS/NAME below the store's root */
        struct timespec used;
        uint64_t bytes;
};

static bool kept(const char *rel, char *const *keep, size_t n_keep) {
        for (size_t i = 0; i < n_keep; i++)
                if (strcmp(keep[i], rel) == 0)
                        return true;
        return false;
}

/* Allocated bytes of a file or tree (what removing it frees). */
static uint64_t allocated(int dirfd, const char *name, unsigned depth) {
        struct stat st;
        uint64_t sum;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        sum = (uint64_t) st.st_blocks * 512;
        if (!S_ISDIR(st.st_mode) || depth > 64)
                return sum;
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *de;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return sum;
        }
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        sum += allocated(fd, de->d_name, depth + 1);
        closedir(d);
        return sum;
}

/* The images of one class directory (not hidden names: records, temporaries). */
static void collect(const char *root, const char *class, struct candidate *c, size_t *n) {
        char dir[PATH_MAX];
        DIR *d;
        struct dirent *de;

        if (snprintf(dir, sizeof dir, "%s/%s", root, class) >= (int) sizeof dir || !(d = opendir(dir)))
                return;
        while ((de = readdir(d)) && *n < MAX_CANDIDATES) {
                struct candidate *x = &c[*n];
                char image[PATH_MAX], record[PATH_MAX];
                struct stat st;

                if (de->d_name[0] == '.' ||
                    snprintf(x->rel, sizeof x->rel, "%s/%s", class, de->d_name) >= (int) sizeof x->rel ||
                    snprintf(image, sizeof image, "%s/%s", dir, de->d_name) >= (int) sizeof image ||
                    lstat(image, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
                        continue;
                x->used = st.st_mtim;
                if (store_record_path(image, record, sizeof record) == 0 && stat(record, &st) == 0)
                        x->used = st.st_mtim;
                x->bytes = allocated(dirfd(d), de->d_name, 0);
                (*n)++;
        }
        closedir(d);
}

static int by_use(const void *a, const void *b) {
        const struct candidate *x = a, *y = b;
        if (x->used.tv_sec != y->used.tv_sec)
                return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
        if (x->used.tv_nsec != y->used.tv_nsec)
                return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
        return strcmp(x->rel, y->rel);
}

int store_evict(const char *root, char *const *keep, size_t n_keep, uint64_t need) {
        static const char *const classes[] = { "machines", "portables", "extensions", "confexts" };
        _cleanup_free_ struct candidate *c = calloc(MAX_CANDIDATES, sizeof *c);
        size_t n = 0;
        int removed = 0;

        if (!c)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(classes); i++)
                collect(root, classes[i], c, &n);
        qsort(c, n, sizeof *c, by_use);

        for (size_t i = 0; i < n; i++) {
                char path[PATH_MAX], size[32];
                uint64_t avail = 0;

                if (need > 0 && space_free(root, &avail) == 0 && avail >= need)
                        break;
                if (kept(c[i].rel, keep, n_keep))
                        continue;
                snprintf(path, sizeof path, "%s/%s", root, c[i].rel);
                int r = rm_rf(path);
                if (r < 0) {
                        log_warning_errno(r, "cannot evict %s from the image store", c[i].rel);
                        continue;
                }
                store_record_remove(path);
                log_info("evicted %s (%s) from the image store: no image of this boot is named so",
                         c[i].rel, format_bytes(c[i].bytes, size, sizeof size));
                removed++;
        }
        return removed;
}
