/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <lzma.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base.h"
#include "decode-xz.h"
#include "space.h"

#define OUT_CHUNK (1024 * 1024)
/* A block whose compressed form is larger than this is decoded as it streams instead. */
#define JOB_MAX (64 * 1024 * 1024)
/* Compressed bytes handed to workers and not yet decoded: beyond this, wait (one job always goes). */
#define INFLIGHT_BUDGET (32 * 1024 * 1024)
#define MAX_THREADS 8

enum state {
        ST_STREAM_HEADER,
        ST_BLOCK_START,
        ST_BLOCK_HEADER,
        ST_BLOCK_BODY,          /* collecting a sized block for a worker */
        ST_BLOCK_INLINE,        /* decoding a block without sizes as it streams */
        ST_INDEX,
        ST_FOOTER,
        ST_PADDING,
};

struct job {
        lzma_block block;
        lzma_filter filters[LZMA_FILTERS_MAX + 1];
        uint8_t *buf;
        size_t len;
        uint64_t offset;
        uint64_t mem;           /* counted against the memory limit while the job lives */
        struct job *next;
};

struct xzpar {
        decode_write_at_t write_at;
        void *userdata;

        enum state state;
        uint8_t hbuf[1024];
        size_t hneed, hlen;
        lzma_stream_flags flags;
        lzma_index_hash *ih;
        struct job *cur;        /* the block being collected or decoded inline */
        lzma_stream inline_strm;
        bool inline_init;
        uint8_t *inline_out;
        uint64_t out_off;       /* uncompressed offset of the next block */
        uint64_t padding;
        unsigned streams;       /* complete streams so far */
        uint64_t memlimit;
        bool over_memlimit;
        const char *why;
        char why_buf[256];

        /* Workers. */
        pthread_mutex_t lock;
        pthread_cond_t wake, done;
        pthread_t threads[MAX_THREADS];
        unsigned n_threads, started;
        struct job *queue_head, *queue_tail;
        unsigned in_flight;     /* queued or being decoded */
        size_t in_flight_bytes;
        uint64_t mem_in_flight; /* jobs' memory, from their block header until decoded */
        bool stop;
        int error;              /* first worker error */
        const char *worker_why;
};

static void job_free(struct job *j) {
        if (!j)
                return;
        for (unsigned i = 0; i < LZMA_FILTERS_MAX && j->filters[i].id != LZMA_VLI_UNKNOWN; i++)
                free(j->filters[i].options);
        /* Compressed blocks are mapped, not malloc'd: returned to the system at once, they cannot
         * pile up in the allocator's per-thread arenas and inflate the resident size. */
        if (j->buf)
                munmap(j->buf, j->len ?: 1);
        free(j);
}

static struct job *job_new(void) {
        struct job *j = calloc(1, sizeof *j);
        if (!j)
                return NULL;
        for (unsigned i = 0; i <= LZMA_FILTERS_MAX; i++)
                j->filters[i].id = LZMA_VLI_UNKNOWN;
        return j;
}

static int fail(struct xzpar *x, const char *why) {
        x->why = why;
        return -EBADMSG;
}

static int fail_memlimit(struct xzpar *x, uint64_t needed) {
        char a[32], b[32];
        snprintf(x->why_buf, sizeof x->why_buf,
                 "the xz stream needs %s of memory to decompress a block, more than the limit of %s; raise "
                 "the limit with --max-memory= (pullboot.max-memory= at boot)", format_bytes(needed, a, sizeof a),
                 format_bytes(x->memlimit, b, sizeof b));
        x->why = x->why_buf;
        x->over_memlimit = true;
        return -ENOMEM;
}

static int fail_trailing(struct xzpar *x) {
        return fail(x, "data after the end of the xz stream (not another xz stream; a corrupt or wrong file?)");
}

static void set_worker_error(struct xzpar *x, int r, const char *why) {
        pthread_mutex_lock(&x->lock);
        if (x->error == 0) {
                x->error = r;
                x->worker_why = why;
        }
        pthread_mutex_unlock(&x->lock);
}

static int decode_job(struct xzpar *x, struct job *j, uint8_t *out) {
        lzma_stream s = LZMA_STREAM_INIT;
        uint64_t off = j->offset;
        int r = 0;

        if (lzma_block_decoder(&s, &j->block) != LZMA_OK)
                return -ENOMEM;
        s.next_in = j->buf;
        s.avail_in = j->len;
        for (;;) {
                s.next_out = out;
                s.avail_out = OUT_CHUNK;
                lzma_ret ret = lzma_code(&s, LZMA_FINISH);
                size_t produced = OUT_CHUNK - s.avail_out;
                if (produced > 0) {
                        r = x->write_at(x->userdata, off, out, produced);
                        if (r < 0)
                                break;
                        off += produced;
                }
                if (ret == LZMA_STREAM_END) {
                        if (s.avail_in != 0)
                                r = -EBADMSG;
                        break;
                }
                if (ret != LZMA_OK) {
                        r = ret == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
                        break;
                }
                pthread_mutex_lock(&x->lock);
                bool stop = x->stop || x->error != 0;
                pthread_mutex_unlock(&x->lock);
                if (stop)
                        break;
        }
        lzma_end(&s);
        return r;
}

