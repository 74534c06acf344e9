/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "lazy-server.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "nbd-proto.h"
#include "time-util.h"

#define RA_MIN (128 * 1024)
#define RA_MAX (4 * 1024 * 1024)
#define JOB_MAX (1024 * 1024)          /* one HTTP range: big enough to amortise a round trip,
                                        * small enough that RANGE_PARALLEL of them share a burst */
#define BATCH_MAX 64                   /* requests answered together */
#define FILL_IDLE_MS 500
#define STATE_IDLE_MS 1000
#define MAX_REQUEST (32u * 1024 * 1024)

struct pending {
        struct nbd_request req;
        uint8_t *payload;               /* WRITE: the data that followed the request */
};

struct chunk_list {
        size_t *v;
        size_t n, cap;
};

static int chunk_list_add(struct chunk_list *l, size_t i) {
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 256;
                size_t *v = reallocarray(l->v, cap, sizeof *v);
                if (!v)
                        return -ENOMEM;
                l->v = v;
                l->cap = cap;
        }
        l->v[l->n++] = i;
        return 0;
}

/* The absent chunks of [off, off+len). */
static int want_range(const struct block_store *b, struct chunk_list *l, uint64_t off, uint64_t len) {
        if (len == 0 || off >= b->size)
                return 0;
        if (len > b->size - off)
                len = b->size - off;
        size_t last = block_store_chunk_index(b, off + len - 1);
        for (size_t i = block_store_chunk_index(b, off); i <= last && i < b->n_chunks; i++)
                if (!block_store_has(b, i)) {
                        int r = chunk_list_add(l, i);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int cmp_size(const void *a, const void *b) {
        size_t x = *(const size_t *) a, y = *(const size_t *) b;
        return (x > y) - (x < y);
}

/* Fetches the listed chunks: runs of neighbours become one range each, in parallel. Chunks whose
 * range failed stay absent (their requests then fail); the error is returned for the log. */
static int fetch_chunks(struct lazy_server *s, struct chunk_list *l) {
        struct block_store *b = s->store;
        struct range_job *jobs = NULL;
        size_t *first = NULL, n_jobs = 0, last_idx = 0;
        int r = 0;

        if (l->n == 0)
                return 0;
        qsort(l->v, l->n, sizeof *l->v, cmp_size);
        jobs = calloc(l->n, sizeof *jobs);
        first = calloc(l->n + 1, sizeof *first);
        if (!jobs || !first) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t k = 0; k < l->n; k++) {
                pb_seek_frame f;
                if (k > 0 && l->v[k] == l->v[k - 1])
                        continue;
                block_store_chunk(b, l->v[k], &f);
                struct range_job *j = n_jobs > 0 ? &jobs[n_jobs - 1] : NULL;
                if (j && l->v[k] == last_idx + 1 && j->off + j->len == f.coff && j->len + f.csize <= JOB_MAX) {
                        j->len += (size_t) f.csize;
                        last_idx = l->v[k];
                        continue;
                }
                last_idx = l->v[k];
                first[n_jobs] = k;
                jobs[n_jobs++] = (struct range_job) { .off = f.coff, .len = (size_t) f.csize };
        }
        for (size_t j = 0; j < n_jobs; j++)
                if (!(jobs[j].buf = malloc(jobs[j].len ?: 1))) {
                        r = -ENOMEM;
                        goto out;
                }

        r = range_source_fetch(s->src, jobs, n_jobs);

        for (size_t j = 0; j < n_jobs; j++) {
                if (jobs[j].result < 0)
                        continue;
                size_t end = j + 1 < n_jobs ? first[j + 1] : l->n;
                for (size_t k = first[j]; k < end; k++) {
                        pb_seek_frame f;
                        if (k > first[j] && l->v[k] == l->v[k - 1])
                                continue;
                        block_store_chunk(b, l->v[k], &f);
                        int q = block_store_fill(b, l->v[k], jobs[j].buf + (f.coff - jobs[j].off));
                        if (q < 0) {
                                log_error_errno(q, "lazy: cannot store bytes %" PRIu64 "-%" PRIu64 " of the image",
                                                f.uoff, f.uoff + f.usize - 1);
                                if (r == 0)
                                        r = q;
                        }
                }
        }
out:
        for (size_t j = 0; jobs && j < n_jobs; j++)
                free(jobs[j].buf);
        free(jobs);
        free(first);
        l->n = 0;
        return r;
}

static void write_state(struct lazy_server *s) {
        char text[512];
        if (s->state_dirfd < 0)
                return;
        int n = snprintf(text, sizeof text,
                         "size=%" PRIu64 "\npresent=%" PRIu64 "\nfetched=%" PRIu64 "\nrequests=%u\nread=%" PRIu64
                         "\nwritten=%" PRIu64 "\nfilled=%s\netag=%s\n",
                         s->store->size, s->store->bytes_present, range_source_bytes_fetched(s->src),
                         range_source_requests(s->src), s->bytes_read, s->bytes_written,
                         s->filled ? "yes" : "no", range_source_etag(s->src));
        int fd = openat(s->state_dirfd, s->state_name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        (void) !write(fd, text, (size_t) n);
        close(fd);
}

/* MemAvailable from /proc/meminfo in bytes, UINT64_MAX if unknown. */
static uint64_t mem_available(void) {
        FILE *f = fopen("/proc/meminfo", "re");
        char line[128];
        uint64_t kib = UINT64_MAX;
        if (!f)
                return UINT64_MAX;
        while (fgets(line, sizeof line, f))
                if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &kib) == 1)
                        break;
        fclose(f);
        return kib == UINT64_MAX ? kib : kib * 1024;
}

