/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <string.h>

#include "console.h"

void console_init(struct console *c, FILE *out, bool timestamps) {
        c->out = out;
        c->timestamps = timestamps;
        clock_gettime(CLOCK_MONOTONIC, &c->start);
        pthread_mutex_init(&c->lock, NULL);
}

double console_elapsed(struct console *c) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double) (now.tv_sec - c->start.tv_sec) + (double) (now.tv_nsec - c->start.tv_nsec) / 1e9;
}

void console_line(struct console *c, const char *prefix, const char *s, size_t n) {
        pthread_mutex_lock(&c->lock);
        if (c->timestamps)
                fprintf(c->out, "[%9.3f] ", console_elapsed(c));
        fprintf(c->out, "%s%.*s\n", prefix ? prefix : "", (int) n, s);
        fflush(c->out);
        pthread_mutex_unlock(&c->lock);
}

void console_printf(struct console *c, const char *fmt, ...) {
        char buf[2048];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t) n >= sizeof buf)
                n = sizeof buf - 1;
        console_line(c, "pullboot-vm: ", buf, (size_t) n);
}
