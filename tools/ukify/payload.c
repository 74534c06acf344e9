/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ukify.h"

size_t ukify_strip_trailing_newlines(char *s, size_t len) {
        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
                s[--len] = 0;
        return len;
}

int ukify_append_initrd(char **buf, size_t *len, const char *data, size_t size) {
        size_t pad = (4 - (*len & 3)) & 3;

        if (size > SIZE_MAX - *len - pad - 1)
                return -EOVERFLOW;
        char *p = realloc(*buf, *len + pad + size + 1);
        if (!p)
                return -ENOMEM;
        memset(p + *len, 0, pad);
        memcpy(p + *len + pad, data, size);
        *buf = p;
        *len += pad + size;
        return 0;
}

/* x86 boot protocol: the setup header's "HdrS" magic at 0x202, protocol version at 0x206, and
 * kernel_version at 0x20e, an offset from 0x200 to a string that begins with the release. */
#define SETUP_MAGIC_OFFSET 0x202
#define SETUP_VERSION_OFFSET 0x206
#define SETUP_KERNEL_VERSION_OFFSET 0x20e
#define SETUP_BASE 0x200

int ukify_kernel_release(const uint8_t *kernel, size_t size, char *buf, size_t buf_size) {
        if (size < SETUP_KERNEL_VERSION_OFFSET + 2 || memcmp(kernel + SETUP_MAGIC_OFFSET, "HdrS", 4) != 0)
                return -ENODATA;
        /* kernel_version exists since protocol 2.00. */
        if (pb_le16(kernel + SETUP_VERSION_OFFSET) < 0x200)
                return -ENODATA;
        uint16_t ptr = pb_le16(kernel + SETUP_KERNEL_VERSION_OFFSET);
        if (ptr == 0)
                return -ENODATA;
        size_t start = SETUP_BASE + (size_t) ptr, n = 0;
        while (start + n < size && n + 1 < buf_size) {
                char c = (char) kernel[start + n];
                if (c == ' ' || c == 0)
                        break;
                if (c < 0x21 || c > 0x7e)
                        return -ENODATA;
                buf[n++] = c;
        }
        if (n == 0 || start + n >= size || n + 1 >= buf_size)
                return -ENODATA;
        buf[n] = 0;
        return 0;
}
