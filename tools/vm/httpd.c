/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "macro.h"

#define MAX_COUNTED_PATHS 64

struct httpd {
        struct MHD_Daemon *daemon;
        struct console *log;
        int root_fd;
        uint16_t port;
        uint64_t drop_after;
        char never_cut[512];
        pthread_mutex_t lock;          /* protects the fields below; MHD calls us from its thread */
        unsigned drops_left;
        struct {
                char *path;
                unsigned count;
        } counted[MAX_COUNTED_PATHS];
};

/* Per request, from the first access callback to the completion notification. */
struct request {
        char method[8];
        char path[512];
        char range[96];
        unsigned status;
        uint64_t length;
        bool cut;
};

/* Owned by a response that streams a file (possibly cut short for fault injection). */
struct body {
        int fd;
        uint64_t offset;
        uint64_t limit;                /* bytes to send before failing the transfer, or UINT64_MAX */
};

static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max) {
        struct body *b = cls;
        if (pos >= b->limit)
                return MHD_CONTENT_READER_END_WITH_ERROR;
        if (max > b->limit - pos)
                max = (size_t) (b->limit - pos);
        ssize_t n = pread(b->fd, buf, max, (off_t) (b->offset + pos));
        if (n < 0)
                return MHD_CONTENT_READER_END_WITH_ERROR;
        if (n == 0)
                return MHD_CONTENT_READER_END_OF_STREAM;
        return n;
}

static void body_free(void *cls) {
        struct body *b = cls;
        close(b->fd);
        free(b);
}

