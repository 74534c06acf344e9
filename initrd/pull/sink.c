/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "sink.h"

int sink_init_paths(struct sink *s, const char *target) {
        s->target = strdup(target);
        char *copy = strdup(target);
        if (!s->target || !copy) {
                free(copy);
                return -ENOMEM;
        }
        s->dir = strdup(dirname(copy));
        free(copy);
        if (!s->dir)
                return -ENOMEM;
        s->size_hint = UINT64_MAX;
        return 0;
}

struct sink *sink_free(struct sink *s) {
        if (!s)
                return NULL;
        s->ops->free(s);
        free(s->target);
        free(s->dir);
        free(s->temp);
        free(s);
        return NULL;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        if (remove(path) < 0 && errno != ENOENT)
                log_warning("cannot remove %s: %m", path);
        return 0;
}

int rm_rf(const char *path) {
        if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int sink_rename(struct sink *s, bool force) {
        if (renameat2(AT_FDCWD, s->temp, AT_FDCWD, s->target, RENAME_NOREPLACE) == 0)
                return 0;
        if (errno != EEXIST)
                return log_error_errno(-errno, "cannot rename %s to %s", s->temp, s->target);
        if (!force) {
                log_error("%s already exists; remove it or pass --force", s->target);
                return -EEXIST;
        }
        /* Swap, then remove the old one, so the target never goes missing. */
        if (renameat2(AT_FDCWD, s->temp, AT_FDCWD, s->target, RENAME_EXCHANGE) < 0)
                return log_error_errno(-errno, "cannot replace %s", s->target);
        int r = rm_rf(s->temp);
        if (r < 0)
                log_warning_errno(r, "cannot remove the previous %s (now %s)", s->target, s->temp);
        return 0;
}
