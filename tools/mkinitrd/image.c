/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "macro.h"

/* As many symlinks as the kernel follows in one lookup. */
#define MAX_SYMLINKS 40

static void entry_done(struct image_entry *e) {
        free(e->path);
        free(e->source);
        free(e->target);
        free(e->data);
}

void image_done(struct image *img) {
        for (size_t i = 0; i < img->n; i++)
                entry_done(&img->entries[i]);
        free(img->entries);
        *img = (struct image) {};
}

const struct image_entry *image_find(const struct image *img, const char *path) {
        for (size_t i = 0; i < img->n; i++)
                if (strcmp(img->entries[i].path, path) == 0)
                        return &img->entries[i];
        return NULL;
}

/* "/a//b/./c/../d/" -> "/a/b/d". ".." at the root stays at the root, as in a path lookup. */
static int normalize(const char *path, char **ret) {
        if (path[0] != '/')
                return -EINVAL;
        size_t n = strlen(path);
        char *out = malloc(n + 2);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        for (const char *p = path; *p;) {
                while (*p == '/')
                        p++;
                size_t len = strcspn(p, "/");
                if (len == 0)
                        break;
                if (len == 1 && p[0] == '.') {
                } else if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                } else {
                        out[o++] = '/';
                        memcpy(out + o, p, len);
                        o += len;
                }
                p += len;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = 0;
        *ret = out;
        return 0;
}

/* Where a symlink at link_path pointing to target leads, followed by rest (may be ""). */
static int symlink_dest(const char *link_path, const char *target, const char *rest, char **ret) {
        _cleanup_free_ char *joined = NULL;
        int r;
        if (target[0] == '/')
                r = asprintf(&joined, "%s/%s", target, rest);
        else {
                const char *slash = strrchr(link_path, '/');
                r = asprintf(&joined, "%.*s/%s/%s", (int) (slash - link_path), link_path, target, rest);
        }
        if (r < 0)
                return -ENOMEM;
        return normalize(joined, ret);
}

/* The image mirrors the host's symlinks: adds the one at path as it is on the host and returns
 * where it leads, with rest (the components below it) appended. */
static int follow_host_symlink(struct image *img, const char *path, const char *rest, char **ret) {
        char target[PATH_MAX];
        ssize_t k = readlink(path, target, sizeof target - 1);
        if (k < 0)
                return -errno;
        target[k] = 0;
        int r = image_add_symlink(img, path, target);
        if (r < 0)
                return r;
        return symlink_dest(path, target, rest, ret);
}

static int add_entry(struct image *img, struct image_entry *e) {
        for (size_t i = 0; i < img->n; i++) {
                struct image_entry *x = &img->entries[i];
                if (strcmp(x->path, e->path) != 0)
                        continue;
                bool same = x->type == e->type &&
                        (x->type == IMAGE_DIR ||
                         (x->type == IMAGE_FILE && strcmp(x->source, e->source) == 0) ||
                         (x->type == IMAGE_SYMLINK && strcmp(x->target, e->target) == 0) ||
                         (x->type == IMAGE_DATA && x->size == e->size && memcmp(x->data, e->data, e->size) == 0) ||
                         (x->type == IMAGE_CHAR && x->rdev_major == e->rdev_major && x->rdev_minor == e->rdev_minor));
                entry_done(e);
                return same ? 0 : -EEXIST;
        }
        if (img->n == img->allocated) {
                size_t a = img->allocated ? img->allocated * 2 : 64;
                struct image_entry *n = reallocarray(img->entries, a, sizeof *n);
                if (!n) {
                        entry_done(e);
                        return -ENOMEM;
                }
                img->entries = n;
                img->allocated = a;
        }
        img->entries[img->n++] = *e;
        return 0;
}

/*
 * Resolves the directory components of an absolute path inside the image, creating what is
 * missing the way the host has it. With follow_final, the last component is resolved too (and
 * created as a directory if missing). Returns the resolved path in *ret.
 */
