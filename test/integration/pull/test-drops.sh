#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Randomized resume trials: every trial's server cuts the first three responses at random offsets
# (a fresh seed each run, printed for reproduction); every trial must end byte-identical, across
# all compressions and both image types.
. "$(dirname "$0")/lib.sh"
need_tool xz; need_tool zstd; need_tool gzip; need_tool bzip2
TRIALS=${TRIALS:-50}
SEED=${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "seed $SEED (rerun with SEED=$SEED)"

mkdir -p "$T/www" "$T/out" "$T/tree/sub"
make_raw_image "$T/www/image.raw" 3
want=$(sha256sum < "$T/www/image.raw")
for fmt in xz zstd gzip bzip2; do compress "$T/www/image.raw" $fmt > /dev/null; done
head -c 400000 /dev/urandom > "$T/tree/sub/blob"
seq 1 100000 > "$T/tree/numbers"
ln -s sub/blob "$T/tree/link"
tar --numeric-owner -C "$T/tree" -cf "$T/www/tree.tar" .
zstd -q -c "$T/www/tree.tar" > "$T/www/tree.tar.zst"
xz -T2 --block-size=256KiB -c "$T/www/tree.tar" > "$T/www/tree.tar.xz"
tree_manifest=$(cd "$T/tree" && find . -printf '%p %y %m %s %l\n' | sort; cat sub/blob numbers | sha256sum)
start_faultserver "$T/www"

good=0
for i in $(seq 1 "$TRIALS"); do
        case $((i % 5)) in
        0) file=image.raw.xz ;; 1) file=image.raw.zst ;; 2) file=image.raw.gz ;; 3) file=image.raw.bz2 ;;
        4) if [ $((i % 2)) = 0 ]; then file=tree.tar.zst; else file=tree.tar.xz; fi ;;
        esac
        url="$FS_URL/f/drop=3,seed=$((SEED + i))/$file"
        target="$T/out/t$i"
        case $file in
        tree.*)
                if "$PULLBOOT" pull --progress=none --retry-delay=5 --type=tar "$url" "$target" 2> "$T/t$i.log" &&
                   [ "$(cd "$target" && find . -printf '%p %y %m %s %l\n' | sort; cat sub/blob numbers | sha256sum)" = "$tree_manifest" ]; then
                        good=$((good + 1))
                else
                        fail "trial $i ($file, seed $((SEED + i)))"; cat "$T/t$i.log"
                fi ;;
        *)
                if "$PULLBOOT" pull --progress=none --retry-delay=5 "$url" "$target" 2> "$T/t$i.log" &&
                   [ "$(sha256sum < "$target")" = "$want" ]; then
                        good=$((good + 1))
                else
                        fail "trial $i ($file, seed $((SEED + i)))"; cat "$T/t$i.log"
                fi ;;
        esac
        rm -rf "$target"
done
cuts=$(grep -c '(cut)' "$T/fs.log" || true)
resumes=$(grep -c '(if-range) -> 206' "$T/fs.log" || true)
echo "$good of $TRIALS trials byte-identical; $cuts responses cut, $resumes resumed with a guarded Range"
[ "$cuts" -ge $((TRIALS * 3)) ] || fail "expected at least $((TRIALS * 3)) cut responses, saw $cuts"
[ "$resumes" -ge "$TRIALS" ] || fail "expected resumes, saw $resumes"
finish
