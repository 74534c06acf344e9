/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pullboot plan`: gather the inputs the initrd would use, build the plan and print it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "log.h"
#include "plan.h"
#include "verb-args.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: pullboot plan [OPTIONS...]\n"
               "\n"
               "Print what the initrd would do (which images it would pull from where, where they\n"
               "would land, how the root file system would be found), doing nothing.\n"
               "\n"
               "Options:\n"
               "  -h --help              show this help\n"
               "     --version           show the version\n"
               "     --cmdline STRING    kernel command line, or @FILE to read it from FILE\n"
               "                         (default: /proc/cmdline)\n"
               "     --origin URL        boot origin URL; \"\" for none (default: the StubDeviceURL\n"
               "                         EFI variable, else LoaderDeviceURL)\n"
               "     --credential FILE   import.pull credential (default: $CREDENTIALS_DIRECTORY,\n"
               "                         else QEMU fw_cfg, SMBIOS type 11, systemd.set_credential=)\n"
               "     --json              print JSON (format documented in pullboot(8))\n"
               "     --initrd            plan as in the initrd: rd.systemd.pull=, images below /run\n"
               "                         (default)\n"
               "     --host              plan as on the host: systemd.pull=, images below /var/lib\n"
               "\n"
               "Exit status: 0 valid plan, 1 failure, 2 invalid usage or an invalid pull\n"
               "expression, root= or action (the message names it).\n");
}

static void log_problems(const struct plan *plan) {
        for (size_t i = 0; i < plan->n_pulls; i++) {
                const struct plan_pull *p = &plan->pulls[i];
                _cleanup_free_ char *reason = NULL;

                if (p->status != PLAN_PULL_INVALID)
                        continue;
                /* The reason quotes the offending part; the expression itself is not echoed. */
                reason = escape_control(p->reason);
                if (p->source == PLAN_SOURCE_CREDENTIAL)
                        log_error("pull %zu (%s line %u): %s", i, p->key, p->line, reason ? reason : "invalid");
                else
                        log_error("pull %zu (%s=): %s", i, p->key, reason ? reason : "invalid");
        }
        for (size_t i = 0; i < plan->n_errors; i++) {
                _cleanup_free_ char *e = escape_control(plan->errors[i]);
                log_error("%s", e ? e : "invalid input");
        }
}

int verb_plan(int argc, char **argv) {
        enum { ARG_VERSION = VERB_ARG_VERSION, ARG_CMDLINE, ARG_ORIGIN, ARG_CREDENTIAL, ARG_JSON, ARG_INITRD, ARG_HOST };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "origin", required_argument, NULL, ARG_ORIGIN },
                { "credential", required_argument, NULL, ARG_CREDENTIAL },
                { "json", no_argument, NULL, ARG_JSON },
                { "initrd", no_argument, NULL, ARG_INITRD },
                { "host", no_argument, NULL, ARG_HOST },
                {}
        };
        const char *arg_cmdline = NULL, *arg_origin = NULL, *arg_credential = NULL;
        _cleanup_plan_ struct plan *plan = NULL;
        enum plan_mode mode = PLAN_MODE_INITRD;
        bool json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_CMDLINE:
                        arg_cmdline = optarg;
                        break;
                case ARG_ORIGIN:
                        arg_origin = optarg;
                        break;
                case ARG_CREDENTIAL:
                        arg_credential = optarg;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_INITRD:
                        mode = PLAN_MODE_INITRD;
                        break;
                case ARG_HOST:
                        mode = PLAN_MODE_HOST;
                        break;
                default:
                        return verb_other_option(c, "plan", help);
                }
        r = verb_no_arguments("plan", argc, argv, optind);
        if (r != PB_EXIT_OK)
                return r;

        r = verb_build_plan(arg_cmdline, arg_origin, arg_credential, mode, &plan);
        if (r != PB_EXIT_OK)
                return r;

        r = json ? plan_print_json(plan, stdout) : plan_print_text(plan, stdout);
        if (r < 0) {
                log_error_errno(r, "cannot write the plan");
                return PB_EXIT_FAILURE;
        }

        if (plan_is_valid(plan))
                return PB_EXIT_OK;

        /* One line per problem on stderr, so scripts see why even with --json. */
        log_problems(plan);
        return PB_EXIT_USAGE;
}
