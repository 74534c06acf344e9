/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "log.h"
#include "stub.h"

const char *log_status_to_string(EFI_STATUS s) {
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

/* ConOut wants CHAR16; lines are short ASCII, so they are widened in chunks on the stack. */
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

/* The formatted line into w; a line too long for it is cut, never dropped. */
static void format(struct pb_writer *w, const char *fmt, va_list ap) {
        for (const char *p = fmt; *p; p++) {
                if (*p != '%') {
                        pb_writer_put(w, p, 1);
                        continue;
                }
                bool z = p[1] == 'z';
                if (z)
                        p++;
                switch (*++p) {
                case 's':
                        /* Byte by byte: what fits of a long URL or reason is kept. */
                        for (const char *s = va_arg(ap, const char *) ?: "(null)"; *s; s++)
                                pb_writer_put(w, s, 1);
                        break;
                case 'u':
                        pb_writer_put_uint(w, z ? va_arg(ap, size_t) : va_arg(ap, unsigned), 10, 1, false);
                        break;
                case 'x':
                        pb_writer_put_uint(w, z ? va_arg(ap, size_t) : va_arg(ap, unsigned), 16, 1, false);
                        break;
                case '%':
                        pb_writer_put_str(w, "%");
                        break;
                default:        /* not ours: the format attribute warns at build time */
                        return;
                }
        }
}

static void log_line(EFI_STATUS status, const char *fmt, va_list ap) {
        char line[512] = {};
        struct pb_writer w = pb_writer_make(line, sizeof line);

        pb_writer_put_str(&w, "pullboot-stub: ");
        format(&w, fmt, ap);
        if (status != EFI_SUCCESS) {
                pb_writer_put_str(&w, ": ");
                pb_writer_put_str(&w, log_status_to_string(status));
                pb_writer_put_str(&w, " (0x");
                pb_writer_put_uint(&w, status, 16, 1, false);
                pb_writer_put_str(&w, ")");
        }
        (void) pb_writer_finish_str(&w);
        con_put(line);
        con_put("\r\n");
}

EFI_STATUS log_error_status(EFI_STATUS status, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_line(status, fmt, ap);
        va_end(ap);
        return status;
}

void log_info(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_line(EFI_SUCCESS, fmt, ap);
        va_end(ap);
}
