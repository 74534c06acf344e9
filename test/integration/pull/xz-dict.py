#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Rewrites the LZMA2 dictionary size in every block header of an .xz file (and fixes the header
CRC32), so that a small file claims a huge dictionary: what a hostile server could send. The data
still decodes, as it only uses a smaller dictionary. Usage: xz-dict.py IN OUT PROPS_BYTE
(37 = 1.5 GiB, 40 = 4 GiB - 1)."""
import sys
import zlib


def vli(b, i):
    v, shift = 0, 0
    while True:
        c = b[i]
        v |= (c & 0x7F) << shift
        i += 1
        if not c & 0x80:
            return v, i
        shift += 7


def main():
    data = bytearray(open(sys.argv[1], "rb").read())
    props = int(sys.argv[3])
    check = data[7] & 0x0F
    check_size = {0: 0, 1: 4, 4: 8, 10: 32}[check]
    i, patched = 12, 0
    while data[i] != 0:
        start, size = i, (data[i] + 1) * 4
        flags = data[i + 1]
        j = i + 2
        comp = None
        if flags & 0x40:
            comp, j = vli(data, j)
        if flags & 0x80:
            _, j = vli(data, j)
        for _ in range((flags & 3) + 1):
            fid, j = vli(data, j)
            plen, j = vli(data, j)
            if fid == 0x21:
                data[j] = props
                patched += 1
            j += plen
        crc = zlib.crc32(bytes(data[start:start + size - 4]))
        data[start + size - 4:start + size] = crc.to_bytes(4, "little")
        if comp is None:
            break  # no sizes: a single block, as plain `xz` writes
        i = start + size + comp
        i += (-comp) % 4 + check_size
    open(sys.argv[2], "wb").write(data)
    print(f"patched {patched} block header(s)", file=sys.stderr)


main()
