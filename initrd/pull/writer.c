/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "writer.h"

#define MAX_BUFS 8

struct writer {
        writer_consume_t consume;
        void *userdata;
        size_t size;
        unsigned n;
        uint8_t *bufs[MAX_BUFS];
        size_t lens[MAX_BUFS];
        unsigned head, count;   /* the queue: count filled buffers starting at head */
        unsigned fill;          /* the buffer being filled by the caller (not queued) */
        bool busy;              /* the thread is writing the head buffer */
        bool stop, discard;
        int error;
        pthread_t thread;
        bool started;
        pthread_mutex_t lock;
        pthread_cond_t cond;
};

static void *run(void *arg) {
        struct writer *w = arg;
        pthread_mutex_lock(&w->lock);
        for (;;) {
                while (w->count == 0 && !w->stop)
                        pthread_cond_wait(&w->cond, &w->lock);
                if (w->count == 0 && w->stop)
                        break;
                unsigned i = w->head;
                bool skip = w->error != 0 || w->discard;
                w->busy = true;
                pthread_mutex_unlock(&w->lock);

                int r = skip ? 0 : w->consume(w->userdata, w->bufs[i], w->lens[i]);

                pthread_mutex_lock(&w->lock);
                w->busy = false;
                if (r < 0 && w->error == 0 && !w->discard)
                        w->error = r;
                w->head = (w->head + 1) % w->n;
                w->count--;
                pthread_cond_broadcast(&w->cond);
        }
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

int writer_new(writer_consume_t consume, void *userdata, size_t buf_size, unsigned n_bufs, struct writer **ret) {
        struct writer *w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->consume = consume;
        w->userdata = userdata;
        w->size = buf_size;
        w->n = n_bufs < 2 ? 2 : n_bufs > MAX_BUFS ? MAX_BUFS : n_bufs;
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);
        for (unsigned i = 0; i < w->n; i++)
                if (!(w->bufs[i] = malloc(buf_size))) {
                        writer_free(w);
                        return -ENOMEM;
                }
        if (pthread_create(&w->thread, NULL, run, w) != 0) {
                writer_free(w);
                return -EAGAIN;
        }
        w->started = true;
        *ret = w;
        return 0;
}

struct writer *writer_free(struct writer *w) {
        if (!w)
                return NULL;
        if (w->started) {
                pthread_mutex_lock(&w->lock);
                w->stop = true;
                w->discard = true;
                pthread_cond_broadcast(&w->cond);
                pthread_mutex_unlock(&w->lock);
                pthread_join(w->thread, NULL);
        }
        for (unsigned i = 0; i < w->n; i++)
                free(w->bufs[i]);
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
}

/* Queues the fill buffer and picks the next free one; waits while all are taken. */
static int submit(struct writer *w) {
        pthread_mutex_lock(&w->lock);
        w->count++;
        pthread_cond_broadcast(&w->cond);
        /* The next buffer must be neither queued nor being written. */
        while (w->count + 1 > w->n && w->error == 0)
                pthread_cond_wait(&w->cond, &w->lock);
        w->fill = (w->head + w->count) % w->n;
        w->lens[w->fill] = 0;
        int r = w->error;
        pthread_mutex_unlock(&w->lock);
        return r;
}

int writer_write(struct writer *w, const void *data, size_t n) {
        const uint8_t *p = data;
        while (n > 0) {
                pb_fill(w->bufs[w->fill], w->size, &w->lens[w->fill], &p, &n);
                if (w->lens[w->fill] == w->size) {
                        int r = submit(w);
                        if (r < 0)
                                return r;
                }
        }
        pthread_mutex_lock(&w->lock);
        int r = w->error;
        pthread_mutex_unlock(&w->lock);
        return r;
}

static int wait_idle(struct writer *w) {
        pthread_mutex_lock(&w->lock);
        while (w->count > 0 || w->busy)
                pthread_cond_wait(&w->cond, &w->lock);
        int r = w->error;
        pthread_mutex_unlock(&w->lock);
        return r;
}

int writer_flush(struct writer *w) {
        if (w->lens[w->fill] > 0) {
                int r = submit(w);
                if (r < 0)
                        return r;
        }
        return wait_idle(w);
}

int writer_reset(struct writer *w) {
        pthread_mutex_lock(&w->lock);
        w->discard = true;
        pthread_mutex_unlock(&w->lock);
        (void) wait_idle(w);
        pthread_mutex_lock(&w->lock);
        w->discard = false;
        w->error = 0;
        w->head = 0;
        w->fill = 0;
        w->lens[0] = 0;
        pthread_mutex_unlock(&w->lock);
        return 0;
}
