/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Minimal assertions for unit tests: print where and what, then exit 1 (meson: FAIL). */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_FAIL(...)                                                           \
        do {                                                                     \
                fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);             \
                fprintf(stderr, __VA_ARGS__);                                    \
                fputc('\n', stderr);                                             \
                exit(1);                                                         \
        } while (0)

#define ASSERT_TRUE(x)                                                           \
        do {                                                                     \
                if (!(x))                                                        \
                        TEST_FAIL("%s", #x);                                     \
        } while (0)

#define ASSERT_EQ(a, b)                                                          \
        do {                                                                     \
                intmax_t _a = (intmax_t) (a), _b = (intmax_t) (b);               \
                if (_a != _b)                                                    \
                        TEST_FAIL("%s == %s: %jd != %jd", #a, #b, _a, _b);      \
        } while (0)

#define ASSERT_STREQ(a, b)                                                       \
        do {                                                                     \
                const char *_a = (a), *_b = (b);                                 \
                if (!_a || !_b || strcmp(_a, _b) != 0)                           \
                        TEST_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,          \
                                  _a ? _a : "(null)", _b ? _b : "(null)");       \
        } while (0)

#define ASSERT_MEMEQ(a, b, n)                                                    \
        do {                                                                     \
                if (memcmp((a), (b), (n)) != 0)                                  \
                        TEST_FAIL("%s == %s (%zu bytes)", #a, #b, (size_t) (n)); \
        } while (0)

/* A span compared with a C string. */
#define ASSERT_SPANEQ(span, str)                                                 \
        do {                                                                     \
                struct pb_span _s = (span);                                      \
                const char *_e = (str);                                          \
                if (_s.len != strlen(_e) || (_s.len && memcmp(_s.ptr, _e, _s.len))) \
                        TEST_FAIL("%s == \"%s\": got \"%.*s\"", #span, _e,        \
                                  (int) _s.len, _s.ptr ? _s.ptr : "");           \
        } while (0)

#define TEST_SKIP(...)                                                           \
        do {                                                                     \
                fprintf(stderr, "SKIP: ");                                       \
                fprintf(stderr, __VA_ARGS__);                                    \
                fputc('\n', stderr);                                             \
                exit(77);                                                        \
        } while (0)
