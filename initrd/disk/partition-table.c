/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup-blkid.h"
#include "macro.h"
#include "partition-table.h"

static void parse_guid_or_null(const char *s, pb_guid *ret) {
        if (!s || pb_guid_parse(pb_span_from_str(s), ret) < 0)
                *ret = (pb_guid) {};
}

int partition_table_read(int fd, struct dps_partition **ret, size_t *ret_n) {
        _cleanup_(blkid_free_probep) blkid_probe pr = NULL;
        _cleanup_free_ struct dps_partition *parts = NULL;

        pr = blkid_new_probe();
        if (!pr)
                return -ENOMEM;
        if (blkid_probe_set_device(pr, fd, 0, 0) < 0)
                return -EIO;
        blkid_probe_enable_superblocks(pr, 0);
        blkid_probe_enable_partitions(pr, 1);
        blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);

        /* libblkid returns no list both for "no partition table" and for some errors; a disk
         * we cannot read at all fails in blkid_probe_set_device() above already. */
        blkid_partlist pl = blkid_probe_get_partitions(pr);
        int n = pl ? blkid_partlist_numof_partitions(pl) : 0;
        if (n <= 0) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }

        parts = calloc((size_t) n, sizeof(*parts));
        if (!parts)
                return -ENOMEM;

        size_t k = 0;
        for (int i = 0; i < n; i++) {
                blkid_partition p = blkid_partlist_get_partition(pl, i);
                if (!p)
                        continue;

                struct dps_partition *d = parts + k;
                int partno = blkid_partition_get_partno(p);
                blkid_loff_t start = blkid_partition_get_start(p), size = blkid_partition_get_size(p);
                if (partno <= 0 || start < 0 || size <= 0)
                        continue;

                d->partno = (unsigned) partno;
                /* libblkid counts in 512-byte sectors regardless of the logical sector size. */
                d->start = (uint64_t) start * 512;
                d->size = (uint64_t) size * 512;
                d->attrs = blkid_partition_get_flags(p);
                parse_guid_or_null(blkid_partition_get_type_string(p), &d->type);
                parse_guid_or_null(blkid_partition_get_uuid(p), &d->uuid);

                const char *name = blkid_partition_get_name(p);
                if (name && strlen(name) < sizeof(d->label))
                        strcpy(d->label, name);
                k++;
        }

        *ret = TAKE_PTR(parts);
        *ret_n = k;
        return 0;
}
