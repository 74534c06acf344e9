#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lazy root from a multi-block-xz image: see lazy-seekable.sh.
exec "$(dirname "$0")/lazy-seekable.sh" xz
