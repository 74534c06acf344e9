/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "range-source.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "pull/http-response.h"

#define PROBE_BYTES 512
#define PROBE_ATTEMPTS 5
#define BACKOFF_START_MS 200
#define BACKOFF_MAX_MS 5000

/* What one response said about itself (reset at each status line: redirects have several). */
/* One range in flight on one easy handle. */
struct slot {
        CURL *curl;
        struct range_job *job;            /* NULL: idle */
        uint64_t off;                     /* where this attempt started */
        size_t want, got;                 /* of this attempt */
        struct http_response resp;
        bool wrong_body;                  /* not the 206 we asked for: body discarded */
        struct curl_slist *headers;
        char range[64];
        char errbuf[CURL_ERROR_SIZE];
};

struct range_source {
        char *url;
        struct range_options opts;
        uint64_t size;
        char validator[256];              /* If-Range value */
        bool validator_is_etag;
        bool changed;                     /* sticky: the image changed under us */
        uint64_t bytes_fetched;
        unsigned requests;
        uint8_t head[PROBE_BYTES];        /* the probe's bytes: the format check reads them */
        size_t head_len;
        CURLM *multi;
        struct slot slots[RANGE_PARALLEL];
};

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000 };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata) {
        size_t n = size * nmemb;

        http_response_header(userdata, line, n);
        return n;
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *userdata) {
        struct slot *sl = userdata;
        size_t n = size * nmemb;

        /* Only the exact range asked for lands in the buffer; anything else ends the attempt. */
        if (sl->resp.status != 206 || !sl->resp.has_range || sl->resp.range_start != sl->off ||
            sl->got + n > sl->want) {
                sl->wrong_body = true;
                return 0;
        }
        memcpy(sl->job->buf + (sl->off - sl->job->off) + sl->got, p, n);
        sl->got += n;
        return n;
}

static void setup_easy(struct range_source *s, struct slot *sl) {
        CURL *c = sl->curl;
        bool https = strncasecmp(s->url, "https:", 6) == 0;

        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, s->url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 16L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
                         https && !s->opts.allow_https_downgrade ? "https" : "http,https");
        curl_easy_setopt(c, CURLOPT_USERAGENT, "pullboot/" PULLBOOT_VERSION " (lazy root)");
        curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        if (s->opts.ca_bundle)
                curl_easy_setopt(c, CURLOPT_CAINFO, s->opts.ca_bundle);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long) s->opts.stall_timeout_sec);
        /* A stall, not a slow whole, ends an attempt. */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long) s->opts.stall_timeout_sec);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &sl->resp);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, sl);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, sl->errbuf);
        curl_easy_setopt(c, CURLOPT_PRIVATE, sl);
}

/* Starts (or continues) job on slot sl at the first byte not yet received. */
static int slot_start(struct range_source *s, struct slot *sl, struct range_job *job, uint64_t done) {
        char if_range[300];

        sl->job = job;
        sl->off = job->off + done;
        sl->want = job->len - done;
        sl->got = 0;
        sl->wrong_body = false;
        sl->resp = (struct http_response) {};
        sl->errbuf[0] = 0;
        setup_easy(s, sl);
        snprintf(sl->range, sizeof sl->range, "%" PRIu64 "-%" PRIu64, sl->off, sl->off + sl->want - 1);
        curl_easy_setopt(sl->curl, CURLOPT_RANGE, sl->range);
        curl_slist_free_all(sl->headers);
        sl->headers = NULL;
        if (s->validator[0]) {
                snprintf(if_range, sizeof if_range, "If-Range: %s", s->validator);
                sl->headers = curl_slist_append(NULL, if_range);
                if (!sl->headers)
                        return -ENOMEM;
                curl_easy_setopt(sl->curl, CURLOPT_HTTPHEADER, sl->headers);
        }
        s->requests++;
        return curl_multi_add_handle(s->multi, sl->curl) == CURLM_OK ? 0 : -EIO;
}

static void image_changed(struct range_source *s, const char *now) {
        if (!s->changed)
                log_error("lazy: %s changed on the server (%s %s, now %s): refusing to mix two versions of "
                          "the image; its unread blocks fail with I/O errors from now on; reboot to use the new image",
                          s->url, s->validator_is_etag ? "ETag" : "Last-Modified", s->validator,
                          now && now[0] ? now : "no range of the old version");
        s->changed = true;
}

/* The server's validator in a response, the kind we pinned. */
static const char *response_validator(const struct range_source *s, const struct http_response *r) {
        return s->validator_is_etag ? r->etag : r->last_modified;
}

