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

const char *stub_status_str(EFI_STATUS s) {
        switch (s) {
        case EFI_SUCCESS: return "success";
        case EFI_LOAD_ERROR: return "load error";
        case EFI_INVALID_PARAMETER: return "invalid parameter";
        case EFI_UNSUPPORTED: return "unsupported";
        case EFI_BAD_BUFFER_SIZE: return "bad buffer size";
        case EFI_BUFFER_TOO_SMALL: return "buffer too small";
        case EFI_NOT_READY: return "not ready";
        case EFI_DEVICE_ERROR: return "device error";
        case EFI_WRITE_PROTECTED: return "write protected";
        case EFI_OUT_OF_RESOURCES: return "out of resources";
        case EFI_NOT_FOUND: return "not found";
        case EFI_ACCESS_DENIED: return "access denied";
        case EFI_ALREADY_STARTED: return "already started";
        case EFI_ABORTED: return "aborted";
        case EFI_SECURITY_VIOLATION: return "security violation";
        default: return "error";
        }
}

/* ConOut wants CHAR16; messages are short ASCII, so they are widened in chunks on the stack. */
static void con_put(const char *s) {
        CHAR16 buf[128];
        size_t n = 0;

        if (!pb_st || !pb_st->ConOut)
                return;
        for (;; s++) {
                if (*s == 0 || n == PB_ELEMENTSOF(buf) - 1) {
                        buf[n] = 0;
                        pb_st->ConOut->OutputString(pb_st->ConOut, buf);
                        n = 0;
                        if (*s == 0)
                                return;
                }
                /* Non-ASCII bytes (from URLs or section data) become '?' rather than garbage. */
                buf[n++] = (*s >= 0x20 && *s < 0x7f) || *s == '\r' || *s == '\n' ? (CHAR16) *s : u'?';
        }
}

void stub_log(const char *msg) {
        con_put("pullboot-stub: ");
        con_put(msg);
        con_put("\r\n");
}

void stub_error(const char *msg, const char *what, EFI_STATUS status) {
        char code[24];
        struct pb_writer w = pb_writer_make(code, sizeof code);

        con_put("pullboot-stub: ");
        con_put(msg);
        if (what) {
                con_put(": ");
                con_put(what);
        }
        if (status != EFI_SUCCESS) {
                con_put(": ");
                con_put(stub_status_str(status));
                pb_writer_put_str(&w, " (0x");
                pb_writer_put_uint(&w, status, 16, 1, false);
                pb_writer_put_str(&w, ")");
                if (pb_writer_finish_str(&w) == 0)
                        con_put(code);
        }
        con_put("\r\n");
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