/* Memory the fill leaves to the system. */
#define FILL_RESERVE (256ull * 1024 * 1024)

/* One idle step of pullboot.lazy=fill: the next absent chunks, a few ranges' worth. */
static void fill_step(struct lazy_server *s) {
        struct block_store *b = s->store;
        struct chunk_list l = {};
        uint64_t bytes = 0;

        /* The whole image lives in memory after the fill: refuse before the system runs out. */
        uint64_t rest = b->size - b->bytes_present, avail = mem_available();
        if (avail != UINT64_MAX && rest + FILL_RESERVE > avail) {
                log_warning("lazy: not filling: the rest of the image (%" PRIu64 " MiB) does not fit in the available "
                            "memory (%" PRIu64 " MiB, %llu MiB kept free); the server stays needed",
                            rest >> 20, avail >> 20, FILL_RESERVE >> 20);
                s->fill = false;
                return;
        }
        for (size_t i = 0; i < b->n_chunks && bytes < (uint64_t) RANGE_PARALLEL * JOB_MAX; i++)
                if (!block_store_has(b, i)) {
                        pb_seek_frame f;
                        block_store_chunk(b, i, &f);
                        if (chunk_list_add(&l, i) < 0)
                                break;
                        bytes += f.csize;
                }
        if (l.n == 0) {
                s->filled = true;
                log_info("lazy: fill complete: all %" PRIu64 " MiB of the image are in memory (%" PRIu64
                         " MiB fetched in %u requests); the server is no longer needed",
                         b->size >> 20, range_source_bytes_fetched(s->src) >> 20, range_source_requests(s->src));
        } else if (fetch_chunks(s, &l) < 0) {
                /* A changed or vanished image cannot be filled; anything else is tried again later. */
                if (range_source_changed(s->src)) {
                        log_error("lazy: fill stopped: the image changed on the server");
                        s->fill = false;
                }
        }
        free(l.v);
}

/* Reads the requests waiting on the socket, at least one (blocking), at most BATCH_MAX. */
static int read_batch(struct lazy_server *s, struct pending *batch, size_t *ret_n) {
        size_t n = 0;
        int r;

        for (;;) {
                uint8_t hdr[NBD_REQUEST_SIZE];
                struct pending *p = &batch[n];

                r = read_exact_fd(s->sock, hdr, sizeof hdr);
                if (r < 0)
                        break;
                r = nbd_request_decode(hdr, &p->req);
                if (r < 0) {
                        log_error("lazy: the nbd driver sent a request with a bad magic; stopping");
                        break;
                }
                p->payload = NULL;
                if (p->req.type == NBD_REQ_WRITE) {
                        if (p->req.len > MAX_REQUEST) {
                                r = -EPROTO;
                                break;
                        }
                        p->payload = malloc(p->req.len ?: 1);
                        if (!p->payload) {
                                r = -ENOMEM;
                                break;
                        }
                        r = read_exact_fd(s->sock, p->payload, p->req.len);
                        if (r < 0) {
                                free(p->payload);
                                break;
                        }
                }
                n++;
                if (n == BATCH_MAX || p->req.type == NBD_REQ_DISC)
                        break;
                struct pollfd pfd = { .fd = s->sock, .events = POLLIN };
                if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN))
                        break;
        }
        *ret_n = n;
        return n > 0 ? 0 : r;
}