/* Judges a finished attempt: 0 done, 1 retry (the job continues after the bytes received), <0 fail. */
static int judge(struct range_source *s, struct slot *sl, CURLcode code) {
        const struct http_response *r = &sl->resp;
        const char *v = response_validator(s, r);

        s->bytes_fetched += sl->got;
        if (r->status == 200 || r->status == 412 || (r->status == 206 && v[0] && strcmp(v, s->validator) != 0)) {
                /* If-Range did not match: the whole (new) file came instead of our range. */
                image_changed(s, v);
                return -ESTALE;
        }
        if (r->status == 416) {
                image_changed(s, "a shorter file");
                return -ESTALE;
        }
        if (r->status == 404 || r->status == 410) {
                log_error("lazy: %s is gone from the server (HTTP %ld); its unread blocks fail with I/O errors",
                          s->url, r->status);
                return -ENOENT;
        }
        if (r->status >= 400 && r->status < 500 && r->status != 408 && r->status != 429) {
                log_error("lazy: %s: the server refused a range with HTTP %ld", s->url, r->status);
                return -EIO;
        }
        if (code == CURLE_OK && !sl->wrong_body && sl->got == sl->want)
                return 0;
        if (r->status == 206 && (!r->has_range || r->range_start != sl->off)) {
                log_warning("lazy: %s: the server answered range %s with another one; retrying", s->url, sl->range);
                return 1;
        }
        log_warning("lazy: %s: range %s broke after %zu bytes (%s); continuing from byte %" PRIu64, s->url,
                    sl->range, sl->got,
                    r->status >= 500 ? "server error" : sl->errbuf[0] ? sl->errbuf : curl_easy_strerror(code),
                    sl->off + sl->got);
        return 1;
}

int range_source_fetch(struct range_source *s, struct range_job *jobs, size_t n) {
        size_t next = 0, active = 0;
        uint64_t *done = calloc(n ?: 1, sizeof *done);
        unsigned *failures = calloc(n ?: 1, sizeof *failures);
        int first_error = 0, r;

        if (!done || !failures) {
                free(done);
                free(failures);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                jobs[i].result = s->changed ? -ESTALE : 1;   /* 1: pending */
        if (s->changed) {
                free(done);
                free(failures);
                return -ESTALE;
        }

        for (;;) {
                /* Fill idle slots with pending jobs. */
                for (size_t k = 0; k < RANGE_PARALLEL && next < n; k++) {
                        struct slot *sl = &s->slots[k];
                        if (sl->job)
                                continue;
                        r = slot_start(s, sl, &jobs[next], 0);
                        if (r < 0) {
                                jobs[next].result = r;
                                sl->job = NULL;
                        } else
                                active++;
                        next++;
                }
                if (active == 0)
                        break;

                int running = 0, numfds = 0;
                curl_multi_perform(s->multi, &running);
                CURLMsg *m;
                int left;
                while ((m = curl_multi_info_read(s->multi, &left))) {
                        struct slot *sl = NULL;
                        if (m->msg != CURLMSG_DONE)
                                continue;
                        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **) &sl);
                        CURLcode code = m->data.result;
                        curl_multi_remove_handle(s->multi, sl->curl);
                        struct range_job *job = sl->job;
                        size_t idx = (size_t) (job - jobs);
                        uint64_t before = done[idx];

                        r = judge(s, sl, code);
                        done[idx] += sl->got;
                        sl->job = NULL;
                        active--;
                        if (r == 1) {
                                failures[idx] = done[idx] > before ? 0 : failures[idx] + 1;
                                if (failures[idx] > s->opts.retries) {
                                        log_error("lazy: %s: giving up on bytes %" PRIu64 "-%" PRIu64 " after %u "
                                                  "failed attempts in a row; check the network and the server",
                                                  s->url, job->off, job->off + job->len - 1, failures[idx]);
                                        r = -EIO;
                                } else {
                                        unsigned delay = BACKOFF_START_MS;
                                        for (unsigned i = 1; i < failures[idx] && delay < BACKOFF_MAX_MS; i++)
                                                delay *= 2;
                                        sleep_ms(delay < BACKOFF_MAX_MS ? delay : BACKOFF_MAX_MS);
                                        r = slot_start(s, sl, job, done[idx]);
                                        if (r == 0) {
                                                active++;
                                                continue;
                                        }
                                }
                        }
                        job->result = r;
                        if (r < 0 && first_error == 0)
                                first_error = r;
                }
                if (active > 0)
                        curl_multi_poll(s->multi, NULL, 0, 1000, &numfds);
        }
        free(done);
        free(failures);
        return first_error;
}

int range_source_read(void *userdata, uint64_t off, void *buf, size_t len) {
        struct range_source *s = userdata;
        struct range_job job = { .off = off, .len = len, .buf = buf };

        if (off + len <= s->head_len) {
                memcpy(buf, s->head + off, len);
                return 0;
        }
        return range_source_fetch(s, &job, 1);
}

/* Unasked (the default of pullboot.lazy=), an image that cannot be read lazily is no problem. */
static enum log_level fallback_level(const struct range_source *s) {
        return s->opts.fallback_is_info ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING;
}

