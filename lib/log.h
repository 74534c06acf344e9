/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>

#include "macro.h"

/*
 * One-line diagnostics: "PROGRAM: message". Errors say what was wrong and what to do; the
 * helpers return the negative errno they are given so callers can `return log_error_errno(r, …)`.
 */

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_program(const char *name);
const char *log_program(void);
void log_set_max_level(enum log_level l);

void log_msg(enum log_level l, const char *fmt, ...) _printf_(2, 3);
int log_errno(enum log_level l, int err, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
/* Appends ": strerror(-err)" and returns err (negative). */
#define log_error_errno(err, ...) log_errno(LOG_LEVEL_ERROR, (err), __VA_ARGS__)
#define log_warning_errno(err, ...) log_errno(LOG_LEVEL_WARNING, (err), __VA_ARGS__)
