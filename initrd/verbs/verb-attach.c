/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "attach.h"
#include "log.h"
#include "verb-args.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: pullboot attach [OPTIONS...] FILE\n"
               "\n"
               "Attach a raw disk image to a new loop device with partition scanning and print the\n"
               "device. The partitions appear as /dev/loopNpM and, without udev, as\n"
               "/dev/disk/by-loop-ref/REF-partM. The device stays attached after pullboot exits;\n"
               "detach it with 'losetup -d'.\n"
               "\n"
               "Options:\n"
               "  -h --help          show this help\n"
               "     --version       show the version\n"
               "     --ref NAME      loop reference (lo_file_name); default: the file name\n"
               "     --ro            attach read-only\n"
               "     --timeout MS    wait at most MS milliseconds for partitions (default 5000)\n"
               "\n"
               "Exit status: 0 attached, 1 failure, 2 invalid usage.\n");
}

int verb_attach(int argc, char **argv) {
        enum { ARG_VERSION = VERB_ARG_VERSION, ARG_REF, ARG_RO, ARG_TIMEOUT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "ref", required_argument, NULL, ARG_REF },
                { "ro", no_argument, NULL, ARG_RO },
                { "read-only", no_argument, NULL, ARG_RO },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                {}
        };
        struct attach_options opts = {};
        struct attached_loop l = ATTACHED_LOOP_NULL;
        const char *reason;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_REF:
                        if (attach_ref_validate(optarg, &reason) < 0) {
                                log_error("invalid --ref '%s': %s", optarg, reason);
                                return PB_EXIT_USAGE;
                        }
                        opts.ref = optarg;
                        break;
                case ARG_RO:
                        opts.read_only = true;
                        break;
                case ARG_TIMEOUT:
                        if (verb_parse_timeout_ms(optarg, &opts.timeout_ms) < 0)
                                return PB_EXIT_USAGE;
                        break;
                default:
                        return verb_other_option(c, "attach", help);
                }

        if (optind + 1 != argc) {
                log_error("expected exactly one image file; run 'pullboot attach --help'");
                return PB_EXIT_USAGE;
        }

        /* A file name that makes no valid reference is a usage error, like a bad --ref. */
        char ref[ATTACH_REF_MAX + 1];
        if (!opts.ref) {
                if (attach_default_ref(argv[optind], ref, sizeof(ref)) < 0 || attach_ref_validate(ref, &reason) < 0) {
                        log_error("cannot use the file name of '%s' as loop reference; pass --ref NAME", argv[optind]);
                        return PB_EXIT_USAGE;
                }
                opts.ref = ref;
        }

        r = loop_attach(argv[optind], &opts, &l);
        if (r < 0)
                return PB_EXIT_FAILURE;

        /* Autoclear would detach the device the moment this process exits, as nothing else holds
         * it yet; like systemd-dissect --attach, leave it attached. */
        r = loop_relinquish(&l);
        if (r < 0) {
                log_error_errno(r, "cannot keep %s attached", l.device);
                (void) loop_detach(&l);
                return PB_EXIT_FAILURE;
        }

        printf("%s\n", l.device);
        if (fflush(stdout) != 0) {
                (void) loop_detach(&l);
                return PB_EXIT_FAILURE;
        }
        attached_loop_done(&l);
        return PB_EXIT_OK;
}
