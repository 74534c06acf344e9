/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Attributes edk2's TLS configuration uses for TlsCaCertificate (NV|BS, not visible at runtime). */
#define TLS_CA_ATTRIBUTES 0x3u
#define TLS_CA_VARIABLE "TlsCaCertificate"

/* Reads every certificate of a PEM file into TlsCaCertificate's format. -EINVAL (logged) if there
 * is none or one is unusable. */
int tls_ca_build(const char *pem_path, uint8_t **ret, size_t *ret_size, unsigned *ret_count);
