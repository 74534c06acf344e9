/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/*
 * verify=signature: SHA256SUMS.gpg, a detached OpenPGP signature over SHA256SUMS, must verify
 * against a keyring with gpgv. What that needs (the keyring, gpgv) is looked up before anything
 * is downloaded, so a machine that cannot check signatures says so at once instead of after a
 * download it then has to refuse.
 */

struct signature_tools {
        const char *keyring;    /* the one given, else the first of KEYRING_PATHS_TEXT that exists */
        char *gpgv;             /* gpgv's path, found in PATH */
};

/* 0, or -ENOKEY (no readable keyring) / -ENOEXEC (no gpgv) after one line naming the way out. */
int signature_tools_find(const char *keyring, struct signature_tools *ret);
void signature_tools_done(struct signature_tools *t);

/* 0 if sig is a good signature over data by a key in the keyring; otherwise -EBADMSG after
 * logging gpgv's own words and one line naming the cause. */
int signature_verify(const struct signature_tools *t, const char *data, size_t data_size, const char *sig,
                     size_t sig_size);
