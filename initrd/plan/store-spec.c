/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pullboot.store= and pullboot.store-format= -> struct store_spec; the tmpfs store's size. Pure. */
#include "cmdline.h"
#include "store.h"

#define MIB (1024ULL * 1024ULL)

static const char *const kind_names[_STORE_KIND_MAX] = {
        [STORE_TMPFS] = "tmpfs",
        [STORE_DISK] = "disk",
};

const char *store_kind_to_string(enum store_kind k) {
        return k >= 0 && k < _STORE_KIND_MAX ? kind_names[k] : NULL;
}

static bool names_partition(enum root_kind k) {
        return k == ROOT_DEVICE || k == ROOT_UUID || k == ROOT_PARTUUID || k == ROOT_LABEL || k == ROOT_PARTLABEL;
}

int store_spec_from_cmdline(struct pb_span cmdline, struct store_spec *ret, struct pb_diag *diag) {
        struct pb_cmdline_arg arg;
        int r;

        *ret = (struct store_spec) { .kind = STORE_TMPFS };
        root_spec_init(&ret->device);

        if (pb_cmdline_get(cmdline, "pullboot.store", PB_CMDLINE_IN_INITRD, &arg) > 0 && arg.value.len > 0 &&
            !pb_span_eq(arg.value, "tmpfs")) {
                r = root_spec_set_what(&ret->device, arg.value, NULL);
                if (r < 0 || !names_partition(ret->device.kind))
                        return pb_diag_set(diag, r == -ENAMETOOLONG ? r : -EINVAL, "pullboot.store= names a "
                                           "partition (PARTLABEL=, PARTUUID=, UUID=, LABEL= or a /dev path) "
                                           "or is 'tmpfs'", arg.word);
                ret->kind = STORE_DISK;
        }

        if (pb_cmdline_get(cmdline, "pullboot.store-format", PB_CMDLINE_IN_INITRD, &arg) > 0) {
                /* A bare word means yes, as systemd reads boolean switches. */
                r = arg.has_value ? pb_parse_boolean(arg.value) : 1;
                if (r < 0)
                        return pb_diag_set(diag, -EINVAL, "pullboot.store-format= is yes or no", arg.word);
                if (r > 0 && ret->kind != STORE_DISK)
                        return pb_diag_set(diag, -EINVAL, "pullboot.store-format=yes formats the partition "
                                           "pullboot.store= names; there is none", arg.word);
                ret->format = r > 0;
        }
        return 0;
}

uint64_t store_tmpfs_size(uint64_t mem_total, uint64_t needed) {
        uint64_t cap = mem_total / 10 * 9, margin;

        if (needed == 0)
                return mem_total / 4 * 3;
        margin = needed / 16 > 16 * MIB ? needed / 16 : 16 * MIB;
        if (needed > cap || margin > cap - needed)
                return cap;
        return needed + margin;
}
