/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Option handling the verbs share, so that the same option means the same thing, with the same
 * limits and messages, in every verb. */

/* The kernel command line a verb works on: arg is --cmdline's value (STRING, or @FILE to read it),
 * NULL for /proc/cmdline. Logs a failure and returns the exit code for it: PB_EXIT_USAGE when
 * --cmdline was given and cannot be read, PB_EXIT_FAILURE for /proc/cmdline; PB_EXIT_OK on success. */
int verb_read_cmdline(const char *arg, char **ret);

#include "plan.h"

/* The plan as `pullboot plan` and `pullboot generator` build it: the command line (as
 * verb_read_cmdline()), the boot record (arg_origin: --origin, NULL to read the variables), the
 * import.pull credential (arg_credential: --credential, NULL to look where systemd does). Logs a
 * failure; returns PB_EXIT_OK with *ret set, else the exit code. */
int verb_build_plan(const char *arg_cmdline, const char *arg_origin, const char *arg_credential, enum plan_mode mode,
                    struct plan **ret);

struct root_spec;
/* verb_read_cmdline(), then root= and its companions parsed from it (root-spec.c); a malformed
 * root= is logged with the offending text and gives PB_EXIT_USAGE. */
int verb_read_root_spec(const char *arg, char **ret_cmdline, struct root_spec *ret);

/* --timeout MS: decimal milliseconds, 1..3600000 (an hour). Logs and returns -EINVAL otherwise. */
int verb_parse_timeout_ms(const char *arg, unsigned *ret);

/* An option that names a path (--where, --link, ...): it must be absolute. Logs and returns
 * -EINVAL otherwise; sets *ret to arg. */
int verb_parse_absolute_path(const char *option, const char *arg, const char **ret);

/* getopt reported an unknown option or a missing value (it printed which): the one-line hint every
 * verb adds. Returns PB_EXIT_USAGE. */
int verb_usage_hint(const char *verb);

/* The getopt value of --version in every verb's option table; the verb's own values follow it. */
#define VERB_ARG_VERSION 0x100

/* What a verb's option switch leaves to its default branch: -h (calls help), --version (prints
 * it), anything else is an error (the usage hint). Returns the exit code the verb returns:
 * PB_EXIT_OK after -h and --version, PB_EXIT_USAGE otherwise. */
int verb_other_option(int c, const char *verb, void (*help)(void));

/* For verbs that take no positional arguments: logs the first one left after getopt (optind) and
 * returns PB_EXIT_USAGE; PB_EXIT_OK when there is none. */
int verb_no_arguments(const char *verb, int argc, char **argv, int optind_);
