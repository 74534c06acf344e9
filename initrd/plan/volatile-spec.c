/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* systemd.volatile= and pullboot.overlay= -> struct volatile_spec. Pure: no I/O, no allocation. */
#include "cmdline.h"
#include "volatile-root.h"

static const char *const mode_names[_VOLATILE_MODE_MAX] = {
        [VOLATILE_NO] = "no",
        [VOLATILE_YES] = "yes",
        [VOLATILE_STATE] = "state",
        [VOLATILE_OVERLAY] = "overlay",
};

const char *volatile_mode_to_string(enum volatile_mode m) {
        return m >= 0 && m < _VOLATILE_MODE_MAX ? mode_names[m] : NULL;
}

int volatile_mode_from_string(struct pb_span s, enum volatile_mode *ret) {
        int b = pb_parse_boolean(s);

        if (b >= 0)
                *ret = b ? VOLATILE_YES : VOLATILE_NO;
        else if (pb_span_eq(s, "state"))
                *ret = VOLATILE_STATE;
        else if (pb_span_eq(s, "overlay"))
                *ret = VOLATILE_OVERLAY;
        else
                return -EINVAL;
        return 0;
}

bool volatile_mode_protects_image(enum volatile_mode m) {
        return m == VOLATILE_YES || m == VOLATILE_OVERLAY;
}

/* systemd reads the key with "value optional": a bare word counts as found, but only a word
 * with '=' replaces the value, so "systemd.volatile=state systemd.volatile" stays "state". */
static void parse_volatile(struct pb_span cmdline, struct volatile_spec *ret, bool *ret_given) {
        struct pb_cmdline_iter it;
        struct pb_cmdline_arg arg;
        struct pb_span value = PB_SPAN_NULL;
        bool found = false, has_value = false;

        pb_cmdline_iter_init(&it, cmdline);
        while (pb_cmdline_next(&it, &arg) > 0) {
                if (!pb_cmdline_key_matches(&arg, "systemd.volatile", 0))
                        continue;
                found = true;
                if (arg.has_value) {
                        value = arg.value;
                        has_value = true;
                }
        }
        *ret_given = found;
        if (!found)
                return;
        if (!has_value) {
                ret->mode = VOLATILE_YES;
                return;
        }
        if (volatile_mode_from_string(value, &ret->mode) < 0) {
                struct pb_writer w = pb_writer_make(ret->ignored, sizeof ret->ignored - 1);
                bool cut = value.len > 64;

                ret->mode = VOLATILE_NO;
                pb_writer_put_str(&w, "unknown value '");
                pb_writer_put_span(&w, pb_span_make(value.ptr, cut ? 64 : value.len));
                pb_writer_put_str(&w, cut ? "...'" : "'");
                ret->ignored[w.len] = '\0';
        }
}

static bool is_partition_kind(enum root_kind k) {
        return k == ROOT_DEVICE || k == ROOT_UUID || k == ROOT_PARTUUID || k == ROOT_LABEL || k == ROOT_PARTLABEL;
}

int volatile_spec_from_cmdline(struct pb_span cmdline, struct volatile_spec *ret, struct pb_diag *diag) {
        struct pb_cmdline_arg arg;
        bool given;
        int r;

        *ret = (struct volatile_spec) { .mode = VOLATILE_NO };
        root_spec_init(&ret->upper);
        parse_volatile(cmdline, ret, &given);

        if (pb_cmdline_get(cmdline, "pullboot.overlay", PB_CMDLINE_IN_INITRD, &arg) <= 0 || arg.value.len == 0)
                return 0;
        /* root=-style values, but only those that name a partition. */
        r = root_spec_set_what(&ret->upper, arg.value, NULL);
        if (r < 0 || !is_partition_kind(ret->upper.kind))
                return pb_diag_set(diag, r == -ENAMETOOLONG ? r : -EINVAL, "pullboot.overlay= names a partition: "
                                   "PARTLABEL=, PARTUUID=, UUID=, LABEL= or a /dev path", arg.word);
        if (given && !ret->ignored[0] && ret->mode != VOLATILE_OVERLAY)
                return pb_diag_set(diag, -EINVAL, "pullboot.overlay= is an overlay upper; it needs "
                                   "systemd.volatile=overlay (or no systemd.volatile=)", arg.word);
        ret->mode = VOLATILE_OVERLAY;
        ret->ignored[0] = '\0';
        return 0;
}
