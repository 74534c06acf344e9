/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The loop that answers the kernel's nbd driver: it takes the requests waiting on the socket as
 * one batch, fetches the chunks they need that are not in the block store (plus read-ahead that
 * doubles while reads stay sequential, and resets when they jump) in parallel ranges, then
 * answers each request from the store. A request whose chunks could not be fetched is answered
 * with EIO. With fill set, idle time (no request for FILL_IDLE_MS) fetches the rest of the image,
 * after which the server no longer needs the network.
 */

#include <stdbool.h>
#include <stdint.h>

#include "block-store.h"
#include "range-source.h"

struct lazy_server {
        int sock;                         /* our end of the socketpair the driver holds */
        struct range_source *src;
        struct block_store *store;
        bool fill;
        bool read_only;
        int state_dirfd;                  /* where the state file goes (-1: none) */
        const char *state_name;           /* e.g. "nbd0" */

        uint64_t ra_window, last_end;     /* read-ahead */
        uint64_t bytes_read, bytes_written;
        bool filled;
};

/* Runs until the driver disconnects (0) or the socket fails (negative errno). */
int lazy_server_run(struct lazy_server *s);
