/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "retry.h"
#include "transfer.h"
#include "time-util.h"
#include "http-response.h"

#define RECEIVE_BUFFER (512 * 1024)

/* What the current response told us (reset at each status line: redirects have several). */
struct attempt {
        const struct transfer_options *opts;
        const struct transfer_handler *h;
        const char *url;                /* the URL of this attempt: the first one or a mirror */
        unsigned url_index;
        CURL *curl;
        bool is_http;
        struct http_response resp;

        uint64_t offset;                /* bytes delivered to the handler, in stream order */
        uint64_t high_water;            /* the most ever delivered: only new bytes are progress */
        uint64_t total;
        char validator[256];            /* If-Range value for resuming, "" if none */
        unsigned validator_from;        /* the URL that gave it */
        bool validator_strong;          /* a strong ETag: names the same bytes on any server */
        bool body_started;
        bool body_rejected;             /* an error status: swallow its body */
        int handler_error;
        bool stalled;
        bool not_modified;              /* a 304 answered the conditional request */
        bool probing;                   /* a size probe (transfer_probe()): no resume messages */
        curl_off_t last_dlnow;
        struct timespec last_activity;
};

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000 };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int transfer_global_init(void) {
        return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata) {
        struct attempt *a = userdata;
        size_t n = size * nmemb;

        http_response_header(&a->resp, line, n);
        return n;
}

static bool cancelled(const struct attempt *a) {
        return a->opts->cancel && *a->opts->cancel;
}

/* A 206 to a resume must be the rest of the version we hold: a cache or mirror that ignores
 * If-Range but honours Range would otherwise splice two versions. */
static bool resume_consistent(const struct attempt *a) {
        if (a->validator_strong && a->resp.etag[0] && strcmp(a->resp.etag, a->validator) != 0) {
                log_warning("%s answered the rest of the image with ETag %s, but the first part came with %s; "
                            "starting over", a->url, a->resp.etag, a->validator);
                return false;
        }
        if (a->total != UINT64_MAX && a->resp.range_total != UINT64_MAX && a->resp.range_total != a->total) {
                log_warning("%s answered the rest of a %" PRIu64 "-byte image as part of %" PRIu64 " bytes; "
                            "starting over", a->url, a->total, a->resp.range_total);
                return false;
        }
        return true;
}

/* The first body byte of an acceptable response: decide whether it continues or starts over. */
static int body_begin(struct attempt *a) {
        long status = a->is_http ? a->resp.status : (a->offset > 0 ? 206 : 200);
        curl_off_t cl = -1;
        struct transfer_body b;

        a->body_started = true;
        if (status != 200 && status != 206) {
                a->body_rejected = true;
                return 0;
        }
        (void) curl_easy_getinfo(a->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);

        if (status == 206 && a->is_http) {
                if (!a->resp.has_range || a->resp.range_start != a->offset) {
                        /* Not the part we asked for: treat as a broken attempt, start over next. */
                        log_warning("server sent a range that does not start at byte %" PRIu64 "; starting over",
                                    a->offset);
                        a->offset = 0;
                        a->validator[0] = 0;
                        a->body_rejected = true;
                        return 0;
                }
                if (!resume_consistent(a)) {
                        a->offset = 0;
                        a->validator[0] = 0;
                        a->validator_strong = false;
                        a->body_rejected = true;
                        return 0;
                }
                b.start = a->offset;
                b.total = a->resp.range_total;
        } else if (status == 206) {
                b.start = a->offset;
                b.total = cl >= 0 ? a->offset + (uint64_t) cl : UINT64_MAX;
        } else {
                if (a->offset > 0 && !a->probing)
                        log_info("the server sent the whole image instead of the rest (it changed, or "
                                 "ignores ranges); starting over");
                a->offset = 0;
                b.start = 0;
                b.total = cl >= 0 ? (uint64_t) cl : UINT64_MAX;
        }
        a->total = b.total;
        b.etag = a->resp.etag;
        b.last_modified = a->resp.last_modified;
        /* Only now is it known that the range was honoured. */
        if (b.start > 0 && !a->probing)
                log_info("resuming %s from byte %" PRIu64, a->url, b.start);

        /* Remember how to ask for the rest of exactly this version. Weak ETags cannot guard a range. */
        if (a->is_http) {
                bool strong = a->resp.etag[0] && strncmp(a->resp.etag, "W/", 2) != 0;
                if (strong)
                        snprintf(a->validator, sizeof a->validator, "%s", a->resp.etag);
                else if (a->resp.last_modified[0])
                        snprintf(a->validator, sizeof a->validator, "%s", a->resp.last_modified);
                else if (b.start == 0)
                        a->validator[0] = 0;
                if (strong || a->resp.last_modified[0] || b.start == 0) {
                        a->validator_strong = strong;
                        a->validator_from = a->url_index;
                }
        }
        int r = a->h->begin(a->h->userdata, &b);
        if (r < 0)
                a->handler_error = r;
        return r;
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *userdata) {
        struct attempt *a = userdata;
        size_t n = size * nmemb;

        if (cancelled(a)) {
                a->handler_error = -ECANCELED;
                return 0;
        }
        if (!a->body_started && body_begin(a) < 0)
                return 0;
        if (a->body_rejected)
                return n;
        int r = a->h->data(a->h->userdata, p, n);
        if (r < 0) {
                a->handler_error = r;
                return 0;
        }
        a->offset += n;
        if (a->offset > a->high_water)
                a->high_water = a->offset;
        if (a->h->progress)
                a->h->progress(a->h->userdata, a->offset, a->total);
        return n;
}