static void *worker(void *arg) {
        struct xzpar *x = arg;
        uint8_t *out = malloc(OUT_CHUNK);

        for (;;) {
                pthread_mutex_lock(&x->lock);
                while (!x->queue_head && !x->stop)
                        pthread_cond_wait(&x->wake, &x->lock);
                if (x->stop && !x->queue_head) {
                        pthread_mutex_unlock(&x->lock);
                        break;
                }
                struct job *j = x->queue_head;
                x->queue_head = j->next;
                if (!x->queue_head)
                        x->queue_tail = NULL;
                bool skip = x->error != 0 || x->stop;
                pthread_mutex_unlock(&x->lock);

                size_t len = j->len;
                uint64_t mem = j->mem;
                if (!skip) {
                        int r = out ? decode_job(x, j, out) : -ENOMEM;
                        if (r < 0)
                                set_worker_error(x, r, r == -EBADMSG ? "corrupt xz block" : NULL);
                }
                job_free(j);

                pthread_mutex_lock(&x->lock);
                x->in_flight--;
                x->in_flight_bytes -= len;
                x->mem_in_flight -= mem;
                pthread_cond_broadcast(&x->done);
                pthread_mutex_unlock(&x->lock);
        }
        free(out);
        return NULL;
}

/* Waits until at most `max` jobs are in flight and `bytes` more fit the budget; returns the first
 * worker error. */
static int wait_in_flight(struct xzpar *x, unsigned max, size_t bytes) {
        pthread_mutex_lock(&x->lock);
        while ((x->in_flight > max || (x->in_flight > 0 && x->in_flight_bytes + bytes > INFLIGHT_BUDGET)) &&
               x->error == 0)
                pthread_cond_wait(&x->done, &x->lock);
        int r = x->error;
        if (r == -EBADMSG)
                x->why = x->worker_why;
        pthread_mutex_unlock(&x->lock);
        return r;
}

/* Waits until need more bytes fit the memory limit next to the blocks in flight (a block always
 * fits when nothing else is in flight), then counts them. */
static int reserve_memory(struct xzpar *x, uint64_t need) {
        pthread_mutex_lock(&x->lock);
        while (x->in_flight > 0 && x->mem_in_flight + need > x->memlimit && x->error == 0)
                pthread_cond_wait(&x->done, &x->lock);
        int r = x->error;
        if (r == -EBADMSG)
                x->why = x->worker_why;
        if (r == 0)
                x->mem_in_flight += need;
        pthread_mutex_unlock(&x->lock);
        return r;
}

static int submit(struct xzpar *x, struct job *j) {
        while (x->started < x->n_threads) {
                if (pthread_create(&x->threads[x->started], NULL, worker, x) != 0) {
                        if (x->started == 0)
                                return -errno;
                        break;
                }
                x->started++;
        }
        /* At most one block per worker in flight, plus the one being received: the compressed
         * blocks held stay bounded, and receiving still overlaps decoding. */
        int r = wait_in_flight(x, x->started - 1, j->len);
        if (r < 0)
                return r;
        pthread_mutex_lock(&x->lock);
        j->next = NULL;
        if (x->queue_tail)
                x->queue_tail->next = j;
        else
                x->queue_head = j;
        x->queue_tail = j;
        x->in_flight++;
        x->in_flight_bytes += j->len;
        pthread_cond_signal(&x->wake);
        pthread_mutex_unlock(&x->lock);
        return 0;
}

int xzpar_new(unsigned threads, decode_write_at_t write_at, void *userdata, struct xzpar **ret) {
        struct xzpar *x = calloc(1, sizeof *x);
        if (!x)
                return -ENOMEM;
        x->write_at = write_at;
        x->userdata = userdata;
        x->n_threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
        x->state = ST_STREAM_HEADER;
        x->hneed = LZMA_STREAM_HEADER_SIZE;
        x->inline_strm = (lzma_stream) LZMA_STREAM_INIT;
        x->memlimit = UINT64_MAX;
        pthread_mutex_init(&x->lock, NULL);
        pthread_cond_init(&x->wake, NULL);
        pthread_cond_init(&x->done, NULL);
        *ret = x;
        return 0;
}

