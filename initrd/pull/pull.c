/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"
#include "estimate-check.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "memlimit.h"
#include "mirror-url.h"
#include "progress.h"
#include "pull.h"
#include "sink.h"
#include "space.h"
#include "templock.h"
#include "transfer.h"
#include "verify.h"
#include "writer.h"

/* Decoded bytes reach the sink in chunks this large (a multiple of any file system block size). */
#define DECODE_CHUNK (1024 * 1024)
#define XZ_THREADS 2
/* Compressed bytes wait for the decompression thread in up to this many buffers of this size. */
#define FEED_BUFFERS 4
#define FEED_CHUNK (512 * 1024)

struct pull {
        const struct pull_options *o;
        const char *url;
        struct sink *sink;
        struct writer *feeder;  /* the thread that decompresses and writes */
        struct decoder *dec;
        struct sha256_ctx *hash;
        struct progress *progress;
        uint64_t received, total, written;
        bool hint_checked;
        struct fit_facts fit;   /* what the probes before the download learnt (estimate-check.h) */
        bool full_reported;     /* atomic: several xz workers may hit a full disk at once */
        bool damaged;           /* atomic: the bytes did not decode, or not to the expected digest */
        bool resumed;           /* the bytes so far came from more than one response */
        bool quiet_missing;
        int temp_lock;          /* flock on the sink's temporary while it is in use */
        char *temp_locked;      /* which temporary that is */
};

void pull_options_init(struct pull_options *o) {
        *o = (struct pull_options) {
                .type = PB_TYPE_RAW,
                .verify = PB_VERIFY_NO,
                .retries = PULL_DEFAULT_RETRIES,
                .stall_timeout_sec = PULL_DEFAULT_STALL_TIMEOUT_SEC,
                .retry_delay_ms = PULL_DEFAULT_RETRY_DELAY_MS,
                .progress = PULL_PROGRESS_AUTO,
                .progress_fd = STDERR_FILENO,
        };
}

int pull_progress_from_string(const char *s, enum pull_progress *ret) {
        static const char *const names[] = {
                [PULL_PROGRESS_AUTO] = "auto", [PULL_PROGRESS_BAR] = "bar", [PULL_PROGRESS_PLAIN] = "plain",
                [PULL_PROGRESS_JSON] = "json", [PULL_PROGRESS_NONE] = "none",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(s, names[i]) == 0) {
                        *ret = (enum pull_progress) i;
                        return 0;
                }
        return -EINVAL;
}

int pull_verify_from_string(const char *s, enum pb_verify *ret_verify, uint8_t ret_sha256[32]) {
        if (strcmp(s, "no") == 0)
                *ret_verify = PB_VERIFY_NO;
        else if (strcmp(s, "checksum") == 0)
                *ret_verify = PB_VERIFY_CHECKSUM;
        else if (strcmp(s, "signature") == 0)
                *ret_verify = PB_VERIFY_SIGNATURE;
        else if (strncmp(s, "sha256:", 7) == 0) {
                if (sha256_from_hex(s + 7, strlen(s + 7), ret_sha256) < 0)
                        return -EINVAL;
                *ret_verify = PB_VERIFY_SHA256;
        } else
                return -EINVAL;
        return 0;
}

static int check_size_hint(struct pull *x);

/* Holds the sink's temporary (again, after a reset made a new one) so that no other pull's sweep
 * removes it. -ESTALE if a sweep took it before the lock. */
static int lock_temp(struct pull *x) {
        if (x->temp_locked && strcmp(x->temp_locked, x->sink->temp) == 0)
                return 0;
        if (x->temp_lock >= 0)
                close(x->temp_lock);
        free(x->temp_locked);
        x->temp_locked = NULL;
        x->temp_lock = temp_lock(x->sink->temp);
        if (x->temp_lock < 0)
                return x->temp_lock;
        x->temp_locked = strdup(x->sink->temp);
        return x->temp_locked ? 0 : -ENOMEM;
}

static int on_decoded(void *userdata, const void *p, size_t n) {
        struct pull *x = userdata;
        int r;

        /* A chunk can decode into far more than the file system holds: check before writing. */
        if (!x->hint_checked && (r = check_size_hint(x)) < 0)
                return r;
        if (x->o->max_size > 0 && x->written + n > x->o->max_size) {
                log_error("%s unpacks to more than --max-size=%" PRIu64 " bytes; refusing it", x->url,
                          x->o->max_size);
                return -EFBIG;
        }
        r = sink_write(x->sink, p, n);
        if (r < 0)
                return r;
        __atomic_fetch_add(&x->written, (uint64_t) n, __ATOMIC_RELAXED);
        return 0;
}

