/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "guid.h"

/*
 * The Discoverable Partitions Specification as gpt-auto applies it to a disk: partition type
 * UUIDs of this architecture, the GPT attribute flags, and which of several candidates wins.
 * Pure functions over a list of partitions, so the rules are testable without a disk.
 */

enum dps_designator {
        DPS_ROOT,
        DPS_USR,
        _DPS_DESIGNATOR_MAX,
};

/* GPT attribute bits with a DPS meaning. */
#define DPS_FLAG_GROWFS    (UINT64_C(1) << 59)
#define DPS_FLAG_READ_ONLY (UINT64_C(1) << 60)
#define DPS_FLAG_NO_AUTO   (UINT64_C(1) << 63)

/* GPT names are 36 UTF-16 code units; as UTF-8 at most 108 bytes. */
#define DPS_LABEL_MAX 109

struct dps_partition {
        unsigned partno;             /* 1-based, as in /dev/loopNpM */
        pb_guid type;
        pb_guid uuid;
        char label[DPS_LABEL_MAX];   /* UTF-8, "" when the entry has no name */
        uint64_t attrs;              /* GPT attribute bits */
        uint64_t start, size;        /* bytes */
};

/* The type UUID for designator on this build's architecture; -EOPNOTSUPP on an architecture
 * without one. */
int dps_type_native(enum dps_designator d, pb_guid *ret);
/* The same for a named architecture ("x86-64", "x86", "arm64", "arm", "riscv64", …); -ENOENT if unknown. */
int dps_type_for_arch(const char *arch, enum dps_designator d, pb_guid *ret);

/* gpt-auto's choice among parts for the given type: partitions of that type, without the
 * no-auto flag, not labelled "_empty"; of these the one whose label is newest by
 * strverscmp_improved(), the first one on ties. Returns its index, or -ENOENT. */
int dps_pick(const struct dps_partition *parts, size_t n, const pb_guid *type);
