/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "base.h"
#include "sha256sums.h"

int sha256_from_hex(const char *s, size_t n, uint8_t ret[32]) {
        if (n != 64)
                return -EINVAL;
        for (unsigned i = 0; i < 32; i++) {
                int hi = pb_hex_digit(s[2 * i]), lo = pb_hex_digit(s[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                ret[i] = (uint8_t) (hi << 4 | lo);
        }
        return 0;
}

void sha256_to_hex(const uint8_t d[32], char ret[65]) {
        static const char digits[] = "0123456789abcdef";
        for (unsigned i = 0; i < 32; i++) {
                ret[2 * i] = digits[d[i] >> 4];
                ret[2 * i + 1] = digits[d[i] & 15];
        }
        ret[64] = 0;
}

/* systemd compares against the hex it prints itself, which is lowercase. */
static bool is_lower_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

static bool line_lists(const char *line, size_t len, const char *name, size_t name_len) {
        static const char *const separators[] = { " *", "  ", " " };

        if (len < 64 || !is_lower_hex(line, 64))
                return false;
        const char *rest = line + 64;
        size_t rest_len = len - 64;
        for (size_t i = 0; i < sizeof separators / sizeof separators[0]; i++) {
                size_t k = strlen(separators[i]);
                if (rest_len == k + name_len && memcmp(rest, separators[i], k) == 0 &&
                    memcmp(rest + k, name, name_len) == 0)
                        return true;
        }
        return false;
}

int sha256sums_find(const char *text, size_t size, const char *name, uint8_t ret[32]) {
        size_t name_len = strlen(name);
        uint8_t found[32], other[32];
        bool have = false;

        if (name_len == 0)
                return -EINVAL;
        for (size_t pos = 0; pos < size;) {
                const char *line = text + pos;
                const char *nl = memchr(line, '\n', size - pos);
                size_t len = nl ? (size_t) (nl - line) : size - pos;

                pos += len + 1;
                if (!line_lists(line, len, name, name_len))
                        continue;
                if (!have) {
                        if (sha256_from_hex(line, 64, found) < 0)
                                return -EINVAL;  /* cannot happen: checked above */
                        have = true;
                } else if (sha256_from_hex(line, 64, other) < 0 || memcmp(found, other, 32) != 0)
                        return -ENOTUNIQ;
        }
        if (!have)
                return -ENOENT;
        memcpy(ret, found, 32);
        return 0;
}
