# SPDX-License-Identifier: LGPL-2.1-or-later
"""Bytes of FILE that sit in 4 KiB blocks with any non-zero byte: what a sparse copy must store."""
import sys

zero = bytes(4096)
n = 0
with open(sys.argv[1], "rb") as f:
    while True:
        b = f.read(4096)
        if not b:
            break
        if b != zero[: len(b)]:
            n += len(b)
print(n)
