/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roothash.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "log.h"
#include "macro.h"
#include "pull/transfer.h"
#include "pull/verify.h"

#define SIDECAR_MAX 1024

static void sha256_freep(struct sha256_ctx **c) {
        sha256_free(*c);
}

int roothash_sidecar_url(const char *image_url, char **ret) {
        static const char *const suffixes[] = { ".xz", ".zst", ".gz", ".bz2", NULL };
        size_t n = strlen(image_url);

        /* As systemd names it for an image: foo.raw -> foo.roothash (compressed: foo.raw.zst too). */
        for (const char *const *s = suffixes; *s; s++)
                if (n > strlen(*s) && strcmp(image_url + n - strlen(*s), *s) == 0) {
                        n -= strlen(*s);
                        break;
                }
        if (n > 4 && strncmp(image_url + n - 4, ".raw", 4) == 0)
                n -= 4;
        return asprintf(ret, "%.*s.roothash", (int) n, image_url) < 0 ? -ENOMEM : 0;
}

int roothash_sidecar_fetch(const struct transfer_options *t, const char *image_url, enum pb_verify verify,
                           char *hex, size_t hex_size) {
        _cleanup_free_ char *url = NULL, *body = NULL;
        _cleanup_(sha256_freep) struct sha256_ctx *c = NULL;
        uint8_t expected[32], actual[32];
        size_t size = 0, n = 0;
        int r;

        if (verify != PB_VERIFY_CHECKSUM && verify != PB_VERIFY_SIGNATURE)
                return log_warning_errno(-EINVAL, "lazy: a sidecar root hash is trusted only through "
                                         "verify=checksum or signature");
        r = roothash_sidecar_url(image_url, &url);
        if (r < 0)
                return r;
        /* The list (and its signature) first: an unlisted sidecar is not fetched at all. */
        r = verify_fetch_expected(t, url, verify, NULL, expected);
        if (r < 0) {
                log_warning_errno(r, "lazy: %s is not listed in a checksum list that checks out", url);
                return r == -EBADMSG || r == -ENOENT ? -ENOENT : r;
        }
        r = transfer_fetch(t, url, SIDECAR_MAX, &body, &size);
        if (r < 0)
                return log_warning_errno(r, "lazy: cannot fetch %s", url);
        r = sha256_new(&c);
        if (r >= 0)
                r = sha256_update(c, body, size);
        if (r >= 0)
                r = sha256_final(c, actual);
        if (r < 0)
                return log_warning_errno(r, "lazy: cannot hash %s", url);
        if (memcmp(expected, actual, sizeof actual) != 0) {
                log_warning("lazy: %s does not match its digest in the checksum list", url);
                return -EBADMSG;
        }
        /* systemd's sidecar: the hex root hash, optionally followed by a newline. */
        while (n < size && pb_hex_digit(body[n]) >= 0)
                n++;
        bool rest_blank = strspn(body + n, " \t\r\n") == size - n;
        if ((n != 64 && n != 128) || !rest_blank || n >= hex_size) {
                log_warning("lazy: %s does not hold a sha256 or sha512 root hash in hex", url);
                return -EBADMSG;
        }
        for (size_t i = 0; i < n; i++)
                hex[i] = (char) tolower((unsigned char) body[i]);
        hex[n] = 0;
        return 0;
}
