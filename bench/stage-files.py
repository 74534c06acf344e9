# SPDX-License-Identifier: LGPL-2.1-or-later
"""Copies real files (binaries, libraries, data) from the host's /usr into DIR until they add up to
LIMIT bytes, so a benchmark image holds what a root file system holds rather than synthetic data."""
import os
import shutil
import sys

dest, limit = sys.argv[1], int(sys.argv[2])
total = 0
for top in ("/usr/lib", "/usr/share", "/usr/bin"):
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted(filenames):
            src = os.path.join(dirpath, name)
            if os.path.islink(src) or not os.path.isfile(src):
                continue
            size = os.path.getsize(src)
            if size > 64 << 20 or total + size > limit:
                continue
            dst = os.path.join(dest, os.path.relpath(src, "/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            try:
                shutil.copy2(src, dst)
            except OSError:
                continue
            total += size
            if total >= limit * 0.995:
                print(total)
                sys.exit(0)
print(total)
