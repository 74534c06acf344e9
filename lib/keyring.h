/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The OpenPGP keyrings systemd-pull checks SHA256SUMS.gpg against, in its order: the
 * administrator's keyring in /etc, then the vendor's in /usr/lib/systemd. systemd names them
 * import-pubring.pgp; systemd releases before that (Debian 12's 252, for one) named them
 * import-pubring.gpg, which newer releases still read in /etc. pullboot takes the first that
 * exists, so a host's `systemd-pull` and `pullboot pull` trust the same keys, and
 * pullboot-mkinitrd puts that keyring into the initrd as KEYRING_PATH_ETC.
 */

#define KEYRING_PATH_ETC "/etc/systemd/import-pubring.pgp"
#define KEYRING_PATH_ETC_LEGACY "/etc/systemd/import-pubring.gpg"
#define KEYRING_PATH_VENDOR "/usr/lib/systemd/import-pubring.pgp"
#define KEYRING_PATH_VENDOR_LEGACY "/usr/lib/systemd/import-pubring.gpg"

/* For messages and --help texts. */
#define KEYRING_PATHS_TEXT                                                                  \
        KEYRING_PATH_ETC ", " KEYRING_PATH_ETC_LEGACY ", " KEYRING_PATH_VENDOR ", "          \
        KEYRING_PATH_VENDOR_LEGACY

/* The first of the paths above that exists, or NULL. */
const char *keyring_find_default(void);
