/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for common/credential.c: the input is tried both as a kernel command line and as
 * an SMBIOS type 11 structure; every value returned must lie inside the input.
 */
#include <stddef.h>
#include <stdint.h>

#include "credential.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                            \
        do {                                \
                if (!(x))                   \
                        __builtin_trap();   \
        } while (0)

static bool within(struct pb_span s, struct pb_span outer) {
        return s.ptr >= outer.ptr && s.ptr + s.len <= outer.ptr + outer.len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const names[] = { "import.pull", "a", "" };
        struct pb_span in = pb_span_make((const char *) data, size);

        for (size_t i = 0; i < PB_ELEMENTSOF(names); i++) {
                struct pb_credential c = {};
                struct pb_diag diag = {};

                int r = pb_credential_from_cmdline(in, names[i], &c);
                CHECK(r == 0 || r == 1);
                if (r == 1)
                        CHECK(within(c.value, in));

                r = pb_credential_from_smbios11(in, names[i], &c, &diag);
                CHECK(r == 0 || r == 1 || r == -EBADMSG);
                if (r == 1)
                        CHECK(within(c.value, in) && c.value.ptr >= in.ptr + 5);
                if (r < 0)
                        CHECK(diag.reason && (diag.where.len == 0 || within(diag.where, in)));
        }
        (void) pb_credential_name_valid(in);
        return 0;
}
