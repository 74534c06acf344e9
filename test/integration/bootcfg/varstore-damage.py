#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pullboot-bootcfg must never damage a variable store.

1. Round trip on every OVMF VARS file Debian ships: --show leaves the file byte-identical,
   --add-uri adds exactly the entry (every other variable intact), repeating it is a no-op,
   --remove-entry restores the original variables.
2. Single-byte corruptions (three values per byte) of the volume and store headers, of the first
   records, of the last record and the free area after it, and of the area after the store, plus
   200 random ones anywhere in the records:
   --add-uri must either refuse (exit 2, message with an offset, file byte-identical, --show
   exits 2 too) or produce a
   store in which every variable the corrupted record did not hold is intact and the new entry is
   present. Judged by edk2vars.py, a reader independent of common/varstore.c.

Usage: varstore-damage.py PULLBOOT-BOOTCFG [--report]
--report prints every mishandled corruption and exits 1 if there were any (for running the test
against older builds).
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edk2vars  # noqa: E402

OVMF = "/usr/share/OVMF"
DEBIAN_VARS = [
    "OVMF_VARS.fd",                # 2 MiB build, empty store
    "OVMF_VARS.ms.fd",             # 2 MiB, Microsoft keys enrolled
    "OVMF_VARS_4M.fd",             # 4 MiB, empty store
    "OVMF_VARS_4M.ms.fd",          # 4 MiB, Microsoft keys enrolled
    "OVMF_VARS_4M.snakeoil.fd",    # 4 MiB, snakeoil keys, Secure Boot on
]
# (file, corrupt records too): the 2 MiB header differs (length, block map, store size), its
# records are the same as the 4 MiB ones.
DAMAGE_FILES = [("OVMF_VARS_4M.ms.fd", True), ("OVMF_VARS.ms.fd", False)]
RANDOM_CASES = 200
URI = "http://10.0.2.2:8081/image.efi"
TITLE = "damage"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def bootcfg(tool, path, *args):
    return subprocess.run([tool, "--vars", path, *args], capture_output=True, text=True)


def problems_after_add(before_live, out, skip=()):
    """What is wrong with store image out after --add-uri on a store that held before_live."""
    try:
        store = edk2vars.Store(out)
    except edk2vars.Unreadable as e:
        return ["result unreadable: %s" % e]
    live = store.live()
    bad = []
    for key, val in before_live.items():
        if key in skip or (key[1] == edk2vars.GLOBAL and key[0] == "BootOrder"):
            continue
        if key not in live:
            bad.append("%s lost" % key[0])
        elif live[key] != val:
            bad.append("%s changed" % key[0])
    want = edk2vars.uri_load_option(TITLE, URI)
    nums = [k[0] for k, v in live.items() if k[1] == edk2vars.GLOBAL and k[0].startswith("Boot")
            and len(k[0]) == 8 and v[1] == want]
    if len(nums) != 1:
        bad.append("%d new entries instead of 1" % len(nums))
    else:
        order = live.get(("BootOrder", edk2vars.GLOBAL), (0, b""))[1]
        if order[:2] != int(nums[0][4:], 16).to_bytes(2, "little"):
            bad.append("new entry not first in BootOrder")
    if len(bad) > 6:
        bad = bad[:6] + ["... %d more" % (len(bad) - 6)]
    return bad


def round_trip(tool, tmp):
    tested = 0
    for name in DEBIAN_VARS:
        src = os.path.join(OVMF, name)
        if not os.path.exists(src):
            print("note: %s not installed" % name)
            continue
        tested += 1
        orig = open(src, "rb").read()
        path = os.path.join(tmp, name)
        shutil.copyfile(src, path)
        before = edk2vars.Store(orig).live()
        r = bootcfg(tool, path)
        if r.returncode != 0 or open(path, "rb").read() != orig:
            fail("%s: --show: exit %d or file changed: %s" % (name, r.returncode, r.stderr.strip()))
        r = bootcfg(tool, path, "--add-uri", URI, "--title", TITLE, "--boot-order", "0")
        after = open(path, "rb").read()
        if r.returncode != 0:
            fail("%s: --add-uri exit %d: %s" % (name, r.returncode, r.stderr.strip()))
            continue
        for p in problems_after_add(before, after):
            fail("%s: --add-uri: %s" % (name, p))
        r = bootcfg(tool, path, "--add-uri", URI, "--title", TITLE, "--boot-order", "0")
        if r.returncode != 0 or open(path, "rb").read() != after:
            fail("%s: repeated --add-uri is not a byte-identical no-op" % name)
        live = edk2vars.Store(after).live()
        num = [k[0] for k, v in live.items() if v[1] == edk2vars.uri_load_option(TITLE, URI)][0]
        r = bootcfg(tool, path, "--remove-entry", num[4:])
        if r.returncode != 0:
            fail("%s: --remove-entry %s exit %d" % (name, num, r.returncode))
        elif edk2vars.load(path).live() != before:
            fail("%s: --remove-entry did not restore the original variables" % name)
        # Nothing outside the variable store moved (event log, FTW working block, spare).
        st = edk2vars.Store(orig)
        if open(path, "rb").read()[st.end:] != orig[st.end:]:
            fail("%s: bytes after the variable store changed" % name)
    return tested


