/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `pullboot-generator` (the agent under that name in systemd's system-generators directory) and
 * `pullboot generator`: in an initrd, the plan `pullboot plan` would print, written as units.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generator.h"
#include "log.h"
#include "plan.h"
#include "verb-args.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: pullboot-generator [OPTIONS...] NORMAL_DIR [EARLY_DIR LATE_DIR]\n"
               "       pullboot generator [OPTIONS...] NORMAL_DIR [EARLY_DIR LATE_DIR]\n"
               "       pullboot generator --script [OPTIONS...]\n"
               "\n"
               "As a systemd generator in an initrd (/etc/initrd-release exists, or\n"
               "$SYSTEMD_IN_INITRD=1): build the plan 'pullboot plan' prints and write it as units:\n"
               "a pullboot-pull-N.service per image (after network-online.target), a\n"
               "pullboot-attach-N.service per blockdev image and, when the root is pulled,\n"
               "sysroot.mount (in EARLY_DIR). Outside an initrd, and when systemd 258 or newer\n"
               "with its own systemd-import-generator is installed, it writes nothing.\n"
               "With --script it prints the same steps as a shell script instead (dracut without\n"
               "systemd).\n"
               "\n"
               "Options:\n"
               "  -h --help              show this help\n"
               "     --version           show the version\n"
               "     --cmdline STRING    kernel command line, or @FILE (default: /proc/cmdline)\n"
               "     --origin URL        boot origin URL; \"\" for none (default: StubDeviceURL)\n"
               "     --credential FILE   import.pull credential (default: as 'pullboot plan')\n"
               "     --pullboot PATH     the agent the units run (default: this executable)\n"
               "     --root DIR          look for etc/initrd-release and systemd below DIR\n"
               "     --script            print a shell script to standard output\n"
               "\n"
               "Exit status: 0 units written (or nothing to do), 1 failure, 2 invalid usage.\n"
               "See pullboot-generator(8).\n");
}

/* Like `pullboot init`: bad expressions are skipped with a warning, the rest goes ahead. */
static void log_plan(const struct plan *p) {
        for (size_t i = 0; i < p->n_warnings; i++)
                log_warning("%s", p->warnings[i]);
        for (size_t i = 0; i < p->n_errors; i++)
                log_error("%s (fix the kernel command line)", p->errors[i]);
        for (size_t i = 0; i < p->n_pulls; i++)
                plan_log_pull_status(&p->pulls[i]);
}

static int self_path(char *buf, size_t size) {
        ssize_t n = readlink("/proc/self/exe", buf, size - 1);
        if (n <= 0)
                return log_error_errno(n < 0 ? -errno : -EINVAL, "cannot find this executable; pass --pullboot PATH");
        buf[n] = 0;
        return 0;
}

int verb_generator(int argc, char **argv) {
        enum { ARG_VERSION = VERB_ARG_VERSION, ARG_CMDLINE, ARG_ORIGIN, ARG_CREDENTIAL, ARG_PULLBOOT, ARG_ROOT, ARG_SCRIPT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "origin", required_argument, NULL, ARG_ORIGIN },
                { "credential", required_argument, NULL, ARG_CREDENTIAL },
                { "pullboot", required_argument, NULL, ARG_PULLBOOT },
                { "root", required_argument, NULL, ARG_ROOT },
                { "script", no_argument, NULL, ARG_SCRIPT },
                {}
        };
        const char *arg_cmdline = NULL, *arg_origin = NULL, *arg_credential = NULL, *root = "";
        struct generator_options o = {};
        char self[PATH_MAX];
        bool script = false;
        _cleanup_plan_ struct plan *plan = NULL;
        unsigned version;
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
                case ARG_PULLBOOT:
                        if (verb_parse_absolute_path("--pullboot", optarg, &o.pullboot) < 0)
                                return PB_EXIT_USAGE;
                        break;
                case ARG_ROOT:
                        root = optarg;
                        break;
                case ARG_SCRIPT:
                        script = true;
                        break;
                default:
                        return verb_other_option(c, "generator", help);
                }

        /* systemd passes three directories; one is accepted as older versions did. */
        int n_dirs = argc - optind;
        if (script ? n_dirs != 0 : (n_dirs != 1 && n_dirs != 3)) {
                log_error(script ? "--script takes no directories; run 'pullboot generator --help'"
                                 : "expected NORMAL_DIR [EARLY_DIR LATE_DIR]; run 'pullboot generator --help'");
                return PB_EXIT_USAGE;
        }
        const char *normal_dir = script ? NULL : argv[optind];
        const char *early_dir = n_dirs == 3 ? argv[optind + 1] : normal_dir;

        if (!script && !generator_in_initrd(root)) {
                log_debug("not in an initrd (no /etc/initrd-release): nothing to do");
                return PB_EXIT_OK;
        }
        if (!script && generator_systemd_pulls_itself(root, &version)) {
                log_info("systemd %u has its own systemd-import-generator for rd.systemd.pull=: leaving the "
                         "pulls to it", version);
                return PB_EXIT_OK;
        }

        if (!o.pullboot) {
                r = self_path(self, sizeof self);
                if (r < 0)
                        return PB_EXIT_FAILURE;
                o.pullboot = self;
        }

        r = verb_build_plan(arg_cmdline, arg_origin, arg_credential, PLAN_MODE_INITRD, &plan);
        if (r != PB_EXIT_OK)
                return r;
        log_plan(plan);

        r = script ? generator_write_script(plan, &o, stdout) : generator_write_units(plan, &o, normal_dir, early_dir);
        if (r < 0)
                return PB_EXIT_FAILURE;
        if (script && fflush(stdout) != 0)
                return PB_EXIT_FAILURE;
        return PB_EXIT_OK;
}