static int resolve(struct image *img, const char *path, bool follow_final, int depth, char **ret) {
        _cleanup_free_ char *p = NULL;
        int r = normalize(path, &p);
        if (r < 0)
                return r;
        if (depth > MAX_SYMLINKS)
                return -ELOOP;

        size_t len = strlen(p);
        for (size_t i = 1; i <= len; i++) {
                if (p[i] != '/' && p[i] != 0)
                        continue;
                bool last = p[i] == 0;
                if (last && !follow_final)
                        break;
                if (i == 1 && last)     /* "/" */
                        break;

                _cleanup_free_ char *prefix = strndup(p, i);
                if (!prefix)
                        return -ENOMEM;
                const char *rest = last ? "" : p + i + 1;
                const struct image_entry *e = image_find(img, prefix);
                if (e && e->type == IMAGE_DIR)
                        continue;
                if (e && e->type == IMAGE_SYMLINK) {
                        _cleanup_free_ char *next = NULL;
                        r = symlink_dest(prefix, e->target, rest, &next);
                        if (r < 0)
                                return r;
                        return resolve(img, next, follow_final, depth + 1, ret);
                }
                if (e)
                        return -ENOTDIR;

                struct stat st;
                if (lstat(prefix, &st) == 0 && S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *next = NULL;
                        r = follow_host_symlink(img, prefix, rest, &next);
                        if (r < 0)
                                return r;
                        return resolve(img, next, follow_final, depth + 1, ret);
                }
                struct image_entry d = { .type = IMAGE_DIR, .mode = 0755, .path = TAKE_PTR(prefix) };
                r = add_entry(img, &d);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(p);
        return 0;
}

int image_add_dir(struct image *img, const char *path, mode_t mode) {
        _cleanup_free_ char *p = NULL;
        int r = resolve(img, path, true, 0, &p);
        if (r < 0)
                return r;
        /* resolve() created it with the default mode if it was missing. */
        for (size_t i = 0; i < img->n; i++)
                if (strcmp(img->entries[i].path, p) == 0)
                        img->entries[i].mode = mode & 07777;
        return 0;
}

/* Resolves the parents of path and adds e at the resolved path. */
static int add_at(struct image *img, const char *path, struct image_entry *e) {
        _cleanup_free_ char *p = NULL;
        int r = resolve(img, path, false, 0, &p);
        if (r < 0 || strcmp(p, "/") == 0) {
                entry_done(e);
                return r < 0 ? r : -EISDIR;
        }
        e->path = TAKE_PTR(p);
        return add_entry(img, e);
}

int image_add_file(struct image *img, const char *path, const char *source) {
        struct stat st;
        if (stat(source, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        struct image_entry e = {
                .type = IMAGE_FILE,
                .mode = st.st_mode & 07777,
                .size = (size_t) st.st_size,
                .source = strdup(source),
        };
        if (!e.source)
                return -ENOMEM;
        return add_at(img, path, &e);
}

int image_add_data(struct image *img, const char *path, const void *data, size_t size, mode_t mode) {
        struct image_entry e = { .type = IMAGE_DATA, .mode = mode & 07777, .size = size, .data = malloc(size ? size : 1) };
        if (!e.data)
                return -ENOMEM;
        memcpy(e.data, data, size);
        return add_at(img, path, &e);
}

int image_add_symlink(struct image *img, const char *path, const char *target) {
        if (!*target)
                return -EINVAL;
        struct image_entry e = { .type = IMAGE_SYMLINK, .mode = 0777, .target = strdup(target) };
        if (!e.target)
                return -ENOMEM;
        return add_at(img, path, &e);
}

int image_add_char(struct image *img, const char *path, mode_t mode, unsigned major, unsigned minor) {
        struct image_entry e = { .type = IMAGE_CHAR, .mode = mode & 07777, .rdev_major = major, .rdev_minor = minor };
        return add_at(img, path, &e);
}

int image_add_host_path(struct image *img, const char *host_path, char **ret_real) {
        _cleanup_free_ char *p = NULL;
        if (ret_real)
                *ret_real = NULL;
        int r = normalize(host_path, &p);
        if (r < 0)
                return r;

        for (int depth = 0; depth <= MAX_SYMLINKS; depth++) {
                /* The image mirrors the host's symlinks, so the resolved image path is also
                 * where the file is on the host. */
                _cleanup_free_ char *resolved = NULL;
                r = resolve(img, p, false, 0, &resolved);
                if (r < 0)
                        return r;

                struct stat st;
                if (lstat(resolved, &st) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode)) {
                        free(p);
                        p = NULL;
                        r = follow_host_symlink(img, resolved, "", &p);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (S_ISDIR(st.st_mode))
                        return image_add_dir(img, resolved, st.st_mode);
                if (!S_ISREG(st.st_mode))
                        return -EINVAL;
                r = image_add_file(img, resolved, resolved);
                if (r < 0)
                        return r;
                if (ret_real)
                        *ret_real = TAKE_PTR(resolved);
                return 0;
        }
        return -ELOOP;
}

static int cmp_entry(const void *a, const void *b) {
        return strcmp(((const struct image_entry *) a)->path, ((const struct image_entry *) b)->path);
}

void image_sort(struct image *img) {
        if (img->n > 1)
                qsort(img->entries, img->n, sizeof *img->entries, cmp_entry);
}
