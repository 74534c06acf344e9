#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The stub must stay small (goal: under 64 KiB; systemd-stub 252 in Debian is about 81 KiB), and
# its last section must be .sbat so sections a UKI builder appends land above the stub's own.
# Usage: test-size.sh STUB
set -eu
stub=$1
size=$(stat -c %s "$stub")
echo "stub size: $size bytes ($(( (size + 1023) / 1024 )) KiB)"
[ "$size" -lt 65536 ] || { echo "FAIL: $stub is $size bytes, over 64 KiB"; exit 1; }
if command -v objdump >/dev/null 2>&1; then
        last=$(objdump -h "$stub" | awk '/^ *[0-9]+ \./ { name = $2 } END { print name }')
        [ "$last" = .sbat ] || { echo "FAIL: last section is '$last', not .sbat"; exit 1; }
        echo "last section: $last"
        objdump -p "$stub" | grep -q 'SectionAlignment[[:space:]]*00001000' ||
                { echo "FAIL: SectionAlignment is not 4096"; exit 1; }
fi
echo PASS