static enum MHD_Result queue_status(struct MHD_Connection *c, struct request *r, unsigned status,
                                    const char *text, const char *content_range) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *) text,
                                                                    MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
        if (content_range)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
        r->status = status;
        r->length = strlen(text);
        enum MHD_Result ret = MHD_queue_response(c, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

/* Parses a single "bytes=" range against size. 1 = satisfiable range, start and end inclusive,
 * 0 = no usable Range (serve everything), -1 = unsatisfiable (416). */
static int parse_range(const char *v, uint64_t size, uint64_t *start, uint64_t *end) {
        if (!v || strncmp(v, "bytes=", 6) != 0 || strchr(v, ','))
                return 0;
        v += 6;
        char *e;
        if (*v == '-') {
                uint64_t n = strtoull(v + 1, &e, 10);
                if (e == v + 1 || *e)
                        return 0;
                if (n == 0 || size == 0)
                        return -1;
                *start = n >= size ? 0 : size - n;
                *end = size - 1;
                return 1;
        }
        uint64_t a = strtoull(v, &e, 10);
        if (e == v || *e != '-')
                return 0;
        const char *w = e + 1;
        uint64_t b = size ? size - 1 : 0;
        if (*w) {
                b = strtoull(w, &e, 10);
                if (e == w || *e || b < a)
                        return 0;
                if (b >= size)
                        b = size ? size - 1 : 0;
        }
        if (a >= size)
                return -1;
        *start = a;
        *end = b;
        return 1;
}

/* If-None-Match: "*" or a comma-separated list of entity tags, one of which is ours (weak
 * comparison, as RFC 9110 asks for this header). */
static bool etag_listed(const char *list, const char *etag) {
        const char *tag = etag[0] == 'W' && etag[1] == '/' ? etag + 2 : etag;
        size_t n = strlen(tag);

        for (const char *p = list; *p;) {
                p += strspn(p, " \t,");
                if (*p == '*')
                        return true;
                if (p[0] == 'W' && p[1] == '/')
                        p += 2;
                size_t k = strcspn(p, ",");
                while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
                        k--;
                if (k == n && strncmp(p, tag, n) == 0)
                        return true;
                p += strcspn(p, ",");
        }
        return false;
}

/* Whether a conditional GET/HEAD may be answered 304: If-None-Match decides when present (it has
 * our nanosecond ETag), else If-Modified-Since against the file's time (to the second). */
static bool not_modified(struct MHD_Connection *c, const char *etag, time_t mtime) {
        const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
        const char *ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
        struct tm tm = {};

        if (inm)
                return etag_listed(inm, etag);
        if (!ims)
                return false;
        const char *end = strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        if (!end || *end)
                return false;   /* not an IMF-fixdate: ignored, as RFC 9110 says */
        return mtime <= timegm(&tm);
}

static bool path_is_safe(const char *p) {
        /* MHD has already percent-decoded the path. Refuse anything that could leave the root. */
        if (p[0] != '/' || strstr(p, "/../") || strstr(p, "//") || strchr(p, '\\'))
                return false;
        size_t n = strlen(p);
        return !(n >= 3 && strcmp(p + n - 3, "/..") == 0) && strcmp(p, "/") != 0;
}

static enum MHD_Result serve(struct httpd *h, struct MHD_Connection *c, struct request *r) {
        if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
                return queue_status(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", NULL);
        if (!path_is_safe(r->path))
                return queue_status(c, r, MHD_HTTP_NOT_FOUND, "not found\n", NULL);

        int fd = openat(h->root_fd, r->path + 1, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                if (fd >= 0)
                        close(fd);
                return queue_status(c, r, MHD_HTTP_NOT_FOUND, "not found\n", NULL);
        }

        uint64_t size = (uint64_t) st.st_size;
        char etag[64], content_range[96], last_modified[64];
        struct tm tm;
        snprintf(etag, sizeof etag, "\"%" PRIx64 "-%" PRIx64 "\"", size,
                 (uint64_t) st.st_mtim.tv_sec * 1000000000u + (uint64_t) st.st_mtim.tv_nsec);
        strftime(last_modified, sizeof last_modified, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&st.st_mtim.tv_sec, &tm));

        if (not_modified(c, etag, st.st_mtim.tv_sec)) {
                close(fd);
                struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
                if (!resp)
                        return MHD_NO;
                MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
                MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, last_modified);
                r->status = MHD_HTTP_NOT_MODIFIED;
                r->length = 0;
                enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, resp);
                MHD_destroy_response(resp);
                return ret;
        }

        uint64_t start = 0, end = size ? size - 1 : 0;
        int ranged = parse_range(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE),
                                 size, &start, &end);
        const char *if_range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_RANGE);
        if (ranged != 0 && if_range && strcmp(if_range, etag) != 0)
                ranged = 0; /* the client's copy is stale: send the whole new file */
        if (ranged < 0) {
                close(fd);
                snprintf(content_range, sizeof content_range, "bytes */%" PRIu64, size);
                return queue_status(c, r, MHD_HTTP_RANGE_NOT_SATISFIABLE, "range not satisfiable\n",
                                    content_range);
        }
        uint64_t length = size == 0 ? 0 : end - start + 1;

        struct body *b = malloc(sizeof *b);
        if (!b) {
                close(fd);
                return MHD_NO;
        }
        *b = (struct body) { .fd = fd, .offset = start, .limit = UINT64_MAX };

        if (strcmp(r->method, "GET") == 0 && h->drop_after > 0 && length > h->drop_after &&
            strcmp(r->path, h->never_cut) != 0) {
                pthread_mutex_lock(&h->lock);
                if (h->drops_left > 0) {
                        h->drops_left--;
                        b->limit = h->drop_after;
                        r->cut = true;
                }
                pthread_mutex_unlock(&h->lock);
        }

        struct MHD_Response *resp = MHD_create_response_from_callback(length, 64 * 1024, body_read, b, body_free);
        if (!resp) {
                body_free(b);
                return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, last_modified);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
        unsigned status = MHD_HTTP_OK;
        if (ranged > 0) {
                snprintf(content_range, sizeof content_range, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
                         start, end, size);
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
                status = MHD_HTTP_PARTIAL_CONTENT;
        }
        r->status = status;
        r->length = length;
        enum MHD_Result ret = MHD_queue_response(c, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls) {
        struct httpd *h = cls;
        struct request *r = *req_cls;

        if (!r) {
                r = calloc(1, sizeof *r);
                if (!r)
                        return MHD_NO;
                snprintf(r->method, sizeof r->method, "%s", method);
                snprintf(r->path, sizeof r->path, "%s", url);
                const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
                if (range)
                        snprintf(r->range, sizeof r->range, " %s", range);
                *req_cls = r;
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                *upload_data_size = 0; /* we take no request bodies; ignore them */
                return MHD_YES;
        }
        return serve(h, c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe) {
        struct httpd *h = cls;
        struct request *r = *req_cls;
        if (!r)
                return;
        bool ok = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK;
        console_printf(h->log, "http: %s %s%s -> %u, %" PRIu64 " bytes%s", r->method, r->path, r->range,
                       r->status, r->length,
                       r->cut ? ", connection dropped on purpose" : ok ? "" : ", transfer aborted");

        if (ok && strcmp(r->method, "GET") == 0 && (r->status == 200 || r->status == 206)) {
                pthread_mutex_lock(&h->lock);
                for (size_t i = 0; i < MAX_COUNTED_PATHS; i++) {
                        if (!h->counted[i].path) {
                                h->counted[i].path = strdup(r->path);
                                if (!h->counted[i].path)
                                        break;
                        }
                        if (strcmp(h->counted[i].path, r->path) == 0) {
                                h->counted[i].count++;
                                break;
                        }
                }
                pthread_mutex_unlock(&h->lock);
        }
        free(r);
        *req_cls = NULL;
}

int httpd_start(const struct httpd_options *o, struct console *log, struct httpd **ret) {
        struct httpd *h = calloc(1, sizeof *h);
        if (!h)
                return -ENOMEM;
        h->log = log;
        h->drop_after = o->drop_after;
        h->drops_left = o->drop_count;
        snprintf(h->never_cut, sizeof h->never_cut, "%s", o->never_cut ?: "");
        pthread_mutex_init(&h->lock, NULL);
        h->root_fd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (h->root_fd < 0) {
                int r = -errno;
                free(h);
                return r;
        }

        struct sockaddr_in sa = {
                .sin_family = AF_INET,
                .sin_port = htons(o->port),
                .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
        };
        bool tls = o->tls_cert_pem && o->tls_key_pem;
        struct MHD_OptionItem tls_options[] = {
                { MHD_OPTION_HTTPS_MEM_KEY, 0, (void *) o->tls_key_pem },
                { MHD_OPTION_HTTPS_MEM_CERT, 0, (void *) o->tls_cert_pem },
                { MHD_OPTION_END, 0, NULL },
        };
        h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | (tls ? MHD_USE_TLS : 0),
                                     0, NULL, NULL, on_request, h,
                                     MHD_OPTION_ARRAY, tls ? tls_options : tls_options + 2,
                                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa,
                                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 120,
                                     MHD_OPTION_END);
        if (!h->daemon) {
                close(h->root_fd);
                free(h);
                /* MHD does not say why; with TLS, GnuTLS refusing the certificate or key is likelier. */
                return tls ? -EPROTO : -EADDRINUSE;
        }
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
        h->port = info ? info->port : o->port;
        *ret = h;
        return 0;
}

uint16_t httpd_port(const struct httpd *h) {
        return h->port;
}

unsigned httpd_requests(struct httpd *h, const char *path) {
        unsigned n = 0;
        pthread_mutex_lock(&h->lock);
        for (size_t i = 0; i < MAX_COUNTED_PATHS && h->counted[i].path; i++)
                if (strcmp(h->counted[i].path, path) == 0)
                        n = h->counted[i].count;
        pthread_mutex_unlock(&h->lock);
        return n;
}

void httpd_stop(struct httpd *h) {
        if (!h)
                return;
        MHD_stop_daemon(h->daemon);
        for (size_t i = 0; i < MAX_COUNTED_PATHS; i++)
                free(h->counted[i].path);
        close(h->root_fd);
        pthread_mutex_destroy(&h->lock);
        free(h);
}
