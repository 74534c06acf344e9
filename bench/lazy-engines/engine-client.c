/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * engine-client: one NBD client that plays the same read pattern against either lazy-root
 * engine, so bench/lazy-engines/run compares the engines and nothing else.
 *
 *   pullboot: the initrd's server (range source, seek table, RAM store, serving loop) runs in a
 *             child process on one end of a socketpair, exactly as lazy-replay and the initrd
 *             drive it (no handshake: the kernel sets size and flags by ioctl). The child reports
 *             its own peak RSS and HTTP counters when the client disconnects.
 *   nbd:      any NBD server on a Unix socket (nbdkit here), after the fixed-newstyle handshake
 *             with NBD_OPT_EXPORT_NAME (no structured replies: simple replies only, as the
 *             kernel's driver uses them).
 *
 * Usage: engine-client --image FILE (--pullboot URL | --socket PATH) PATTERN
 *   PATTERN: boot  a synthetic boot: 4 KiB reads scattered over the image (one at a time, as
 *                  page faults on file system metadata come), with a sequential 2-8 MiB file
 *                  read (128 KiB requests, 8 in flight, as the kernel's read-ahead sends them)
 *                  after every 100th; fixed seed, so every engine sees the same offsets
 *            seq   the first 256 MiB (or the whole image if smaller), 128 KiB x 8 in flight
 *            rand  2000 4 KiB reads at uniformly random 4 KiB-aligned offsets, one at a time
 * Every answer is compared with FILE. Prints one line:
 *   wall_ms W read B mismatches M errors E [engine_hwm_kb K store_bytes S fetched F requests R]
 * (the bracketed part for --pullboot only: for another server the caller reads them itself).
 * Exit 0 when every answer matched, 1 on a mismatch, error or protocol failure, 2 usage.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "block-store.h"
#include "fileio.h"
#include "lazy-server.h"
#include "base.h"
#include "nbd-proto.h"
#include "range-source.h"
#include "seekable.h"

#define IN_FLIGHT 8
#define SEQ_REQ (128 * 1024)
#define SMALL 4096
#define SEQ_BYTES (256ull << 20)
#define RAND_READS 2000
#define BOOT_READS 800
#define MAX_LEN SEQ_REQ


struct client {
        int sock;
        int image_fd;
        uint64_t size;
        uint64_t read, mismatches, errors;
        uint64_t next_handle;
        /* in flight, matched by handle: a server may answer out of order */
        struct { uint64_t handle, from; uint32_t len; bool used; } slot[IN_FLIGHT];
        unsigned busy;
        uint8_t buf[MAX_LEN], want[MAX_LEN];
};

static int send_cmd(struct client *c, uint16_t type, uint64_t from, uint32_t len) {
        uint8_t hdr[NBD_REQUEST_SIZE] = {};
        uint64_t h = c->next_handle++;
        nbd_request_encode(type, h, from, len, hdr);
        if (type == NBD_REQ_READ) {
                unsigned i = 0;
                while (i < IN_FLIGHT && c->slot[i].used)
                        i++;
                if (i == IN_FLIGHT)
                        return -EBUSY;
                c->slot[i].handle = h;
                c->slot[i].from = from;
                c->slot[i].len = len;
                c->slot[i].used = true;
                c->busy++;
        }
        return write_full_fd(c->sock, hdr, sizeof hdr);
}

/* Takes one reply, whichever request it answers, and checks its bytes against the image. */
static int take_reply(struct client *c) {
        uint8_t hdr[NBD_REPLY_SIZE];
        if (read_exact_fd(c->sock, hdr, sizeof hdr) < 0)
                return -EPIPE;
        uint32_t err;
        uint64_t h;
        if (nbd_reply_decode(hdr, &err, &h) < 0)
                return -EBADMSG;
        unsigned i = 0;
        while (i < IN_FLIGHT && !(c->slot[i].used && c->slot[i].handle == h))
                i++;
        if (i == IN_FLIGHT)
                return -EBADMSG;
        c->slot[i].used = false;
        c->busy--;
        if (err != 0) {
                c->errors++;
                return 0;
        }
        uint32_t len = c->slot[i].len;
        if (read_exact_fd(c->sock, c->buf, len) < 0)
                return -EPIPE;
        if (pread(c->image_fd, c->want, len, (off_t) c->slot[i].from) != (ssize_t) len ||
            memcmp(c->buf, c->want, len) != 0)
                c->mismatches++;
        c->read += len;
        return 0;
}

/* [from, to) in SEQ_REQ requests, IN_FLIGHT at a time. */
static int read_span(struct client *c, uint64_t from, uint64_t to) {
        uint64_t sent = from;
        int r;
        while (sent < to || c->busy > 0) {
                while (sent < to && c->busy < IN_FLIGHT) {
                        uint32_t len = (uint32_t) (to - sent < SEQ_REQ ? to - sent : SEQ_REQ);
                        if ((r = send_cmd(c, NBD_REQ_READ, sent, len)) < 0)
                                return r;
                        sent += len;
                }
                if ((r = take_reply(c)) < 0)
                        return r;
        }
        return 0;
}

static int read_one(struct client *c, uint64_t from, uint32_t len) {
        int r = send_cmd(c, NBD_REQ_READ, from, len);
        return r < 0 ? r : take_reply(c);
}

/* xorshift64: the same offsets for every engine and run. */
static uint64_t next_rand(uint64_t *s) {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        return *s;
}

static int run_pattern(struct client *c, const char *pattern) {
        uint64_t seed = 0x9e3779b97f4a7c15ull, blocks = c->size / SMALL;
        int r = 0;
        if (strcmp(pattern, "seq") == 0)
                return read_span(c, 0, c->size < SEQ_BYTES ? c->size : SEQ_BYTES);
        if (strcmp(pattern, "rand") == 0) {
                for (unsigned i = 0; r >= 0 && i < RAND_READS; i++)
                        r = read_one(c, next_rand(&seed) % blocks * SMALL, SMALL);
                return r;
        }
        if (strcmp(pattern, "boot") == 0) {
                if (c->size < (16u << 20)) {
                        fprintf(stderr, "engine-client: boot needs an image of at least 16 MiB for its file reads\n");
                        return -EINVAL;
                }
                for (unsigned i = 1; r >= 0 && i <= BOOT_READS; i++) {
                        r = read_one(c, next_rand(&seed) % blocks * SMALL, SMALL);
                        if (r >= 0 && i % 100 == 0) {
                                uint64_t len = (2 + next_rand(&seed) % 7) << 20;
                                uint64_t at = next_rand(&seed) % (blocks - len / SMALL) * SMALL;
                                r = read_span(c, at, at + len);
                        }
                }
                return r;
        }
        return -EINVAL;
}

/* The fixed-newstyle handshake, then the export's size (NBD protocol, "Newstyle negotiation"). */
static int nbd_handshake(int sock, uint64_t *size) {
        uint8_t greet[18], opt[16], go[10];
        if (read_exact_fd(sock, greet, sizeof greet) < 0)
                return -EPIPE;
        if (memcmp(greet, "NBDMAGIC", 8) != 0 || memcmp(greet + 8, "IHAVEOPT", 8) != 0)
                return -EPROTO;
        uint16_t sflags = (uint16_t) (greet[16] << 8 | greet[17]);
        if (!(sflags & 1))      /* NBD_FLAG_FIXED_NEWSTYLE */
                return -EPROTO;
        bool no_zeroes = sflags & 2;
        uint8_t cflags[4];
        pb_put_be32(cflags, 1u | (no_zeroes ? 2u : 0u));
        memcpy(opt, "IHAVEOPT", 8);
        pb_put_be32(opt + 8, 1);      /* NBD_OPT_EXPORT_NAME, default export "" */
        pb_put_be32(opt + 12, 0);
        if (write_full_fd(sock, cflags, sizeof cflags) < 0 || write_full_fd(sock, opt, sizeof opt) < 0)
                return -EPIPE;
        if (read_exact_fd(sock, go, sizeof go) < 0)
                return -EPIPE;
        if (!no_zeroes) {
                uint8_t zeroes[124];
                if (read_exact_fd(sock, zeroes, sizeof zeroes) < 0)
                        return -EPIPE;
        }
        *size = pb_be64(go);
        return 0;
}

static int connect_unix(const char *path) {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof a.sun_path)
                return -ENAMETOOLONG;
        strcpy(a.sun_path, path);
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -errno;
        if (connect(s, (struct sockaddr *) &a, sizeof a) < 0) {
                int r = -errno;
                close(s);
                return r;
        }
        return s;
}

static long peak_rss_kb(void) {
        char line[256];
        long kb = -1;
        FILE *f = fopen("/proc/self/status", "re");
        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
                        break;
        if (f)
                fclose(f);
        return kb;
}

/* The child: pullboot's server as the initrd runs it (pullboot.lazy=yes: no background fill).
 * Writes "engine_hwm_kb K fetched F requests R" to report when the client disconnects. */
static int serve_pullboot(const char *url, int sock, int report) {
        struct pb_diag diag = {};
        struct range_source *src = NULL;
        pb_seek_table table = {};
        struct block_store store;

        curl_global_init(CURL_GLOBAL_DEFAULT);
        /* The range source logs its own reason; the seek table's comes back in diag. */
        int r = range_source_open(url, NULL, &src);
        if (r >= 0)
                r = pb_seek_table_load(&table, range_source_size(src), range_source_read, src, &diag);
        if (r < 0) {
                fprintf(stderr, "engine-client: pullboot cannot serve %s: %s\n", url,
                        diag.reason ? diag.reason : strerror(-r));
                return 1;
        }
        if (block_store_init(&store, &table) < 0)
                return 1;
        struct lazy_server s = {
                .sock = sock, .src = src, .store = &store, .state_dirfd = -1, .state_name = "bench",
        };
        r = lazy_server_run(&s);
        /* The store is a memfd read and written with pread/pwrite: RAM that VmHWM does not show. */
        struct stat st = {};
        (void) fstat(store.fd, &st);
        dprintf(report, "engine_hwm_kb %ld store_bytes %jd fetched %" PRIu64 " requests %u\n", peak_rss_kb(),
                (intmax_t) st.st_blocks * 512, range_source_bytes_fetched(src), range_source_requests(src));
        return r < 0 ? 1 : 0;
}

static double now_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec * 1e3 + (double) t.tv_nsec / 1e6;
}

