#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Prints the per-phase boot times (host clock, seconds) the boot scenarios of this run recorded,
# in the order the scenarios run. Skips when none ran.
E2E_NAME=boot-phase-table
. "$(dirname "$0")/../../helpers/e2e-lib.sh"

dir=$PB_BUILD/test/e2e/boot/phases
order=$(sed -n "s/^ *\['\(boot-[a-z0-9-]*\)', .*/\1/p" "$(dirname "$0")/meson.build")
rows=()
for n in $order; do
        [ -f "$dir/$n.tsv" ] && rows+=("$(cat "$dir/$n.tsv")")
done
[ ${#rows[@]} -gt 0 ] || e2e_skip "no boot scenario recorded its phases in this build tree"
echo "Per-phase boot times in seconds (QEMU TCG, host clock; '-' = phase not part of the scenario):"
echo
echo "$E2E_PHASE_HEADER"
printf '%s\n' "${rows[@]}"
