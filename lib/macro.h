/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Userspace helpers shared by initrd/ and tools/ (never compiled into the EFI stub). */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p) {
        free(*(void **) p);
}
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

/* FUNCp(TYPE *) for a library's own release function, for _cleanup_(FUNCp): the libraries'
 * wrappers live in lib/cleanup-*.h, one header per library, included where the library is. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
        static inline void func##p(type *p) {   \
                if (*p)                          \
                        (void) func(*p);         \
        }

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hands ownership out of a cleanup variable. */
#define TAKE_PTR(p)                          \
        ({                                   \
                __typeof__(p) _p_ = (p);     \
                (p) = NULL;                  \
                _p_;                         \
        })
#define TAKE_FD(fd)                          \
        ({                                   \
                int _fd_ = (fd);             \
                (fd) = -EBADF;               \
                _fd_;                        \
        })

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Exit codes every pullboot program documents. */
#define PB_EXIT_OK 0
#define PB_EXIT_FAILURE 1   /* the operation failed */
#define PB_EXIT_USAGE 2     /* invalid arguments or input */
