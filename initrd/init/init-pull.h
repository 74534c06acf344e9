/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "init-config.h"
#include "plan.h"
#include "store.h"

/*
 * One ready pull of the plan, as `pullboot init` runs it: download with the options of its
 * expression, then for blockdev images a loop device that outlives us (the root is mounted from
 * it and the booted system keeps using it). Failures are logged where they are known (here, or by
 * the pull engine) and return a negative errno; the caller's "boot failed:" line sums up.
 */

#define INIT_PULL_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

struct init_pull_result {
        size_t used;              /* the candidate URL that worked */
        uint64_t size;            /* bytes of the image as it landed: the file, or the tree's files */
        bool reused;              /* kept from an earlier boot in a persistent store (not modified) */
        char target[4096];        /* prefix + the plan's target */
        char verity[64];          /* lazy with a root hash: the dm-verity device to mount ("" else) */
};

/* max_memory: pullboot.max-memory= (0: the pull engine's default); allow_insecure_redirect:
 * pullboot.allow-insecure-redirect= (an https URL may redirect to http); store: the image store
 * (NULL: none), whose cache, when it persists, may keep the image already at the target; fleet:
 * pullboot.jitter= and pullboot.mirror=. */
int init_pull_download(const struct plan_pull *pull, const char *prefix, uint64_t max_memory,
                       bool allow_insecure_redirect, const struct store *store,
                       const struct init_fleet_config *fleet,
                       struct init_pull_result *ret);
/* What to check after init_pull_download() failed with r, by the pull engine's documented errors
 * (the details are in its own message above): for the "boot failed:" line. */
const char *init_pull_failure_hint(int r);
/* read_only: the expression's "ro", or forced (the root under systemd.volatile=overlay/yes). */
int init_pull_attach(const struct plan_pull *pull, const char *target, bool read_only);

/* pullboot.lazy=yes|fill: serves the pull's image from its URL as a block device (the nbd driver,
 * answered by a server process that outlives switch_root) instead of downloading it. 0: served,
 * ret->target is the device ("/dev/nbd0") with its partitions present. Negative errno: not served,
 * the reason logged as a warning (as info with quiet_fallback when the image is just not seekable:
 * pullboot.lazy='s default), and the caller downloads the image instead. argv0: this process's argv[0], which the
 * server's copy marks with '@' (systemd's root storage daemons). With pull->lazy_roothash, the
 * root hash is taken first (an unlisted sidecar means the download) and ret->verity is the
 * dm-verity device over the served disk's root and root-verity partitions. */
int init_pull_lazy(const struct plan_pull *pull, bool read_only, bool allow_insecure_redirect, bool quiet_fallback,
                   char *argv0, struct init_pull_result *ret);
