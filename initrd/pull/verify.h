/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "pullspec.h"
#include "sha256sums.h"
#include "transfer.h"

/*
 * What the downloaded (compressed) stream must hash to, with systemd-pull's meaning of the modes:
 * checksum: "URL.sha256", else the SHA256SUMS file in the same directory, lists the digest;
 * signature: SHA256SUMS, whose detached signature SHA256SUMS.gpg must verify against the keyring
 * (gpgv; signature.h), lists it; sha256: the digest pinned on the kernel command line. The lists
 * are read as systemd reads them (sha256sums.h).
 */

struct sha256_ctx;

int sha256_new(struct sha256_ctx **ret);
struct sha256_ctx *sha256_free(struct sha256_ctx *c);
int sha256_reset(struct sha256_ctx *c);
int sha256_update(struct sha256_ctx *c, const void *p, size_t n);
int sha256_final(struct sha256_ctx *c, uint8_t ret[32]);

/* Fetches and checks whatever mode needs before the download starts; fills expected. keyring
 * NULL: systemd's (lib/keyring.h). -ENOKEY/-ENOEXEC: verify=signature cannot run here, nothing
 * was fetched; -EBADMSG: a list or signature is missing or does not check out. */
int verify_fetch_expected(const struct transfer_options *t, const char *url, enum pb_verify mode,
                          const char *keyring, uint8_t expected[32]);
/* -EBADMSG with both digests logged on mismatch. */
int verify_compare(const char *url, const uint8_t expected[32], const uint8_t actual[32]);