/* From the block-parallel xz decoder's worker threads: only atomics and the thread-safe sink. */
static int on_decoded_at(void *userdata, uint64_t offset, const void *p, size_t n) {
        struct pull *x = userdata;
        if (x->o->max_size > 0 && offset + n > x->o->max_size) {
                log_error("%s unpacks to more than --max-size=%" PRIu64 " bytes; refusing it", x->url,
                          x->o->max_size);
                return -EFBIG;
        }
        int r = sink_write_at(x->sink, offset, p, n);
        if (r < 0)
                return r;
        __atomic_fetch_add(&x->written, (uint64_t) n, __ATOMIC_RELAXED);
        return 0;
}

static int on_begin(void *userdata, const struct transfer_body *b) {
        struct pull *x = userdata;
        int r;

        if (b->start == 0 && (x->received > 0 || __atomic_load_n(&x->written, __ATOMIC_RELAXED) > 0)) {
                /* Start over: nothing of the earlier attempt may leak into the image. The decoder
                 * goes first, so no worker thread still writes. */
                if ((r = writer_reset(x->feeder)) < 0 || (r = decoder_reset(x->dec)) < 0 ||
                    (r = sha256_reset(x->hash)) < 0)
                        return r;
                /* A sink may start over in a new temporary: hold that one too. */
                if ((r = sink_reset(x->sink)) < 0)
                        return r;
                if ((r = lock_temp(x)) < 0)
                        return log_error_errno(r, "cannot lock %s (removed by another pull of %s?)", x->sink->temp,
                                               x->sink->target);
                x->received = x->written = 0;
                x->hint_checked = false;
        }
        x->total = b->total;
        __atomic_store_n(&x->resumed, b->start > 0, __ATOMIC_RELAXED);
        if (x->o->cache) {
                snprintf(x->o->cache->etag_out, sizeof x->o->cache->etag_out, "%s", b->etag ?: "");
                snprintf(x->o->cache->last_modified_out, sizeof x->o->cache->last_modified_out, "%s",
                         b->last_modified ?: "");
        }
        if (b->total == UINT64_MAX || b->start > 0)
                return 0;
        if (x->o->max_size > 0 && b->total > x->o->max_size) {
                log_error("%s is %" PRIu64 " bytes, more than --max-size=%" PRIu64 "; refusing it", x->url,
                          b->total, x->o->max_size);
                return -EFBIG;
        }
        return space_check(x->sink->dir, b->total, "download");
}

/* Once the format tells the uncompressed size, check it against the limits before writing much. */
static int check_size_hint(struct pull *x) {
        uint64_t hint = decoder_size_hint(x->dec), avail;
        char a[32], b[32];

        x->hint_checked = true;
        if (hint == UINT64_MAX)
                return 0;
        x->sink->size_hint = hint;
        if (x->o->max_size > 0 && hint > x->o->max_size) {
                log_error("%s unpacks to %" PRIu64 " bytes, more than --max-size=%" PRIu64 "; refusing it",
                          x->url, hint, x->o->max_size);
                return -EFBIG;
        }
        /* A tree is as large as its contents; a raw image's zero runs become holes, so only warn. */
        if (x->o->type == PB_TYPE_TAR)
                return space_check(x->sink->dir, hint, "unpacked image");
        if (space_free(x->sink->dir, &avail) >= 0 && hint > avail)
                log_warning("the image is %s uncompressed but only %s are free in %s; continuing, as "
                            "runs of zeros take no space", format_bytes(hint, a, sizeof a),
                            format_bytes(avail, b, sizeof b), x->sink->dir);
        return 0;
}

static int on_data(void *userdata, const void *p, size_t n) {
        struct pull *x = userdata;
        int r;

        if (x->o->max_size > 0 && x->received + n > x->o->max_size) {
                log_error("%s is larger than --max-size=%" PRIu64 " bytes; refusing it", x->url, x->o->max_size);
                return -EFBIG;
        }
        /* Hashing 100+ MB costs a noticeable fraction of a second: only when something checks it. */
        if (x->o->verify != PB_VERIFY_NO && (r = sha256_update(x->hash, p, n)) < 0)
                return r;
        /* With SIGPIPE ignored, a reader that went away (pullboot pull ... 2>&1 | head -1) shows
         * here: stop cleanly rather than pull on unseen. */
        if ((r = progress_error(x->progress)) < 0) {
                log_error_errno(r, "cannot write progress (did its reader exit?); stopping the pull of %s", x->url);
                return r;
        }
        __atomic_fetch_add(&x->received, (uint64_t) n, __ATOMIC_RELAXED);
        return writer_write(x->feeder, p, n);
}

