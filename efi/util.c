/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stub.h"
#include "devpath.h"
#include "utf16.h"

EFI_SYSTEM_TABLE *pb_st;

/* The compiler may emit calls to these even in freestanding code (struct copies, zeroing); there
 * is no libc, so they are defined here. Byte loops keep them tiny; nothing here is hot. */
void *memcpy(void *restrict dest, const void *restrict src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *restrict dest, const void *restrict src, size_t n) {
        uint8_t *d = dest;
        const uint8_t *s = src;
        while (n--)
                *d++ = *s++;
        return dest;
}

void *memmove(void *dest, const void *src, size_t n) {
        uint8_t *d = dest;
        const uint8_t *s = src;
        if (d == s || n == 0)
                return dest;
        if (d < s) {
                while (n--)
                        *d++ = *s++;
        } else {
                d += n;
                s += n;
                while (n--)
                        *--d = *--s;
        }
        return dest;
}

void *memset(void *s, int c, size_t n) {
        uint8_t *p = s;
        while (n--)
                *p++ = (uint8_t) c;
        return s;
}

int memcmp(const void *a, const void *b, size_t n) {
        const uint8_t *x = a, *y = b;
        for (; n > 0; n--, x++, y++)
                if (*x != *y)
                        return *x < *y ? -1 : 1;
        return 0;
}

void *stub_alloc(size_t size) {
        void *p = NULL;
        if (PB_BS->AllocatePool(EfiLoaderData, size, &p) != EFI_SUCCESS)
                return NULL;
        return p;
}

void stub_free(void *p) {
        if (p)
                PB_BS->FreePool(p);
}

CHAR16 *stub_utf8_to_char16(struct pb_span s, size_t *ret_size) {
        CHAR16 *buf;
        size_t n_units, len = 0;

        if (s.len > SIZE_MAX / sizeof(CHAR16) - 1)
                return NULL;
        /* UTF-8 never yields more UCS-2 units than bytes. */
        n_units = s.len + 1;
        buf = stub_alloc(n_units * sizeof(CHAR16));
        if (!buf)
                return NULL;
        if (pb_utf8_to_ucs2(s, buf, n_units, &len) < 0) {
                stub_free(buf);
                return NULL;
        }
        buf[len] = 0;
        if (ret_size)
                *ret_size = (len + 1) * sizeof(CHAR16);
        return buf;
}

/* The firmware gives no size with a device path; max only bounds the walk, which reads node
 * headers up to End-Entire and nothing past it. */
size_t stub_device_path_size(const EFI_DEVICE_PATH *dp, size_t max) {
        size_t len;

        if (!dp || pb_dp_validate((const uint8_t *) dp, max, &len) < 0)
                return 0;
        return len;
}