static int on_xferinfo(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
        struct attempt *a = userdata;
        struct timespec ts;
        if (cancelled(a)) {
                a->handler_error = -ECANCELED;
                return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &ts);
        if (dlnow != a->last_dlnow) {
                a->last_dlnow = dlnow;
                a->last_activity = ts;
                return 0;
        }
        if (a->opts->stall_timeout_sec > 0 &&
            ts.tv_sec - a->last_activity.tv_sec >= (time_t) a->opts->stall_timeout_sec) {
                a->stalled = true;
                return 1;
        }
        if (a->h->progress)
                a->h->progress(a->h->userdata, a->offset, a->total);
        return 0;
}

/* Redirects of an https URL must stay on https unless the caller allowed a downgrade. */
static bool https_only(const struct attempt *a, const char *url) {
        return !a->opts->allow_https_downgrade && strncasecmp(url, "https:", 6) == 0;
}

static int setup_handle(struct attempt *a, const char *url) {
        CURL *c = a->curl;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 16L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https_only(a, url) ? "https" : "http,https");
        curl_easy_setopt(c, CURLOPT_USERAGENT, "pullboot/" PULLBOOT_VERSION);
        curl_easy_setopt(c, CURLOPT_BUFFERSIZE, (long) RECEIVE_BUFFER);
        curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        if (a->opts->ca_bundle)
                curl_easy_setopt(c, CURLOPT_CAINFO, a->opts->ca_bundle);
        if (a->opts->stall_timeout_sec > 0)
                curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long) a->opts->stall_timeout_sec);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, a);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        return 0;
}

