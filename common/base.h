/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Freestanding basics shared by every common/ module.
 *
 * common/ is compiled into the EFI stub (gnu-efi, no libc) and into userspace, so it may only use
 * freestanding headers. Memory helpers map to compiler builtins; the EFI build provides the few
 * symbols the compiler may still emit (memcpy, memset, memmove, memcmp).
 * Errors are negative errno values; the EFI build has no <errno.h>, so the Linux values are spelled
 * out here when it is missing.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(PULLBOOT_EFI) || !__has_include(<errno.h>)
#  define EPERM 1
#  define ENOENT 2
#  define EIO 5
#  define E2BIG 7
#  define ENOMEM 12
#  define EEXIST 17
#  define EINVAL 22
#  define ENOSPC 28
#  define ERANGE 34
#  define ENAMETOOLONG 36
#  define ENOSYS 38
#  define ENODATA 61
#  define EPROTO 71
#  define EBADMSG 74
#  define EOVERFLOW 75
#  define EILSEQ 84
#  define ENOBUFS 105
#  define EOPNOTSUPP 95
#  define EAFNOSUPPORT 97
#else
#  include <errno.h>
#endif

#define pb_memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define pb_memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define pb_memset(d, c, n) __builtin_memset((d), (c), (n))
#define pb_memcmp(a, b, n) __builtin_memcmp((a), (b), (n))

#define PB_ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* A view into caller-owned bytes; never NUL-terminated by contract. */
struct pb_span {
        const char *ptr;
        size_t len;
};

#define PB_SPAN_NULL ((struct pb_span) { NULL, 0 })

static inline struct pb_span pb_span_make(const char *p, size_t n) {
        return (struct pb_span) { p, n };
}

size_t pb_strlen(const char *s);
size_t pb_strnlen(const char *s, size_t max);
struct pb_span pb_span_from_str(const char *s);
bool pb_span_eq(struct pb_span a, const char *s);          /* exact, s is NUL-terminated */
bool pb_span_eq_span(struct pb_span a, struct pb_span b);
bool pb_span_startswith(struct pb_span a, const char *prefix);
bool pb_span_endswith(struct pb_span a, const char *suffix);
/* Copies the span into buf with a terminating NUL; -ENOBUFS when it does not fit (buf then holds ""). */
int pb_span_copy(struct pb_span a, char *buf, size_t size);

/*
 * Why a parser refused its input: a static human-readable reason and the part of the input it is
 * about (may be empty). Every parser takes an optional `struct pb_diag *` and fills it on error,
 * so callers can print "option 'verify=maybe': unknown verification mode" without the parser
 * doing any I/O.
 */
struct pb_diag {
        const char *reason;
        struct pb_span where;
};

static inline int pb_diag_set(struct pb_diag *d, int err, const char *reason, struct pb_span where) {
        if (d) {
                d->reason = reason;
                d->where = where;
        }
        return err;
}

/* Append-only writer into a caller-provided buffer. Once it overflows it stays overflowed, so a
 * sequence of puts can be checked once at the end. */
struct pb_writer {
        uint8_t *data;
        size_t size;
        size_t len;
        bool overflow;
};

static inline struct pb_writer pb_writer_make(void *buf, size_t size) {
        return (struct pb_writer) { .data = buf, .size = size };
}

void pb_writer_put(struct pb_writer *w, const void *p, size_t n);
void pb_writer_put_u8(struct pb_writer *w, uint8_t v);
void pb_writer_put_le16(struct pb_writer *w, uint16_t v);
void pb_writer_put_le32(struct pb_writer *w, uint32_t v);
void pb_writer_put_le64(struct pb_writer *w, uint64_t v);
void pb_writer_put_str(struct pb_writer *w, const char *s);    /* without NUL */
void pb_writer_put_span(struct pb_writer *w, struct pb_span s);
void pb_writer_put_hex(struct pb_writer *w, const uint8_t *p, size_t n, bool upper);
void pb_writer_put_uint(struct pb_writer *w, uint64_t v, unsigned base, unsigned min_digits, bool upper);
/* Terminates text output with NUL (not counted in len); -ENOBUFS if anything did not fit. */
int pb_writer_finish_str(struct pb_writer *w);
/* -ENOBUFS if anything did not fit, else 0. */
static inline int pb_writer_status(const struct pb_writer *w) {
        return w->overflow ? -ENOBUFS : 0;
}

/* Moves what fits of the input (*p, *n bytes) into buf, whose first *len of size bytes are taken:
 * copies it and advances *p, *n and *len. For code that fills a fixed buffer from chunks of any size. */
static inline void pb_fill(uint8_t *buf, size_t size, size_t *len, const uint8_t **p, size_t *n) {
        size_t k = size - *len;
        if (k > *n)
                k = *n;
        if (k > 0)
                pb_memcpy(buf + *len, *p, k);
        *len += k;
        *p += k;
        *n -= k;
}

static inline uint16_t pb_le16(const uint8_t *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}
static inline uint32_t pb_le32(const uint8_t *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}
static inline uint64_t pb_le64(const uint8_t *p) {
        return (uint64_t) pb_le32(p) | ((uint64_t) pb_le32(p + 4) << 32);
}
static inline void pb_put_le16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
}
static inline void pb_put_le32(uint8_t *p, uint32_t v) {
        for (unsigned i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}
static inline void pb_put_le64(uint8_t *p, uint64_t v) {
        for (unsigned i = 0; i < 8; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

/* Network byte order (the NBD protocol, among others). */
static inline uint32_t pb_be32(const uint8_t *p) {
        return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | (uint32_t) p[3];
}
static inline uint64_t pb_be64(const uint8_t *p) {
        return ((uint64_t) pb_be32(p) << 32) | (uint64_t) pb_be32(p + 4);
}
static inline void pb_put_be16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t) (v >> 8);
        p[1] = (uint8_t) v;
}
static inline void pb_put_be32(uint8_t *p, uint32_t v) {
        for (unsigned i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (24 - 8 * i));
}
static inline void pb_put_be64(uint8_t *p, uint64_t v) {
        pb_put_be32(p, (uint32_t) (v >> 32));
        pb_put_be32(p + 4, (uint32_t) v);
}

static inline bool pb_is_ascii_digit(char c) {
        return c >= '0' && c <= '9';
}
static inline bool pb_is_ascii_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline char pb_ascii_tolower(char c) {
        return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}
int pb_hex_digit(char c); /* 0..15 or -1 */
