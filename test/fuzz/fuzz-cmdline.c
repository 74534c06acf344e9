/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for common/cmdline.c: walks every argument, looks keys up with every flag
 * combination and checks that all returned spans stay inside the input and inside their word.
 */
#include <stddef.h>
#include <stdint.h>

#include "cmdline.h"

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
        static const char *const keys[] = { "root", "systemd.pull", "x", "rd.x", "--", "" };
        static const unsigned flag_sets[] = { 0, PB_CMDLINE_IN_INITRD, PB_CMDLINE_RD_STRICT,
                                              PB_CMDLINE_IN_INITRD | PB_CMDLINE_RD_STRICT };
        struct pb_span in = pb_span_make((const char *) data, size);
        struct pb_cmdline_iter it;
        struct pb_cmdline_arg arg;
        unsigned n = 0;

        pb_cmdline_iter_init(&it, in);
        while (pb_cmdline_next(&it, &arg) > 0) {
                CHECK(within(arg.word, in));
                CHECK(within(arg.key, in) && within(arg.value, in));
                CHECK(arg.key.ptr == arg.word.ptr);
                CHECK(arg.has_value || arg.value.len == 0);
                for (size_t i = 0; i < arg.key.len; i++)
                        CHECK(arg.key.ptr[i] != 0);
                (void) pb_parse_boolean(arg.value);
                for (size_t k = 0; k < PB_ELEMENTSOF(keys); k++)
                        for (size_t f = 0; f < PB_ELEMENTSOF(flag_sets); f++)
                                (void) pb_cmdline_key_matches(&arg, keys[k], flag_sets[f]);
                CHECK(++n <= size);
        }
        CHECK(pb_cmdline_next(&it, &arg) == 0);

        for (size_t k = 0; k < PB_ELEMENTSOF(keys); k++)
                for (size_t f = 0; f < PB_ELEMENTSOF(flag_sets); f++) {
                        int r = pb_cmdline_get(in, keys[k], flag_sets[f], &arg);
                        CHECK(r == 0 || r == 1);
                        if (r == 1)
                                CHECK(within(arg.word, in) && pb_cmdline_key_matches(&arg, keys[k], flag_sets[f]));
                }

        /* systemd's splitting: words fit a buffer as long as the input and never grow. */
        {
                char buf[4096];
                struct pb_cmdline_sd_iter sd;
                size_t total = 0;

                if (size < sizeof buf) {
                        pb_cmdline_sd_iter_init(&sd, in);
                        while (pb_cmdline_sd_next(&sd, buf, sizeof buf, &arg) > 0) {
                                CHECK(arg.word.ptr == buf && arg.key.ptr == buf);
                                CHECK(arg.word.len < sizeof buf && buf[arg.word.len] == 0);
                                CHECK(!arg.has_value || arg.key.len + 1 + arg.value.len == arg.word.len);
                                total += arg.word.len;
                                CHECK(total <= size);
                        }
                }
        }

        struct pb_span rest = pb_cmdline_init_args(in);
        CHECK(rest.len == 0 || within(rest, in));
        return 0;
}