/* The target is full: say what the image really still needs, its zeros not counted. */
static int on_full(void *userdata, uint64_t written, uint64_t stored) {
        struct pull *x = userdata;
        struct fit_facts f = x->fit;
        uint64_t projected, at_least;

        if (__atomic_exchange_n(&x->full_reported, true, __ATOMIC_RELAXED))
                return -ENOSPC;
        if (f.uncompressed == UINT64_MAX)
                f.uncompressed = x->sink->size_hint;
        fit_remaining(&f, __atomic_load_n(&x->received, __ATOMIC_RELAXED), written, stored, &projected, &at_least);
        return space_log_full_stored(x->sink->dir, written, stored, projected, at_least);
}

/* Logs why decompression stopped; a stream over the memory limit becomes -E2BIG. */
static int decode_failed(struct pull *x, int r) {
        if (r == -ENOMEM && decoder_over_memlimit(x->dec)) {
                log_error("%s: %s", x->url, decoder_error(x->dec));
                return -E2BIG;
        }
        if (r == -EBADMSG) {
                log_error("%s: cannot decompress (%s): %s", x->url, decode_format_to_string(decoder_format(x->dec)),
                          decoder_error(x->dec));
                /* Damage after a good start, that is; a wrong format at byte 0 stays wrong. */
                if (decoder_output_bytes(x->dec) > 0 || __atomic_load_n(&x->written, __ATOMIC_RELAXED) > 0 ||
                    __atomic_load_n(&x->resumed, __ATOMIC_RELAXED))
                        __atomic_store_n(&x->damaged, true, __ATOMIC_RELAXED);
        }
        return r;
}

/* In the feeder thread: decompress, and through on_decoded() write. */
static int feed_decoder(void *userdata, const void *p, size_t n) {
        struct pull *x = userdata;
        int r = decoder_feed(x->dec, p, n);
        if (r < 0)
                return decode_failed(x, r);
        if (!x->hint_checked && decoder_format(x->dec) != DECODE_UNKNOWN && (r = check_size_hint(x)) < 0)
                return r;
        return 0;
}

static void on_progress(void *userdata, uint64_t received, uint64_t total) {
        struct pull *x = userdata;
        progress_update(x->progress, received, total, __atomic_load_n(&x->written, __ATOMIC_RELAXED));
}

/* Whether url answers at all: stops at the first body byte. */
static int probe_begin(void *userdata, const struct transfer_body *b) {
        return -EEXIST;
}

static bool resource_missing(const struct transfer_options *t, const char *url) {
        struct transfer_handler h = { .begin = probe_begin };
        return transfer_run(t, url, &h) == -ENOENT;
}

static void report_missing(const char *url, bool quiet_missing) {
        if (quiet_missing)
                log_info("%s does not exist", url);
        else
                log_error("%s does not exist (HTTP 404 or missing file); check the URL", url);
}

/* Removes what killed pulls of target left, then creates the sink's temporary and takes its lock;
 * a concurrent pull's sweep can take a temporary before it is locked, then another is made. */
static int start_sink(struct pull *x, const char *target) {
        _cleanup_free_ char *copy = strdup(target);
        if (!copy)
                return -ENOMEM;
        const char *name = strrchr(target, '/');
        name = name ? name + 1 : target;
        (void) temp_remove_stale(dirname(copy), name);

        for (unsigned attempt = 0;; attempt++) {
                int r = x->o->type == PB_TYPE_TAR ? sink_tar_new(target, &x->sink) : sink_raw_new(target, &x->sink);
                if (r < 0)
                        return r;
                r = lock_temp(x);
                if (r != -ESTALE || attempt >= 3) {
                        if (r < 0)
                                log_error_errno(r, "cannot lock %s", x->sink->temp);
                        return r;
                }
                x->sink = sink_free(x->sink);
        }
}

