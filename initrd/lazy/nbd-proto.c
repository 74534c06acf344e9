/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nbd-proto.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define NBD_REQUEST_MAGIC 0x25609513u
#define NBD_SIMPLE_REPLY_MAGIC 0x67446698u

static uint32_t get32(const uint8_t *p) {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return be32toh(v);
}

static uint64_t get64(const uint8_t *p) {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        return be64toh(v);
}

int nbd_request_decode(const uint8_t buf[NBD_REQUEST_SIZE], struct nbd_request *ret) {
        if (get32(buf) != NBD_REQUEST_MAGIC)
                return -EBADMSG;
        *ret = (struct nbd_request) {
                .flags = (uint16_t) (buf[4] << 8 | buf[5]),
                .type = (uint16_t) (buf[6] << 8 | buf[7]),
                .from = get64(buf + 16),
                .len = get32(buf + 24),
        };
        memcpy(&ret->handle, buf + 8, sizeof ret->handle);
        return 0;
}

void nbd_reply_encode(uint64_t handle, uint32_t error, uint8_t buf[NBD_REPLY_SIZE]) {
        uint32_t magic = htobe32(NBD_SIMPLE_REPLY_MAGIC), err = htobe32(error);
        memcpy(buf, &magic, 4);
        memcpy(buf + 4, &err, 4);
        memcpy(buf + 8, &handle, 8);
}

