/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf-deps.h"
#include "log.h"
#include "macro.h"
#include "spawn-wait.h"
#include "strip.h"

static bool is_kernel_module(const char *path) {
        size_t n = strlen(path);
        return strstr(path, "/lib/modules/") || (n > 3 && strcmp(path + n - 3, ".ko") == 0) ||
               strstr(path, ".ko.");
}

static int is_elf_file(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        unsigned char magic[4];
        ssize_t k = read(fd, magic, sizeof magic);
        if (k < 0)
                return -errno;
        return elf_is_elf(magic, (size_t) k);
}

static int strip_one(struct image_entry *e, const char *workdir, unsigned index) {
        _cleanup_free_ char *out = NULL;
        struct stat st;
        int r;

        r = is_elf_file(e->source);
        if (r <= 0)
                return r < 0 ? log_error_errno(r, "cannot read %s", e->source) : 0;

        if (asprintf(&out, "%s/strip-%u", workdir, index) < 0)
                return log_error_errno(-ENOMEM, "out of memory");
        /* .comment holds only compiler version strings; removing it as dh_strip does. */
        char *argv[] = { (char *) "strip", (char *) "--strip-unneeded", (char *) "--remove-section=.comment",
                         (char *) "-o", out, e->source, NULL };
        r = spawn_wait(argv);
        if (r < 0)
                return log_error_errno(r, "cannot run strip; install Debian's binutils or pass --no-strip");
        if (r > 0) {
                log_error("strip failed on %s (status %d); see its message above, or pass --no-strip", e->source, r);
                return -EIO;
        }
        if (stat(out, &st) < 0)
                return log_error_errno(-errno, "strip wrote no %s", out);
        if ((uint64_t) st.st_size >= e->size) {
                (void) unlink(out);
                return 0;
        }
        log_debug("stripped %s: %zu -> %jd bytes", e->path, e->size, (intmax_t) st.st_size);
        free(e->source);
        e->source = TAKE_PTR(out);
        e->size = (size_t) st.st_size;
        return 0;
}

int strip_image(struct image *img, const char *workdir) {
        for (size_t i = 0; i < img->n; i++) {
                struct image_entry *e = &img->entries[i];
                if (e->type != IMAGE_FILE || is_kernel_module(e->path))
                        continue;
                int r = strip_one(e, workdir, (unsigned) i);
                if (r < 0)
                        return r;
        }
        return 0;
}
