/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Version comparison with the semantics of systemd's strverscmp_improved() (used to pick the
 * newest of several partitions by label, and by the Boot Loader / Version Format specification):
 * segments of digits or letters, compared numerically/lexically, with the prefixes
 * '~' (pre-release, oldest) < '-' (release separator) < '^' (patch) < '.' (point release) < none.
 * Other characters only separate segments. NULL compares like "".
 * Returns <0, 0, >0 like strcmp.
 */
int strverscmp_improved(const char *a, const char *b);
