/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the initrd reader behind `pullboot-mkinitrd --list` (tools/mkinitrd/cpio.c):
 * any bytes as a (possibly compressed) cpio archive. Besides "no crash", checks the output's
 * shape (absolute paths, newline-terminated) and that nothing is printed when it is refused.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                            \
        do {                                \
                if (!(x))                   \
                        __builtin_trap();   \
        } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return 0;
        int r = initrd_list_buffer(data, size, f);
        CHECK(fclose(f) == 0);
        CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
        CHECK(r == 0 || len == 0);
        /* Each entry is "/PATH" or "/PATH -> TARGET" and a newline. Names may hold newlines
         * themselves, so only the first line's start and the last line's end are certain. */
        CHECK(len == 0 || (text[0] == '/' && text[len - 1] == '\n'));
        free(text);
        return 0;
}