/* The probe: a small range without If-Range, to learn the size and the validator. */
static int probe(struct range_source *s) {
        uint8_t buf[PROBE_BYTES];
        struct range_job job = { .off = 0, .len = sizeof buf, .buf = buf };
        struct slot *sl = &s->slots[0];
        long status = 0;
        int r = -EIO;

        for (unsigned attempt = 0; attempt < PROBE_ATTEMPTS; attempt++) {
                if (attempt > 0)
                        sleep_ms(BACKOFF_START_MS << attempt);
                sl->job = &job;
                sl->off = 0;
                sl->want = sizeof buf;
                sl->got = 0;
                sl->wrong_body = false;
                sl->resp = (struct http_response) {};
                sl->errbuf[0] = 0;
                setup_easy(s, sl);
                curl_easy_setopt(sl->curl, CURLOPT_RANGE, "0-511");
                s->requests++;
                CURLcode code = curl_easy_perform(sl->curl);
                sl->job = NULL;
                s->bytes_fetched += sl->got;
                status = sl->resp.status;

                if (status == 404 || status == 410) {
                        log_warning("lazy: %s is not on the server (HTTP %ld)", s->url, status);
                        return -ENOENT;
                }
                if (status == 200) {
                        log_msg(fallback_level(s), "lazy: the server of %s ignores range requests", s->url);
                        return -EMEDIUMTYPE;
                }
                if (status == 416) {
                        log_msg(fallback_level(s), "lazy: %s is empty", s->url);
                        return -EMEDIUMTYPE;
                }
                if (status >= 400 && status < 500) {
                        log_warning("lazy: the server refused %s with HTTP %ld", s->url, status);
                        return -EACCES;
                }
                if (status == 206 && sl->resp.has_range && sl->resp.range_start == 0 &&
                    (code == CURLE_OK || code == CURLE_WRITE_ERROR)) {
                        r = 0;
                        break;
                }
                log_warning("lazy: cannot reach %s: %s%s", s->url,
                            status >= 500 ? "server error" : sl->errbuf[0] ? sl->errbuf : curl_easy_strerror(code),
                            attempt + 1 < PROBE_ATTEMPTS ? "; retrying" : "");
                r = -EIO;
        }
        if (r < 0)
                return r;
        if (sl->resp.range_total == UINT64_MAX) {
                log_msg(fallback_level(s), "lazy: the server of %s does not tell the image's size", s->url);
                return -EMEDIUMTYPE;
        }
        s->size = sl->resp.range_total;
        s->head_len = sl->got;
        memcpy(s->head, buf, sl->got);
        /* A weak ETag cannot guard a range (RFC 9110); Last-Modified is the fallback. */
        if (sl->resp.etag[0] && strncmp(sl->resp.etag, "W/", 2) != 0) {
                snprintf(s->validator, sizeof s->validator, "%s", sl->resp.etag);
                s->validator_is_etag = true;
        } else if (sl->resp.last_modified[0])
                snprintf(s->validator, sizeof s->validator, "%s", sl->resp.last_modified);
        else {
                log_msg(fallback_level(s), "lazy: the server of %s sends no strong ETag or Last-Modified, so a changed image "
                            "could not be told from the one being read", s->url);
                return -EMEDIUMTYPE;
        }
        return 0;
}

int range_source_open(const char *url, const struct range_options *o, struct range_source **ret) {
        struct range_source *s = calloc(1, sizeof *s);
        int r;

        if (!s || !(s->url = strdup(url))) {
                free(s);
                return -ENOMEM;
        }
        s->opts = o ? *o : (struct range_options) {};
        if (s->opts.retries == 0)
                s->opts.retries = 8;
        if (s->opts.stall_timeout_sec == 0)
                s->opts.stall_timeout_sec = 15;
        s->multi = curl_multi_init();
        if (!s->multi) {
                range_source_free(s);
                return -ENOMEM;
        }
        curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) RANGE_PARALLEL);
        for (size_t k = 0; k < RANGE_PARALLEL; k++)
                if (!(s->slots[k].curl = curl_easy_init())) {
                        range_source_free(s);
                        return -ENOMEM;
                }
        r = probe(s);
        if (r < 0) {
                range_source_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

struct range_source *range_source_free(struct range_source *s) {
        if (!s)
                return NULL;
        for (size_t k = 0; k < RANGE_PARALLEL; k++) {
                if (s->slots[k].curl)
                        curl_easy_cleanup(s->slots[k].curl);
                curl_slist_free_all(s->slots[k].headers);
        }
        if (s->multi)
                curl_multi_cleanup(s->multi);
        free(s->url);
        free(s);
        return NULL;
}

uint64_t range_source_size(const struct range_source *s) {
        return s->size;
}

const char *range_source_etag(const struct range_source *s) {
        return s->validator;
}

uint64_t range_source_bytes_fetched(const struct range_source *s) {
        return s->bytes_fetched;
}

unsigned range_source_requests(const struct range_source *s) {
        return s->requests;
}

bool range_source_changed(const struct range_source *s) {
        return s->changed;
}
