/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The sidecar IMAGE.roothash next to a dm-verity DDI (systemd's convention for images read in
 * place): trusted only as far as the checksum list the pull verifies anyway. verify=checksum:
 * IMAGE.roothash.sha256 or SHA256SUMS lists it; verify=signature: SHA256SUMS, signed
 * (SHA256SUMS.gpg against the keyring), lists it. The file's bytes must match that digest.
 */

#include <stddef.h>

#include "pullspec.h"

struct transfer_options;

/* The sidecar's URL: IMAGE.raw[.xz|.zst|...] -> IMAGE.roothash, as systemd names it for an image
 * file; other names get .roothash appended. */
int roothash_sidecar_url(const char *image_url, char **ret);

/* Fills hex (NUL-terminated, lowercase) with the root hash of image_url. -ENOENT: no sidecar or it
 * is not listed (the caller downloads the whole image instead); -EBADMSG: it is listed but its
 * bytes do not match, or it is not a hex root hash; other negative errno: fetching failed. Each
 * failure is logged here, as a warning (the boot goes on with the download). */
int roothash_sidecar_fetch(const struct transfer_options *t, const char *image_url, enum pb_verify verify,
                           char *hex, size_t hex_size);
