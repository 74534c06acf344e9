# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared by the signed-image scenarios (test-signed*.sh): a throwaway OpenPGP signing key, the
# keyring of its public key for pullboot-mkinitrd --keyring, and SHA256SUMS.gpg the way mkosi
# publishes it (a detached binary signature over SHA256SUMS). Sourced after e2e-lib.sh.
#
# The trusted key is made once per build tree (in the assets directory, under the initrd lock),
# so the initrd keyed by it is built once too; the stranger's key is made fresh by each scenario
# that needs it.

# signed_gpg HOME GPG-ARGS...: gpg with the home directory HOME, run from a copy under a short
# /tmp path: gpg-agent's sockets live in the home, and a socket path over 107 bytes (a deep build
# tree) makes gpg fail with "error running gpg-agent". What gpg changed is copied back.
signed_gpg() {
        local home=$1 t rc=0
        shift
        t=$(mktemp -d /tmp/pbgpg.XXXXXX)
        cp -a "$home/." "$t/"
        chmod 700 "$t"
        GNUPGHOME=$t gpg "$@" || rc=$?
        gpgconf --homedir "$t" --kill all 2>/dev/null || true
        find "$t" -name 'S.*' -delete 2>/dev/null || true
        cp -a "$t/." "$home/"
        rm -rf "$t"
        return $rc
}

# signed_trusted_key: SIGNED_GNUPGHOME, SIGNED_KEYRING (binary export of the public key).
signed_trusted_key() {
        e2e_need_tools gpg gpgv
        local dir=$PB_BUILD/test/e2e/boot/assets/signed-key
        SIGNED_GNUPGHOME=$dir/gnupg
        SIGNED_KEYRING=$dir/trusted.pgp
        mkdir -p "$PB_BUILD/test/e2e/boot/assets"
        (
                flock 9
                [ -s "$SIGNED_KEYRING" ] && exit 0
                rm -rf "$dir"
                mkdir -p "$dir"
                mkdir -m 700 "$SIGNED_GNUPGHOME"
                signed_gpg "$SIGNED_GNUPGHOME" --batch --quiet --passphrase '' \
                        --quick-gen-key 'pullboot e2e signer <e2e@invalid>' ed25519 sign never 2>"$dir/gpg.log" &&
                        signed_gpg "$SIGNED_GNUPGHOME" --batch --quiet --export >"$SIGNED_KEYRING.tmp" &&
                        [ -s "$SIGNED_KEYRING.tmp" ] && mv "$SIGNED_KEYRING.tmp" "$SIGNED_KEYRING"
        ) 9>"$PB_BUILD/test/e2e/boot/assets/.signed-key.lock" ||
                e2e_fail "cannot make the throwaway signing key (gpg --quick-gen-key): $(cat "$dir/gpg.log" 2>/dev/null)"
}

# signed_stranger_key: STRANGER_GNUPGHOME, a key nobody put in a keyring.
signed_stranger_key() {
        STRANGER_GNUPGHOME=$E2E_WORK/stranger-gnupg
        mkdir -m 700 "$STRANGER_GNUPGHOME"
        signed_gpg "$STRANGER_GNUPGHOME" --batch --quiet --passphrase '' \
                --quick-gen-key 'stranger <stranger@invalid>' ed25519 sign never 2>"$E2E_WORK/gpg.log" ||
                e2e_fail "cannot make the stranger's key: $(cat "$E2E_WORK/gpg.log")"
}

# signed_sign DIR [GNUPGHOME]: DIR/SHA256SUMS.gpg over DIR/SHA256SUMS (with the trusted key by default),
# checked with gpgv against the keyring before the guest sees it, so a failing boot is the guest's doing.
signed_sign() {
        local dir=$1 home=${2:-$SIGNED_GNUPGHOME}
        signed_gpg "$home" --batch --quiet --yes --detach-sign -o "$dir/SHA256SUMS.gpg" "$dir/SHA256SUMS" ||
                e2e_fail "gpg --detach-sign of $dir/SHA256SUMS failed"
}

# signed_gpgv_ok DIR: 0 if DIR/SHA256SUMS.gpg verifies against the trusted keyring on the host.
signed_gpgv_ok() {
        local home
        home=$(mktemp -d "$E2E_WORK/gpgv-home.XXXXXX")
        gpgv --homedir "$home" --keyring "$SIGNED_KEYRING" "$1/SHA256SUMS.gpg" "$1/SHA256SUMS" >/dev/null 2>&1
}

# The kernel command line of every signed scenario: no verify=, so systemd's default (signature).
SIGNED_PULL='rd.systemd.pull=raw,machine,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

# The in-initrd keyring path mkinitrd installs and pullboot reads first (lib/keyring.h).
SIGNED_INITRD_KEYRING=/etc/systemd/import-pubring.pgp
