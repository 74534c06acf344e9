/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lazy-replay: the lazy root's server without the kernel. It serves URL exactly as in the initrd
 * (range source, seek table, RAM store, serving loop on one end of a socketpair) and plays the
 * nbd driver on the other end: NBD requests, several in flight, whose answers are compared with
 * a local copy of the image. So the protocol, the cache, read-ahead, retries, the ETag pin and
 * copy-on-write are tested on any host, with or without nbd.ko.
 *
 * Usage: lazy-replay --url URL --expect FILE [--fill] MODE
 *   MODE: all           read the whole image in 128 KiB requests, 8 in flight
 *         sparse        read one 4 KiB block in every 4 MiB
 *         cow           write a block, read it back, read its neighbours
 *         fill          read one block, wait until the server filled the rest (then the
 *                       caller may stop the HTTP server), then read everything
 *         pause=S       read the first half, sleep S seconds, read the rest (the caller
 *                       changes or cuts the image meanwhile)
 *         kernel        the real driver instead: connect a free /dev/nbdN to the server and
 *                       read the whole device through the kernel (exit 77 without nbd.ko)
 * Prints "read BYTES fetched BYTES requests N errors E mismatches M". Exit 0 when no answer
 * differed from FILE (errors are allowed: the caller decides), 1 on mismatch or protocol
 * failure, 3 when the image cannot be served lazily (the reason on stderr), 2 usage.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block-store.h"
#include "fileio.h"
#include "lazy-server.h"
#include "log.h"
#include "nbd-kernel.h"
#include "nbd-proto.h"
#include "range-source.h"
#include "seekable.h"

#define IN_FLIGHT 8
#define REQ_SIZE (128 * 1024)

struct kernel {
        int sock;
        const uint8_t *expect;
        uint64_t size;
        uint64_t read, errors, mismatches;
        uint64_t next_handle;
};

static int send_request(struct kernel *k, uint16_t type, uint64_t from, uint32_t len, const void *data) {
        uint8_t hdr[NBD_REQUEST_SIZE] = {};
        nbd_request_encode(type, k->next_handle++, from, len, hdr);
        int r = write_full_fd(k->sock, hdr, sizeof hdr);
        if (r >= 0 && type == NBD_REQ_WRITE)
                r = write_full_fd(k->sock, data, len);
        return r;
}

/* Reads the reply to a request (replies come in order); for reads, checks the data against
 * expect (NULL: the image file). Returns the reply's errno. */
static int recv_reply(struct kernel *k, uint16_t type, uint64_t from, uint32_t len, const uint8_t *expect) {
        uint8_t hdr[NBD_REPLY_SIZE];
        uint32_t err;
        uint64_t handle;
        if (read_exact_fd(k->sock, hdr, sizeof hdr) < 0)
                return -EPIPE;
        if (nbd_reply_decode(hdr, &err, &handle) < 0)
                return -EBADMSG;
        if (err != 0) {
                k->errors++;
                return (int) err;
        }
        if (type != NBD_REQ_READ)
                return 0;
        uint8_t *buf = malloc(len);
        if (!buf || read_exact_fd(k->sock, buf, len) < 0) {
                free(buf);
                return -EPIPE;
        }
        if (memcmp(buf, expect ? expect : k->expect + from, len) != 0) {
                k->mismatches++;
                fprintf(stderr, "lazy-replay: bytes %" PRIu64 "-%" PRIu64 " differ from the image\n", from,
                        from + len - 1);
        }
        k->read += len;
        free(buf);
        return 0;
}

/* Reads [from, to) in REQ_SIZE requests, IN_FLIGHT at a time. */
static int read_span(struct kernel *k, uint64_t from, uint64_t to) {
        uint64_t sent = from, done = from;
        while (done < to) {
                while (sent < to && sent - done < (uint64_t) IN_FLIGHT * REQ_SIZE) {
                        uint32_t len = (uint32_t) (to - sent < REQ_SIZE ? to - sent : REQ_SIZE);
                        if (send_request(k, NBD_REQ_READ, sent, len, NULL) < 0)
                                return -EPIPE;
                        sent += len;
                }
                uint32_t len = (uint32_t) (to - done < REQ_SIZE ? to - done : REQ_SIZE);
                int r = recv_reply(k, NBD_REQ_READ, done, len, NULL);
                if (r < 0)
                        return r;
                done += len;
        }
        return 0;
}

