# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# dm-verity DDIs for the lazy root (issue 14), made with Debian's own tools: the root file system
# of an mkimage DDI becomes the root partition (Verity=data) of a new GPT image whose root-verity
# partition (Verity=hash) systemd-repart fills with the hash tree and superblock; its root hash
# goes into the sidecar IMAGE.roothash, as systemd names it.

# verity_need_tools: systemd-repart with Verity= (systemd 252 or later), or a skip.
verity_need_tools() {
        e2e_need_tools systemd-repart sfdisk
        man repart.d 2>/dev/null | grep -q 'VerityMatchKey=' ||
                systemd-repart --version | awk 'NR == 1 { exit !($2 >= 252) }' ||
                e2e_skip "systemd-repart has no Verity= (needs systemd 252 or later)"
}

# verity_ddi SRC.raw OUT.raw: OUT.raw holds SRC.raw's root partition (as data) and its verity hash
# partition; OUT.roothash (for OUT.raw) the root hash. Prints the root hash.
verity_ddi() {
        local src=$1 out=$2 dir start size hash
        dir=$(mktemp -d "$E2E_WORK/verity.XXXXXX")
        read -r start size < <(sfdisk -d "$src" | sed -n 's/.*start= *\([0-9]*\), size= *\([0-9]*\), type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709.*/\1 \2/p')
        [ -n "$start" ] || e2e_fail "no x86-64 root partition in $src"
        dd if="$src" of="$dir/root.fs" bs=512 skip="$start" count="$size" status=none ||
                e2e_fail "cannot copy the root partition of $src"
        mkdir "$dir/defs"
        printf '[Partition]\nType=root\nCopyBlocks=%s\nVerity=data\nVerityMatchKey=root\n' "$dir/root.fs" \
                >"$dir/defs/10-root.conf"
        printf '[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=root\n' >"$dir/defs/20-root-verity.conf"
        rm -f "$out"
        systemd-repart --definitions="$dir/defs" --empty=create --size=auto --dry-run=no --no-pager \
                --json=short "$out" >"$dir/repart.json" 2>"$dir/repart.log" ||
                { cat "$dir/repart.log" >&2; e2e_fail "systemd-repart cannot write the verity DDI $out"; }
        hash=$(grep -o '"roothash" *: *"[0-9a-f]*"' "$dir/repart.json" | grep -o '[0-9a-f]\{64\}' | head -n 1)
        [ -n "$hash" ] || e2e_fail "systemd-repart printed no root hash for $out"
        echo "$hash" >"${out%.raw}.roothash"
        rm -rf "$dir"
        echo "$hash"
}

# verity_flip IMAGE MARKER: changes one byte of the first copy of MARKER in IMAGE (a data block
# the boot does not read), keeping the size; fails if MARKER is not there exactly once.
verity_flip() {
        local img=$1 marker=$2 offsets
        offsets=$(grep -obUa -- "$marker" "$img" | cut -d: -f1)
        [ "$(echo "$offsets" | grep -c .)" = 1 ] || e2e_fail "want '$marker' once in $img, found: $offsets"
        printf 'X' | dd of="$img" bs=1 seek="$offsets" conv=notrunc status=none || e2e_fail "cannot change $img"
        echo "$offsets"
}
