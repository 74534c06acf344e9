#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pullboot-mkseekable: its output is an ordinary zstd file (zstd -d gives the input back) whose seek
# table the lazy root's reader (test-seekable FILE ORIGINAL) maps correctly, range by range; multi-block
# xz made by xz itself reads the same way; --list, --json and the documented exit codes.
# Usage: cli.sh PULLBOOT-MKSEEKABLE TEST-SEEKABLE
set -euo pipefail
mk=$1 check=$2
for t in zstd xz; do command -v $t >/dev/null || { echo "SKIP: $t is not installed (tools/install-deps)"; exit 77; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {
        local want=$1; shift
        local rc=0
        "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
        [ "$rc" -eq "$want" ] || { cat "$tmp/err" >&2; fail "'$*' exited $rc, expected $want"; }
}

# 3 MiB of text and random bytes, not a multiple of any frame size.
{ for i in $(seq 1 4000); do echo "line $i of a disk image that compresses well"; done; head -c 1500000 /dev/urandom
  seq 1 150000; } >"$tmp/img"
size=$(stat -c %s "$tmp/img")

for args in "-f 256K" "-f 1M -T 2" "-f 100000 --no-checksum -l 1" "-f 64K -T 0 -l 9"; do
        # shellcheck disable=SC2086
        expect_rc 0 "$mk" $args --force -o "$tmp/img.zst" "$tmp/img"
        zstd -q -d -c "$tmp/img.zst" | cmp - "$tmp/img" || fail "zstd -d does not give the input back ($args)"
        "$check" "$tmp/img.zst" "$tmp/img" || fail "the seek table does not map the image ($args)"
done

# --list and --json describe the last file: 64 KiB frames, the last one partial.
expect_rc 0 "$mk" --list --json "$tmp/img.zst"
python3 - "$tmp/out" "$size" <<'PY' || fail "--json output is wrong"
import json, sys
d = json.load(open(sys.argv[1])); size = int(sys.argv[2])
assert d["format"] == "zstd" and d["image_size"] == size and d["checksums"], d
fr = d["frames"]
assert len(fr) == (size + 65535) // 65536 and fr[-1]["size"] == size % 65536
assert all(f["offset"] == i * 65536 for i, f in enumerate(fr))
assert all(a["compressed_offset"] + a["compressed_size"] == b["compressed_offset"] for a, b in zip(fr, fr[1:]))
PY
expect_rc 0 "$mk" --list "$tmp/img.zst"
grep -q "^format: zstd (seek table with checksums)" "$tmp/out" || fail "--list has no format line"

# --verify decodes every frame; a damaged frame is caught by the table's checksum (exit 2).
expect_rc 0 "$mk" --verify "$tmp/img.zst"
grep -q "frames decoded and their checksums verified" "$tmp/out" || fail "--verify did not say what it checked"
cp "$tmp/img.zst" "$tmp/dmg.zst"
printf '\x5a' | dd of="$tmp/dmg.zst" bs=1 seek=200000 conv=notrunc status=none
expect_rc 2 "$mk" --verify "$tmp/dmg.zst"
grep -q "does not decode" "$tmp/err" || fail "--verify did not name the damaged frame"

# Standard input, standard output.
"$mk" -f 512K -o - - <"$tmp/img" >"$tmp/stdio.zst" 2>/dev/null
zstd -q -d -c "$tmp/stdio.zst" | cmp - "$tmp/img" || fail "stdin to stdout round trip"

# xz with many blocks, from xz itself (two streams concatenated, with stream padding between).
xz -T1 -0 --block-size=300KiB -c "$tmp/img" >"$tmp/img.xz"
"$check" "$tmp/img.xz" "$tmp/img" || fail "multi-block xz is not mapped"
{ head -c 1000000 "$tmp/img" | xz -T1 -0 --block-size=200KiB; head -c 8 /dev/zero
  tail -c +1000001 "$tmp/img" | xz -T1 -1 --block-size=700KiB; } >"$tmp/two.xz"
"$check" "$tmp/two.xz" "$tmp/img" || fail "concatenated multi-block xz streams are not mapped"

# Not seekable: exit 3 with how to make one.
xz -T1 -0 -c "$tmp/img" >"$tmp/one.xz"
expect_rc 3 "$mk" --list "$tmp/one.xz"
grep -q "xz --block-size=" "$tmp/err" || fail "no advice for a one-block xz"
zstd -q -c "$tmp/img" >"$tmp/plain.zst"
expect_rc 3 "$mk" --list "$tmp/plain.zst"
grep -q "pullboot-mkseekable --frame-size" "$tmp/err" || fail "no advice for plain zstd"
# A corrupt table: exit 2.
cp "$tmp/img.zst" "$tmp/bad.zst"
printf '\x07' | dd of="$tmp/bad.zst" bs=1 seek=$(($(stat -c %s "$tmp/bad.zst") - 9)) conv=notrunc status=none
expect_rc 2 "$mk" --list "$tmp/bad.zst"

# Usage errors: exit 2, one line saying what to do.
expect_rc 2 "$mk" -f 65M "$tmp/img"
expect_rc 2 "$mk" -f 0 "$tmp/img"
expect_rc 2 "$mk" -l 99 "$tmp/img"
expect_rc 2 "$mk" -T -1 "$tmp/img"
expect_rc 2 "$mk" "$tmp/img" "$tmp/other"
expect_rc 2 "$mk" -
expect_rc 2 "$mk" --json "$tmp/img"
expect_rc 2 "$mk" --list --verify "$tmp/img.zst"
expect_rc 2 "$mk" "$tmp/missing"
expect_rc 2 "$mk" -o "$tmp/img.zst" "$tmp/img"
grep -q -- "--force" "$tmp/err" || fail "an existing output is refused without naming --force"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "the error is not one line"
expect_rc 0 "$mk" --help
grep -q "Exit status" "$tmp/out" || fail "--help has no exit status"
expect_rc 0 "$mk" --version
# Nothing half-written is left behind by a failed run.
chmod 000 "$tmp/img" 2>/dev/null
if [ "$(id -u)" -ne 0 ]; then expect_rc 1 "$mk" --force -o "$tmp/x.zst" "$tmp/img"; fi
chmod 644 "$tmp/img"
[ -z "$(find "$tmp" -name '*.zst.*')" ] || fail "a temporary output file was left behind"
echo "mkseekable-cli: all checks passed"
