/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "boot-record.h"
#include "config.h"
#include "fileio.h"
#include "log.h"
#include "plan-inputs.h"
#include "root.h"
#include "size.h"
#include "verb-args.h"

/* A kernel command line is at most a few KiB (COMMAND_LINE_SIZE); @FILE may hold a longer test
 * case, but nothing near a megabyte is a command line. */
#define CMDLINE_MAX (1024 * 1024)
#define TIMEOUT_MS_MAX (3600u * 1000u)

int verb_read_cmdline(const char *arg, char **ret) {
        int r;

        if (arg)
                r = read_string_or_at_file(arg, CMDLINE_MAX, ret);
        else
                r = read_full_file("/proc/cmdline", CMDLINE_MAX, ret, NULL);
        if (r >= 0)
                return PB_EXIT_OK;
        log_error_errno(r, "cannot read the kernel command line from %s",
                        arg ? arg + (arg[0] == '@') : "/proc/cmdline");
        return arg ? PB_EXIT_USAGE : PB_EXIT_FAILURE;
}

int verb_read_root_spec(const char *arg, char **ret_cmdline, struct root_spec *ret) {
        struct pb_diag diag = {};
        int r;

        r = verb_read_cmdline(arg, ret_cmdline);
        if (r != PB_EXIT_OK)
                return r;
        if (root_spec_from_cmdline(pb_span_from_str(*ret_cmdline), ret, &diag) < 0) {
                log_error("kernel command line: '%.*s': %s", (int) diag.where.len,
                          diag.where.ptr ? diag.where.ptr : "", diag.reason ? diag.reason : "invalid");
                return PB_EXIT_USAGE;
        }
        return PB_EXIT_OK;
}

int verb_build_plan(const char *arg_cmdline, const char *arg_origin, const char *arg_credential, enum plan_mode mode,
                    struct plan **ret) {
        _cleanup_free_ char *cmdline = NULL;
        _cleanup_(plan_inputs_done) struct plan_inputs in = {};
        _cleanup_(boot_record_done) struct boot_record boot = {};
        int r;

        r = verb_read_cmdline(arg_cmdline, &cmdline);
        if (r != PB_EXIT_OK)
                return r;
        if (boot_record_read(arg_origin, &boot) < 0)
                return PB_EXIT_FAILURE;
        r = plan_inputs_read(cmdline, &boot, arg_credential, "/sys", &in);
        if (r < 0)
                return r == -EINVAL ? PB_EXIT_USAGE : PB_EXIT_FAILURE;
        r = plan_build(cmdline, in.origin, in.credential, mode, ret);
        if (r < 0) {
                log_error_errno(r, "cannot build the plan");
                return PB_EXIT_FAILURE;
        }
        (*ret)->origin_source = in.origin_source;
        return PB_EXIT_OK;
}

int verb_parse_timeout_ms(const char *arg, unsigned *ret) {
        uint64_t v;

        if (parse_decimal(arg, TIMEOUT_MS_MAX, &v) < 0 || v == 0) {
                log_error("invalid --timeout '%s': expected milliseconds, 1..%u", arg, TIMEOUT_MS_MAX);
                return -EINVAL;
        }
        *ret = (unsigned) v;
        return 0;
}

int verb_parse_absolute_path(const char *option, const char *arg, const char **ret) {
        if (arg[0] != '/') {
                log_error("%s needs an absolute path, got '%s'", option, arg);
                return -EINVAL;
        }
        *ret = arg;
        return 0;
}

int verb_usage_hint(const char *verb) {
        log_error("run 'pullboot %s --help' for the options", verb);
        return PB_EXIT_USAGE;
}

int verb_other_option(int c, const char *verb, void (*help)(void)) {
        switch (c) {
        case 'h':
                help();
                return PB_EXIT_OK;
        case VERB_ARG_VERSION:
                printf("pullboot %s\n", PULLBOOT_VERSION);
                return PB_EXIT_OK;
        default:
                return verb_usage_hint(verb);
        }
}

int verb_no_arguments(const char *verb, int argc, char **argv, int optind_) {
        if (optind_ >= argc)
                return PB_EXIT_OK;
        log_error("unexpected argument '%s'; run 'pullboot %s --help'", argv[optind_], verb);
        return PB_EXIT_USAGE;
}
