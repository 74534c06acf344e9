/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test helper for VARS files, independent of pullboot-bootcfg's own code paths:
 *   vstool dump FILE           one line per live variable: NAME GUID ATTRIBUTES HEXDATA
 *   vstool records FILE        one line per record, any state: OFFSET STATE NAME
 *   vstool fill FILE SIZE      add "FillerNNNN" variables of SIZE data bytes until the store is full
 *   vstool delete FILE NAME    delete NAME (any GUID)
 *   vstool set FILE NAME GUID HEX   set NAME under GUID (attributes NV|BS|RT) to the bytes HEX
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "guid.h"
#include "macro.h"
#include "utf16.h"
#include "varstore.h"

static const pb_guid filler_guid =
        PB_GUID_INIT(0xc9401eab, 0xf608, 0x4319, 0xbb, 0x31, 0x27, 0x98, 0x4b, 0x19, 0x0c, 0x66);

static int open_store(const char *path, char **buf, size_t *size, struct pb_varstore *vs) {
        struct pb_diag d = {};
        if (read_full_file(path, 64u << 20, buf, size) < 0) {
                perror(path);
                return -1;
        }
        if (pb_varstore_open(vs, (uint8_t *) *buf, *size, &d) < 0) {
                fprintf(stderr, "%s: %s\n", path, d.reason);
                return -1;
        }
        return 0;
}

int main(int argc, char **argv) {
        struct pb_varstore vs;
        struct pb_varstore_var v;
        /* Freed on every return, so the tool runs clean under LeakSanitizer in ASan builds. */
        _cleanup_free_ char *buf = NULL;
        char name[512], g[PB_GUID_STRING_LEN + 1];
        size_t size, c = 0;

        if (argc < 3 || open_store(argv[2], &buf, &size, &vs) < 0)
                return 2;
        if (strcmp(argv[1], "dump") == 0 || strcmp(argv[1], "records") == 0) {
                bool all = strcmp(argv[1], "records") == 0;
                while ((all ? pb_varstore_next(&vs, &c, &v) : pb_varstore_next_live(&vs, &c, &v)) > 0) {
                        if (pb_ucs2le_to_utf8(v.name, v.name_size, name, sizeof name, NULL) < 0)
                                strcpy(name, "?");
                        if (all) {
                                printf("%zx %02x %s\n", v.offset, v.state, name);
                                continue;
                        }
                        pb_guid_format(&v.guid, g, sizeof g);
                        printf("%s %s %x ", name, g, v.attributes);
                        for (size_t i = 0; i < v.data_size; i++)
                                printf("%02x", v.data[i]);
                        putchar('\n');
                }
                return 0;
        }
        if (strcmp(argv[1], "fill") == 0 && argc == 4) {
                size_t n = strtoul(argv[3], NULL, 0);
                _cleanup_free_ uint8_t *data = calloc(1, n ? n : 1);
                int i, r;
                if (!data)
                        return 1;
                for (i = 0;; i++) {
                        snprintf(name, sizeof name, "Filler%04d", i);
                        r = pb_varstore_set(&vs, name, &filler_guid, 0x7, data, n);
                        if (r < 0)
                                break;
                }
                printf("%d\n", i);
        } else if (strcmp(argv[1], "delete") == 0 && argc == 4) {
                int n = 0;
                while (pb_varstore_next_live(&vs, &c, &v) > 0) {
                        if (pb_ucs2le_to_utf8(v.name, v.name_size, name, sizeof name, NULL) < 0 ||
                            strcmp(name, argv[3]) != 0)
                                continue;
                        if (pb_varstore_delete_ucs2(&vs, v.name, v.name_size, &v.guid) > 0)
                                n++;
                        c = 0;
                }
                if (n == 0) {
                        fprintf(stderr, "%s: no variable %s\n", argv[2], argv[3]);
                        return 1;
                }
        } else if (strcmp(argv[1], "set") == 0 && argc == 6) {
                pb_guid gg;
                size_t n = strlen(argv[5]) / 2;
                _cleanup_free_ uint8_t *data = malloc(n + 1);
                if (!data)
                        return 1;
                if (pb_guid_parse(pb_span_from_str(argv[4]), &gg) < 0)
                        return 2;
                for (size_t i = 0; i < n; i++)
                        data[i] = (uint8_t) (pb_hex_digit(argv[5][2 * i]) << 4 | pb_hex_digit(argv[5][2 * i + 1]));
                if (pb_varstore_set(&vs, argv[3], &gg, 0x7, data, n) < 0)
                        return 1;
        } else {
                fprintf(stderr, "usage: vstool dump|records|fill|delete|set FILE [ARG...]\n");
                return 2;
        }
        if (write_file_atomic(argv[2], buf, size, 0644) < 0) {
                perror(argv[2]);
                return 1;
        }
        return 0;
}
