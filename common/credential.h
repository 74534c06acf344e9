/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"

/*
 * systemd credentials as a VM manager or the kernel command line hand them to an initrd before
 * any service manager runs (systemd.system-credentials(7), smbios-type-11(7)):
 *
 *   kernel command line   systemd.set_credential=NAME:VALUE
 *                         systemd.set_credential_binary=NAME:BASE64
 *   SMBIOS type 11        io.systemd.credential:NAME=VALUE
 *                         io.systemd.credential.binary:NAME=BASE64
 *
 * Only the lookup of one name lives here; reading the sources and decoding base64 is the
 * caller's (userspace has libcrypto for that). Within one source the first assignment of a name
 * wins, as systemd's import creates each credential file once and ignores later ones.
 */

struct pb_credential {
        struct pb_span value;   /* as written: the text, or base64 text if base64 is set */
        bool base64;
};

/* 1 and fills ret if the command line assigns name, else 0. No "rd." form exists for these. */
int pb_credential_from_cmdline(struct pb_span cmdline, const char *name, struct pb_credential *ret);

/*
 * Looks name up in one SMBIOS type 11 (OEM strings) structure as Linux exports it in
 * /sys/firmware/dmi/entries/11-N/raw: the formatted area (type, length, handle, count) followed
 * by NUL-terminated strings and an empty one. 1 if found, 0 if not, -EBADMSG (with diag) if raw
 * is not a type 11 structure.
 */
int pb_credential_from_smbios11(struct pb_span raw, const char *name, struct pb_credential *ret,
                                struct pb_diag *diag);

/* systemd's credential_name_valid(): a file name (no '/', not "." or ".."), at most 255 bytes. */
bool pb_credential_name_valid(struct pb_span name);
