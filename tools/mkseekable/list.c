/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --list: the seek table of a local file, read through the same code as the lazy-root server. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "mkseekable.h"
#include "seekable.h"

static int pread_all(void *userdata, uint64_t off, void *buf, size_t len) {
        int fd = *(int *) userdata;
        size_t got = 0;

        while (got < len) {
                ssize_t k = pread(fd, (uint8_t *) buf + got, len - got, off + got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -EIO;    /* the file shrank under us */
                got += k;
        }
        return 0;
}

int list_seek_table(const char *path, bool json) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        pb_seek_table t;
        struct stat st;
        char why[512];

        if (fd < 0 || fstat(fd, &st) < 0) {
                log_error_errno(-errno, "cannot open %s", path);
                return MKSEEKABLE_EXIT_FAILURE;
        }
        int r = pb_seek_table_load(&t, st.st_size, pread_all, &fd, why, sizeof why);
        if (r == -EMEDIUMTYPE) {
                log_error("%s is not seekable: %s", path, why);
                return MKSEEKABLE_EXIT_NOT_SEEKABLE;
        }
        if (r < 0) {
                if (why[0])
                        log_error("%s: %s", path, why);
                else
                        log_error_errno(r, "cannot read the seek table of %s", path);
                return r == -EBADMSG || r == -E2BIG ? MKSEEKABLE_EXIT_USAGE : MKSEEKABLE_EXIT_FAILURE;
        }

        if (json) {
                printf("{\"file\":");
                json_write_cstring(stdout, path);
                printf(",\"format\":\"%s\",\"size\":%" PRIu64 ",\"image_size\":%" PRIu64 ",\"checksums\":%s,"
                       "\"max_frame_size\":%" PRIu64 ",\"frames\":[",
                       pb_seek_format_name(t.format), t.csize, t.usize, t.checksums ? "true" : "false",
                       t.max_frame_usize);
                for (size_t i = 0; i < t.n_frames; i++)
                        printf("%s{\"offset\":%" PRIu64 ",\"size\":%" PRIu64 ",\"compressed_offset\":%" PRIu64
                               ",\"compressed_size\":%" PRIu64 "}", i ? "," : "", t.frames[i].uoff, t.frames[i].usize,
                               t.frames[i].coff, t.frames[i].csize);
                printf("]}\n");
        } else {
                printf("format: %s%s\n", pb_seek_format_name(t.format),
                       t.format == PB_SEEK_RAW ? " (uncompressed: offsets map 1:1)"
                       : t.checksums ? " (seek table with checksums)" : "");
                printf("file size: %" PRIu64 " bytes\nimage size: %" PRIu64 " bytes\n", t.csize, t.usize);
                if (t.format != PB_SEEK_RAW) {
                        printf("frames: %zu, the largest %" PRIu64 " bytes\n", t.n_frames, t.max_frame_usize);
                        printf("%8s %14s %10s %14s %10s\n", "FRAME", "OFFSET", "SIZE", "COMPRESSED-AT", "CSIZE");
                        for (size_t i = 0; i < t.n_frames; i++)
                                printf("%8zu %14" PRIu64 " %10" PRIu64 " %14" PRIu64 " %10" PRIu64 "\n", i,
                                       t.frames[i].uoff, t.frames[i].usize, t.frames[i].coff, t.frames[i].csize);
                }
        }
        pb_seek_table_done(&t);
        return fflush(stdout) == 0 ? MKSEEKABLE_EXIT_OK : MKSEEKABLE_EXIT_FAILURE;
}
