/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for common/pe.c: the input is parsed as a file and as a loaded image, every section
 * is looked up and its data touched, and sections are appended. Whatever the writer produces from
 * an accepted input must parse again and carry the new sections: a violation aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUTPUT_MAX (4u << 20)

static unsigned touch(struct pb_span s) {
        unsigned sum = 0;
        for (size_t i = 0; i < s.len; i++)
                sum += (uint8_t) s.ptr[i];
        return sum;
}

static void walk(const uint8_t *data, size_t size, enum pb_pe_view view) {
        struct pb_pe_info pe;
        struct pb_diag diag = {};
        struct pb_span span;
        volatile unsigned sink = 0;

        if (pb_pe_parse(data, size, view, &pe, &diag) < 0) {
                if (!diag.reason)
                        abort();
                return;
        }
        for (unsigned i = 0; i < pe.n_sections; i++) {
                struct pb_pe_section s;
                if (pb_pe_section_get(data, size, &pe, i, &s) < 0)
                        abort();
                if (pb_pe_section_data(data, size, &pe, &s, &span) < 0)
                        abort();
                sink += touch(span);
                struct pb_pe_section t;
                if (s.name[0] && pb_pe_find_section(data, size, &pe, s.name, &t) < 0)
                        abort();
        }
        if (view == PB_PE_MEMORY && pb_pe_memory_section(data, size, ".linux", &span, NULL) == 0)
                sink += touch(span);
        (void) sink;
}

static void append(const uint8_t *data, size_t size) {
        struct pb_pe_info pe, out_pe;
        struct pb_pe_plan plan;
        struct pb_pe_section added[2];
        const struct pb_pe_new_section add[2] = {
                { ".cmdline", 5, PB_PE_SCN_UKI_DATA },
                { ".linux", 0x1001, PB_PE_SCN_UKI_DATA },
        };

        if (pb_pe_parse(data, size, PB_PE_FILE, &pe, NULL) < 0)
                return;
        if (pb_pe_plan_append(data, size, &pe, add, 2, added, &plan, NULL) < 0)
                return;
        if (plan.keep_size > size || plan.output_size < plan.keep_size)
                abort();
        if (plan.output_size > OUTPUT_MAX)
                return;
        uint8_t *out = malloc(plan.output_size);
        if (!out)
                return;
        memcpy(out, data, plan.keep_size);
        if (pb_pe_apply_plan(out, plan.output_size, &pe, added, 2, &plan) < 0)
                abort();
        for (unsigned i = 0; i < 2; i++) {
                if ((uint64_t) added[i].raw_offset + add[i].size > plan.output_size)
                        abort();
                memset(out + added[i].raw_offset, 'A' + i, add[i].size);
        }
        if (pb_pe_parse(out, plan.output_size, PB_PE_FILE, &out_pe, NULL) < 0)
                abort();
        struct pb_pe_section s;
        struct pb_span span;
        if (pb_pe_find_section(out, plan.output_size, &out_pe, ".linux", &s) < 0 ||
            pb_pe_section_data(out, plan.output_size, &out_pe, &s, &span) < 0 || span.len != 0x1001 ||
            span.ptr[0x1000] != 'B' || out_pe.n_sections != pe.n_sections + 2)
                abort();
        free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        walk(data, size, PB_PE_FILE);
        walk(data, size, PB_PE_MEMORY);
        append(data, size);
        return 0;
}
