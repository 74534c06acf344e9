/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * faultserver: a small HTTP/1.1 file server that misbehaves on request, for testing clients
 * against broken networks and servers. One process per connection; a shared counter per request
 * path lets a fault hit only the first N requests, so a client that retries eventually succeeds.
 *
 * Faults are chosen by the URL: /f/SPEC/NAME serves ROOT/NAME with the comma-separated faults in
 * SPEC applied; /NAME serves it plainly. See --help.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define COUNTERS 1024

struct counter {
        uint64_t key;
        uint32_t count;
};

struct faults {
        unsigned drop;          /* cut the first `drop` responses at a random point */
        unsigned after;         /* drop, dropat and stall start counting after this many requests */
        long long drop_at;      /* cut the first response after this many body bytes (-1: off) */
        uint64_t hole;          /* first response: leave out this many bytes from the middle on */
        unsigned stall;         /* first response: go silent after half the body for this long */
        unsigned hang;          /* every response: say nothing at all for this long */
        unsigned long rate;     /* send at most this many bytes per second (0: unlimited) */
        int status;             /* answer this status instead */
        unsigned status_n;      /* ... for the first status_n requests (0: always) */
        long long trunc;        /* pretend the file is only this long (-1: off) */
        long long lie;          /* Content-Length is off by this much */
        bool change;            /* from the second request on, serve NAME.alt */
        bool ranges;            /* closed ranges count (and are cut) like other requests */
        bool norange;
        bool noetag;
        bool nolastmod;
        bool ignore_if_range;   /* answer Range even when If-Range names another version */
        uint64_t seed;
};

struct config {
        const char *root;
        uint64_t seed;
        FILE *log;
        struct counter *counters;
};

static uint64_t hash_str(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h ?: 1;
}

/* Returns how many requests came for key before this one. */
static uint32_t count_request(struct counter *t, uint64_t key) {
        for (unsigned i = 0; i < COUNTERS; i++) {
                struct counter *c = &t[(key + i) % COUNTERS];
                uint64_t expected = 0;
                if (__atomic_load_n(&c->key, __ATOMIC_SEQ_CST) == key ||
                    __atomic_compare_exchange_n(&c->key, &expected, key, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) ||
                    expected == key)
                        return __atomic_fetch_add(&c->count, 1, __ATOMIC_SEQ_CST);
        }
        return 0;
}

/* The count so far, without counting this request. */
static uint32_t peek_requests(struct counter *t, uint64_t key) {
        for (unsigned i = 0; i < COUNTERS; i++) {
                struct counter *c = &t[(key + i) % COUNTERS];
                uint64_t k = __atomic_load_n(&c->key, __ATOMIC_SEQ_CST);
                if (k == key)
                        return __atomic_load_n(&c->count, __ATOMIC_SEQ_CST);
                if (k == 0)
                        break;
        }
        return 0;
}

static uint64_t rnd(uint64_t *s) {
        uint64_t x = *s ?: 0x9E3779B97F4A7C15ULL;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return *s = x;
}

