#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 5b: the server cuts the first two responses for the image after 1 MiB. The initrd
# must resume with range requests (no restart from zero), verify the whole image and boot it.
E2E_NAME=boot-resume
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

NAME="pullboot e2e resume"
# Incompressible content makes the compressed image a few MiB, so the cuts land mid-image.
head -c $((4 * 1024 * 1024)) /dev/urandom >"$E2E_WORK/noise"
e2e_image raw "$SRV/demo.raw" "$NAME" --add "$E2E_WORK/noise:/var/noise"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

size=$(stat -c %s "$SRV/demo.raw.zst")
CUT=1048576
[ "$size" -gt $((3 * CUT)) ] || e2e_fail "the test image is too small ($size bytes) to be cut twice"
# pullboot-vm never cuts the --boot file (the firmware cannot resume), only the image.
e2e_vm --serve "$SRV" --boot demo.efi --drop-after "$CUT:2" --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "the resumed image did not boot"
drops=$(e2e_count_http '^GET /demo\.raw\.zst.* connection dropped on purpose$')
[ "$drops" = 2 ] || e2e_fail "want 2 cut responses for demo.raw.zst, the server log has $drops"
echo "ok: the server cut demo.raw.zst twice"
e2e_assert_http "^GET /demo\.raw\.zst bytes=[1-9][0-9]*- -> 206, [0-9]+ bytes$" "no completed range request resuming demo.raw.zst"
# The first request starts at 0; every later one resumes (none starts over).
restarts=$(e2e_http | grep -Ec '^GET /demo\.raw\.zst( bytes=0-)? -> ' || true)
[ "$restarts" = 1 ] || e2e_fail "demo.raw.zst was requested from byte 0 $restarts times (want 1: resume, not restart)"
echo "ok: one request from byte 0, the rest resumed"
e2e_phases
echo PASS
