/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * edk2's TlsCaCertificate variable: the trust anchors firmware HTTPS boot verifies servers with, as
 * an EFI_SIGNATURE_LIST per certificate (SignatureType EFI_CERT_X509_GUID, no header, one
 * EFI_SIGNATURE_DATA = owner GUID + DER certificate).
 */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "bootvars.h"
#include "log.h"
#include "macro.h"
#include "tls-ca.h"

static void put_le32(uint8_t *p, uint32_t v) {
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

int tls_ca_build(const char *pem_path, uint8_t **ret, size_t *ret_size, unsigned *ret_count) {
        static const pb_guid x509 = PB_CERT_X509_GUID_INIT, owner = PB_VENDOR_GUID_INIT;
        _cleanup_free_ uint8_t *out = NULL;
        size_t size = 0;
        unsigned count = 0;
        BIO *bio;
        X509 *cert;

        bio = BIO_new_file(pem_path, "r");
        if (!bio) {
                /* BIO_new_file() fails in fopen(), which set errno. */
                log_error_errno(errno > 0 ? -errno : -EIO, "Cannot open %s", pem_path);
                return -EIO;
        }
        while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
                unsigned char *der = NULL;
                int len = i2d_X509(cert, &der);
                X509_free(cert);
                if (len <= 0) {
                        BIO_free(bio);
                        log_error("%s: certificate %u cannot be encoded as DER", pem_path, count + 1);
                        return -EINVAL;
                }
                size_t list = 28 + 16 + (size_t) len;
                uint8_t *n = realloc(out, size + list);
                if (!n) {
                        OPENSSL_free(der);
                        BIO_free(bio);
                        return -ENOMEM;
                }
                out = n;
                uint8_t *p = out + size;
                memcpy(p, x509.b, 16);
                put_le32(p + 16, (uint32_t) list);          /* SignatureListSize */
                put_le32(p + 20, 0);                        /* SignatureHeaderSize */
                put_le32(p + 24, (uint32_t) (16 + len));    /* SignatureSize */
                memcpy(p + 28, owner.b, 16);
                memcpy(p + 44, der, (size_t) len);
                OPENSSL_free(der);
                size += list;
                count++;
        }
        BIO_free(bio);
        ERR_clear_error();
        if (count == 0) {
                log_error("%s: no PEM certificate (-----BEGIN CERTIFICATE-----) found", pem_path);
                return -EINVAL;
        }
        *ret = TAKE_PTR(out);
        *ret_size = size;
        *ret_count = count;
        return 0;
}
