#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pullboot-bootcfg against copies of Debian's OVMF VARS files (offline backend) and a fake efivarfs
# directory ($EFIVARFS_PATH, honoured by libefivar). Variable contents are checked with vstool,
# which reads the store independently of the tool's model code.
set -u

BOOTCFG=${1:?usage: cli.sh PULLBOOT-BOOTCFG VSTOOL}
VSTOOL=${2:?usage: cli.sh PULLBOOT-BOOTCFG VSTOOL}
OVMF=/usr/share/OVMF
GLOBAL=8be4df61-93ca-11d2-aa0d-00e098032b8c

if [ ! -e "$OVMF/OVMF_VARS_4M.fd" ]; then
        echo "SKIP: $OVMF/OVMF_VARS_4M.fd missing (Debian package ovmf)"
        exit 77
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/checks.sh"
hex() { od -An -tx1 -v | tr -d ' \n'; }
le16() { printf '%02x%02x' $(($1 & 255)) $(($1 >> 8)); }
# The EFI_LOAD_OPTION for a URI entry: ACTIVE, title in UCS-2, Uri node (no NUL) + End.
loadopt() {
        local title=$1 uri=$2 t="" i
        for ((i = 0; i < ${#title}; i++)); do t+=$(printf '%s' "${title:i:1}" | hex)00; done
        local n=${#uri}
        echo "01000000$(le16 $((n + 8)))${t}00000318$(le16 $((n + 4)))$(printf '%s' "$uri" | hex)7fff0400"
}
var() { "$VSTOOL" dump "$1" | awk -v n="$2" -v g="${3:-$GLOBAL}" '$1 == n && $2 == g { print $4 }'; }

# --- usage -------------------------------------------------------------------------------
expect_rc 0 "--help" "$BOOTCFG" --help
check "--help mentions --add-uri" grep -q -- --add-uri "$T/out"
expect_rc 0 "--version" "$BOOTCFG" --version
check "--version prints the version" grep -q '^pullboot-bootcfg [0-9]' "$T/out"
cp "$OVMF/OVMF_VARS_4M.fd" "$T/u.fd"
expect_rc 2 "--add-uri without --title" "$BOOTCFG" --vars "$T/u.fd" --add-uri http://h/x.efi
expect_rc 2 "bad --boot-order" "$BOOTCFG" --vars "$T/u.fd" --add-uri http://h/x.efi --title x --boot-order first
expect_rc 2 "empty --title" "$BOOTCFG" --vars "$T/u.fd" --add-uri http://h/x.efi --title=
expect_rc 2 "two actions" "$BOOTCFG" --vars "$T/u.fd" --add-uri http://h/x.efi --title x --remove-entry 1
expect_rc 2 "bad entry number" "$BOOTCFG" --vars "$T/u.fd" --remove-entry 12345
for bad in 'http://a b/x.efi' 'ftp://h/x.efi' 'http:///x.efi' 'file:///x.efi' 'h/x.efi' 'http://h:99999/x'; do
        expect_rc 2 "URI '$bad' rejected" "$BOOTCFG" --vars "$T/u.fd" --add-uri "$bad" --title x
done
check "rejected URIs left the file alone" cmp -s "$T/u.fd" "$OVMF/OVMF_VARS_4M.fd"

# --- round trips on every Debian VARS file -------------------------------------------------
URI=http://10.0.2.2:8081/image.efi
for f in OVMF_VARS.fd OVMF_VARS.ms.fd OVMF_VARS_4M.fd OVMF_VARS_4M.ms.fd OVMF_VARS_4M.snakeoil.fd; do
        [ -e "$OVMF/$f" ] || { echo "note: $f not installed"; continue; }
        v=$T/$f
        cp "$OVMF/$f" "$v"
        "$VSTOOL" dump "$v" >"$T/before" || fail "$f: vstool cannot read the original"
        expect_rc 0 "$f: --show" "$BOOTCFG" --vars "$v"
        check "$f: --show left the file byte-identical" cmp -s "$v" "$OVMF/$f"

        expect_rc 0 "$f: --add-uri" "$BOOTCFG" --vars "$v" --add-uri "$URI" --title testloop --boot-order 0
        # the lowest number not used by an existing entry
        n=0
        while grep -q "^Boot$(printf %04X $n) $GLOBAL" "$T/before"; do n=$((n + 1)); done
        num=$(printf %04X $n)
        check "$f: Boot$num holds the URI load option" [ "$(var "$v" "Boot$num")" = "$(loadopt testloop "$URI")" ]
        order=$(var "$v" BootOrder)
        old=$(awk -v g=$GLOBAL '$1 == "BootOrder" && $2 == g { print $4 }' "$T/before")
        check "$f: Boot$num is first in BootOrder, the rest kept" [ "$order" = "$(le16 $n)$old" ]
        "$VSTOOL" dump "$v" | grep -v -e "^Boot$num " -e "^BootOrder " >"$T/after"
        grep -v "^BootOrder " "$T/before" >"$T/before-noorder"
        check "$f: every other variable is unchanged" cmp -s "$T/before-noorder" "$T/after"
        check "$f: attributes NV|BS|RT" [ "$("$VSTOOL" dump "$v" | awk -v n="Boot$num" '$1 == n { print $3 }')" = 7 ]
        check "$f: --show lists the entry" sh -c "'$BOOTCFG' --vars '$v' | grep -q '^Boot$num\\* testloop\$'"

        cp "$v" "$T/snap"
        expect_rc 0 "$f: same --add-uri again" "$BOOTCFG" --vars "$v" --add-uri "$URI" --title testloop --boot-order 0
        check "$f: repeating the add is a byte-identical no-op" cmp -s "$v" "$T/snap"

        expect_rc 0 "$f: --remove-entry" "$BOOTCFG" --vars "$v" --remove-entry "$num"
        "$VSTOOL" dump "$v" >"$T/removed"
        check "$f: remove restores the original variables" cmp -s "$T/before" "$T/removed"
done

# --- entry numbers, reuse, order, BootNext --------------------------------------------------
v=$T/o.fd
cp "$OVMF/OVMF_VARS_4M.ms.fd" "$v"     # has Boot0000..0002, no BootOrder
expect_rc 0 "add A" "$BOOTCFG" --vars "$v" --add-uri http://h/a.efi --title A --boot-order 0
expect_rc 0 "add B" "$BOOTCFG" --vars "$v" --add-uri http://h/b.efi --title B --boot-order 0
check "B got Boot0004" [ "$(var "$v" Boot0004)" = "$(loadopt B http://h/b.efi)" ]
check "BootOrder B,A" [ "$(var "$v" BootOrder)" = 04000300 ]
expect_rc 0 "move A first by adding it again" "$BOOTCFG" --vars "$v" --add-uri http://h/a.efi --title A --boot-order 0
check "BootOrder A,B" [ "$(var "$v" BootOrder)" = 03000400 ]
expect_rc 0 "reuse A with a new title" "$BOOTCFG" --vars "$v" --add-uri http://h/a.efi --title A2 --boot-order last
check "A reused as Boot0003 with the new title" [ "$(var "$v" Boot0003)" = "$(loadopt A2 http://h/a.efi)" ]
check "no Boot0005 created" [ -z "$(var "$v" Boot0005)" ]
check "BootOrder B,A after 'last'" [ "$(var "$v" BootOrder)" = 04000300 ]
expect_rc 0 "add C without --boot-order" "$BOOTCFG" --vars "$v" --add-uri http://h/c.efi --title C
check "C exists as Boot0005" [ "$(var "$v" Boot0005)" = "$(loadopt C http://h/c.efi)" ]
check "BootOrder untouched without --boot-order" [ "$(var "$v" BootOrder)" = 04000300 ]
expect_rc 0 "C --once" "$BOOTCFG" --vars "$v" --add-uri http://h/c.efi --title C --once
check "BootNext = 0005" [ "$(var "$v" BootNext)" = 0500 ]
expect_rc 0 "C at position 1" "$BOOTCFG" --vars "$v" --add-uri http://h/c.efi --title C --boot-order 1
check "BootOrder B,C,A" [ "$(var "$v" BootOrder)" = 040005000300 ]
# A number referenced only by BootOrder is not free: entry 0006 is missing but named in BootOrder.
"$VSTOOL" set "$v" BootOrder $GLOBAL 0400050003000600 || fail "vstool set"
expect_rc 0 "add D" "$BOOTCFG" --vars "$v" --add-uri http://h/d.efi --title D
check "D skips 0006 (dangling BootOrder reference) and gets 0007" [ -n "$(var "$v" Boot0007)" ]
expect_rc 0 "remove the BootNext entry" "$BOOTCFG" --vars "$v" --remove-entry 0005
check "BootNext gone with its entry" [ -z "$(var "$v" BootNext)" ]
check "BootOrder cleaned" [ "$(var "$v" BootOrder)" = 040003000600 ]
check "Boot0005 gone" [ -z "$(var "$v" Boot0005)" ]
cp "$v" "$T/snap"
expect_rc 3 "unknown entry" "$BOOTCFG" --vars "$v" --remove-entry 0042
check "unknown entry message" grep -q 'Boot0042 does not exist' "$T/err"
check "unknown entry left the file alone" cmp -s "$v" "$T/snap"

# --- set-boot-uri: the virt-fw-vars test vector ---------------------------------------------
v=$T/s.fd
cp "$OVMF/OVMF_VARS_4M.fd" "$v"
expect_rc 0 "--set-boot-uri" "$BOOTCFG" --vars "$v" --set-boot-uri http://192.168.1.10/boot/grubx64.efi
want="010000002c00$(printf 'netboot grubx64.efi' | hex | sed 's/../&00/g')00000318$(le16 40)$(printf 'http://192.168.1.10/boot/grubx64.efi' | hex)7fff0400"
check "set-boot-uri Boot0000 bytes" [ "$(var "$v" Boot0000)" = "$want" ]
check "set-boot-uri sets BootNext" [ "$(var "$v" BootNext)" = 0000 ]
check "set-boot-uri leaves BootOrder alone" [ -z "$(var "$v" BootOrder)" ]

# --- dry run and JSON -------------------------------------------------------------------------
v=$T/d.fd
cp "$OVMF/OVMF_VARS_4M.ms.fd" "$v"
expect_rc 0 "--dry-run add" "$BOOTCFG" --vars "$v" --dry-run --add-uri http://h/x.efi --title X --boot-order 0
check "dry run wrote nothing" cmp -s "$v" "$OVMF/OVMF_VARS_4M.ms.fd"
check "dry run shows the result" grep -q '^Boot0003\* X$' "$T/out"
check "dry run shows the order" grep -q '^BootOrder: 0003$' "$T/out"
expect_rc 0 "--dry-run remove" "$BOOTCFG" --vars "$v" --dry-run --remove-entry 0001
check "dry run remove wrote nothing" cmp -s "$v" "$OVMF/OVMF_VARS_4M.ms.fd"
check "dry run remove shows the entry gone" sh -c "! grep -q '^Boot0001' '$T/out'"
expect_rc 0 "--json" "$BOOTCFG" --vars "$v" --json
check "json has the entries" grep -q '"number":"0002","valid":true,"active":true,"attributes":1,"title":"EFI Internal Shell"' "$T/out"
if command -v python3 >/dev/null; then
        check "json parses" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["backend"]=="varstore" and len(d["entries"])==3 and d["boot_order"] is None' "$T/out"
fi
expect_rc 0 "--json after add" "$BOOTCFG" --vars "$v" --json --add-uri http://h/x.efi --title 'Q"uote' --boot-order 0
check "json escapes titles and shows the uri" grep -q '"title":"Q\\"uote","device_path":"Uri(http://h/x.efi)","uri":"http://h/x.efi"' "$T/out"
expect_rc 0 "-v shows device paths" "$BOOTCFG" --vars "$v" -v
check "-v output" grep -q "$(printf '^Boot0003\\* Q"uote\tUri(http://h/x.efi)$')" "$T/out"
# Titles come from the firmware store: control characters in them are shown as \xHH, not sent
# to the terminal; JSON carries them escaped the JSON way.
expect_rc 0 "title with control characters" "$BOOTCFG" --vars "$v" --add-uri http://h/e.efi --title "$(printf 'E\033[2J\tx')"
expect_rc 0 "--show with an escaped title" "$BOOTCFG" --vars "$v"
check "--show escapes the title" grep -qF 'E\x1b[2J\x09x' "$T/out"
check "--show prints no raw ESC" sh -c "! grep -q \"\$(printf '\\033')\" '$T/out'"
expect_rc 0 "--json with an escaped title" "$BOOTCFG" --vars "$v" --json
check "--json escapes the title" grep -qF '"title":"E\u001b[2J\tx"' "$T/out"

# --- GUIDs are part of the identity -----------------------------------------------------------
v=$T/g.fd
cp "$OVMF/OVMF_VARS_4M.fd" "$v"
OTHER=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
"$VSTOOL" set "$v" BootOrder $OTHER 0900 || fail "vstool set"
"$VSTOOL" set "$v" Boot0000 $OTHER "$(loadopt Foreign http://h/f.efi)" || fail "vstool set"
expect_rc 0 "show with foreign-GUID look-alikes" "$BOOTCFG" --vars "$v"
check "foreign BootOrder is not BootOrder" grep -q '^BootOrder: (none)$' "$T/out"
check "foreign Boot0000 is not an entry" sh -c "! grep -q '^Boot0000' '$T/out'"
expect_rc 0 "add next to look-alikes" "$BOOTCFG" --vars "$v" --add-uri http://h/f.efi --title F --boot-order 0
check "global Boot0000 created" [ "$(var "$v" Boot0000)" = "$(loadopt F http://h/f.efi)" ]
check "foreign Boot0000 untouched" [ "$(var "$v" Boot0000 $OTHER)" = "$(loadopt Foreign http://h/f.efi)" ]
check "foreign BootOrder untouched" [ "$(var "$v" BootOrder $OTHER)" = 0900 ]

# --- a VARS file behind a symlink: the target is replaced, the link stays ----------------------
cp "$OVMF/OVMF_VARS_4M.fd" "$T/target.fd"
ln -s target.fd "$T/link.fd"
expect_rc 0 "add through a symlink" "$BOOTCFG" --vars "$T/link.fd" --add-uri http://h/l.efi --title L
check "symlink kept" [ -L "$T/link.fd" ]
check "target written" [ "$(var "$T/target.fd" Boot0000)" = "$(loadopt L http://h/l.efi)" ]

# --- not a varstore ---------------------------------------------------------------------------
for src in "$OVMF/OVMF_CODE_4M.fd" /etc/hostname; do
        cp "$src" "$T/bad"
        expect_rc 2 "$(basename "$src") is not a varstore" "$BOOTCFG" --vars "$T/bad" --add-uri http://h/x.efi --title X
        check "$(basename "$src"): clear error" grep -q 'not an edk2 variable store' "$T/err"
        check "$(basename "$src"): untouched" cmp -s "$T/bad" "$src"
done
head -c 4096 "$OVMF/OVMF_VARS_4M.fd" >"$T/trunc"
expect_rc 2 "truncated VARS file" "$BOOTCFG" --vars "$T/trunc"
expect_rc 1 "missing file" "$BOOTCFG" --vars "$T/does-not-exist"
check "no stray temporary files" sh -c "! ls '$T' | grep -q pbtmp"

# --- full store, reclaim ----------------------------------------------------------------------
v=$T/f.fd
cp "$OVMF/OVMF_VARS_4M.ms.fd" "$v"
n=$("$VSTOOL" fill "$v" 4000)
check "store filled ($n fillers)" [ "$n" -gt 50 ]
"$VSTOOL" dump "$v" >"$T/full-before"
cp "$v" "$T/snap"
expect_rc 5 "full store" "$BOOTCFG" --vars "$v" --add-uri http://h/x.efi --title X --boot-order 0
check "full store: clear error" grep -q 'no room' "$T/err"
check "full store: untouched" cmp -s "$v" "$T/snap"
"$VSTOOL" delete "$v" Filler0003 || fail "vstool delete"
"$VSTOOL" delete "$v" Filler0004 || fail "vstool delete"
before=$("$VSTOOL" records "$v" | awk '$2 != "3f"' | wc -l)
expect_rc 0 "add after deleting fillers (reclaim)" "$BOOTCFG" --vars "$v" --add-uri http://h/x.efi --title X --boot-order 0
after=$("$VSTOOL" records "$v" | awk '$2 != "3f"' | wc -l)
check "reclaim dropped the deleted records ($before -> $after)" test "$before" -ge 2 -a "$after" = 0
"$VSTOOL" dump "$v" | grep -v -e '^Boot0003 ' -e '^BootOrder ' >"$T/full-after"
grep -v -e '^Filler0003 ' -e '^Filler0004 ' "$T/full-before" >"$T/full-expect"
check "reclaim kept every live variable with its data" cmp -s "$T/full-expect" "$T/full-after"
check "new entry present after reclaim" [ "$(var "$v" Boot0003)" = "$(loadopt X http://h/x.efi)" ]

# --- TLS CA enrolment -------------------------------------------------------------------------
if [ -e /usr/share/ovmf/PkKek-1-snakeoil.pem ]; then
        v=$T/t.fd
        cp "$OVMF/OVMF_VARS_4M.fd" "$v"
        pem=/usr/share/ovmf/PkKek-1-snakeoil.pem
        expect_rc 0 "--enroll-tls-ca" "$BOOTCFG" --vars "$v" --enroll-tls-ca "$pem"
        der=$(openssl x509 -in "$pem" -outform DER 2>/dev/null | hex)
        if [ -n "$der" ]; then
                len=$(( ${#der} / 2 ))
                le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $(($1 >> 24)); }
                want="a159c0a5e494a74a87b5ab155c2bf072$(le32 $((len + 44)))00000000$(le32 $((len + 16)))ab1e40c908f61943bb3127984b190c66$der"
                check "TlsCaCertificate is one X.509 signature list" \
                        [ "$(var "$v" TlsCaCertificate fd2340d0-3dab-4349-a6c7-3b4f12b48eae)" = "$want" ]
                check "TlsCaCertificate attributes NV|BS" \
                        [ "$("$VSTOOL" dump "$v" | awk '$1 == "TlsCaCertificate" { print $3 }')" = 3 ]
        fi
        cp "$v" "$T/snap"
        expect_rc 0 "--enroll-tls-ca again" "$BOOTCFG" --vars "$v" --enroll-tls-ca "$pem"
        check "same CA again: byte-identical" cmp -s "$v" "$T/snap"
        expect_rc 2 "--enroll-tls-ca with a non-PEM file" "$BOOTCFG" --vars "$v" --enroll-tls-ca /etc/hostname
        check "non-PEM CA: untouched" cmp -s "$v" "$T/snap"
        # A PEM file that cannot be opened is a failure (1), not "no such entry" (3).
        expect_rc 1 "--enroll-tls-ca with a missing file" "$BOOTCFG" --vars "$v" --enroll-tls-ca "$T/no-such.pem"
        check "missing CA file: names it" grep -q 'no-such.pem: No such file' "$T/err"
        check "missing CA file: untouched" cmp -s "$v" "$T/snap"
fi

# --- no EFI variables at all ---------------------------------------------------------------------
if [ ! -d /sys/firmware/efi/efivars ] && [ -z "${EFIVARFS_PATH:-}" ]; then
        expect_rc 1 "no efivarfs" "$BOOTCFG" --show
        check "no efivarfs: says what to do" grep -q 'use --vars FILE' "$T/err"
fi

# --- efivarfs backend on a fake directory -----------------------------------------------------
E=$T/efivars
mkdir -p "$E"
export EFIVARFS_PATH=$E/
printf '\x06\x00\x00\x00\x01\x00' >"$E/BootCurrent-$GLOBAL"
printf '\x07\x00\x00\x00\x01\x00' >"$E/BootOrder-$GLOBAL"
printf '\x07\x00\x00\x00' >"$E/Boot0001-$GLOBAL"
printf '%s' "$(loadopt Disk http://h/disk.efi)" | sed 's/../\\x&/g' | xargs -0 printf >>"$E/Boot0001-$GLOBAL"
efivar_hex() { od -An -tx1 -v "$E/$1-$GLOBAL" 2>/dev/null | tr -d ' \n'; }
expect_rc 0 "efivarfs: --show" "$BOOTCFG"
check "efivarfs: BootCurrent shown" grep -q '^BootCurrent: 0001$' "$T/out"
check "efivarfs: entry shown" grep -q '^Boot0001\* Disk$' "$T/out"
expect_rc 0 "efivarfs: --add-uri" "$BOOTCFG" --add-uri http://10.0.2.2:8081/second.efi --title testloop --boot-order 0
check "efivarfs: Boot0000 written with NV|BS|RT" [ "$(efivar_hex Boot0000)" = "07000000$(loadopt testloop http://10.0.2.2:8081/second.efi)" ]
check "efivarfs: BootOrder 0000,0001" [ "$(efivar_hex BootOrder)" = 0700000000000100 ]
expect_rc 4 "efivarfs: removing BootCurrent refused" "$BOOTCFG" --remove-entry 0001
check "efivarfs: refusal says why" grep -q 'BootCurrent' "$T/err"
check "efivarfs: Boot0001 still there" [ -e "$E/Boot0001-$GLOBAL" ]
expect_rc 0 "efivarfs: --remove-entry --force" "$BOOTCFG" --remove-entry 0001 --force
check "efivarfs: Boot0001 deleted" [ ! -e "$E/Boot0001-$GLOBAL" ]
check "efivarfs: BootOrder cleaned" [ "$(efivar_hex BootOrder)" = 070000000000 ]
expect_rc 0 "efivarfs: --once" "$BOOTCFG" --add-uri http://10.0.2.2:8081/second.efi --title testloop --once
check "efivarfs: BootNext" [ "$(efivar_hex BootNext)" = 070000000000 ]
expect_rc 2 "efivarfs: TLS CA needs --vars" "$BOOTCFG" --enroll-tls-ca /etc/hostname
# The kernel makes non-allow-listed variables immutable; updates must lift and restore the flag.
if chattr +i "$E/Boot0000-$GLOBAL" 2>/dev/null; then
        expect_rc 0 "efivarfs: update an immutable entry" "$BOOTCFG" --add-uri http://10.0.2.2:8081/second.efi --title renamed
        check "efivarfs: immutable entry updated" [ "$(efivar_hex Boot0000)" = "07000000$(loadopt renamed http://10.0.2.2:8081/second.efi)" ]
        check "efivarfs: immutable flag restored" sh -c "lsattr '$E/Boot0000-$GLOBAL' | cut -c1-20 | grep -q i"
        chattr -i "$E/Boot0000-$GLOBAL"
else
        echo "note: chattr +i not supported on $T; immutable handling not exercised"
fi
unset EFIVARFS_PATH

checks_summary