struct xzpar *xzpar_free(struct xzpar *x) {
        if (!x)
                return NULL;
        pthread_mutex_lock(&x->lock);
        x->stop = true;
        pthread_cond_broadcast(&x->wake);
        pthread_mutex_unlock(&x->lock);
        for (unsigned i = 0; i < x->started; i++)
                pthread_join(x->threads[i], NULL);
        while (x->queue_head) {
                struct job *j = x->queue_head;
                x->queue_head = j->next;
                job_free(j);
        }
        job_free(x->cur);
        if (x->inline_init)
                lzma_end(&x->inline_strm);
        free(x->inline_out);
        if (x->ih)
                lzma_index_hash_end(x->ih, NULL);
        pthread_cond_destroy(&x->wake);
        pthread_cond_destroy(&x->done);
        pthread_mutex_destroy(&x->lock);
        free(x);
        return NULL;
}

void xzpar_set_memlimit(struct xzpar *x, uint64_t bytes) {
        x->memlimit = bytes ?: UINT64_MAX;
}

bool xzpar_over_memlimit(const struct xzpar *x) {
        return x->over_memlimit;
}

uint64_t xzpar_output_bytes(const struct xzpar *x) {
        return x->out_off;
}

const char *xzpar_error(const struct xzpar *x) {
        return x->why ?: "corrupt xz data";
}

/* Collects x->hneed bytes into hbuf; true once they are all there. */
static bool gather(struct xzpar *x, const uint8_t **p, size_t *n) {
        pb_fill(x->hbuf, x->hneed, &x->hlen, p, n);
        return x->hlen == x->hneed;
}

static void expect(struct xzpar *x, enum state s, size_t need) {
        x->state = s;
        x->hneed = need;
        x->hlen = 0;
}

