/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bootcfg.h"
#include "bootvars.h"
#include "cleanup-openssl.h"
#include "fileio.h"
#include "firmware.h"
#include "log.h"
#include "macro.h"
#include "tls-ca.h"
#include "tls.h"

#define PEM_MAX (1024 * 1024)
#define VALID_SECONDS (24L * 60 * 60)

void tls_material_done(struct tls_material *m) {
        free(m->cert_pem);
        if (m->key_pem) {
                OPENSSL_cleanse(m->key_pem, strlen(m->key_pem));
                free(m->key_pem);
        }
        *m = (struct tls_material) {};
}

int tls_material_load(const char *cert_path, const char *key_path, struct tls_material *ret) {
        struct tls_material m = {};
        int r;

        r = read_full_file(cert_path, PEM_MAX, &m.cert_pem, NULL);
        if (r < 0)
                return log_error_errno(r, "cannot read the TLS certificate %s", cert_path);
        if (!strstr(m.cert_pem, "-----BEGIN CERTIFICATE-----")) {
                tls_material_done(&m);
                log_error("%s holds no PEM certificate; --tls-cert wants the server certificate in PEM", cert_path);
                return -EINVAL;
        }
        r = read_full_file(key_path, PEM_MAX, &m.key_pem, NULL);
        if (r < 0) {
                tls_material_done(&m);
                return log_error_errno(r, "cannot read the TLS key %s", key_path);
        }
        if (!strstr(m.key_pem, "PRIVATE KEY-----")) {
                tls_material_done(&m);
                log_error("%s holds no PEM private key; --tls-key wants the server's key in PEM", key_path);
                return -EINVAL;
        }
        *ret = m;
        return 0;
}

static int add_ext(X509 *issuer, X509 *subject, int nid, const char *value) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuer, subject, NULL, NULL, 0);
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
        if (!e)
                return -EINVAL;
        int ok = X509_add_ext(subject, e, -1);
        X509_EXTENSION_free(e);
        return ok ? 0 : -ENOMEM;
}

/* A certificate for key, named cn, signed by issuer_key (issuer NULL: self-signed). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, bool ca) {
        _cleanup_(X509_freep) X509 *x = X509_new();
        uint64_t serial;

        if (!x || RAND_bytes((unsigned char *) &serial, sizeof serial) != 1)
                return NULL;
        serial >>= 1; /* positive */
        if (!X509_set_version(x, 2) || !ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) ||
            !X509_gmtime_adj(X509_getm_notBefore(x), -60 * 60) ||
            !X509_gmtime_adj(X509_getm_notAfter(x), VALID_SECONDS) || !X509_set_pubkey(x, key))
                return NULL;
        X509_NAME *name = X509_get_subject_name(x);
        if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *) "pullboot-vm", -1, -1, 0) ||
            !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *) cn, -1, -1, 0))
                return NULL;
        if (!X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name))
                return NULL;
        X509 *signer = issuer ? issuer : x;
        /* The extensions strict verifiers (OpenSSL's X509_STRICT, as in edk2) expect. */
        if (ca) {
                if (add_ext(signer, x, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
                    add_ext(signer, x, NID_key_usage, "critical,keyCertSign,cRLSign") < 0 ||
                    add_ext(signer, x, NID_subject_key_identifier, "hash") < 0)
                        return NULL;
        } else {
                if (add_ext(signer, x, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
                    add_ext(signer, x, NID_key_usage, "critical,digitalSignature,keyEncipherment") < 0 ||
                    add_ext(signer, x, NID_ext_key_usage, "serverAuth") < 0 ||
                    add_ext(signer, x, NID_subject_alt_name, "IP:10.0.2.2,IP:127.0.0.1") < 0 ||
                    add_ext(signer, x, NID_subject_key_identifier, "hash") < 0 ||
                    add_ext(signer, x, NID_authority_key_identifier, "keyid:always") < 0)
                        return NULL;
        }
        if (!X509_sign(x, issuer_key, EVP_sha256()))
                return NULL;
        return TAKE_PTR(x);
}

/* PEM of a certificate or (with cert NULL) an unencrypted private key, NUL-terminated, malloc'd. */
static char *to_pem(X509 *cert, EVP_PKEY *key) {
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
        char *data, *out;
        long n;

        if (!b)
                return NULL;
        if (cert ? !PEM_write_bio_X509(b, cert) : !PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL))
                return NULL;
        n = BIO_get_mem_data(b, &data);
        if (n <= 0 || !(out = malloc((size_t) n + 1)))
                return NULL;
        memcpy(out, data, (size_t) n);
        out[n] = 0;
        return out;
}

int tls_material_make_throwaway(const char *ca_path, struct tls_material *ret) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *ca_key = EVP_RSA_gen(2048), *key = EVP_RSA_gen(2048);
        _cleanup_(X509_freep) X509 *ca = NULL, *cert = NULL;
        _cleanup_free_ char *ca_pem = NULL;
        struct tls_material m = {};
        int r;

        if (ca_key && key)
                ca = make_cert(ca_key, "pullboot-vm throwaway CA", NULL, ca_key, true);
        if (ca)
                cert = make_cert(key, "10.0.2.2", ca, ca_key, false);
        if (cert) {
                ca_pem = to_pem(ca, NULL);
                m.cert_pem = to_pem(cert, NULL);
                m.key_pem = to_pem(NULL, key);
        }
        if (!ca_pem || !m.cert_pem || !m.key_pem) {
                tls_material_done(&m);
                log_error("cannot make a throwaway CA and server certificate: %s",
                          ERR_reason_error_string(ERR_get_error()) ?: "out of memory");
                return -ENOMEM;
        }
        r = write_file_atomic(ca_path, ca_pem, strlen(ca_pem), 0644);
        if (r < 0) {
                tls_material_done(&m);
                return log_error_errno(r, "cannot write the throwaway CA certificate to %s", ca_path);
        }
        *ret = m;
        return 0;
}

int tls_enroll_ca(const char *vars, const char *ca_path) {
        static const pb_guid g = PB_TLS_CA_GUID_INIT;
        struct bootcfg_backend *b = NULL;
        _cleanup_free_ uint8_t *data = NULL;
        size_t size;
        unsigned n;
        int r;

        r = tls_ca_build(ca_path, &data, &size, &n);
        if (r < 0)
                return r;
        r = firmware_open_vars(vars, &b);
        if (r < 0)
                return r;
        r = b->set(b, TLS_CA_VARIABLE, &g, TLS_CA_ATTRIBUTES, data, size);
        if (r >= 0)
                r = b->commit(b);
        bootcfg_backend_free(b);
        if (r < 0)
                return log_error_errno(r, "cannot enroll %s as %s in %s", ca_path, TLS_CA_VARIABLE, vars);
        return (int) n;
}
