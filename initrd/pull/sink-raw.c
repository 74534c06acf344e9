/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sink.h"
#include "space.h"

/*
 * A raw disk image, written sparsely: blocks (of the file system's block size, at block-aligned
 * offsets) that are all zero are skipped, leaving holes, and the final size is set at the end. On
 * tmpfs a mostly empty image then costs about its non-zero bytes.
 */

struct sink_raw {
        struct sink base;
        int fd;
        size_t block;
        uint64_t offset;        /* logical size so far, for in-order writes */
        uint64_t end;           /* logical size so far, for positional writes (atomic) */
        uint64_t stored;        /* bytes actually written (atomic) */
        bool committed;
};

static bool is_zero(const uint8_t *p, size_t n) {
        /* Checking a small prefix first makes the common non-zero case cheap; then the whole run
         * equals its prefix shifted by 16 exactly when it is all zero. */
        size_t k = n < 16 ? n : 16;
        for (size_t i = 0; i < k; i++)
                if (p[i] != 0)
                        return false;
        return n <= 16 || memcmp(p, p + 16, n - 16) == 0;
}

static int pwrite_all(struct sink_raw *s, const uint8_t *p, size_t n, uint64_t off) {
        while (n > 0) {
                ssize_t k = pwrite(s->fd, p, n, (off_t) off);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == ENOSPC || errno == EDQUOT) {
                                uint64_t end = __atomic_load_n(&s->end, __ATOMIC_RELAXED);
                                return sink_full(&s->base, end > s->offset ? end : s->offset,
                                                 __atomic_load_n(&s->stored, __ATOMIC_RELAXED));
                        }
                        return log_error_errno(-errno, "cannot write to %s", s->base.temp);
                }
                p += k;
                n -= (size_t) k;
                off += (uint64_t) k;
                __atomic_fetch_add(&s->stored, (uint64_t) k, __ATOMIC_RELAXED);
        }
        return 0;
}

/* Writes the non-zero blocks of [off, off + n); zero blocks stay holes. */
static int write_range(struct sink_raw *s, uint64_t off, const uint8_t *p, size_t n) {
        const uint8_t *run = NULL;      /* start of pending non-zero bytes */
        uint64_t run_off = 0;

        while (n > 0) {
                size_t k = s->block - (size_t) (off % s->block);
                if (k > n)
                        k = n;
                if (is_zero(p, k)) {
                        if (run) {
                                int r = pwrite_all(s, run, (size_t) (p - run), run_off);
                                if (r < 0)
                                        return r;
                                run = NULL;
                        }
                } else if (!run) {
                        run = p;
                        run_off = off;
                }
                p += k;
                n -= k;
                off += k;
        }
        if (run)
                return pwrite_all(s, run, (size_t) (p - run), run_off);
        return 0;
}

static int raw_write(struct sink *base, const void *data, size_t n) {
        struct sink_raw *s = (struct sink_raw *) base;
        int r = write_range(s, s->offset, data, n);
        if (r < 0)
                return r;
        s->offset += n;
        return 0;
}

static int raw_write_at(struct sink *base, uint64_t offset, const void *data, size_t n) {
        struct sink_raw *s = (struct sink_raw *) base;
        int r = write_range(s, offset, data, n);
        if (r < 0)
                return r;
        /* Trailing zeros are never written, so the size is the furthest end seen. */
        uint64_t end = offset + n, cur = __atomic_load_n(&s->end, __ATOMIC_RELAXED);
        while (end > cur && !__atomic_compare_exchange_n(&s->end, &cur, end, false, __ATOMIC_RELAXED,
                                                          __ATOMIC_RELAXED))
                ;
        return 0;
}

static int raw_reset(struct sink *base) {
        struct sink_raw *s = (struct sink_raw *) base;
        if (ftruncate(s->fd, 0) < 0)
                return log_error_errno(-errno, "cannot truncate %s", base->temp);
        s->offset = s->stored = s->end = 0;
        return 0;
}

static int raw_finish(struct sink *base) {
        struct sink_raw *s = (struct sink_raw *) base;
        if (s->end > s->offset)
                s->offset = s->end;
        if (ftruncate(s->fd, (off_t) s->offset) < 0) {
                if (errno == ENOSPC || errno == EFBIG)
                        return space_log_full(base->dir, s->offset, s->offset);
                return log_error_errno(-errno, "cannot set the size of %s", base->temp);
        }
        /* On tmpfs (the initrd's /run) there is nothing to flush. */
        if (space_is_ram(base->dir) <= 0 && fsync(s->fd) < 0)
                return log_error_errno(-errno, "cannot flush %s", base->temp);
        return 0;
}

static int raw_commit(struct sink *base, bool read_only, bool force) {
        struct sink_raw *s = (struct sink_raw *) base;
        if (fchmod(s->fd, read_only ? 0444 : 0644) < 0)
                return log_error_errno(-errno, "cannot set the mode of %s", base->temp);
        int r = sink_rename(base, force);
        if (r < 0)
                return r;
        s->committed = true;
        return 0;
}

static void raw_free(struct sink *base) {
        struct sink_raw *s = (struct sink_raw *) base;
        if (s->fd >= 0)
                close(s->fd);
        if (!s->committed && base->temp)
                (void) unlink(base->temp);
}

static const struct sink_ops raw_ops = {
        .write = raw_write,
        .write_at = raw_write_at,
        .reset = raw_reset,
        .finish = raw_finish,
        .commit = raw_commit,
        .free = raw_free,
};

int sink_raw_new(const char *target, struct sink **ret) {
        struct sink_raw *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->base.ops = &raw_ops;
        s->fd = -EBADF;
        struct sink *base = &s->base;
        int r = sink_init_paths(base, target);
        if (r < 0)
                goto fail;
        const char *name = strrchr(target, '/');
        name = name ? name + 1 : target;
        if (asprintf(&base->temp, "%s/.#pull.%s.XXXXXX", base->dir, name) < 0) {
                base->temp = NULL;
                r = -ENOMEM;
                goto fail;
        }
        s->fd = mkostemp(base->temp, O_CLOEXEC);
        if (s->fd < 0) {
                r = log_error_errno(-errno, "cannot create a temporary file in %s", base->dir);
                free(base->temp);
                base->temp = NULL;
                goto fail;
        }
        struct stat st;
        if (fstat(s->fd, &st) < 0) {
                r = -errno;
                goto fail;
        }
        s->block = st.st_blksize > 0 ? (size_t) st.st_blksize : 4096;
        *ret = base;
        return 0;
fail:
        sink_free(base);
        return r;
}
