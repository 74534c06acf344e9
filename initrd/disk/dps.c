/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "dps.h"
#include "strverscmp.h"

/* Root and /usr partition types of the Discoverable Partitions Specification, per architecture
 * (the names are those of the specification and of systemd's --architecture=). */
static const struct {
        const char *arch;
        pb_guid type[_DPS_DESIGNATOR_MAX];
} dps_types[] = {
        { "x86-64", {
                [DPS_ROOT] = PB_GUID_INIT(0x4f68bce3, 0xe8cd, 0x4db1, 0x96, 0xe7, 0xfb, 0xca, 0xf9, 0x84, 0xb7, 0x09),
                [DPS_USR] = PB_GUID_INIT(0x8484680c, 0x9521, 0x48c6, 0x9c, 0x11, 0xb0, 0x72, 0x06, 0x56, 0xf6, 0x9e),
        } },
        { "x86", {
                [DPS_ROOT] = PB_GUID_INIT(0x44479540, 0xf297, 0x41b2, 0x9a, 0xf7, 0xd1, 0x31, 0xd5, 0xf0, 0x45, 0x8a),
                [DPS_USR] = PB_GUID_INIT(0x75250d76, 0x8cc6, 0x458e, 0xbd, 0x66, 0xbd, 0x47, 0xcc, 0x81, 0xa8, 0x12),
        } },
        { "arm64", {
                [DPS_ROOT] = PB_GUID_INIT(0xb921b045, 0x1df0, 0x41c3, 0xaf, 0x44, 0x4c, 0x6f, 0x28, 0x0d, 0x3f, 0xae),
                [DPS_USR] = PB_GUID_INIT(0xb0e01050, 0xee5f, 0x4390, 0x94, 0x9a, 0x91, 0x01, 0xb1, 0x71, 0x04, 0xe9),
        } },
        { "arm", {
                [DPS_ROOT] = PB_GUID_INIT(0x69dad710, 0x2ce4, 0x4e3c, 0xb1, 0x6c, 0x21, 0xa1, 0xd4, 0x9a, 0xbe, 0xd3),
                [DPS_USR] = PB_GUID_INIT(0x7d0359a3, 0x02b3, 0x4f0a, 0x86, 0x5c, 0x65, 0x44, 0x03, 0xe7, 0x06, 0x25),
        } },
        { "riscv64", {
                [DPS_ROOT] = PB_GUID_INIT(0x72ec70a6, 0xcf74, 0x40e6, 0xbd, 0x49, 0x4b, 0xda, 0x08, 0xe8, 0xf2, 0x24),
                [DPS_USR] = PB_GUID_INIT(0xbeaec34b, 0x8442, 0x439b, 0xa4, 0x0b, 0x98, 0x43, 0x81, 0xed, 0x09, 0x7d),
        } },
};

#if defined(__x86_64__)
#  define DPS_NATIVE_ARCH "x86-64"
#elif defined(__i386__)
#  define DPS_NATIVE_ARCH "x86"
#elif defined(__aarch64__)
#  define DPS_NATIVE_ARCH "arm64"
#elif defined(__arm__)
#  define DPS_NATIVE_ARCH "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#  define DPS_NATIVE_ARCH "riscv64"
#endif

int dps_type_for_arch(const char *arch, enum dps_designator d, pb_guid *ret) {
        if (!arch || d < 0 || d >= _DPS_DESIGNATOR_MAX)
                return -EINVAL;
        for (size_t i = 0; i < PB_ELEMENTSOF(dps_types); i++)
                if (strcmp(dps_types[i].arch, arch) == 0) {
                        *ret = dps_types[i].type[d];
                        return 0;
                }
        return -ENOENT;
}

int dps_type_native(enum dps_designator d, pb_guid *ret) {
#ifdef DPS_NATIVE_ARCH
        return dps_type_for_arch(DPS_NATIVE_ARCH, d, ret);
#else
        return -EOPNOTSUPP;
#endif
}

int dps_pick(const struct dps_partition *parts, size_t n, const pb_guid *type) {
        int best = -ENOENT;

        for (size_t i = 0; i < n; i++) {
                const struct dps_partition *p = parts + i;

                if (!pb_guid_eq(&p->type, type))
                        continue;
                if (p->attrs & DPS_FLAG_NO_AUTO)
                        continue;
                /* systemd-sysupdate marks free slots with this label. */
                if (strcmp(p->label, "_empty") == 0)
                        continue;
                /* Strictly newer replaces, so of equal versions the first one stays. */
                if (best < 0 || strverscmp_improved(p->label, parts[best].label) > 0)
                        best = (int) i;
        }
        return best;
}