/* Classifies a finished attempt: 0 done, 1 retry, <0 give up. */
static int judge(struct attempt *a, CURLcode code, const char *url, const char *errbuf) {
        long status = 0;
        if (a->handler_error < 0)
                return a->handler_error;
        if (a->is_http)
                (void) curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &status);

        if (a->stalled) {
                log_warning("no data from %s for %u s", url, a->opts->stall_timeout_sec);
                return 1;
        }
        if (status == 304 && (a->opts->if_none_match || a->opts->if_modified_since)) {
                a->not_modified = true;
                return 0;
        }
        if (status == 404 || status == 410 || code == CURLE_FILE_COULDNT_READ_FILE ||
            code == CURLE_REMOTE_FILE_NOT_FOUND)
                return -ENOENT;
        if (status == 416) {
                if (a->offset == 0) {
                        log_error("%s: the server refused a plain request with HTTP 416", url);
                        return -EPROTO;
                }
                log_warning("the server cannot continue at byte %" PRIu64 " (HTTP 416); starting over", a->offset);
                a->offset = 0;
                a->validator[0] = 0;
                return 1;
        }
        if (status >= 500 || status == 408 || status == 429) {
                log_warning("%s: server error (HTTP %ld)", url, status);
                return 1;
        }
        if (status >= 400 || (status >= 300 && code == CURLE_OK && a->body_rejected)) {
                log_error("%s: the server refused with HTTP %ld", url, status);
                return status == 401 || status == 403 ? -EACCES : -EPROTO;
        }

        if (code == CURLE_UNSUPPORTED_PROTOCOL && status >= 300 && status < 400 && https_only(a, url)) {
                log_error("%s: refusing the redirect to %s: it leaves https, so the server would no longer be "
                          "authenticated; serve the image over https, or allow it with --allow-https-downgrade "
                          "(kernel command line: pullboot.allow-insecure-redirect=yes)", url,
                          a->resp.location[0] ? a->resp.location : "a non-https URL");
                return -EPERM;
        }

        switch (code) {
        case CURLE_OK:
                if (!a->body_started) {
                        /* An empty resource: the handler still learns that a body began. */
                        if (body_begin(a) < 0)
                                return a->handler_error;
                        if (a->body_rejected)
                                return 1;
                }
                if (a->body_rejected)
                        return 1;
                if (a->total != UINT64_MAX && a->offset < a->total) {
                        log_warning("%s: connection ended at byte %" PRIu64 " of %" PRIu64, url, a->offset, a->total);
                        return 1;
                }
                return 0;
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_TOO_MANY_REDIRECTS:
                log_error("%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(code));
                return -EINVAL;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
                log_error("%s: TLS verification failed: %s; check --ca-bundle", url,
                          errbuf[0] ? errbuf : curl_easy_strerror(code));
                return -EPERM;
        case CURLE_RANGE_ERROR:
        case CURLE_BAD_DOWNLOAD_RESUME:
                log_warning("%s: cannot continue at byte %" PRIu64 "; starting over", url, a->offset);
                a->offset = 0;
                a->validator[0] = 0;
                return 1;
        default:
                log_warning("%s: %s at byte %" PRIu64, url, errbuf[0] ? errbuf : curl_easy_strerror(code),
                            a->offset);
                return 1;
        }
}

/* Jitter only spreads clients apart: the kernel's pool when it is ready, the clock and the pid
 * otherwise (an initrd may run before the pool is initialized; it must not block for it). */
static uint64_t random_u64(void *userdata) {
        uint64_t v;
        if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t) sizeof v)
                return v;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        v = ((uint64_t) ts.tv_nsec << 20) ^ (uint64_t) ts.tv_sec ^ ((uint64_t) getpid() << 40);
        v ^= v >> 33;
        v *= 0xff51afd7ed558ccdULL;
        return v ^ (v >> 33);
}

/* Sleeps, waking up for a cancellation. */
static int wait_cancellable(const volatile int *cancel, uint64_t ms) {
        uint64_t end = now_ms() + ms;
        for (;;) {
                if (cancel && *cancel)
                        return -ECANCELED;
                uint64_t now = now_ms();
                if (now >= end)
                        return 0;
                sleep_ms((unsigned) (end - now < 200 ? end - now : 200));
        }
}

int transfer_initial_jitter(unsigned max_s, const volatile int *cancel) {
        uint64_t ms = retry_jitter_ms(max_s, random_u64(NULL));
        if (max_s == 0)
                return 0;
        log_info("waiting %" PRIu64 ".%03" PRIu64 " s before the first request (random in 0..%u s, so a fleet "
                 "powered on together does not ask at once)", ms / 1000, ms % 1000, max_s);
        return wait_cancellable(cancel, ms);
}