/* The image itself (never its checksum list or signature) may come from the mirrors. */
static int transfer_with_mirrors(const struct transfer_options *t, const struct pull_options *o, const char *url,
                                 const struct transfer_handler *h) {
        char *urls[PULL_MAX_MIRRORS] = {};
        size_t n = 0;
        int r = 0;

        for (size_t i = 0; i < o->n_mirrors && n < PULL_MAX_MIRRORS && r >= 0; i++)
                if ((r = mirror_url(o->mirrors[i], url, &urls[n])) >= 0)
                        n++;
        if (r >= 0) {
                struct transfer_options tm = *t;
                tm.mirrors = (const char *const *) urls;
                tm.n_mirrors = n;
                r = transfer_run(&tm, url, h);
        }
        for (size_t i = 0; i < n; i++)
                free(urls[i]);
        return r;
}

/* One download of the image into the sink, decoded, finished and checked against expected. */
static int fetch_and_check(struct pull *x, const struct transfer_options *ti, const struct transfer_handler *h,
                           const uint8_t expected[32]) {
        const struct pull_options *o = x->o;
        const char *url = x->url;
        uint8_t actual[32];

        int r = transfer_with_mirrors(ti, o, url, h);
        if (r == TRANSFER_NOT_MODIFIED)
                return PULL_NOT_MODIFIED;
        if (r == -ENOENT) {
                report_missing(url, x->quiet_missing);
                return r;
        }
        if (r == -ECANCELED)
                log_error("pull of %s cancelled; nothing was left at %s", url, x->sink->target);
        if (r < 0)
                return r;
        if ((r = writer_flush(x->feeder)) < 0)
                return r;
        if ((r = decoder_finish(x->dec)) < 0)
                return decode_failed(x, r);
        if ((r = sink_finish(x->sink)) < 0)
                return r;
        if (o->verify == PB_VERIFY_NO)
                return 0;
        if ((r = sha256_final(x->hash, actual)) < 0)
                return r;
        if ((r = verify_compare(url, expected, actual)) < 0) {
                /* Only a stream joined from several responses may owe a wrong digest to the way. */
                if (__atomic_load_n(&x->resumed, __ATOMIC_RELAXED))
                        __atomic_store_n(&x->damaged, true, __ATOMIC_RELAXED);
                return r;
        }
        if (o->cache) {
                memcpy(o->cache->sha256_out, actual, sizeof actual);
                o->cache->has_sha256_out = true;
        }
        return 0;
}