static int parse_faults(char *spec, struct faults *f) {
        for (char *tok = strtok(spec, ","); tok; tok = strtok(NULL, ",")) {
                char *v = strchr(tok, '=');
                if (v)
                        *v++ = 0;
                if (strcmp(tok, "drop") == 0 && v)
                        f->drop = (unsigned) strtoul(v, NULL, 10);
                else if (strcmp(tok, "dropat") == 0 && v)
                        f->drop_at = strtoll(v, NULL, 10);
                else if (strcmp(tok, "hole") == 0 && v)
                        f->hole = strtoull(v, NULL, 10);
                else if (strcmp(tok, "stall") == 0 && v)
                        f->stall = (unsigned) strtoul(v, NULL, 10);
                else if (strcmp(tok, "after") == 0 && v)
                        f->after = (unsigned) strtoul(v, NULL, 10);
                else if (strcmp(tok, "rate") == 0 && v)
                        f->rate = strtoul(v, NULL, 10);
                else if (strcmp(tok, "hang") == 0 && v)
                        f->hang = (unsigned) strtoul(v, NULL, 10);
                else if (strcmp(tok, "status") == 0 && v)
                        f->status = atoi(v);
                else if (strcmp(tok, "statusn") == 0 && v)
                        f->status_n = (unsigned) strtoul(v, NULL, 10);
                else if (strcmp(tok, "trunc") == 0 && v)
                        f->trunc = strtoll(v, NULL, 10);
                else if (strcmp(tok, "lie") == 0 && v)
                        f->lie = strtoll(v, NULL, 10);
                else if (strcmp(tok, "change") == 0)
                        f->change = true;
                else if (strcmp(tok, "ranges") == 0)
                        f->ranges = true;
                else if (strcmp(tok, "norange") == 0)
                        f->norange = true;
                else if (strcmp(tok, "noetag") == 0)
                        f->noetag = true;
                else if (strcmp(tok, "ignoreifrange") == 0)
                        f->ignore_if_range = true;
                else if (strcmp(tok, "novalidator") == 0)
                        f->noetag = f->nolastmod = true;
                else if (strcmp(tok, "seed") == 0 && v)
                        f->seed = strtoull(v, NULL, 10);
                else
                        return -1;
        }
        return 0;
}

static bool send_all(int fd, const void *p, size_t n) {
        const char *c = p;
        while (n > 0) {
                ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return false;
                }
                c += k;
                n -= (size_t) k;
        }
        return true;
}

static void respond_status(int fd, int status, const char *extra) {
        char buf[512];
        int n = snprintf(buf, sizeof buf,
                         "HTTP/1.1 %d Fault\r\nContent-Length: 0\r\nConnection: close\r\n%s\r\n", status,
                         extra ?: "");
        send_all(fd, buf, (size_t) n);
}

/* Reads the request head: method, target and the two headers we care about. */
static int read_request(int fd, char *method, char *target, size_t tsize, char *range, char *if_range) {
        char buf[8192];
        size_t len = 0;
        for (;;) {
                ssize_t k = recv(fd, buf + len, sizeof buf - 1 - len, 0);
                if (k <= 0)
                        return -1;
                len += (size_t) k;
                buf[len] = 0;
                if (strstr(buf, "\r\n\r\n"))
                        break;
                if (len == sizeof buf - 1)
                        return -1;
        }
        if (tsize < 4096 || sscanf(buf, "%15s %4095s", method, target) != 2)
                return -1;
        range[0] = if_range[0] = 0;
        for (char *line = strstr(buf, "\r\n"); line && line[2]; line = strstr(line + 2, "\r\n")) {
                char *h = line + 2, *end = strstr(h, "\r\n");
                if (!end)
                        break;
                size_t n = (size_t) (end - h);
                if (n > 6 && strncasecmp(h, "Range:", 6) == 0 && n - 6 < 256)
                        sscanf(h + 6, " %255[^\r]", range);
                else if (n > 9 && strncasecmp(h, "If-Range:", 9) == 0 && n - 9 < 256)
                        sscanf(h + 9, " %255[^\r]", if_range);
        }
        return 0;
}