/* What the server asked for with a 429/503, in ms; 0 if nothing usable. */
static uint64_t requested_wait(const struct attempt *a) {
        long status = 0;
        uint64_t ms = 0;
        if (!a->is_http || !a->resp.retry_after[0])
                return 0;
        (void) curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status != 429 && status != 503)
                return 0;
        if (retry_after_parse(a->resp.retry_after, a->resp.date, time(NULL), &ms) < 0) {
                log_warning("%s: ignoring the malformed Retry-After: %s", a->url, a->resp.retry_after);
                return 0;
        }
        return ms;
}

/* Moves the transfer to another URL of the same resource. The bytes so far stay only if they can
 * be named there: a strong ETag means the same bytes on any server that sends it, and If-Range
 * carries it; a Last-Modified date from another server proves nothing. */
static void switch_url(struct attempt *a, const char *const *urls, unsigned next) {
        if (next == a->url_index)
                return;
        if (a->offset > 0 && a->validator[0] && a->validator_from != next && !a->validator_strong) {
                log_info("switching to %s; restarting from byte 0 (no strong ETag to prove it has the same bytes)",
                         urls[next]);
                a->offset = 0;
                a->validator[0] = 0;
        } else if (a->offset > 0 && a->validator[0])
                log_info("switching to %s; continuing at byte %" PRIu64 " if it has the same ETag %s", urls[next],
                         a->offset, a->validator);
        else
                log_info("switching to %s", urls[next]);
        a->url_index = next;
        a->url = urls[next];
        a->is_http = transfer_is_http(a->url);
}

bool transfer_is_http(const char *url) {
        return strncasecmp(url, "http:", 5) == 0 || strncasecmp(url, "https:", 6) == 0;
}