static int read_one(struct kernel *k, uint64_t from, uint32_t len, const uint8_t *expect) {
        if (send_request(k, NBD_REQ_READ, from, len, NULL) < 0)
                return -EPIPE;
        return recv_reply(k, NBD_REQ_READ, from, len, expect);
}

static int run_cow(struct kernel *k) {
        uint8_t block[4096];
        uint64_t at = k->size / 2 & ~(uint64_t) 4095;
        memset(block, 0xa5, sizeof block);
        if (send_request(k, NBD_REQ_WRITE, at, sizeof block, block) < 0)
                return -EPIPE;
        int r = recv_reply(k, NBD_REQ_WRITE, at, sizeof block, NULL);
        if (r != 0) {
                fprintf(stderr, "lazy-replay: the write failed with %d\n", r);
                return -EIO;
        }
        r = read_one(k, at, sizeof block, block);
        if (r == 0 && at >= 4096)
                r = read_one(k, at - 4096, 4096, NULL);
        if (r == 0 && at + 8192 <= k->size)
                r = read_one(k, at + 4096, 4096, NULL);
        return r < 0 ? r : 0;
}

/* Through the kernel: the server on one end, /dev/nbdN on the other, read with pread. */
static int run_kernel(struct lazy_server *s, int kernel_sock, const uint8_t *image, uint64_t size,
                      struct kernel *k) {
        char sysname[32], path[64];
        pthread_t do_it;
        int r;

        int fd = nbd_kernel_open_free("/dev", sysname, sizeof sysname);
        if (fd < 0) {
                fprintf(stderr, "lazy-replay: no free /dev/nbd* (%s)\n", strerror(-fd));
                return fd;
        }
        r = nbd_kernel_configure(fd, kernel_sock, size, true);
        if (r < 0 || (r = nbd_kernel_start(fd, sysname, &do_it)) < 0) {
                fprintf(stderr, "lazy-replay: cannot connect /dev/%s: %s\n", sysname, strerror(-r));
                return r;
        }
        close(kernel_sock);
        r = nbd_kernel_wait_connected(sysname, 5000);
        if (r < 0)
                return r;
        snprintf(path, sizeof path, "/dev/%s", sysname);
        int dev = open(path, O_RDONLY | O_CLOEXEC | O_DIRECT);
        if (dev < 0)
                return -errno;
        uint8_t *buf = aligned_alloc(4096, REQ_SIZE);
        for (uint64_t off = 0; buf && off < size; off += REQ_SIZE) {
                size_t len = size - off < REQ_SIZE ? (size_t) (size - off) : REQ_SIZE;
                ssize_t n = pread(dev, buf, len, (off_t) off);
                if (n != (ssize_t) len) {
                        k->errors++;
                        continue;
                }
                if (memcmp(buf, image + off, len) != 0)
                        k->mismatches++;
                k->read += len;
        }
        free(buf);
        close(dev);
        printf("read /dev/%s through the kernel\n", sysname);
        (void) s;
        return 0;
}

static void *serve_thread(void *arg) {
        int r = lazy_server_run(arg);
        if (r < 0)
                log_error_errno(r, "lazy-replay: the server stopped");
        return NULL;
}

