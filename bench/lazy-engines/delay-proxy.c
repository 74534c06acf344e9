/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * delay-proxy: a TCP forwarder on 127.0.0.1 that holds every byte for a fixed time in each
 * direction, so a loopback HTTP server looks like one a round trip away (this host has no netem).
 * Data is queued as it arrives and sent when due, so the delay adds latency, not a bandwidth cap.
 *
 * Usage: delay-proxy --listen PORT --to PORT --rtt-ms N
 * Runs until killed; prints "ready" on stdout once listening. Exit 2 on usage, 1 on error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PIECE (64 * 1024)

struct piece {
        struct piece *next;
        struct timespec due;
        size_t len;             /* 0: the sender closed */
        char data[];
};

/* One direction of one connection: a reader thread fills the queue, a writer thread drains it. */
struct pipe_dir {
        int from, to;
        long delay_ns;
        pthread_mutex_t lock;
        pthread_cond_t more;
        struct piece *head, *tail;
};

static void add_ns(struct timespec *t, long ns) {
        t->tv_nsec += ns;
        while (t->tv_nsec >= 1000000000L) {
                t->tv_nsec -= 1000000000L;
                t->tv_sec++;
        }
}

static void *reader(void *arg) {
        struct pipe_dir *d = arg;
        for (;;) {
                struct piece *p = malloc(sizeof *p + PIECE);
                if (!p)
                        abort();
                ssize_t n = read(d->from, p->data, PIECE);
                p->len = n > 0 ? (size_t) n : 0;
                p->next = NULL;
                clock_gettime(CLOCK_MONOTONIC, &p->due);
                add_ns(&p->due, d->delay_ns);
                pthread_mutex_lock(&d->lock);
                if (d->tail)
                        d->tail->next = p;
                else
                        d->head = p;
                d->tail = p;
                pthread_cond_signal(&d->more);
                pthread_mutex_unlock(&d->lock);
                if (n <= 0)
                        return NULL;
        }
}

static void *writer(void *arg) {
        struct pipe_dir *d = arg;
        for (;;) {
                pthread_mutex_lock(&d->lock);
                while (!d->head)
                        pthread_cond_wait(&d->more, &d->lock);
                struct piece *p = d->head;
                d->head = p->next;
                if (!d->head)
                        d->tail = NULL;
                pthread_mutex_unlock(&d->lock);
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &p->due, NULL) == EINTR)
                        ;
                bool end = p->len == 0;
                for (size_t off = 0; off < p->len;) {
                        ssize_t n = write(d->to, p->data + off, p->len - off);
                        if (n <= 0) {
                                end = true;
                                break;
                        }
                        off += (size_t) n;
                }
                free(p);
                if (end) {
                        shutdown(d->to, SHUT_WR);
                        shutdown(d->from, SHUT_RD);
                        return NULL;
                }
        }
}

struct conn {
        struct pipe_dir up, down;
};

static void *serve(void *arg) {
        struct conn *c = arg;
        pthread_t t[4];
        pthread_create(&t[0], NULL, reader, &c->up);
        pthread_create(&t[1], NULL, writer, &c->up);
        pthread_create(&t[2], NULL, reader, &c->down);
        pthread_create(&t[3], NULL, writer, &c->down);
        for (int i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
        close(c->up.from);
        close(c->down.from);
        free(c);
        return NULL;
}

static int tcp_to(int port) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0 || connect(s, (struct sockaddr *) &a, sizeof a) < 0) {
                if (s >= 0)
                        close(s);
                return -1;
        }
        return s;
}

int main(int argc, char **argv) {
        int listen_port = 0, to_port = 0;
        long rtt_ms = -1;
        for (int i = 1; i + 1 < argc; i += 2) {
                if (strcmp(argv[i], "--listen") == 0)
                        listen_port = atoi(argv[i + 1]);
                else if (strcmp(argv[i], "--to") == 0)
                        to_port = atoi(argv[i + 1]);
                else if (strcmp(argv[i], "--rtt-ms") == 0)
                        rtt_ms = atol(argv[i + 1]);
        }
        if (listen_port <= 0 || to_port <= 0 || rtt_ms < 0) {
                fprintf(stderr, "usage: delay-proxy --listen PORT --to PORT --rtt-ms N\n");
                return 2;
        }
        int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) listen_port) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ls < 0 || bind(ls, (struct sockaddr *) &a, sizeof a) < 0 || listen(ls, 64) < 0) {
                fprintf(stderr, "delay-proxy: cannot listen on 127.0.0.1:%d: %m\n", listen_port);
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        for (;;) {
                int in = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
                if (in < 0)
                        continue;
                int out = tcp_to(to_port);
                if (out < 0) {
                        close(in);
                        continue;
                }
                setsockopt(in, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                setsockopt(out, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct conn *c = calloc(1, sizeof *c);
                if (!c)
                        abort();
                /* Half the round trip each way. */
                c->up = (struct pipe_dir) { .from = in, .to = out, .delay_ns = rtt_ms * 500000L };
                c->down = (struct pipe_dir) { .from = out, .to = in, .delay_ns = rtt_ms * 500000L };
                pthread_mutex_init(&c->up.lock, NULL);
                pthread_mutex_init(&c->down.lock, NULL);
                pthread_cond_init(&c->up.more, NULL);
                pthread_cond_init(&c->down.more, NULL);
                pthread_t t;
                if (pthread_create(&t, NULL, serve, c) == 0)
                        pthread_detach(t);
        }
}
