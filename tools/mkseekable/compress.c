/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The writer of zstd's seekable format (the format is described in initrd/lazy/seek-zstd.c):
 * frames are compressed threads at a time, each by its own context, and written in order; their
 * sizes and checksums go into the seek table at the end.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>

#include "fileio.h"
#include "log.h"
#include "mkseekable.h"
#include "seekable.h"

struct job {
        const struct compress_opts *o;
        ZSTD_CCtx *cctx;
        uint8_t *in, *out;
        size_t in_len, out_len, out_cap;
        uint32_t checksum;
        int error;
        pthread_t thread;
        bool threaded;
};

struct table {
        uint8_t *p;
        size_t n, cap;
};

static int table_add(struct table *t, const void *p, size_t n) {
        if (t->n + n > t->cap) {
                size_t cap = t->cap ? t->cap : 4096;
                while (cap < t->n + n)
                        cap *= 2;
                uint8_t *q = realloc(t->p, cap);
                if (!q)
                        return -ENOMEM;
                t->p = q;
                t->cap = cap;
        }
        memcpy(t->p + t->n, p, n);
        t->n += n;
        return 0;
}

static int table_le32(struct table *t, uint32_t v) {
        uint8_t d[4] = { v, v >> 8, v >> 16, v >> 24 };
        return table_add(t, d, sizeof d);
}

/* entries: the table's entries; the footer is added here. The whole table goes out as one
 * skippable frame, so that zstd itself skips it. */
static int write_table(int fd, struct table *entries, uint64_t frames, bool checksums) {
        struct table head = {};
        int r;

        if ((r = table_le32(&head, 0x184D2A5E)) >= 0 && (r = table_le32(&head, entries->n + 9)) >= 0 &&
            (r = table_le32(entries, frames)) >= 0 && (r = table_add(entries, &(uint8_t) { checksums ? 0x80 : 0 }, 1)) >= 0)
                r = table_le32(entries, 0x8F92EAB1);
        if (r >= 0 && ((r = write_full_fd(fd, head.p, head.n)) < 0 || (r = write_full_fd(fd, entries->p, entries->n)) < 0))
                log_error_errno(r, "cannot write the seek table");
        free(head.p);
        return r;
}

static void *compress_job(void *userdata) {
        struct job *j = userdata;

        size_t n = ZSTD_compress2(j->cctx, j->out, j->out_cap, j->in, j->in_len);
        if (ZSTD_isError(n)) {
                log_error("zstd could not compress a frame: %s", ZSTD_getErrorName(n));
                j->error = -EIO;
                return NULL;
        }
        j->out_len = n;
        if (j->o->checksums)
                j->checksum = (uint32_t) XXH64(j->in, j->in_len, 0);
        return NULL;
}

static void jobs_free(struct job *jobs, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                ZSTD_freeCCtx(jobs[i].cctx);
                free(jobs[i].in);
                free(jobs[i].out);
        }
        free(jobs);
}

int compress_seekable(int in_fd, int out_fd, const struct compress_opts *o, struct compress_stats *ret) {
        struct table table = {};
        struct job *jobs = calloc(o->threads, sizeof *jobs);
        struct compress_stats st = {};
        bool eof = false;
        int r = 0;

        if (!jobs)
                return log_error_errno(-ENOMEM, "cannot allocate %u compression jobs", o->threads);
        for (unsigned i = 0; i < o->threads; i++) {
                struct job *j = &jobs[i];
                j->o = o;
                j->out_cap = ZSTD_compressBound(o->frame_size);
                j->cctx = ZSTD_createCCtx();
                j->in = malloc(o->frame_size);
                j->out = malloc(j->out_cap);
                if (!j->cctx || !j->in || !j->out) {
                        r = log_error_errno(-ENOMEM, "cannot allocate buffers for frames of %llu bytes",
                                            (unsigned long long) o->frame_size);
                        goto finish;
                }
                size_t z = ZSTD_CCtx_setParameter(j->cctx, ZSTD_c_compressionLevel, o->level);
                if (!ZSTD_isError(z))
                        z = ZSTD_CCtx_setParameter(j->cctx, ZSTD_c_contentSizeFlag, 1);
                if (ZSTD_isError(z)) {
                        r = log_error_errno(-EINVAL, "zstd refuses level %d: %s", o->level, ZSTD_getErrorName(z));
                        goto finish;
                }
        }

        while (!eof) {
                unsigned n = 0;

                /* Read a batch of frames, compress them side by side, write them in order. */
                for (; n < o->threads && !eof; n++) {
                        ssize_t k = read_up_to(in_fd, jobs[n].in, o->frame_size);
                        if (k < 0) {
                                r = log_error_errno((int) k, "cannot read the input");
                                goto finish;
                        }
                        jobs[n].in_len = k;
                        eof = (size_t) k < o->frame_size;
                        if (k == 0)
                                break;
                }
                /* This thread takes the first frame; a thread that cannot start is done here too. */
                for (unsigned i = 1; i < n; i++)
                        jobs[i].threaded = pthread_create(&jobs[i].thread, NULL, compress_job, &jobs[i]) == 0;
                for (unsigned i = 0; i < n; i++) {
                        jobs[i].error = 0;
                        if (i == 0 || !jobs[i].threaded)
                                compress_job(&jobs[i]);
                        else
                                pthread_join(jobs[i].thread, NULL);
                        jobs[i].threaded = false;
                }
                for (unsigned i = 0; i < n; i++) {
                        struct job *j = &jobs[i];
                        if (j->error < 0) {
                                r = j->error;
                                goto finish;
                        }
                        if (st.frames >= PB_SEEK_FRAMES_MAX) {
                                r = log_error_errno(-E2BIG, "more than %llu frames: choose a larger --frame-size",
                                                    (unsigned long long) PB_SEEK_FRAMES_MAX);
                                goto finish;
                        }
                        r = write_full_fd(out_fd, j->out, j->out_len);
                        if (r < 0) {
                                log_error_errno(r, "cannot write the output");
                                goto finish;
                        }
                        if ((r = table_le32(&table, j->out_len)) < 0 || (r = table_le32(&table, j->in_len)) < 0 ||
                            (o->checksums && (r = table_le32(&table, j->checksum)) < 0))
                                goto finish;
                        st.frames++;
                        st.usize += j->in_len;
                        st.csize += j->out_len;
                }
        }

        r = write_table(out_fd, &table, st.frames, o->checksums);
        if (r < 0)
                goto finish;
        st.csize += 8 + table.n;
finish:
        free(table.p);
        jobs_free(jobs, o->threads);
        if (r >= 0 && ret)
                *ret = st;
        return r;
}
