/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --list and --verify: the seek table of a local file, read and decoded through the same code as
 * the lazy-root server. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "mkseekable.h"
#include "seekable.h"

static int pread_all(void *userdata, uint64_t off, void *buf, size_t len) {
        return pread_exact(*(int *) userdata, buf, len, off);
}

/* Opens path (*ret_fd, for reading its frames) and loads its table; an exit status, logged, on
 * failure. */
static int load(const char *path, int *ret_fd, pb_seek_table *t) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        struct pb_diag diag = {};

        if (fd < 0 || fstat(fd, &st) < 0) {
                log_error_errno(-errno, "cannot open %s", path);
                return MKSEEKABLE_EXIT_FAILURE;
        }
        int r = pb_seek_table_load(t, st.st_size, pread_all, &fd, &diag);
        if (r == -EMEDIUMTYPE) {
                log_error("%s is not seekable: %s", path, diag.reason);
                return MKSEEKABLE_EXIT_NOT_SEEKABLE;
        }
        if (r < 0) {
                if (diag.reason)
                        log_error("%s: %s", path, diag.reason);
                else
                        log_error_errno(r, "cannot read the seek table of %s", path);
                return r == -EBADMSG || r == -E2BIG ? MKSEEKABLE_EXIT_USAGE : MKSEEKABLE_EXIT_FAILURE;
        }
        *ret_fd = TAKE_FD(fd);
        return MKSEEKABLE_EXIT_OK;
}

int list_seek_table(const char *path, bool json) {
        _cleanup_close_ int fd = -EBADF;
        pb_seek_table t;

        int ret = load(path, &fd, &t);
        if (ret != MKSEEKABLE_EXIT_OK)
                return ret;

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

/* CPU time of this thread: what decoding costs, whatever else the machine is doing. */
static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

int verify_seek_table(const char *path) {
        _cleanup_close_ int fd = -EBADF;
        pb_seek_table t;
        double total = 0, slowest = 0;

        int ret = load(path, &fd, &t);
        if (ret != MKSEEKABLE_EXIT_OK)
                return ret;
        if (t.format == PB_SEEK_RAW) {
                printf("%s: raw, nothing to decode\n", path);
                pb_seek_table_done(&t);
                return MKSEEKABLE_EXIT_OK;
        }
        uint64_t max_csize = 0;
        for (size_t i = 0; i < t.n_frames; i++)
                if (t.frames[i].csize > max_csize)
                        max_csize = t.frames[i].csize;
        _cleanup_free_ uint8_t *in = malloc(max_csize ?: 1);
        _cleanup_free_ uint8_t *out = malloc(t.max_frame_usize ?: 1);
        if (!in || !out) {
                pb_seek_table_done(&t);
                log_error("out of memory for frames of %" PRIu64 " bytes", t.max_frame_usize);
                return MKSEEKABLE_EXIT_FAILURE;
        }
        for (size_t i = 0; i < t.n_frames && ret == MKSEEKABLE_EXIT_OK; i++) {
                const pb_seek_frame *f = &t.frames[i];
                int r = pread_all(&fd, f->coff, in, f->csize);
                if (r < 0) {
                        log_error_errno(r, "cannot read frame %zu of %s", i, path);
                        ret = MKSEEKABLE_EXIT_FAILURE;
                        break;
                }
                double start = now();
                r = pb_seek_frame_decode(&t, f, in, out);
                double took = now() - start;
                if (r < 0) {
                        log_error_errno(r, "frame %zu of %s (image bytes %" PRIu64 "+%" PRIu64 ") does not decode", i,
                                        path, f->uoff, f->usize);
                        ret = MKSEEKABLE_EXIT_USAGE;
                }
                total += took;
                if (took > slowest)
                        slowest = took;
        }
        if (ret == MKSEEKABLE_EXIT_OK)
                printf("%s: %zu frames decoded%s; decoding took %.1f ms of CPU a frame on average, %.1f ms at most\n", path,
                       t.n_frames, t.checksums ? " and their checksums verified" : "",
                       t.n_frames ? total * 1e3 / t.n_frames : 0.0, slowest * 1e3);
        pb_seek_table_done(&t);
        return ret;
}
