/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The pull engine: download one image, decompress it while it streams in, verify it and put it in
 * place atomically. `pullboot pull` is a thin command line around pull_image(); `pullboot init` and
 * the generator call pull_image_candidates() once per rd.systemd.pull= expression.
 *
 * Nothing appears at the target path unless everything (transfer, decompression, extraction,
 * verification) succeeded: the image is built under a temporary name beside the target and renamed
 * at the very end. Every failure is logged with one clear line before the function returns.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pullspec.h"

enum pull_progress {
        PULL_PROGRESS_AUTO,   /* bar on a terminal, plain lines otherwise */
        PULL_PROGRESS_BAR,
        PULL_PROGRESS_PLAIN,  /* at most one line per second */
        PULL_PROGRESS_JSON,   /* one JSON object per line, for machines */
        PULL_PROGRESS_NONE,
};

/*
 * The image store's cache (initrd/store-cache.h). In: what was recorded about the image already at
 * the target; when url is this candidate's, verification is on and download_sha256 is what this
 * pull's SHA256SUMS / pin expects, the image request is conditional (If-None-Match /
 * If-Modified-Since) and a 304 leaves the target as it is (PULL_NOT_MODIFIED). Out, after a
 * download: the server's validators and the digest of what came.
 */
struct pull_cache {
        const char *url;                /* NULL: nothing usable recorded */
        const char *etag, *last_modified; /* NULL or "": not recorded */
        uint8_t download_sha256[32];
        char etag_out[256], last_modified_out[64];
        uint8_t sha256_out[32];
        bool has_sha256_out;
};

#define PULL_NOT_MODIFIED 1

struct pull_options {
        enum pb_image_type type;        /* PB_TYPE_RAW (default) or PB_TYPE_TAR */
        enum pb_verify verify;          /* PB_VERIFY_NO (default) */
        uint8_t sha256[32];             /* with PB_VERIFY_SHA256: the pinned digest of the download */
        bool read_only;
        bool force;                     /* replace an existing target */
        const char *keyring;            /* NULL: systemd's, as lib/keyring.h finds it */
        const char *ca_bundle;          /* NULL: libcurl's default */
        bool allow_https_downgrade;     /* let an https URL redirect to http (default: refused) */
        uint64_t max_size;              /* cap on compressed and on uncompressed bytes; 0: none */
        uint64_t max_memory;            /* what decompression may allocate; 0: a quarter of MemAvailable
                                         * (at least MEMLIMIT_FLOOR) */
        unsigned retries;               /* consecutive failed attempts without progress */
        unsigned stall_timeout_sec;     /* abort an attempt when no byte came for this long */
        unsigned retry_delay_ms;        /* first backoff ceiling, doubled per failure (cap 30 s) */
        enum pull_progress progress;
        int progress_fd;                /* where progress goes; stderr by default */
        /* If non-NULL, set to non-zero (from a signal handler) to abort the pull with -ECANCELED;
         * the temporary is removed as on any failure. */
        const volatile int *cancel;
        struct pull_cache *cache;       /* NULL: no cache (see above) */
        /* Fleets (docs/fleet.md): wait a random time in [0, jitter_sec] s before the first request;
         * mirrors are base URLs of other servers with the image at the same path (the checksum
         * list and signature still come from the image's own URL). */
        unsigned jitter_sec;
        const char *const *mirrors;
        size_t n_mirrors;
};

#define PULL_DEFAULT_RETRIES 5
#define PULL_DEFAULT_STALL_TIMEOUT_SEC 60
#define PULL_DEFAULT_RETRY_DELAY_MS 100
#define PULL_MAX_JITTER_SEC 3600
#define PULL_MAX_MIRRORS 15

void pull_options_init(struct pull_options *o);

/*
 * Pulls url into target. Returns 0, PULL_NOT_MODIFIED (with o->cache: the target was kept), or a
 * negative errno after logging why:
 * -ENOENT the resource does not exist (HTTP 404, missing file; also with verify=checksum,
 * whose list cannot name a missing image; never probed after a bad signature), -EEXIST target exists (no force),
 * -EBADMSG verification or decompression failed, -ENOKEY/-ENOEXEC verify=signature lacks its keyring
 * or gpgv (nothing was downloaded), -ENOSPC not enough space (refused before the download when
 * even a lower bound of what the image stores does not fit: estimate-check.h), -EFBIG over max_size,
 * -E2BIG decompression needs more memory than max_memory, -EPIPE the progress reader went away,
 * -ETIMEDOUT stalled, -ECANCELED cancelled, other values for transfer and I/O errors.
 *
 * Stale temporaries of target (from pulls that were killed) are removed first.
 */
int pull_image(const struct pull_options *o, const char *url, const char *target);

/*
 * Tries candidate URLs in order: a candidate that does not exist (-ENOENT) moves on to the next
 * one; any other failure ends the search. *ret_index (if non-NULL) is the candidate that was used.
 * -ENOENT if none existed.
 */
int pull_image_candidates(const struct pull_options *o, const char *const *urls, size_t n_urls,
                          const char *target, size_t *ret_index);

/* Parsers for the command line and the generator: 0 or -EINVAL. */
int pull_progress_from_string(const char *s, enum pull_progress *ret);
/* "no", "checksum", "signature" or "sha256:HEX" (64 hex digits). */
int pull_verify_from_string(const char *s, enum pb_verify *ret_verify, uint8_t ret_sha256[32]);
