/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cmdline.h"
#include "credential.h"

#define SMBIOS_TYPE_OEM_STRINGS 11
/* type, length, handle (2), string count */
#define SMBIOS11_FORMATTED_MIN 5

bool pb_credential_name_valid(struct pb_span name) {
        if (name.len == 0 || name.len > 255)
                return false;
        if (pb_span_eq(name, ".") || pb_span_eq(name, ".."))
                return false;
        for (size_t i = 0; i < name.len; i++)
                if (name.ptr[i] == '/' || name.ptr[i] == 0)
                        return false;
        return true;
}

/* "NAME<sep>VALUE" names `name`? Then the value follows the first separator. */
static bool split_assignment(struct pb_span s, char sep, const char *name, struct pb_span *ret_value) {
        for (size_t i = 0; i < s.len; i++)
                if (s.ptr[i] == sep) {
                        struct pb_span n = pb_span_make(s.ptr, i);
                        if (!pb_credential_name_valid(n) || !pb_span_eq(n, name))
                                return false;
                        *ret_value = pb_span_make(s.ptr + i + 1, s.len - i - 1);
                        return true;
                }
        return false;
}

int pb_credential_from_cmdline(struct pb_span cmdline, const char *name, struct pb_credential *ret) {
        struct pb_cmdline_iter it;
        struct pb_cmdline_arg arg;

        pb_cmdline_iter_init(&it, cmdline);
        while (pb_cmdline_next(&it, &arg) > 0) {
                bool base64;
                if (pb_cmdline_key_matches(&arg, "systemd.set_credential", 0))
                        base64 = false;
                else if (pb_cmdline_key_matches(&arg, "systemd.set_credential_binary", 0))
                        base64 = true;
                else
                        continue;
                struct pb_span value;
                if (!arg.has_value || !split_assignment(arg.value, ':', name, &value))
                        continue;
                *ret = (struct pb_credential) { .value = value, .base64 = base64 };
                return 1;
        }
        return 0;
}

static bool span_starts_with(struct pb_span s, const char *prefix, struct pb_span *ret_rest) {
        size_t n = 0;
        while (prefix[n])
                n++;
        if (s.len < n || pb_memcmp(s.ptr, prefix, n) != 0)
                return false;
        *ret_rest = pb_span_make(s.ptr + n, s.len - n);
        return true;
}

int pb_credential_from_smbios11(struct pb_span raw, const char *name, struct pb_credential *ret,
                                struct pb_diag *diag) {
        const uint8_t *p = (const uint8_t *) raw.ptr;

        if (raw.len < SMBIOS11_FORMATTED_MIN || p[0] != SMBIOS_TYPE_OEM_STRINGS)
                return pb_diag_set(diag, -EBADMSG, "not an SMBIOS type 11 structure", raw);
        if (p[1] < SMBIOS11_FORMATTED_MIN || p[1] > raw.len)
                return pb_diag_set(diag, -EBADMSG, "SMBIOS structure length out of range",
                                   pb_span_make(raw.ptr + 1, 1));

        /* The string set ends at an empty string; a missing final NUL ends it too. */
        size_t pos = p[1];
        while (pos < raw.len) {
                size_t end = pos;
                while (end < raw.len && raw.ptr[end] != 0)
                        end++;
                if (end == pos)
                        break;
                struct pb_span s = pb_span_make(raw.ptr + pos, end - pos), rest, value;
                pos = end + 1;

                bool base64;
                if (span_starts_with(s, "io.systemd.credential:", &rest))
                        base64 = false;
                else if (span_starts_with(s, "io.systemd.credential.binary:", &rest))
                        base64 = true;
                else
                        continue;       /* other OEM strings */
                if (split_assignment(rest, '=', name, &value)) {
                        *ret = (struct pb_credential) { .value = value, .base64 = base64 };
                        return 1;
                }
        }
        return 0;
}
