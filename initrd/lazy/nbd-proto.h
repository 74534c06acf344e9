/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The NBD transmission phase as the kernel's nbd driver speaks it once a socket is handed to it
 * (no handshake: size and flags are set by ioctl): fixed-size requests, simple replies. Only
 * what the driver sends is understood: READ, WRITE, DISC, FLUSH, TRIM.
 */

#include <stddef.h>
#include <stdint.h>

enum nbd_cmd {
        NBD_REQ_READ = 0,
        NBD_REQ_WRITE = 1,
        NBD_REQ_DISC = 2,
        NBD_REQ_FLUSH = 3,
        NBD_REQ_TRIM = 4,
};

struct nbd_request {
        uint16_t flags;
        uint16_t type;          /* enum nbd_cmd */
        uint64_t handle;        /* opaque, echoed in the reply (kept in wire byte order) */
        uint64_t from;
        uint32_t len;
};

#define NBD_REQUEST_SIZE 28
#define NBD_REPLY_SIZE 16

/* Decodes one request; -EBADMSG when the magic is wrong (the peer is not the nbd driver). */
int nbd_request_decode(const uint8_t buf[NBD_REQUEST_SIZE], struct nbd_request *ret);

/* Encodes the simple reply header for handle with error (a positive errno, 0 for success). */
void nbd_reply_encode(uint64_t handle, uint32_t error, uint8_t buf[NBD_REPLY_SIZE]);

/* The client's side, for the tools that play the driver (lazy-replay, bench/lazy-engines): a
 * request header with the handle in network byte order, and a simple reply's error and handle
 * read back the same way; -EBADMSG when the reply's magic is wrong. */
void nbd_request_encode(uint16_t type, uint64_t handle, uint64_t from, uint32_t len, uint8_t buf[NBD_REQUEST_SIZE]);
int nbd_reply_decode(const uint8_t buf[NBD_REPLY_SIZE], uint32_t *error, uint64_t *handle);

