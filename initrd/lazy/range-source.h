/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One remote image read by HTTP Range requests, as the lazy root needs it: many small ranges,
 * a few of them in parallel over kept-alive connections, each pinned to the version of the file
 * first seen. Every request carries If-Range with that version's validator (strong ETag, else
 * Last-Modified) and every answer's validator is compared with it, so a changed image becomes
 * -ESTALE (logged once, naming both ETags), never a mix of two versions. A broken or stalled
 * response is retried from the byte where it stopped, with backoff.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RANGE_PARALLEL 4

struct range_options {
        const char *ca_bundle;            /* NULL: libcurl's default */
        bool allow_https_downgrade;       /* an https URL may redirect to http */
        unsigned retries;                 /* failed attempts in a row per range; 0: 8 */
        unsigned stall_timeout_sec;       /* no byte for this long ends an attempt; 0: 15 */
        bool fallback_is_info;            /* an image not servable lazily (-EMEDIUMTYPE) is logged as info */
};

struct range_job {
        uint64_t off;                     /* in the remote file */
        size_t len;
        uint8_t *buf;                     /* receives len bytes */
        int result;                       /* 0 or negative errno, set by range_source_fetch */
};

struct range_source;

/* Probes url with a small range request: its size and validator. -EMEDIUMTYPE when the server
 * cannot serve ranges safely (no Range support, no ETag/Last-Modified); -ENOENT when it is not
 * there; other negative errno after the retries. Logs which, as a warning (the caller falls back). */
int range_source_open(const char *url, const struct range_options *o, struct range_source **ret);
struct range_source *range_source_free(struct range_source *s);

uint64_t range_source_size(const struct range_source *s);
const char *range_source_etag(const struct range_source *s);   /* the validator, "" if none */
uint64_t range_source_bytes_fetched(const struct range_source *s);
unsigned range_source_requests(const struct range_source *s);
/* Did the image change on the server (every fetch now fails with -ESTALE)? */
bool range_source_changed(const struct range_source *s);

/* Fetches all jobs, up to RANGE_PARALLEL at a time. 0 when all succeeded, else the first error
 * (each job's own result tells which). After -ESTALE every later call fails at once. */
int range_source_fetch(struct range_source *s, struct range_job *jobs, size_t n);

/* pb_range_read_fn for the seek table reader: one range, synchronously. */
int range_source_read(void *userdata, uint64_t off, void *buf, size_t len);