int transfer_run(const struct transfer_options *o, const char *url, const struct transfer_handler *h) {
        const char *urls[RETRY_MAX_URLS] = { url };
        unsigned n_urls = 1;
        for (size_t i = 0; i < o->n_mirrors && n_urls < RETRY_MAX_URLS; i++)
                urls[n_urls++] = o->mirrors[i];
        struct retry_policy policy = {
                .base_ms = o->retry_delay_ms,
                .cap_ms = RETRY_BACKOFF_CAP_MS,
                .retries = o->retries,
                .stall_ms = o->stall_timeout_sec * 1000,
                .n_urls = n_urls,
        };
        struct retry_state rs;
        struct attempt a = {
                .opts = o,
                .h = h,
                .url = url,
                .total = UINT64_MAX,
                .is_http = transfer_is_http(url),
        };
        char errbuf[CURL_ERROR_SIZE];
        int r;

        retry_state_init(&rs);
        a.curl = curl_easy_init();
        if (!a.curl)
                return log_error_errno(-ENOMEM, "cannot set up libcurl");

        for (;;) {
                struct curl_slist *headers = NULL;
                char if_range[300], range[32], cond[2][320];
                uint64_t before = a.high_water;

                curl_easy_reset(a.curl);
                setup_handle(&a, a.url);
                errbuf[0] = 0;
                curl_easy_setopt(a.curl, CURLOPT_ERRORBUFFER, errbuf);
                /* Without a validator an HTTP resume could splice two versions: start over then. */
                if (a.offset > 0 && a.is_http && !a.validator[0]) {
                        log_info("restarting %s from byte 0 (the server gave no ETag/Last-Modified, so the "
                                 "rest cannot be fetched safely)", a.url);
                        a.offset = 0;
                }
                if (a.offset > 0) {
                        /* For HTTP a plain Range (not libcurl's resume), so that a 200 with the
                         * whole, changed resource is taken as the new start rather than an error. */
                        snprintf(range, sizeof range, "%" PRIu64 "-", a.offset);
                        if (a.is_http)
                                curl_easy_setopt(a.curl, CURLOPT_RANGE, range);
                        else
                                curl_easy_setopt(a.curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) a.offset);
                        if (a.is_http) {
                                snprintf(if_range, sizeof if_range, "If-Range: %s", a.validator);
                                headers = curl_slist_append(NULL, if_range);
                                curl_easy_setopt(a.curl, CURLOPT_HTTPHEADER, headers);
                        }
                }
                if (a.offset == 0 && a.is_http && (o->if_none_match || o->if_modified_since)) {
                        snprintf(cond[0], sizeof cond[0], "If-None-Match: %s", o->if_none_match ?: "");
                        snprintf(cond[1], sizeof cond[1], "If-Modified-Since: %s", o->if_modified_since ?: "");
                        if (o->if_none_match)
                                headers = curl_slist_append(headers, cond[0]);
                        if (o->if_modified_since)
                                headers = curl_slist_append(headers, cond[1]);
                        curl_easy_setopt(a.curl, CURLOPT_HTTPHEADER, headers);
                }
                a.body_started = a.body_rejected = a.stalled = false;
                a.resp = (struct http_response) {};
                a.last_dlnow = 0;
                clock_gettime(CLOCK_MONOTONIC, &a.last_activity);

                CURLcode code = curl_easy_perform(a.curl);
                curl_slist_free_all(headers);

                r = judge(&a, code, a.url, errbuf);
                bool refused = false;
                /* A mirror that does not have it, or will not give it, is left for the others;
                 * only the first URL's answer decides that the image does not exist. */
                if (r < 0 && a.url_index > 0 && a.handler_error == 0 && r != -ECANCELED) {
                        log_warning("mirror %s cannot serve it (%s); trying the others", a.url, strerror(-r));
                        refused = true;
                        r = 1;
                }
                if (r <= 0)
                        break;

                struct retry_outcome out = {
                        .progress = a.high_water > before,
                        .stalled = a.stalled,
                        .retry_after_ms = requested_wait(&a),
                };
                struct retry_decision d;
                if (refused)
                        rs.failures[a.url_index] = o->retries + 1;
                rs.current = a.url_index;
                retry_decide(&policy, &rs, &out, now_ms(), random_u64, NULL, &d);
                if (d.honoured_ms > 0)
                        log_info("%s asks to retry after %s%s%s; waiting %" PRIu64 ".%03" PRIu64 " s before asking it again",
                                 a.url, a.resp.retry_after, isdigit((unsigned char) a.resp.retry_after[0]) ? " s" : "",
                                 d.capped ? " (more than the limit, cut to it)" : "", d.honoured_ms / 1000,
                                 d.honoured_ms % 1000);
                if (d.give_up) {
                        log_error("giving up on %s%s after %u failed attempts in a row; check the network "
                                  "and the server, or raise --retries", url, n_urls > 1 ? " and its mirrors" : "",
                                  rs.failures[a.url_index]);
                        r = d.timed_out ? -ETIMEDOUT : -EIO;
                        break;
                }
                unsigned rs_prev = a.url_index;
                switch_url(&a, urls, d.next);
                if (d.delay_ms > 0 && (d.honoured_ms == 0 || d.next != rs_prev))
                        log_info("retrying %s in %" PRIu64 " ms", a.url, d.delay_ms);
                r = wait_cancellable(o->cancel, d.delay_ms);
                if (r < 0)
                        break;
        }
        curl_easy_cleanup(a.curl);
        return r == 0 && a.not_modified ? TRANSFER_NOT_MODIFIED : r;
}

struct memory {
        char *data;
        size_t size, max;
};

static int mem_begin(void *userdata, const struct transfer_body *b) {
        struct memory *m = userdata;
        if (b->start == 0)
                m->size = 0;
        if (b->total != UINT64_MAX && b->total > m->max)
                return -EFBIG;
        return 0;
}

static int mem_data(void *userdata, const void *p, size_t n) {
        struct memory *m = userdata;
        if (m->size + n > m->max)
                return -EFBIG;
        char *d = realloc(m->data, m->size + n + 1);
        if (!d)
                return -ENOMEM;
        memcpy(d + m->size, p, n);
        m->data = d;
        m->size += n;
        return 0;
}

