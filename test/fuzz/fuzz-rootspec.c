/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzzes root= parsing (initrd/plan/root-spec.c): parse, render, re-parse must agree. */
#include <stdint.h>
#include <string.h>

#include "root.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct root_spec spec, again;
        struct pb_diag d = {};
        char what[ROOT_WHAT_MAX + 32], ref[256], line[ROOT_WHAT_MAX + 64];
        unsigned part;

        if (root_spec_from_cmdline(pb_span_make((const char *) data, size), &spec, &d) < 0) {
                /* A diag always points into the input. */
                if (d.where.ptr && (d.where.ptr < (const char *) data ||
                                    d.where.ptr + d.where.len > (const char *) data + size))
                        __builtin_trap();
                return 0;
        }
        (void) root_spec_read_only(&spec);
        (void) root_spec_loop_ref(&spec, ref, sizeof ref, &part);
        if (spec.kind == ROOT_UNSET || root_spec_format_what(&spec, what, sizeof what) < 0)
                return 0;

        /* What we render, we accept again as the same root. Values with separators (the kernel
         * also splits at 0xa0) or quotes cannot be written back unquoted: check only plain ones. */
        for (const unsigned char *c = (const unsigned char *) what; *c; c++)
                if (*c <= ' ' || *c == '"' || *c == 0x7f || *c == 0xa0)
                        return 0;
        if (strlen(what) + 5 >= sizeof line)
                return 0;
        memcpy(line, "root=", 5);
        memcpy(line + 5, what, strlen(what) + 1);
        root_spec_init(&again);
        if (root_spec_from_cmdline(pb_span_from_str(line), &again, NULL) < 0 || again.kind != spec.kind ||
            strcmp(again.what, spec.what) != 0)
                __builtin_trap();
        return 0;
}
