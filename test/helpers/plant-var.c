/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * plant-var VARS NAME GUID ATTRS TEXT: writes an EFI variable into an edk2 VARS file, TEXT as
 * UTF-16LE with a NUL, with the given attributes (hex). The boot tests use it to plant what a root
 * user of an earlier boot could have left behind, e.g. a non-volatile (0x7) StubDeviceURL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootcfg.h"
#include "guid.h"
#include "utf16.h"

int main(int argc, char **argv) {
        struct bootcfg_backend *b = NULL;
        uint8_t data[4096];
        size_t size;
        pb_guid guid;
        char *end;
        int r;

        if (argc != 6) {
                fprintf(stderr, "usage: plant-var VARS NAME GUID ATTRS-HEX TEXT\n");
                return 2;
        }
        unsigned long attrs = strtoul(argv[4], &end, 16);
        if (*end || pb_guid_parse(pb_span_from_str(argv[3]), &guid) < 0 ||
            pb_utf8_to_ucs2le(pb_span_from_str(argv[5]), data, sizeof data, &size) < 0) {
                fprintf(stderr, "plant-var: bad GUID, attributes or text\n");
                return 2;
        }
        r = bootcfg_backend_varstore_new(argv[1], &b);
        if (r >= 0)
                r = b->set(b, argv[2], &guid, (uint32_t) attrs, data, size);
        if (r >= 0)
                r = b->commit(b);
        bootcfg_backend_free(b);
        if (r < 0) {
                fprintf(stderr, "plant-var: cannot write %s to %s: %s\n", argv[2], argv[1], strerror(-r));
                return 1;
        }
        return 0;
}