int transfer_fetch(const struct transfer_options *o, const char *url, size_t max, char **ret, size_t *ret_size) {
        struct memory m = { .max = max };
        struct transfer_handler h = { .begin = mem_begin, .data = mem_data, .userdata = &m };
        int r = transfer_run(o, url, &h);
        if (r < 0) {
                free(m.data);
                if (r == -EFBIG)
                        log_error("%s is larger than %zu bytes; refusing it", url, max);
                return r;
        }
        if (!m.data && !(m.data = malloc(1)))
                return -ENOMEM;
        m.data[m.size] = 0;
        *ret = m.data;
        if (ret_size)
                *ret_size = m.size;
        return 0;
}

/* Size probes (estimate-check.c): a handful of bytes, one attempt, stopped once they are in. */
struct probe {
        uint8_t *data;
        size_t size, want;
        uint64_t first, total;
        bool whole;             /* the server sent the resource from byte 0, not the range */
};

#define PROBE_ENOUGH (-ENOBUFS)

static int probe_on_begin(void *userdata, const struct transfer_body *b) {
        struct probe *p = userdata;
        p->total = b->total;
        /* The whole resource instead of a later range: nothing of it is wanted. */
        p->whole = b->start != p->first;
        return p->whole ? PROBE_ENOUGH : 0;
}

static int probe_on_data(void *userdata, const void *d, size_t n) {
        struct probe *p = userdata;
        size_t k = n < p->want - p->size ? n : p->want - p->size;
        memcpy(p->data + p->size, d, k);
        p->size += k;
        return p->size == p->want ? PROBE_ENOUGH : 0;
}

int transfer_probe(const struct transfer_options *o, const char *url, uint64_t first, size_t len,
                   struct transfer_probe_result *ret) {
        struct probe p = { .want = len, .first = first, .total = UINT64_MAX };
        struct transfer_handler h = { .begin = probe_on_begin, .data = probe_on_data, .userdata = &p };
        struct attempt a = {
                .opts = o,
                .h = &h,
                .url = url,
                .total = UINT64_MAX,
                .offset = first,
                .probing = true,
                .is_http = transfer_is_http(url),
        };
        char errbuf[CURL_ERROR_SIZE] = "", range[64];
        long status = 0;
        int r = 0;

        if (len == 0)
                return -EINVAL;
        p.data = malloc(len);
        a.curl = curl_easy_init();
        if (!p.data || !a.curl) {
                r = -ENOMEM;
                goto finish;
        }
        setup_handle(&a, url);
        curl_easy_setopt(a.curl, CURLOPT_ERRORBUFFER, errbuf);
        /* A local file's first bytes come without a range, so that its size is reported. */
        if (a.is_http || first > 0) {
                snprintf(range, sizeof range, "%" PRIu64 "-%" PRIu64, first, first + len - 1);
                curl_easy_setopt(a.curl, CURLOPT_RANGE, range);
        }
        clock_gettime(CLOCK_MONOTONIC, &a.last_activity);
        CURLcode code = curl_easy_perform(a.curl);
        if (a.is_http)
                (void) curl_easy_getinfo(a.curl, CURLINFO_RESPONSE_CODE, &status);
        if (a.handler_error < 0 && a.handler_error != PROBE_ENOUGH)
                r = a.handler_error;
        else if (status == 404 || status == 410 || code == CURLE_FILE_COULDNT_READ_FILE ||
                 code == CURLE_REMOTE_FILE_NOT_FOUND)
                r = -ENOENT;
        else if (a.is_http && status != 200 && status != 206) {
                log_debug("%s: probe answered with HTTP %ld", url, status);
                r = -EPROTO;
        } else if (a.handler_error != PROBE_ENOUGH && code != CURLE_OK) {
                log_debug("%s: probe failed: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(code));
                r = -EIO;
        } else if (!a.body_started || a.body_rejected)
                r = -EPROTO;
        if (r < 0)
                goto finish;
        *ret = (struct transfer_probe_result) {
                .data = p.data, .size = p.size, .total = p.total,
                .ranged = !p.whole && (!a.is_http || (status == 206 && a.resp.has_range)),
        };
        p.data = NULL;
finish:
        free(p.data);
        if (a.curl)
                curl_easy_cleanup(a.curl);
        return r;
}
