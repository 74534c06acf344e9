/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test helper: writes a URI boot entry (Boot#### with device path Uri(URL)/End) first in BootOrder
 * of an OVMF VARS file, so the firmware goes straight to HTTP boot. Uses common/ directly so the
 * stub's e2e test does not depend on the command line of any tool.
 *
 * Usage: uri-entry VARS-FILE URL
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootvars.h"
#include "devpath.h"
#include "loadopt.h"
#include "varstore.h"

#define ENTRY_NUMBER 0x0001
#define VARS_MAX (16u << 20)

int main(int argc, char **argv) {
        static uint8_t buf[VARS_MAX];
        static const pb_guid global = PB_GLOBAL_GUID_INIT;
        uint8_t dp[8192], opt[16384], order[2];
        struct pb_writer wdp = pb_writer_make(dp, sizeof dp), wopt = pb_writer_make(opt, sizeof opt);
        struct pb_diag diag = {};
        struct pb_varstore vs;
        char name[16];
        FILE *f;
        size_t n;
        int r;

        if (argc != 3) {
                fprintf(stderr, "usage: %s VARS-FILE URL\n", argv[0]);
                return 2;
        }
        f = fopen(argv[1], "r+b");
        if (!f) {
                fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        n = fread(buf, 1, sizeof buf, f);
        if (ferror(f) || n == sizeof buf) {
                fprintf(stderr, "%s: cannot read (or larger than %u bytes)\n", argv[1], VARS_MAX);
                fclose(f);
                return 1;
        }
        r = pb_varstore_open(&vs, buf, n, &diag);
        if (r < 0) {
                fprintf(stderr, "%s: not an edk2 variable store: %s\n", argv[1], diag.reason ? diag.reason : "?");
                fclose(f);
                return 1;
        }

        pb_dp_put_uri(&wdp, pb_span_from_str(argv[2]));
        pb_dp_put_end(&wdp);
        r = pb_writer_status(&wdp);
        if (r >= 0)
                r = pb_loadopt_build(&wopt, PB_LOAD_OPTION_ACTIVE, pb_span_from_str("pullboot stub e2e"),
                                     dp, wdp.len, NULL, 0);
        if (r < 0) {
                fprintf(stderr, "cannot build the load option: %s\n", strerror(-r));
                fclose(f);
                return 1;
        }

        snprintf(name, sizeof name, "Boot%04X", ENTRY_NUMBER);
        pb_put_le16(order, ENTRY_NUMBER);
        r = pb_varstore_set(&vs, name, &global, PB_VAR_ATTR_NV, opt, wopt.len);
        if (r >= 0)
                r = pb_varstore_set(&vs, "BootOrder", &global, PB_VAR_ATTR_NV, order, sizeof order);
        if (r < 0) {
                fprintf(stderr, "cannot write the boot entry: %s\n", strerror(-r));
                fclose(f);
                return 1;
        }

        if (fseek(f, 0, SEEK_SET) != 0 || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
                fprintf(stderr, "%s: write failed: %s\n", argv[1], strerror(errno));
                return 1;
        }
        return 0;
}
