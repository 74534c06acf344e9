/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * initrd/store/store.c for real, run by test-store-setup.sh in a mount namespace of its own: sets up the
 * store the kernel command line CMDLINE names (pullboot.store=, pullboot.store-format=) for the
 * targets given, as `pullboot init` does, and exits 0, or 1 after store_setup() logged why.
 * Usage: test-store-setup CMDLINE TARGET...
 */
#include <stdio.h>

#include "log.h"
#include "store.h"

int main(int argc, char **argv) {
        struct store_spec spec;
        struct store s;
        struct pb_diag diag = {};

        if (argc < 3) {
                fprintf(stderr, "usage: test-store-setup CMDLINE TARGET...\n");
                return 2;
        }
        log_set_program("pullboot");
        if (store_spec_from_cmdline(pb_span_from_str(argv[1]), &spec, &diag) < 0) {
                fprintf(stderr, "invalid: %s\n", diag.reason);
                return 2;
        }
        if (store_setup(&spec, argv + 2, (size_t) argc - 2, NULL, false, 0, &s) < 0)
                return 1;
        store_done(&s);
        return 0;
}
