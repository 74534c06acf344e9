/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* root=, rootfstype=, rootflags=, ro, rw -> struct root_spec. Pure: no I/O, no allocation. */
#include "cmdline.h"
#include "root.h"

static const struct {
        const char *prefix;
        enum root_kind kind;
} root_tags[] = {
        { "UUID=", ROOT_UUID },
        { "PARTUUID=", ROOT_PARTUUID },
        { "LABEL=", ROOT_LABEL },
        { "PARTLABEL=", ROOT_PARTLABEL },
};

void root_spec_init(struct root_spec *spec) {
        *spec = (struct root_spec) { .kind = ROOT_UNSET, .rw = -1 };
}

static int copy_what(struct root_spec *spec, enum root_kind kind, struct pb_span v, struct pb_span whole,
                     struct pb_diag *diag) {
        if (pb_span_copy(v, spec->what, sizeof(spec->what)) < 0)
                return pb_diag_set(diag, -ENAMETOOLONG, "root= value is too long", whole);
        spec->kind = kind;
        return 0;
}

int root_spec_set_what(struct root_spec *spec, struct pb_span value, struct pb_diag *diag) {
        if (value.len == 0) {
                spec->kind = ROOT_UNSET;
                spec->what[0] = '\0';
                return 0;
        }
        for (size_t i = 0; i < value.len; i++)
                if (value.ptr[i] == '\0')
                        return pb_diag_set(diag, -EINVAL, "root= value contains a NUL byte", value);

        if (pb_span_eq(value, "gpt-auto") || pb_span_eq(value, "tmpfs")) {
                spec->what[0] = '\0';
                spec->kind = pb_span_eq(value, "gpt-auto") ? ROOT_GPT_AUTO : ROOT_TMPFS;
                return 0;
        }

        if (pb_span_startswith(value, "bind:")) {
                struct pb_span path = pb_span_make(value.ptr + 5, value.len - 5);
                if (path.len == 0 || path.ptr[0] != '/')
                        return pb_diag_set(diag, -EINVAL, "root=bind: needs an absolute directory path", value);
                return copy_what(spec, ROOT_BIND, path, value, diag);
        }

        for (size_t i = 0; i < PB_ELEMENTSOF(root_tags); i++) {
                size_t n = pb_strlen(root_tags[i].prefix);
                if (!pb_span_startswith(value, root_tags[i].prefix))
                        continue;
                if (value.len == n)
                        return pb_diag_set(diag, -EINVAL, "root= tag without a value", value);
                return copy_what(spec, root_tags[i].kind, pb_span_make(value.ptr + n, value.len - n), value, diag);
        }

        if (value.ptr[0] == '/') {
                if (pb_span_eq(value, "/dev/nfs"))
                        return pb_diag_set(diag, -EINVAL, "root=/dev/nfs (NFS root) is not supported", value);
                return copy_what(spec, ROOT_DEVICE, value, value, diag);
        }

        return pb_diag_set(diag, -EINVAL,
                           "unsupported root= value; expected gpt-auto, tmpfs, bind:PATH, UUID=, PARTUUID=, "
                           "LABEL=, PARTLABEL= or a device path",
                           value);
}

static int append_option(struct root_spec *spec, struct pb_span v, struct pb_span word, struct pb_diag *diag) {
        size_t have = pb_strlen(spec->options);

        if (v.len == 0)
                return 0;
        /* systemd joins repeated rootflags= with ','. */
        if (have + (have > 0) + v.len + 1 > sizeof(spec->options))
                return pb_diag_set(diag, -ENAMETOOLONG, "rootflags= is too long", word);
        if (have > 0)
                spec->options[have++] = ',';
        pb_memcpy(spec->options + have, v.ptr, v.len);
        spec->options[have + v.len] = '\0';
        return 0;
}