/* first: the first request of this pull is about to be made, the fleet's jitter goes before it. */
static int pull_one(const struct pull_options *o, const char *url, const char *target, bool quiet_missing,
                    bool first) {
        struct pull x = {
                .o = o, .url = url, .total = UINT64_MAX, .temp_lock = -EBADF, .quiet_missing = quiet_missing,
                .fit = { .format = DECODE_UNKNOWN, .size = UINT64_MAX, .uncompressed = UINT64_MAX },
        };
        struct transfer_options t = {
                .ca_bundle = o->ca_bundle,
                .allow_https_downgrade = o->allow_https_downgrade,
                .retries = o->retries,
                .stall_timeout_sec = o->stall_timeout_sec,
                .retry_delay_ms = o->retry_delay_ms,
                .cancel = o->cancel,
        };
        struct transfer_handler h = {
                .begin = on_begin, .data = on_data, .progress = on_progress, .userdata = &x,
        };
        uint8_t expected[32];
        struct transfer_options ti;
        struct stat st;
        int r;

        if (o->type != PB_TYPE_RAW && o->type != PB_TYPE_TAR) {
                log_error("unsupported image type");
                return -EINVAL;
        }
        if (!o->force && lstat(target, &st) == 0) {
                log_error("%s already exists; remove it or pass --force", target);
                return -EEXIST;
        }
        r = mkdir_parents(target, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create the directory for %s", target);

        r = transfer_global_init();
        if (r < 0)
                return log_error_errno(r, "cannot initialize libcurl");
        if (first && (r = transfer_initial_jitter(o->jitter_sec, o->cancel)) < 0) {
                log_error("pull of %s cancelled before the first request", url);
                return r;
        }

        if (o->verify == PB_VERIFY_SHA256)
                memcpy(expected, o->sha256, sizeof expected);
        else {
                r = verify_fetch_expected(&t, url, o->verify, o->keyring, expected);
                /* Missing lists come back as -EBADMSG; -ENOENT here is a local file (the keyring),
                 * which must not pass for a missing image and move on to the next candidate. */
                if (r == -ENOENT)
                        r = -EBADMSG;
                /* A checksum list cannot list an image that is not there: say what is really wrong.
                 * Not under verify=signature: a list whose signature failed must not make us touch
                 * the image URL at all. */
                if (r == -EBADMSG && o->verify == PB_VERIFY_CHECKSUM && resource_missing(&t, url)) {
                        report_missing(url, quiet_missing);
                        r = -ENOENT;
                }
                if (r < 0)
                        return r;
        }

        _cleanup_free_ char *copy = strdup(target);
        if (!copy) {
                r = log_error_errno(-ENOMEM, "cannot set up the pull");
                goto finish;
        }
        /* The cache's conditional request, for the image only (never for the lists). */
        ti = t;
        const struct pull_cache *c = o->cache;
        if (c && c->url && strcmp(c->url, url) == 0 && o->verify != PB_VERIFY_NO &&
            memcmp(c->download_sha256, expected, sizeof expected) == 0) {
                ti.if_none_match = c->etag && c->etag[0] ? c->etag : NULL;
                ti.if_modified_since = c->last_modified && c->last_modified[0] ? c->last_modified : NULL;
        }
        /* A kept image the server may confirm with a 304 needs no room: no early refusal then (a
         * 200 still ends in the store's eviction and one retry when the disk is short). */
        if (!ti.if_none_match && !ti.if_modified_since &&
            (r = fit_check(&t, url, o->type, dirname(copy), &x.fit)) < 0)
                goto finish;
        if ((r = start_sink(&x, target)) < 0)
                goto finish;
        x.sink->full = on_full;
        x.sink->full_userdata = &x;
        if ((r = writer_new(feed_decoder, &x, FEED_CHUNK, FEED_BUFFERS, &x.feeder)) < 0) {
                log_error_errno(r, "cannot start the decompression thread");
                goto finish;
        }
        if ((r = decoder_new(DECODE_CHUNK, XZ_THREADS, on_decoded,
                              x.sink->ops->write_at ? on_decoded_at : NULL, &x, &x.dec)) < 0 ||
            (r = sha256_new(&x.hash)) < 0 ||
            (r = progress_new(o->progress, o->progress_fd, url, &x.progress)) < 0) {
                log_error_errno(r, "cannot set up the pull");
                goto finish;
        }
        decoder_set_memlimit(x.dec, o->max_memory ?: memlimit_default(NULL));

        /* A cache whose upstream broke mid-slice can go on with the next slice and so hand out a
         * stream with a hole in it (nginx's slice module does). Bytes that do not decode, or not to
         * the expected digest, are then not the image's fault: pull it once more from byte 0. */
        for (unsigned pass = 0;; pass++) {
                __atomic_store_n(&x.damaged, false, __ATOMIC_RELAXED);
                r = fetch_and_check(&x, &ti, &h, expected);
                if (r != -EBADMSG || !__atomic_load_n(&x.damaged, __ATOMIC_RELAXED) || pass > 0 ||
                    !transfer_is_http(url))
                        break;
                log_warning("the bytes of %s came out damaged; a cache or proxy on the way may have joined "
                            "a broken response: pulling it once more from byte 0", url);
        }
        if (r != 0)
                goto finish;
        r = sink_commit(x.sink, o->read_only, o->force);
        if (r < 0)
                goto finish;
        log_debug("%s: %" PRIu64 " bytes (%s) -> %" PRIu64 " bytes at %s", url, x.received,
                  decode_format_to_string(decoder_format(x.dec)), x.written, target);
finish:
        /* The threads go first: until they are joined, xz workers may still add to x.written. */
        writer_free(x.feeder);  /* first: its thread uses the decoder and the sink */
        decoder_free(x.dec);
        progress_done(x.progress, r >= 0, x.received, x.written);
        progress_free(x.progress);
        sha256_free(x.hash);
        sink_free(x.sink);      /* removes the temporary unless it was committed */
        fit_facts_done(&x.fit);
        if (x.temp_lock >= 0)
                close(x.temp_lock);
        free(x.temp_locked);
        return r;
}

int pull_image(const struct pull_options *o, const char *url, const char *target) {
        return pull_one(o, url, target, false, true);
}

int pull_image_candidates(const struct pull_options *o, const char *const *urls, size_t n_urls,
                          const char *target, size_t *ret_index) {
        for (size_t i = 0; i < n_urls; i++) {
                int r = pull_one(o, urls[i], target, true, i == 0);
                if (r == -ENOENT)
                        continue;
                if (r >= 0 && ret_index)
                        *ret_index = i;
                return r;
        }
        log_error("none of the %zu candidate URLs exists (first: %s)", n_urls, n_urls > 0 ? urls[0] : "none");
        return -ENOENT;
}
