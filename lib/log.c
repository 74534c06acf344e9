/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "log.h"

/* Process-wide logging configuration is the one piece of global state outside main(): it is set
 * once at start-up and only read afterwards. */
static const char *program = "pullboot";
static enum log_level max_level = LOG_LEVEL_INFO;

void log_set_program(const char *name) {
        const char *slash = strrchr(name, '/');
        program = slash ? slash + 1 : name;
}

const char *log_program(void) {
        return program;
}

void log_set_max_level(enum log_level l) {
        max_level = l;
}

static void log_vmsg(enum log_level l, int err, const char *fmt, va_list ap) {
        if (l > max_level)
                return;
        char line[4096];
        int n = vsnprintf(line, sizeof line, fmt, ap);
        if (n < 0)
                return;
        const char *prefix = l == LOG_LEVEL_WARNING ? "warning: " : "";
        if (err != 0)
                fprintf(stderr, "%s: %s%s: %s\n", program, prefix, line, strerror(err < 0 ? -err : err));
        else
                fprintf(stderr, "%s: %s%s\n", program, prefix, line);
}

void log_msg(enum log_level l, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_vmsg(l, 0, fmt, ap);
        va_end(ap);
}

int log_errno(enum log_level l, int err, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_vmsg(l, err, fmt, ap);
        va_end(ap);
        return err < 0 ? err : -err;
}
