/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "space.h"

/*
 * Where decompressed bytes go. A sink builds the image under a temporary name beside the target
 * and only sink_commit() makes it appear at the target; freeing an uncommitted sink removes the
 * temporary, so a failure leaves nothing behind.
 */

struct sink;

struct sink_ops {
        int (*write)(struct sink *s, const void *p, size_t n);
        /* Optional: bytes at an offset, callable from several threads at once. */
        int (*write_at)(struct sink *s, uint64_t offset, const void *p, size_t n);
        int (*reset)(struct sink *s);           /* the stream starts over from byte zero */
        int (*finish)(struct sink *s);          /* all bytes written: complete the image */
        int (*commit)(struct sink *s, bool read_only, bool force);
        void (*free)(struct sink *s);
};

struct sink {
        const struct sink_ops *ops;
        char *target;
        char *dir;              /* the directory that holds target and the temporary */
        char *temp;             /* the temporary's path */
        uint64_t size_hint;     /* expected uncompressed size, for error messages; UINT64_MAX if unknown */
        /* Set by the pull engine, which knows what the rest of the image will store: reports a
         * full file system (written: logical bytes so far, stored: of them actually written) and
         * returns -ENOSPC. NULL: space_log_full(). May be called from several threads. */
        int (*full)(void *userdata, uint64_t written, uint64_t stored);
        void *full_userdata;
};

int sink_raw_new(const char *target, struct sink **ret);
int sink_tar_new(const char *target, struct sink **ret);

static inline int sink_write(struct sink *s, const void *p, size_t n) {
        return s->ops->write(s, p, n);
}
static inline int sink_write_at(struct sink *s, uint64_t offset, const void *p, size_t n) {
        return s->ops->write_at(s, offset, p, n);
}
static inline int sink_reset(struct sink *s) {
        return s->ops->reset(s);
}
static inline int sink_finish(struct sink *s) {
        return s->ops->finish(s);
}
static inline int sink_commit(struct sink *s, bool read_only, bool force) {
        return s->ops->commit(s, read_only, force);
}
static inline int sink_full(struct sink *s, uint64_t written, uint64_t stored) {
        return s->full ? s->full(s->full_userdata, written, stored) : space_log_full(s->dir, written, s->size_hint);
}
struct sink *sink_free(struct sink *s);
static inline void sink_freep(struct sink **s) {
        if (*s)
                sink_free(*s);
}

/* Shared by the sinks: fills target/dir, and creates nothing. */
int sink_init_paths(struct sink *s, const char *target);
/* Moves temp to target: refuses an existing target unless force. */
int sink_rename(struct sink *s, bool force);
/* Removes a directory tree without following symlinks. */
int rm_rf(const char *path);