static void handle(const struct config *cfg, int fd) {
        char method[16], target[4096], range[256], if_range[256], path[8192];
        struct faults f = { .drop_at = -1, .trunc = -1 };
        char *name;

        if (read_request(fd, method, target, sizeof target, range, if_range) < 0)
                return;
        /* A closed range (bytes=A-B) is a client's size probe (pullboot reads an image's first and
         * last bytes before downloading it): it sees the file the next download will, is not
         * counted and is never cut, so that faults meant for downloads reach them. */
        unsigned long long pa, pb;
        bool probe = sscanf(range, "bytes=%llu-%llu", &pa, &pb) == 2;
        uint32_t counter = hash_str(target);
        char shown[4096];
        snprintf(shown, sizeof shown, "%s", target);

        /* A query only makes a request path distinct (its own fault counters). */
        char *q = strchr(target, '?');
        if (q)
                *q = 0;
        name = target + 1;
        if (strncmp(target, "/f/", 3) == 0) {
                char *spec = target + 3, *slash = strchr(spec, '/');
                if (!slash) {
                        respond_status(fd, 400, NULL);
                        return;
                }
                *slash = 0;
                name = slash + 1;
                char specbuf[4096];
                snprintf(specbuf, sizeof specbuf, "%s", spec);
                if (parse_faults(specbuf, &f) < 0) {
                        respond_status(fd, 400, NULL);
                        return;
                }
        }
        /* The fault "ranges" makes closed ranges ordinary requests: a lazy block device reads
         * nothing but closed ranges, and its faults must reach them. */
        if (f.ranges)
                probe = false;
        uint32_t nth = probe ? peek_requests(cfg->counters, counter) : count_request(cfg->counters, counter);
        if (strstr(name, "..")) {
                respond_status(fd, 403, NULL);
                return;
        }
        snprintf(path, sizeof path, "%s/%s%s", cfg->root, name, f.change && nth > 0 ? ".alt" : "");

        int status = 200;
        if (f.hang > 0) {
                fprintf(cfg->log, "faultserver: %s %s -> hang %u s\n", method, shown, f.hang);
                sleep(f.hang);
                return;
        }
        if (f.status && (f.status_n == 0 || nth < f.status_n)) {
                fprintf(cfg->log, "faultserver: %s %s -> %d (fault)\n", method, shown, f.status);
                respond_status(fd, f.status, f.status == 416 ? "Content-Range: bytes */0\r\n" : NULL);
                return;
        }

        int file = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (file < 0 || fstat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
                fprintf(cfg->log, "faultserver: %s %s -> 404\n", method, shown);
                respond_status(fd, 404, NULL);
                if (file >= 0)
                        close(file);
                return;
        }
        uint64_t size = (uint64_t) st.st_size;
        if (f.trunc >= 0 && (uint64_t) f.trunc < size)
                size = (uint64_t) f.trunc;

        char etag[64], lastmod[64];
        snprintf(etag, sizeof etag, "\"%" PRIx64 "-%lx%09lx\"", size, (long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        struct tm tm;
        gmtime_r(&st.st_mtim.tv_sec, &tm);
        strftime(lastmod, sizeof lastmod, "%a, %d %b %Y %H:%M:%S GMT", &tm);

        uint64_t start = 0, end = size; /* [start, end) */
        if (range[0] && !f.norange) {
                bool valid = f.ignore_if_range || !if_range[0] || strcmp(if_range, etag) == 0 ||
                             strcmp(if_range, lastmod) == 0;
                unsigned long long a, b;
                int n = sscanf(range, "bytes=%llu-%llu", &a, &b);
                if (valid && n >= 1) {
                        if (a >= size) {
                                char extra[64];
                                snprintf(extra, sizeof extra, "Content-Range: bytes */%" PRIu64 "\r\n", size);
                                fprintf(cfg->log, "faultserver: %s %s range %s -> 416\n", method, shown, range);
                                respond_status(fd, 416, extra);
                                close(file);
                                return;
                        }
                        start = a;
                        if (n == 2 && b + 1 < size)
                                end = b + 1;
                        status = 206;
                }
        }

        uint64_t body = end - start;
        long long claimed = (long long) body + f.lie;
        if (claimed < 0)
                claimed = 0;
        char head[1024];
        int hn = snprintf(head, sizeof head,
                          "HTTP/1.1 %d %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %lld\r\n"
                          "%s%s%s%s%s%s%sConnection: close\r\n",
                          status, status == 206 ? "Partial Content" : "OK", claimed,
                          f.nolastmod ? "" : "Last-Modified: ", f.nolastmod ? "" : lastmod, f.nolastmod ? "" : "\r\n",
                          f.noetag ? "" : "ETag: ", f.noetag ? "" : etag, f.noetag ? "" : "\r\n",
                          f.norange ? "" : "Accept-Ranges: bytes\r\n");
        if (status == 206)
                hn += snprintf(head + hn, sizeof head - (size_t) hn, "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64 "\r\n",
                               start, end - 1, size);
        hn += snprintf(head + hn, sizeof head - (size_t) hn, "\r\n");

        /* Where this response is cut, if it is. */
        uint64_t send_n = body;
        if (f.lie < 0 && (uint64_t) claimed < send_n)
                send_n = (uint64_t) claimed;
        uint64_t cut = UINT64_MAX;
        unsigned stall = 0;
        /* Cuts and stalls count from request `after` on (a client's probe stays whole). */
        uint32_t cut_nth = nth >= f.after ? nth - f.after : UINT32_MAX;
        if (probe)
                ;
        else if (cut_nth < f.drop && body > 0) {
                uint64_t s = (f.seed ?: cfg->seed) ^ hash_str(shown) ^ ((uint64_t) nth * 0x9E3779B97F4A7C15ULL);
                rnd(&s);
                cut = rnd(&s) % body;
        } else if (cut_nth == 0 && f.drop_at >= 0)
                cut = (uint64_t) f.drop_at;
        else if (cut_nth == 0 && f.stall > 0) {
                cut = body / 2;
                stall = f.stall;
        }
        /* A cache whose upstream broke mid-slice and that went on with the next slice: the body
         * skips `hole` bytes at its middle and so ends that much short of its Content-Length. */
        uint64_t hole_at = UINT64_MAX;
        if (!probe && cut_nth == 0 && f.hole > 0 && f.hole < body / 2) {
                hole_at = body / 2;
                send_n -= f.hole;
        }
        fprintf(cfg->log, "faultserver: %s %s%s%s%s -> %d, %" PRIu64 " bytes%s\n", method, shown,
                range[0] ? " range " : "", range, if_range[0] ? " (if-range)" : "", status, body,
                cut != UINT64_MAX ? " (cut)" : hole_at != UINT64_MAX ? " (hole)" : "");
        fflush(cfg->log);

        if (!send_all(fd, head, (size_t) hn) || strcmp(method, "HEAD") == 0) {
                close(file);
                return;
        }
        char buf[65536];
        uint64_t off = start, sent = 0;
        while (sent < send_n && sent < cut) {
                uint64_t want = send_n - sent;
                if (cut - sent < want)
                        want = cut - sent;
                if (sent < hole_at && hole_at - sent < want)
                        want = hole_at - sent;
                if (sent == hole_at)
                        off += f.hole;
                if (want > sizeof buf)
                        want = sizeof buf;
                /* Throttled: ten slices a second. */
                if (f.rate > 0 && want > f.rate / 10 + 1)
                        want = f.rate / 10 + 1;
                ssize_t k = pread(file, buf, (size_t) want, (off_t) off);
                if (k <= 0)
                        break;
                if (!send_all(fd, buf, (size_t) k))
                        break;
                off += (uint64_t) k;
                sent += (uint64_t) k;
                if (f.rate > 0)
                        usleep(100000);
        }
        close(file);
        if (stall > 0)
                sleep(stall);
}

static void help(void) {
        printf("Usage: faultserver --root DIR [--listen ADDR] [--port N] [--port-file FILE] [--seed N] [--log FILE]\n"
               "\n"
               "Serves files from DIR over HTTP/1.1 on ADDR (default 127.0.0.1), port N (default 0:\n"
               "pick one, print it on stdout and write it to --port-file). GET /NAME serves DIR/NAME\n"
               "with ETag, Last-Modified and Range/If-Range support; GET /f/SPEC/NAME applies the\n"
               "comma-separated faults in SPEC:\n"
               "  drop=K        cut the first K responses at a random point of their body\n"
               "  dropat=N      cut the first response after N body bytes\n"
               "  hole=N        first response: leave out N bytes from the middle of the body on (it\n"
               "                ends N bytes short, as a cache whose upstream broke mid-slice)\n"
               "  after=K       drop, dropat, hole and stall count from the K+1-th request on\n"
               "  stall=S       first response: go silent after half the body for S seconds\n"
               "  hang=S        every response: send nothing at all for S seconds\n"
               "  rate=N        send at most N bytes per second\n"
               "  status=CODE   answer CODE with an empty body; statusn=K: only the first K times\n"
               "  trunc=N       serve the file as if it were only N bytes long\n"
               "  lie=+N|-N     Content-Length claims N bytes more or fewer than the body\n"
               "  change        from the second request on serve NAME.alt (new bytes and ETag)\n"
               "  ranges        closed ranges (bytes=A-B) count and are cut like other requests\n"
               "                (by default they are size probes: neither counted nor cut)\n"
               "  norange       ignore Range (always 200 with the whole file)\n"
               "  noetag        send no ETag, only Last-Modified\n"
               "  novalidator   send neither ETag nor Last-Modified\n"
               "  ignoreifrange honour Range even when If-Range names another version\n"
               "  seed=N        seed for the random cut points (default --seed)\n"
               "Requests are counted per full path, so /f/drop=1,seed=2/x and /f/drop=1,seed=3/x are\n"
               "independent. A closed range (bytes=A-B, a size probe) is neither counted nor cut. Exit status: 0 on SIGTERM, 1 on errors, 2 on bad usage.\n");
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "listen", required_argument, NULL, 'l' },
                { "port", required_argument, NULL, 'p' },
                { "port-file", required_argument, NULL, 'P' },
                { "seed", required_argument, NULL, 's' },
                { "log", required_argument, NULL, 'L' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct config cfg = { .seed = 1, .log = stderr };
        const char *listen_addr = "127.0.0.1", *port_file = NULL;
        unsigned port = 0;
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'r': cfg.root = optarg; break;
                case 'l': listen_addr = optarg; break;
                case 'p': port = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'P': port_file = optarg; break;
                case 's': cfg.seed = strtoull(optarg, NULL, 10); break;
                case 'L':
                        cfg.log = fopen(optarg, "ae");
                        if (!cfg.log) {
                                fprintf(stderr, "faultserver: cannot open %s: %m\n", optarg);
                                return 1;
                        }
                        setvbuf(cfg.log, NULL, _IOLBF, 0);
                        break;
                case 'h': help(); return 0;
                default: return 2;
                }
        }
        if (!cfg.root || optind != argc || port > 65535) {
                fprintf(stderr, "faultserver: --root DIR is required; see --help\n");
                return 2;
        }
        cfg.counters = mmap(NULL, sizeof(struct counter) * COUNTERS, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (cfg.counters == MAP_FAILED)
                return 1;

        struct sockaddr_storage ss = {};
        socklen_t sl;
        int family = strchr(listen_addr, ':') ? AF_INET6 : AF_INET;
        if (family == AF_INET6) {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t) port);
                if (inet_pton(AF_INET6, listen_addr, &s6->sin6_addr) != 1)
                        return 2;
                sl = sizeof *s6;
        } else {
                struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;
                s4->sin_family = AF_INET;
                s4->sin_port = htons((uint16_t) port);
                if (inet_pton(AF_INET, listen_addr, &s4->sin_addr) != 1)
                        return 2;
                sl = sizeof *s4;
        }
        int ls = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
        if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            bind(ls, (struct sockaddr *) &ss, sl) < 0 || listen(ls, 64) < 0) {
                fprintf(stderr, "faultserver: cannot listen on %s port %u: %m\n", listen_addr, port);
                return 1;
        }
        if (getsockname(ls, (struct sockaddr *) &ss, &sl) < 0)
                return 1;
        port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *) &ss)->sin6_port
                                        : ((struct sockaddr_in *) &ss)->sin_port);
        printf("%u\n", port);
        fflush(stdout);
        if (port_file) {
                char tmp[4096];
                snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
                FILE *pf = fopen(tmp, "we");
                if (!pf || fprintf(pf, "%u\n", port) < 0 || fclose(pf) != 0 || rename(tmp, port_file) < 0) {
                        fprintf(stderr, "faultserver: cannot write %s: %m\n", port_file);
                        return 1;
                }
        }
        signal(SIGCHLD, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        for (;;) {
                int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
                if (fd < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        fprintf(stderr, "faultserver: accept: %m\n");
                        return 1;
                }
                pid_t pid = fork();
                if (pid == 0) {
                        /* A stalled response must not outlive the server. */
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        close(ls);
                        handle(&cfg, fd);
                        shutdown(fd, SHUT_RDWR);
                        close(fd);
                        _exit(0);
                }
                close(fd);
        }
}
