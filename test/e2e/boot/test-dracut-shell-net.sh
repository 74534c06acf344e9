#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut without systemd, with its own network module (network-legacy, dhclient): see
# test-dracut-shell-raw.sh.
DRACUT_FLAVOUR=shell-net exec "$(dirname "$0")/test-dracut-shell-raw.sh"
