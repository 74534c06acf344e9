/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf-deps.h"
#include "libraries.h"
#include "log.h"
#include "macro.h"

struct queue {
        char **paths;
        size_t n;
};

static void queue_done(struct queue *q) {
        for (size_t i = 0; i < q->n; i++)
                free(q->paths[i]);
        free(q->paths);
}

/* Appends path (taking ownership) unless it is queued already; the queue is also the seen set. */
static int queue_push(struct queue *q, char *path) {
        for (size_t i = 0; i < q->n; i++)
                if (strcmp(q->paths[i], path) == 0) {
                        free(path);
                        return 0;
                }
        char **n = reallocarray(q->paths, q->n + 1, sizeof(char *));
        if (!n) {
                free(path);
                return -ENOMEM;
        }
        q->paths = n;
        q->paths[q->n++] = path;
        return 0;
}

/* Copies one dependency to the image and queues the file it resolves to. */
static int add_dependency(struct image *img, struct queue *q, const char *lib, const char *needed_by) {
        char *real = NULL;
        int r = image_add_host_path(img, lib, &real);
        if (r < 0)
                return log_error_errno(r, "cannot add %s (needed by %s) to the image", lib, needed_by);
        if (!real)
                return log_error_errno(-EISDIR, "%s (needed by %s) is a directory", lib, needed_by);
        log_debug("%s needs %s", needed_by, real);
        return queue_push(q, real);
}

int libraries_add(struct image *img, const char *path) {
        struct queue q = {};
        int r;

        char *first = strdup(path);
        if (!first)
                return -ENOMEM;
        r = queue_push(&q, first);

        for (size_t i = 0; r >= 0 && i < q.n; i++) {
                const char *cur = q.paths[i];
                struct elf_deps d;
                r = elf_deps_read(cur, &d);
                if (r == -ENOEXEC) {
                        r = 0;
                        continue;
                }
                if (r < 0) {
                        log_error_errno(r, "cannot read the ELF headers of %s", cur);
                        break;
                }
                if (d.interp)
                        r = add_dependency(img, &q, d.interp, cur);
                for (size_t j = 0; r >= 0 && j < d.n_needed; j++) {
                        _cleanup_free_ char *lib = NULL;
                        r = elf_find_library(d.needed[j], cur, &d, &lib);
                        if (r == -ENOENT)
                                log_error("cannot find %s, needed by %s, in its RUNPATH or the standard library "
                                          "directories; install the package that ships it", d.needed[j], cur);
                        else if (r < 0)
                                log_error_errno(r, "cannot look up %s", d.needed[j]);
                        else
                                r = add_dependency(img, &q, lib, cur);
                }
                elf_deps_done(&d);
        }
        queue_done(&q);
        return r < 0 ? r : 0;
}
