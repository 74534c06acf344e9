/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/*
 * mount(8)-style option strings ("noatime,ro,data=ordered") split into the MS_* flags of
 * mount(2) and the file-system-specific rest. fstab-only options (defaults, auto, noauto,
 * nofail, _netdev, user, nouser, x-*) are dropped.
 */
int mount_options_parse(const char *options, unsigned long *flags, char *data, size_t size);