def positions(store, records):
    """Offsets to corrupt: both headers; with records, the first two records (a deleted and a
    live one in the .ms files), the last record and the start of the free area; the first bytes
    after the store and of the block after that (event log, FTW working block in OVMF)."""
    pos = set(range(0, store.records[0].offset if store.records else store.free_offset))
    if records:
        for r in store.records[:2] + store.records[-1:]:
            pos.update(range(r.offset, (r.end + 3) & ~3))
        pos.update(range(store.free_offset, store.free_offset + 8))
    for base in (store.end, store.end + 0x1000):
        pos.update(range(base, base + 32))
    return sorted(pos)


def corruptions(tool, tmp, report):
    total = mishandled = refused = 0
    for name, records in DAMAGE_FILES:
        src = os.path.join(OVMF, name)
        if not os.path.exists(src):
            print("note: %s not installed, no corruption tests on it" % name)
            continue
        orig = open(src, "rb").read()
        store = edk2vars.Store(orig)
        before = store.live()
        path = os.path.join(tmp, "damaged.fd")
        cases = [(off, v) for off in positions(store, records)
                 # lowest and highest bit, all bits (which also covers 0x00 <-> 0xff)
                 for v in (orig[off] ^ 0x01, orig[off] ^ 0x80, orig[off] ^ 0xFF)]
        if records:
            # Anywhere in the records, any value (fixed seed: the same cases every run).
            rnd = random.Random(12)
            for _ in range(RANDOM_CASES):
                off = rnd.randrange(store.records[0].offset, store.free_offset)
                cases.append((off, orig[off] ^ rnd.randrange(1, 256)))
        for off, val in cases:
            rec = store.record_at(off)
            skip = {rec.key()} if rec else set()
            img = bytearray(orig)
            img[off] = val
            img = bytes(img)
            with open(path, "wb") as f:
                f.write(img)
            total += 1
            r = bootcfg(tool, path, "--add-uri", URI, "--title", TITLE, "--boot-order", "0")
            out = open(path, "rb").read()
            what = "%s byte 0x%x = 0x%02x" % (name, off, val)
            if r.returncode == 2:
                refused += 1
                bad = []
                if out != img:
                    bad.append("refused but the file changed")
                if "offset 0x" not in r.stderr:
                    bad.append("refusal names no offset: %s" % r.stderr.strip())
                # --show and --json refuse too (checked on every 8th refusal, for the runtime).
                if refused % 8 == 1:
                    for show in (["--show"], ["--json"]):
                        s = bootcfg(tool, path, *show)
                        if s.returncode != 2 or s.stdout:
                            bad.append("%s exits %d on a store --add-uri refused" % (show[0], s.returncode))
            elif r.returncode == 0:
                bad = problems_after_add(before, out, skip)
            else:
                bad = ["exit %d: %s" % (r.returncode, r.stderr.strip())]
            if bad:
                mishandled += 1
                if report or mishandled <= 20:
                    fail("%s: %s" % (what, "; ".join(bad)))
    print("%d corruptions: %d refused, %d edited with the other variables intact, %d mishandled"
          % (total, refused, total - refused - mishandled, mishandled))
    return total, mishandled


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    tool, report = sys.argv[1], "--report" in sys.argv[2:]
    if not os.path.exists(os.path.join(OVMF, "OVMF_VARS_4M.ms.fd")):
        print("SKIP: %s/OVMF_VARS_4M.ms.fd missing (Debian package ovmf)" % OVMF)
        return 77
    start = time.monotonic()
    # tmpfs where there is one: the tool fsyncs every file it writes, thousands of times here.
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        n = round_trip(tool, tmp)
        print("round trip on %d Debian VARS files" % n)
        corruptions(tool, tmp, report)
    print("%.0f s, %d failures" % (time.monotonic() - start, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
