/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One resource over http, https or file (libcurl), delivered to a handler as a single byte stream
 * despite broken connections: a transfer that breaks continues with a Range request at the offset
 * already delivered, guarded by If-Range (strong ETag, else Last-Modified). When the server
 * answers with the whole resource instead (it changed, or ignores Range), the stream starts over
 * and the handler is told to forget what it has. Failed attempts are retried with exponential
 * backoff and full jitter, 429/503 with Retry-After are waited for (retry.h has the rules); only
 * attempts that bring no new bytes count against the retry budget. An attempt is abandoned when
 * no byte arrived for the stall timeout, never because the whole takes long.
 *
 * Mirrors are the same resource at other URLs: an attempt that brings nothing moves on to them;
 * a 206 only continues bytes named by the same strong ETag, so versions are never spliced.
 */

struct transfer_options {
        const char *ca_bundle;          /* NULL: libcurl's default */
        /* An https URL may only redirect to https (a plain http hop would drop the server's
         * authentication and the transport's integrity); true also allows http. */
        bool allow_https_downgrade;
        unsigned retries;
        unsigned stall_timeout_sec;
        unsigned retry_delay_ms;
        const volatile int *cancel;     /* non-zero: abort with -ECANCELED */
        /* A conditional request (the image store's cache): with either set, an HTTP server's 304
         * ends the transfer with TRANSFER_NOT_MODIFIED and no body. */
        const char *if_none_match;      /* an ETag as the server sent it */
        const char *if_modified_since;  /* a Last-Modified date as the server sent it */
        /* The same resource on other servers, tried after url fails (at most 15 are used). Only a
         * 404 from url itself means -ENOENT; a mirror without it is just skipped. */
        const char *const *mirrors;
        size_t n_mirrors;
};

#define TRANSFER_NOT_MODIFIED 1

struct transfer_body {
        uint64_t start;                 /* the offset this body continues at; 0: start over */
        uint64_t total;                 /* size of the whole resource, UINT64_MAX if unknown */
        const char *etag, *last_modified; /* the response's validators, "" when it sent none */
};

struct transfer_handler {
        /* A body begins at b->start; with start 0, drop whatever came before. <0 aborts. */
        int (*begin)(void *userdata, const struct transfer_body *b);
        /* Bytes in order. <0 aborts the transfer (no retry) with that error. */
        int (*data)(void *userdata, const void *p, size_t n);
        /* Called about once a second and on every chunk; may be NULL. */
        void (*progress)(void *userdata, uint64_t received, uint64_t total);
        void *userdata;
};

/*
 * Runs the transfer to the end. 0 on success; TRANSFER_NOT_MODIFIED after a 304 to a conditional
 * request; -ENOENT if the resource does not exist (HTTP
 * 404/410, missing file); the handler's error if it aborted; otherwise a negative errno after the
 * retries ran out, with the reason logged.
 */
/* An http: or https: URL (ranges, validators and caches apply); else file: and the like. */
bool transfer_is_http(const char *url);

int transfer_run(const struct transfer_options *o, const char *url, const struct transfer_handler *h);

/* A small resource (checksum list, signature) into memory, NUL-terminated. -EFBIG past max. */
int transfer_fetch(const struct transfer_options *o, const char *url, size_t max, char **ret,
                   size_t *ret_size);

/* Waits a random time in [0, max_s] s before a fleet's first request (logged); -ECANCELED. */
int transfer_initial_jitter(unsigned max_s, const volatile int *cancel);

/* Once per process, before the first transfer. */
int transfer_global_init(void);

/*
 * A size probe: one attempt at bytes [first, first + len) of url (estimate-check.c). ret->data
 * (malloc'd) holds what came, at most len bytes; ret->total is the resource's size (UINT64_MAX:
 * unknown); ret->ranged is false when the server ignored the range and sent the resource from
 * byte 0 (then it was cut off after len bytes, or, for first > 0, at once). -ENOENT if it does
 * not exist; other failures are logged at debug level only.
 */
struct transfer_probe_result {
        uint8_t *data;
        size_t size;
        uint64_t total;
        bool ranged;
};
int transfer_probe(const struct transfer_options *o, const char *url, uint64_t first, size_t len,
                   struct transfer_probe_result *ret);
