/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "signature.h"
#include "url.h"
#include "verify.h"

/* As systemd-pull: checksum lists and signatures are small. */
#define SUMS_MAX (1024 * 1024)

struct sha256_ctx {
        EVP_MD_CTX *md;
};

int sha256_new(struct sha256_ctx **ret) {
        struct sha256_ctx *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->md = EVP_MD_CTX_new();
        if (!c->md || sha256_reset(c) < 0) {
                sha256_free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

struct sha256_ctx *sha256_free(struct sha256_ctx *c) {
        if (c) {
                EVP_MD_CTX_free(c->md);
                free(c);
        }
        return NULL;
}

int sha256_reset(struct sha256_ctx *c) {
        return EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
}

int sha256_update(struct sha256_ctx *c, const void *p, size_t n) {
        return EVP_DigestUpdate(c->md, p, n) == 1 ? 0 : -EIO;
}

int sha256_final(struct sha256_ctx *c, uint8_t ret[32]) {
        unsigned n = 0;
        return EVP_DigestFinal_ex(c->md, ret, &n) == 1 && n == 32 ? 0 : -EIO;
}

static int url_sibling(const char *url, const char *name, char **ret) {
        size_t size = strlen(url) + strlen(name) + 2;
        char *buf = malloc(size);
        struct pb_diag diag = {};
        if (!buf)
                return -ENOMEM;
        int r = pb_url_change_last_component(pb_span_from_str(url), pb_span_from_str(name), buf, size, &diag);
        if (r < 0) {
                free(buf);
                log_error("cannot derive the %s URL from %s: %s", name, url, diag.reason ?: "invalid URL");
                return r;
        }
        *ret = buf;
        return 0;
}

static int url_name(const char *url, char **ret) {
        struct pb_span last;
        if (pb_url_last_component(pb_span_from_str(url), &last) < 0) {
                log_error("%s has no file name to look up in a checksum list", url);
                return -EINVAL;
        }
        *ret = strndup(last.ptr, last.len);
        return *ret ? 0 : -ENOMEM;
}

/* A file the verification cannot do without (url, for what_for): a missing one is -EBADMSG with
 * the reason logged, as the image cannot be checked. */
static int fetch_required(const struct transfer_options *t, const char *url, const char *what, const char *what_for, char **ret,
                          size_t *ret_size) {
        int r = transfer_fetch(t, url, SUMS_MAX, ret, ret_size);
        if (r == -ENOENT) {
                log_error("no %s for %s: %s does not exist", what, what_for, url);
                return -EBADMSG;
        }
        return r;
}

int verify_fetch_expected(const struct transfer_options *t, const char *url, enum pb_verify mode,
                          const char *keyring, uint8_t expected[32]) {
        _cleanup_free_ char *name = NULL, *sums_url = NULL, *sig_url = NULL, *single_url = NULL;
        _cleanup_free_ char *sums = NULL, *sig = NULL;
        _cleanup_(signature_tools_done) struct signature_tools tools = {};
        size_t sums_size = 0, sig_size = 0;
        int r;

        if (mode == PB_VERIFY_NO || mode == PB_VERIFY_SHA256)
                return 0;
        /* Before any download: a pull that cannot check the signature must not fetch anything. */
        if (mode == PB_VERIFY_SIGNATURE && (r = signature_tools_find(keyring, &tools)) < 0)
                return r;
        r = url_name(url, &name);
        if (r < 0)
                return r;
        r = url_sibling(url, "SHA256SUMS", &sums_url);
        if (r < 0)
                return r;

        if (mode == PB_VERIFY_CHECKSUM) {
                if (asprintf(&single_url, "%s.sha256", url) < 0)
                        return -ENOMEM;
                r = transfer_fetch(t, single_url, SUMS_MAX, &sums, &sums_size);
                if (r == -ENOENT) {
                        log_debug("%s not found, trying %s", single_url, sums_url);
                        r = transfer_fetch(t, sums_url, SUMS_MAX, &sums, &sums_size);
                        if (r == -ENOENT) {
                                log_error("no checksum for %s: neither %s nor %s exists", url, single_url, sums_url);
                                return -EBADMSG;
                        }
                }
                if (r < 0)
                        return r;
        } else {
                r = fetch_required(t, sums_url, "checksum list", url, &sums, &sums_size);
                if (r < 0)
                        return r;
                if (asprintf(&sig_url, "%s.gpg", sums_url) < 0)
                        return -ENOMEM;
                r = fetch_required(t, sig_url, "signature", sums_url, &sig, &sig_size);
                if (r < 0)
                        return r;
                r = signature_verify(&tools, sums, sums_size, sig, sig_size);
                if (r < 0)
                        return r;
        }

        r = sha256sums_find(sums, sums_size, name, expected);
        if (r == -ENOTUNIQ) {
                log_error("the checksum list for %s lists '%s' more than once with different digests; "
                          "refusing the image", url, name);
                return -EBADMSG;
        }
        if (r < 0) {
                log_error("the checksum list for %s does not list '%s' (no line \"HEX  %s\"); refusing the image",
                          url, name, name);
                return -EBADMSG;
        }
        return 0;
}

int verify_compare(const char *url, const uint8_t expected[32], const uint8_t actual[32]) {
        char e[65], a[65];
        if (memcmp(expected, actual, 32) == 0)
                return 0;
        sha256_to_hex(expected, e);
        sha256_to_hex(actual, a);
        log_error("SHA-256 mismatch for %s: expected %s, got %s; refusing the image", url, e, a);
        return -EBADMSG;
}
