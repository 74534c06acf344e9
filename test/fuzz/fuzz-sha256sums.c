/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for initrd/pull/sha256sums.c. Input: NAME, '\n', then the checksum list. Besides
 * "no crash" and no read past the list, checks the promise verification relies on: a digest
 * returned for NAME comes from a line of the list that is exactly its hex, a separator and NAME.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pull/sha256sums.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                            \
        do {                                \
                if (!(x))                   \
                        __builtin_trap();   \
        } while (0)

static bool has_line(const char *text, size_t size, const char *line, size_t len) {
        for (size_t pos = 0; pos + len <= size;) {
                const char *nl = memchr(text + pos, '\n', size - pos);
                size_t n = nl ? (size_t) (nl - (text + pos)) : size - pos;
                if (n == len && memcmp(text + pos, line, len) == 0)
                        return true;
                pos += n + 1;
        }
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *nl = memchr(data, '\n', size);
        if (!nl || nl - data > 255)
                return 0;
        char name[256];
        size_t name_len = (size_t) (nl - data);
        memcpy(name, data, name_len);
        name[name_len] = 0;

        /* A copy of exactly the list's bytes, so ASan sees any read past its end. */
        size_t text_size = size - name_len - 1;
        char *text = malloc(text_size ? text_size : 1);
        if (!text)
                return 0;
        memcpy(text, nl + 1, text_size);

        uint8_t d[32];
        int r = sha256sums_find(text, text_size, name, d);
        CHECK(r == 0 || r == -ENOENT || r == -ENOTUNIQ || r == -EINVAL);
        CHECK(r != -EINVAL || strlen(name) == 0);
        if (r == 0) {
                char hex[65], line[64 + 2 + 256];
                sha256_to_hex(d, hex);
                size_t n = strlen(name);
                bool found = false;
                static const char *const seps[] = { " *", "  ", " " };
                for (size_t i = 0; i < 3 && !found; i++) {
                        size_t k = strlen(seps[i]);
                        memcpy(line, hex, 64);
                        memcpy(line + 64, seps[i], k);
                        memcpy(line + 64 + k, name, n);
                        found = has_line(text, text_size, line, 64 + k + n);
                }
                CHECK(found);
        }
        free(text);
        return 0;
}
