/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "memlimit.h"

#define MEMINFO_MAX (64 * 1024)

uint64_t memlimit_default(const char *meminfo) {
        _cleanup_free_ char *text = NULL;
        if (!meminfo) {
                if (read_full_file("/proc/meminfo", MEMINFO_MAX, &text, NULL) < 0)
                        return MEMLIMIT_FLOOR;
                meminfo = text;
        }
        const char *p = strstr(meminfo, "MemAvailable:");
        if (!p)
                return MEMLIMIT_FLOOR;
        unsigned long long kib = strtoull(p + strlen("MemAvailable:"), NULL, 10);
        uint64_t quarter = kib > UINT64_MAX / 1024 ? UINT64_MAX / 4 : (uint64_t) kib * 1024 / 4;
        return quarter > MEMLIMIT_FLOOR ? quarter : MEMLIMIT_FLOOR;
}