int root_spec_from_cmdline(struct pb_span cmdline, struct root_spec *spec, struct pb_diag *diag) {
        struct pb_cmdline_iter it;
        struct pb_cmdline_arg arg;
        int r;

        root_spec_init(spec);
        pb_cmdline_iter_init(&it, cmdline);
        while (pb_cmdline_next(&it, &arg) > 0) {
                if (pb_cmdline_key_matches(&arg, "root", 0)) {
                        /* A bare "root" carries nothing, as in systemd. */
                        if (!arg.has_value)
                                continue;
                        r = root_spec_set_what(spec, arg.value, diag);
                        if (r < 0)
                                return r;
                } else if (pb_cmdline_key_matches(&arg, "rootfstype", 0)) {
                        if (!arg.has_value)
                                continue;
                        if (pb_span_copy(arg.value, spec->fstype, sizeof(spec->fstype)) < 0)
                                return pb_diag_set(diag, -ENAMETOOLONG, "rootfstype= is too long", arg.word);
                } else if (pb_cmdline_key_matches(&arg, "rootflags", 0)) {
                        if (!arg.has_value)
                                continue;
                        r = append_option(spec, arg.value, arg.word, diag);
                        if (r < 0)
                                return r;
                } else if (!arg.has_value && pb_span_eq(arg.word, "ro"))
                        spec->rw = 0;
                else if (!arg.has_value && pb_span_eq(arg.word, "rw"))
                        spec->rw = 1;
        }
        return 0;
}

#define LOOP_REF_PREFIX "/dev/disk/by-loop-ref/"

int root_spec_loop_ref(const struct root_spec *spec, char *ref, size_t size, unsigned *ret_partno) {
        struct pb_span name;
        unsigned partno = 0;

        if (spec->kind != ROOT_DEVICE || !pb_span_startswith(pb_span_from_str(spec->what), LOOP_REF_PREFIX))
                return 0;
        name = pb_span_from_str(spec->what + pb_strlen(LOOP_REF_PREFIX));

        /* "-partN" as udev appends it: N without leading zeros, at most 5 digits. */
        size_t k = name.len;
        while (k > 0 && pb_is_ascii_digit(name.ptr[k - 1]))
                k--;
        size_t digits = name.len - k;
        if (digits >= 1 && digits <= 5 && name.ptr[k] != '0' && k > 5 &&
            pb_span_eq(pb_span_make(name.ptr + k - 5, 5), "-part")) {
                for (size_t i = k; i < name.len; i++)
                        partno = partno * 10 + (unsigned) (name.ptr[i] - '0');
                name.len = k - 5;
        }
        if (pb_span_copy(name, ref, size) < 0)
                return -ENOBUFS;
        if (ret_partno)
                *ret_partno = partno;
        return 1;
}

int root_spec_format_what(const struct root_spec *spec, char *buf, size_t size) {
        struct pb_writer w = pb_writer_make(buf, size);

        switch (spec->kind) {
        case ROOT_UNSET:
                break;
        case ROOT_GPT_AUTO:
                pb_writer_put_str(&w, "gpt-auto");
                break;
        case ROOT_TMPFS:
                pb_writer_put_str(&w, "tmpfs");
                break;
        case ROOT_BIND:
                pb_writer_put_str(&w, "bind:");
                pb_writer_put_str(&w, spec->what);
                break;
        case ROOT_DEVICE:
                pb_writer_put_str(&w, spec->what);
                break;
        default:
                for (size_t i = 0; i < PB_ELEMENTSOF(root_tags); i++)
                        if (root_tags[i].kind == spec->kind)
                                pb_writer_put_str(&w, root_tags[i].prefix);
                pb_writer_put_str(&w, spec->what);
        }
        return pb_writer_finish_str(&w);
}

/* The last "ro" or "rw" in a comma-separated option list: 0 ro, 1 rw, -1 neither. */
static int options_rw(const char *options) {
        int rw = -1;

        for (const char *p = options; *p;) {
                const char *e = p;
                while (*e && *e != ',')
                        e++;
                struct pb_span opt = pb_span_make(p, (size_t) (e - p));
                if (pb_span_eq(opt, "ro"))
                        rw = 0;
                else if (pb_span_eq(opt, "rw"))
                        rw = 1;
                p = *e ? e + 1 : e;
        }
        return rw;
}

bool root_spec_read_only(const struct root_spec *spec) {
        if (spec->rw >= 0)
                return spec->rw == 0;
        int rw = options_rw(spec->options);
        if (rw >= 0)
                return rw == 0;
        return spec->kind != ROOT_TMPFS;
}