static int usage(void) {
        fprintf(stderr, "usage: engine-client --image FILE (--pullboot URL | --socket PATH) boot|seq|rand\n");
        return 2;
}

int main(int argc, char **argv) {
        const char *image = NULL, *url = NULL, *path = NULL, *pattern = NULL;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--image") == 0 && i + 1 < argc)
                        image = argv[++i];
                else if (strcmp(argv[i], "--pullboot") == 0 && i + 1 < argc)
                        url = argv[++i];
                else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
                        path = argv[++i];
                else if (strcmp(argv[i], "--help") == 0) {
                        usage();
                        return 0;
                } else if (!pattern && argv[i][0] != '-')
                        pattern = argv[i];
                else
                        return usage();
        }
        if (!image || !pattern || !url == !path)
                return usage();
        if (strcmp(pattern, "boot") && strcmp(pattern, "seq") && strcmp(pattern, "rand"))
                return usage();

        static struct client c;
        struct stat st;
        c.image_fd = open(image, O_RDONLY | O_CLOEXEC);
        if (c.image_fd < 0 || fstat(c.image_fd, &st) < 0) {
                fprintf(stderr, "engine-client: cannot open %s: %m\n", image);
                return 2;
        }
        c.next_handle = 1;

        double t0 = now_ms();
        pid_t child = -1;
        int report[2] = { -1, -1 };
        if (url) {
                int sv[2];
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(report, O_CLOEXEC) < 0)
                        return 1;
                child = fork();
                if (child < 0)
                        return 1;
                if (child == 0) {
                        close(sv[1]);
                        close(report[0]);
                        _exit(serve_pullboot(url, sv[0], report[1]));
                }
                close(sv[0]);
                close(report[1]);
                c.sock = sv[1];
                c.size = (uint64_t) st.st_size;
        } else {
                c.sock = connect_unix(path);
                int r = c.sock < 0 ? c.sock : nbd_handshake(c.sock, &c.size);
                if (r < 0) {
                        fprintf(stderr, "engine-client: NBD handshake on %s failed: %s\n", path, strerror(-r));
                        return 1;
                }
                if (c.size != (uint64_t) st.st_size) {
                        fprintf(stderr, "engine-client: the export has %" PRIu64 " bytes, %s has %jd\n", c.size,
                                image, (intmax_t) st.st_size);
                        return 1;
                }
        }

        int r = run_pattern(&c, pattern);
        double t1 = now_ms();
        if (r < 0)
                fprintf(stderr, "engine-client: %s: %s\n", pattern, strerror(-r));
        (void) send_cmd(&c, NBD_REQ_DISC, 0, 0);
        shutdown(c.sock, SHUT_WR);

        printf("wall_ms %.1f read %" PRIu64 " mismatches %" PRIu64 " errors %" PRIu64, t1 - t0, c.read,
               c.mismatches, c.errors);
        if (child > 0) {
                char line[256] = "";
                ssize_t n = read(report[0], line, sizeof line - 1);
                int status = 0;
                waitpid(child, &status, 0);
                if (n > 0) {
                        line[n] = 0;
                        line[strcspn(line, "\n")] = 0;
                        printf(" %s", line);
                } else
                        r = r < 0 ? r : -EPIPE;
        }
        printf("\n");
        return r < 0 || c.mismatches > 0 || c.errors > 0 ? 1 : 0;
}