static int reply(struct lazy_server *s, const struct nbd_request *q, uint32_t error, const void *data, size_t len) {
        uint8_t hdr[NBD_REPLY_SIZE];
        nbd_reply_encode(q->handle, error, hdr);
        int r = write_full_fd(s->sock, hdr, sizeof hdr);
        if (r >= 0 && error == 0 && len > 0)
                r = write_full_fd(s->sock, data, len);
        return r;
}

static int answer(struct lazy_server *s, struct pending *p) {
        const struct nbd_request *q = &p->req;
        struct block_store *b = s->store;
        uint8_t *buf = NULL;
        int r;

        bool in_range = q->from <= b->size && q->len <= b->size - q->from;
        switch (q->type) {
        case NBD_REQ_READ:
                if (!in_range || q->len > MAX_REQUEST)
                        return reply(s, q, EINVAL, NULL, 0);
                if (!block_store_has_range(b, q->from, q->len))
                        return reply(s, q, EIO, NULL, 0);
                buf = malloc(q->len ?: 1);
                if (!buf)
                        return reply(s, q, ENOMEM, NULL, 0);
                r = block_store_pread(b, buf, q->len, q->from);
                s->bytes_read += q->len;
                r = r < 0 ? reply(s, q, EIO, NULL, 0) : reply(s, q, 0, buf, q->len);
                free(buf);
                return r;
        case NBD_REQ_WRITE:
                if (s->read_only)
                        return reply(s, q, EPERM, NULL, 0);
                if (!in_range)
                        return reply(s, q, ENOSPC, NULL, 0);
                if (!block_store_has_range(b, q->from, q->len))
                        return reply(s, q, EIO, NULL, 0);
                r = block_store_pwrite(b, p->payload, q->len, q->from);
                s->bytes_written += q->len;
                return reply(s, q, r < 0 ? EIO : 0, NULL, 0);
        case NBD_REQ_FLUSH:
        case NBD_REQ_TRIM:
                /* The store is RAM: nothing to flush; trimmed blocks keep their bytes. */
                return reply(s, q, 0, NULL, 0);
        default:
                return reply(s, q, EINVAL, NULL, 0);
        }
}

int lazy_server_run(struct lazy_server *s) {
        struct pending batch[BATCH_MAX];
        struct chunk_list want = {};
        bool dirty = true;
        uint64_t last_request = now_ms();
        int r = 0;

        for (;;) {
                struct pollfd pfd = { .fd = s->sock, .events = POLLIN };
                uint64_t idle = now_ms() - last_request;
                /* Filling goes on back to back once the system has been quiet for a moment. */
                int timeout = s->fill && !s->filled ? (idle >= FILL_IDLE_MS ? 0 : (int) (FILL_IDLE_MS - idle))
                            : dirty ? STATE_IDLE_MS : -1;
                size_t n = 0;

                r = poll(&pfd, 1, timeout);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        r = -errno;
                        break;
                }
                if (r == 0) {
                        if (s->fill && !s->filled && now_ms() - last_request >= FILL_IDLE_MS) {
                                fill_step(s);
                                if (!s->filled)
                                        continue;
                        }
                        write_state(s);
                        dirty = false;
                        continue;
                }

                r = read_batch(s, batch, &n);
                if (r < 0) {
                        if (r == -EPIPE)
                                r = 0;   /* the driver closed the socket: disconnected */
                        break;
                }
                dirty = true;
                last_request = now_ms();

                bool disc = false;
                for (size_t k = 0; k < n && r >= 0; k++) {
                        const struct nbd_request *q = &batch[k].req;
                        if (q->type == NBD_REQ_DISC)
                                disc = true;
                        if (q->type != NBD_REQ_READ && q->type != NBD_REQ_WRITE)
                                continue;
                        /* A write needs its chunks first: partly written chunks keep the rest. */
                        r = want_range(s->store, &want, q->from, q->len);
                        if (r < 0 || q->type != NBD_REQ_READ)
                                continue;
                        uint64_t end = q->from + q->len;
                        if (q->from == s->last_end)
                                s->ra_window = s->ra_window ? (s->ra_window * 2 < RA_MAX ? s->ra_window * 2 : RA_MAX)
                                                            : RA_MIN;
                        else
                                s->ra_window = 0;
                        s->last_end = end;
                        r = want_range(s->store, &want, end, s->ra_window);
                }
                if (r >= 0)
                        (void) fetch_chunks(s, &want);
                for (size_t k = 0; k < n; k++) {
                        if (r >= 0 && batch[k].req.type != NBD_REQ_DISC)
                                r = answer(s, &batch[k]);
                        free(batch[k].payload);
                }
                if (r < 0 || disc)
                        break;
        }
        free(want.v);
        write_state(s);
        return r < 0 ? r : 0;
}
