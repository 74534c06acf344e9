/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test helper: writes a boot entry Boot0001 first in BootOrder of an OVMF VARS file. Uses common/
 * directly so the stub's e2e tests do not depend on the command line of any tool.
 *
 *   boot-entry VARS uri URL
 *      Uri(URL)/End: the firmware goes straight to HTTP boot instead of spending a minute on PXE.
 *   boot-entry VARS disk PARTUUID START-LBA SIZE-LBA PATH [OPTIONS]
 *      HD(1,GPT,PARTUUID,START,SIZE)/File(PATH)/End with OPTIONS (if given) as UTF-16 optional data,
 *      which the firmware hands to the image as its load options.
 *   boot-entry VARS loader-var NAME VALUE
 *      Sets NAME under systemd's loader GUID, non-volatile, as a UTF-16 string: a value a boot
 *      loader would have set before the stub runs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootvars.h"
#include "devpath.h"
#include "guid.h"
#include "loadopt.h"
#include "utf16.h"
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

        bool uri = argc == 4 && strcmp(argv[2], "uri") == 0;
        bool disk = (argc == 7 || argc == 8) && strcmp(argv[2], "disk") == 0;
        bool var = argc == 5 && strcmp(argv[2], "loader-var") == 0;
        uint8_t optdata[4096];
        size_t optsize = 0;

        if (!uri && !disk && !var) {
                fprintf(stderr, "usage: %s VARS uri URL\n"
                                "       %s VARS disk PARTUUID START-LBA SIZE-LBA PATH [OPTIONS]\n"
                                "       %s VARS loader-var NAME VALUE\n", argv[0], argv[0], argv[0]);
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

        if (var) {
                static const pb_guid loader = PB_LOADER_GUID_INIT;

                r = pb_utf8_to_ucs2le(pb_span_from_str(argv[4]), optdata, sizeof optdata, &optsize);
                if (r >= 0)
                        r = pb_varstore_set(&vs, argv[3], &loader, PB_VAR_ATTR_NV, optdata, optsize);
                if (r < 0) {
                        fprintf(stderr, "cannot set %s: %s\n", argv[3], strerror(-r));
                        fclose(f);
                        return 1;
                }
                goto write;
        }

        if (uri) {
                pb_dp_put_uri(&wdp, pb_span_from_str(argv[3]));
                r = 0;
        } else {
                struct pb_dp_hd hd = {
                        .partition_number = 1,
                        .start_lba = strtoull(argv[4], NULL, 0),
                        .size_lba = strtoull(argv[5], NULL, 0),
                        .mbr_type = 2,
                        .signature_type = 2,
                };
                pb_guid g;

                r = pb_guid_parse(pb_span_from_str(argv[3]), &g);
                if (r >= 0) {
                        memcpy(hd.signature, g.b, 16);
                        pb_dp_put_hd(&wdp, &hd);
                        r = pb_dp_put_filepath(&wdp, pb_span_from_str(argv[6]));
                }
                if (r >= 0 && argc == 8)
                        r = pb_utf8_to_ucs2le(pb_span_from_str(argv[7]), optdata, sizeof optdata, &optsize);
        }
        pb_dp_put_end(&wdp);
        if (r >= 0)
                r = pb_writer_status(&wdp);
        if (r >= 0)
                r = pb_loadopt_build(&wopt, PB_LOAD_OPTION_ACTIVE, pb_span_from_str("pullboot stub e2e"),
                                     dp, wdp.len, optsize ? optdata : NULL, optsize);
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

write:
        if (fseek(f, 0, SEEK_SET) != 0 || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
                fprintf(stderr, "%s: write failed: %s\n", argv[1], strerror(errno));
                return 1;
        }
        return 0;
}