static int on_block_header(struct xzpar *x) {
        struct job *j = job_new();
        if (!j)
                return -ENOMEM;
        j->block.version = 1;
        j->block.header_size = (uint32_t) x->hlen;
        j->block.check = x->flags.check;
        j->block.filters = j->filters;
        if (lzma_block_header_decode(&j->block, NULL, x->hbuf) != LZMA_OK) {
                job_free(j);
                return fail(x, "corrupt xz block header");
        }
        x->cur = j;
        /* The dictionary the block header asks for is what its decoder allocates: check it before. */
        uint64_t dict = lzma_raw_decoder_memusage(j->filters);
        if (dict == UINT64_MAX)
                return fail(x, "unsupported xz block filters");
        /* A worker holds the whole compressed block besides the dictionary; a block for which that
         * is too much is decoded as it streams instead, which needs only the dictionary. */
        lzma_vli total = lzma_block_total_size(&j->block);
        if (j->block.compressed_size != LZMA_VLI_UNKNOWN && j->block.uncompressed_size != LZMA_VLI_UNKNOWN &&
            total != 0 && total - j->block.header_size <= JOB_MAX &&
            dict + (total - j->block.header_size) + OUT_CHUNK <= x->memlimit) {
                j->len = (size_t) (total - j->block.header_size);
                uint64_t need = dict + j->len + OUT_CHUNK;
                int r = reserve_memory(x, need);
                if (r < 0)
                        return r;
                j->mem = need;
                j->buf = mmap(NULL, j->len ?: 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (j->buf == MAP_FAILED) {
                        j->buf = NULL;
                        return -ENOMEM;
                }
                expect(x, ST_BLOCK_BODY, j->len);
                return 0;
        }
        /* Decode in order, here, after the workers are done with earlier blocks. */
        if (dict + OUT_CHUNK > x->memlimit)
                return fail_memlimit(x, dict + OUT_CHUNK);
        int r = wait_in_flight(x, 0, 0);
        if (r < 0)
                return r;
        if (!x->inline_out && !(x->inline_out = malloc(OUT_CHUNK)))
                return -ENOMEM;
        if (lzma_block_decoder(&x->inline_strm, &j->block) != LZMA_OK)
                return fail(x, "unsupported xz block");
        x->inline_init = true;
        x->state = ST_BLOCK_INLINE;
        return 0;
}

static int feed_inline(struct xzpar *x, const uint8_t **p, size_t *n) {
        lzma_stream *s = &x->inline_strm;
        s->next_in = *p;
        s->avail_in = *n;
        for (;;) {
                s->next_out = x->inline_out;
                s->avail_out = OUT_CHUNK;
                lzma_ret ret = lzma_code(s, LZMA_RUN);
                size_t produced = OUT_CHUNK - s->avail_out;
                if (produced > 0) {
                        int r = x->write_at(x->userdata, x->out_off, x->inline_out, produced);
                        if (r < 0)
                                return r;
                        x->out_off += produced;
                }
                if (ret == LZMA_STREAM_END) {
                        if (lzma_index_hash_append(x->ih, lzma_block_unpadded_size(&x->cur->block),
                                                   x->cur->block.uncompressed_size) != LZMA_OK)
                                return fail(x, "corrupt xz block sizes");
                        lzma_end(s);
                        x->inline_init = false;
                        job_free(x->cur);
                        x->cur = NULL;
                        expect(x, ST_BLOCK_START, 1);
                        break;
                }
                if (ret != LZMA_OK)
                        return fail(x, ret == LZMA_MEM_ERROR ? "out of memory" : "corrupt xz data");
                if (s->avail_in == 0 && s->avail_out > 0)
                        break;
        }
        *n = s->avail_in;
        *p = s->next_in;
        return 0;
}

int xzpar_feed(struct xzpar *x, const uint8_t *p, size_t n) {
        static const uint8_t magic[] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
        int r;

        while (n > 0) {
                switch (x->state) {
                case ST_STREAM_HEADER: {
                        bool complete = gather(x, &p, &n);
                        if (x->streams > 0 && memcmp(x->hbuf, magic, x->hlen < sizeof magic ? x->hlen : sizeof magic) != 0)
                                return fail_trailing(x);
                        if (!complete)
                                return 0;
                        if (lzma_stream_header_decode(&x->flags, x->hbuf) != LZMA_OK)
                                return fail(x, "not an xz stream");
                        if (x->ih)
                                lzma_index_hash_end(x->ih, NULL);
                        x->ih = lzma_index_hash_init(NULL, NULL);
                        if (!x->ih)
                                return -ENOMEM;
                        expect(x, ST_BLOCK_START, 1);
                        break;
                }
                case ST_BLOCK_START:
                        if (p[0] == 0) {
                                /* The index: its indicator byte is part of it. */
                                x->state = ST_INDEX;
                                break;
                        }
                        expect(x, ST_BLOCK_HEADER, lzma_block_header_size_decode(p[0]));
                        break;
                case ST_BLOCK_HEADER:
                        if (!gather(x, &p, &n))
                                return 0;
                        r = on_block_header(x);
                        if (r < 0)
                                return r;
                        break;
                case ST_BLOCK_BODY: {
                        struct job *j = x->cur;
                        pb_fill(j->buf, j->len, &x->hlen, &p, &n);
                        if (x->hlen < j->len)
                                return 0;
                        if (lzma_index_hash_append(x->ih, lzma_block_unpadded_size(&j->block),
                                                   j->block.uncompressed_size) != LZMA_OK)
                                return fail(x, "corrupt xz block sizes");
                        j->offset = x->out_off;
                        x->out_off += j->block.uncompressed_size;
                        x->cur = NULL;
                        r = submit(x, j);
                        if (r < 0) {
                                job_free(j);
                                return r;
                        }
                        expect(x, ST_BLOCK_START, 1);
                        break;
                }
                case ST_BLOCK_INLINE:
                        r = feed_inline(x, &p, &n);
                        if (r < 0)
                                return r;
                        break;
                case ST_INDEX: {
                        size_t pos = 0;
                        lzma_ret ret = lzma_index_hash_decode(x->ih, p, &pos, n);
                        p += pos;
                        n -= pos;
                        if (ret == LZMA_STREAM_END)
                                expect(x, ST_FOOTER, LZMA_STREAM_HEADER_SIZE);
                        else if (ret != LZMA_OK)
                                return fail(x, "xz index does not match the blocks");
                        break;
                }
                case ST_FOOTER: {
                        lzma_stream_flags footer;
                        if (!gather(x, &p, &n))
                                return 0;
                        if (lzma_stream_footer_decode(&footer, x->hbuf) != LZMA_OK ||
                            lzma_stream_flags_compare(&x->flags, &footer) != LZMA_OK ||
                            footer.backward_size != lzma_index_hash_size(x->ih))
                                return fail(x, "corrupt xz stream footer");
                        x->state = ST_PADDING;
                        x->padding = 0;
                        x->streams++;
                        break;
                }
                case ST_PADDING:
                        if (p[0] == 0) {
                                x->padding++;
                                p++;
                                n--;
                                break;
                        }
                        if (x->padding % 4 != 0)
                                return fail_trailing(x);
                        /* Another stream follows (concatenated .xz files). */
                        expect(x, ST_STREAM_HEADER, LZMA_STREAM_HEADER_SIZE);
                        break;
                }
        }
        return 0;
}

int xzpar_finish(struct xzpar *x) {
        int r = wait_in_flight(x, 0, 0);
        if (r < 0)
                return r;
        if (x->state == ST_PADDING && x->padding % 4 != 0)
                return fail_trailing(x);
        if (x->state != ST_PADDING)
                return fail(x, "xz stream ends early (truncated download?)");
        return 0;
}
