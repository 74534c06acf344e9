/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "pull.h"

/*
 * Download progress: a redrawn bar with bytes, rate and ETA on a terminal; at most one plain line
 * per second otherwise (a serial console must not drown); one JSON object per line for machines.
 */

struct progress;

int progress_new(enum pull_progress mode, int fd, const char *url, struct progress **ret);
struct progress *progress_free(struct progress *p);
/* received/total: compressed bytes (total UINT64_MAX if unknown); written: uncompressed bytes. */
void progress_update(struct progress *p, uint64_t received, uint64_t total, uint64_t written);
/* The first write that failed (-EPIPE: the reader went away), or 0. */
int progress_error(const struct progress *p);
void progress_done(struct progress *p, bool ok, uint64_t received, uint64_t written);
