/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/*
 * How much memory decompressing one image may take. A compressed header can ask for gigabytes
 * (zstd --long=31, an xz dictionary of 1.5 GiB) in a few bytes; in the initrd, which lives in RAM,
 * granting that ends in the OOM killer instead of a message. By default a quarter of
 * MemAvailable, and never less than MEMLIMIT_FLOOR, which every usual image fits (xz -9 needs
 * 65 MiB, zstd --long 128 MiB).
 */

#define MEMLIMIT_FLOOR (UINT64_C(128) << 20)

/* From meminfo (the contents of /proc/meminfo; NULL: read it). */
uint64_t memlimit_default(const char *meminfo);