int main(int argc, char **argv) {
        const char *url = NULL, *expect = NULL, *mode = NULL;
        bool fill = false;
        struct pb_diag why = {};
        int r;

        log_set_program("lazy-replay");
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
                        url = argv[++i];
                else if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc)
                        expect = argv[++i];
                else if (strcmp(argv[i], "--fill") == 0)
                        fill = true;
                else if (!mode && argv[i][0] != '-')
                        mode = argv[i];
                else {
                        fprintf(stderr, "usage: lazy-replay --url URL --expect FILE [--fill] all|sparse|cow|fill|pause=S\n");
                        return 2;
                }
        }
        if (!url || !expect || !mode) {
                fprintf(stderr, "usage: lazy-replay --url URL --expect FILE [--fill] all|sparse|cow|fill|pause=S\n");
                return 2;
        }

        int efd = open(expect, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (efd < 0 || fstat(efd, &st) < 0) {
                fprintf(stderr, "lazy-replay: cannot open %s\n", expect);
                return 2;
        }
        uint8_t *image = malloc((size_t) st.st_size ?: 1);
        if (!image || read_exact_fd(efd, image, (size_t) st.st_size) < 0)
                return 2;
        close(efd);

        curl_global_init(CURL_GLOBAL_DEFAULT);
        struct range_source *src = NULL;
        r = range_source_open(url, NULL, &src);      /* logs why not */
        pb_seek_table table = {};
        if (r >= 0)
                r = pb_seek_table_load(&table, range_source_size(src), range_source_read, src, &why);
        if (r < 0) {
                fprintf(stderr, "lazy-replay: not served lazily: %s\n", why.reason ?: strerror(-r));
                range_source_free(src);
                free(image);
                curl_global_cleanup();
                return r == -EMEDIUMTYPE ? 3 : 1;
        }
        if (table.usize != (uint64_t) st.st_size) {
                fprintf(stderr, "lazy-replay: the image has %" PRIu64 " bytes, %s has %jd\n", table.usize, expect,
                        (intmax_t) st.st_size);
                return 1;
        }
        struct block_store store;
        if (block_store_init(&store, &table) < 0)
                return 1;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return 1;
        struct lazy_server s = {
                .sock = sv[0], .src = src, .store = &store, .fill = fill, .state_dirfd = -1, .state_name = "replay",
        };
        pthread_t t;
        if (pthread_create(&t, NULL, serve_thread, &s) != 0)
                return 1;

        struct kernel k = { .sock = sv[1], .expect = image, .size = table.usize, .next_handle = 1 };
        unsigned pause_sec = 0;
        if (strcmp(mode, "kernel") == 0) {
                r = run_kernel(&s, sv[1], image, table.usize, &k);
                printf("read %" PRIu64 " fetched %" PRIu64 " requests %u errors %" PRIu64 " mismatches %" PRIu64 "\n",
                       k.read, range_source_bytes_fetched(src), range_source_requests(src), k.errors, k.mismatches);
                /* The kernel holds the socket: the process exit disconnects it. */
                fflush(stdout);
                _exit(r < 0 ? 1 : k.mismatches > 0 || k.errors > 0 ? 1 : 0);
        }
        if (strcmp(mode, "all") == 0)
                r = read_span(&k, 0, k.size);
        else if (strcmp(mode, "sparse") == 0) {
                r = 0;
                for (uint64_t at = 0; r >= 0 && at + 4096 <= k.size; at += 4 * 1024 * 1024)
                        r = read_one(&k, at, 4096, NULL);
        } else if (strcmp(mode, "cow") == 0)
                r = run_cow(&k);
        else if (strcmp(mode, "fill") == 0) {
                r = read_one(&k, 0, 4096, NULL);
                for (unsigned i = 0; r >= 0 && !s.filled && i < 600; i++)
                        usleep(100 * 1000);
                if (r >= 0 && !s.filled) {
                        fprintf(stderr, "lazy-replay: the fill did not complete in 60 s\n");
                        r = -ETIMEDOUT;
                }
                if (r >= 0) {
                        /* The caller stops the HTTP server when it sees this line. */
                        printf("filled\n");
                        fflush(stdout);
                        sleep(2);
                        r = read_span(&k, 0, k.size);
                }
        } else if (sscanf(mode, "pause=%u", &pause_sec) == 1) {
                uint64_t half = k.size / 2 & ~(uint64_t) 511;
                r = read_span(&k, 0, half);
                printf("paused\n");
                fflush(stdout);
                sleep(pause_sec);
                if (r >= 0)
                        r = read_span(&k, half, k.size);
        } else {
                fprintf(stderr, "lazy-replay: unknown mode %s\n", mode);
                return 2;
        }

        (void) send_request(&k, NBD_REQ_DISC, 0, 0, NULL);
        shutdown(sv[1], SHUT_WR);
        pthread_join(t, NULL);
        printf("read %" PRIu64 " fetched %" PRIu64 " requests %u errors %" PRIu64 " mismatches %" PRIu64 "\n", k.read,
               range_source_bytes_fetched(src), range_source_requests(src), k.errors, k.mismatches);
        range_source_free(src);
        block_store_done(&store);
        pb_seek_table_done(&table);
        free(image);
        curl_global_cleanup();
        return r < 0 || k.mismatches > 0 ? 1 : 0;
}
