/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

/*
 * Where pullboot-vm writes: the guest's serial console lines and our own event lines (HTTP
 * requests, phase marks), in order, to stdout or --log. Lines may come from the HTTP server's
 * thread, hence the lock. With timestamps on, every line starts with the seconds since the VM was
 * started, so boot phases can be measured from the log alone.
 */
struct console {
        FILE *out;
        bool timestamps;
        struct timespec start;
        pthread_mutex_t lock;
};

void console_init(struct console *c, FILE *out, bool timestamps);
double console_elapsed(struct console *c);
/* Writes one line (without trailing newline in s); prefix marks our own lines ("pullboot-vm: "). */
void console_line(struct console *c, const char *prefix, const char *s, size_t n);
void console_printf(struct console *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
