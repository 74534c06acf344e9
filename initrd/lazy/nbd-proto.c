/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nbd-proto.h"

#include "base.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define NBD_REQUEST_MAGIC 0x25609513u
#define NBD_SIMPLE_REPLY_MAGIC 0x67446698u

int nbd_request_decode(const uint8_t buf[NBD_REQUEST_SIZE], struct nbd_request *ret) {
        if (pb_be32(buf) != NBD_REQUEST_MAGIC)
                return -EBADMSG;
        *ret = (struct nbd_request) {
                .flags = (uint16_t) (buf[4] << 8 | buf[5]),
                .type = (uint16_t) (buf[6] << 8 | buf[7]),
                .from = pb_be64(buf + 16),
                .len = pb_be32(buf + 24),
        };
        memcpy(&ret->handle, buf + 8, sizeof ret->handle);
        return 0;
}

void nbd_reply_encode(uint64_t handle, uint32_t error, uint8_t buf[NBD_REPLY_SIZE]) {
        pb_put_be32(buf, NBD_SIMPLE_REPLY_MAGIC);
        pb_put_be32(buf + 4, error);
        memcpy(buf + 8, &handle, 8);
}

void nbd_request_encode(uint16_t type, uint64_t handle, uint64_t from, uint32_t len, uint8_t buf[NBD_REQUEST_SIZE]) {
        pb_put_be32(buf, NBD_REQUEST_MAGIC);
        pb_put_be16(buf + 4, 0);
        pb_put_be16(buf + 6, type);
        pb_put_be64(buf + 8, handle);
        pb_put_be64(buf + 16, from);
        pb_put_be32(buf + 24, len);
}

int nbd_reply_decode(const uint8_t buf[NBD_REPLY_SIZE], uint32_t *error, uint64_t *handle) {
        if (pb_be32(buf) != NBD_SIMPLE_REPLY_MAGIC)
                return -EBADMSG;
        *error = pb_be32(buf + 4);
        *handle = pb_be64(buf + 8);
        return 0;
}

