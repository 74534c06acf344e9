# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Shared by debian-root-assets and boot-debian-root (sourced after e2e-lib.sh).

DEBIAN_ROOT_CACHE=$PB_BUILD/test/e2e/boot/cache/debian-root

# The cached Debian root tree, built if missing or stale: $DEBIAN_ROOT. One build at a time per
# build tree; mkdebroot's exit 77 (cannot build here) becomes this test's skip with its reason.
debian_root_tree() {
        local out rc=0
        mkdir -p "$DEBIAN_ROOT_CACHE"
        out=$(flock "$DEBIAN_ROOT_CACHE.lock" "$PB_SRC/test/helpers/mkdebroot" --cache "$DEBIAN_ROOT_CACHE") || rc=$?
        printf '%s\n' "$out" | sed '$d'
        [ $rc -ne 77 ] || e2e_skip "$(printf '%s\n' "$out" | tail -n 1)"
        [ $rc -eq 0 ] || e2e_fail "mkdebroot failed (exit $rc; log in $DEBIAN_ROOT_CACHE)"
        DEBIAN_ROOT=$(printf '%s\n' "$out" | tail -n 1)
        [ -d "$DEBIAN_ROOT" ] || e2e_fail "mkdebroot named no tree ('$DEBIAN_ROOT')"
}
