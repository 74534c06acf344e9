/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `pullboot root-device`: the block device root= names (gpt-auto: the DPS root partition of the
 * "rootdisk" loop device; by-loop-ref, UUID=, ...), found as `pullboot mount-root` finds it,
 * printed and optionally linked, so a generated sysroot.mount can mount it without udev having
 * to know the name.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "generator.h"
#include "log.h"
#include "root.h"
#include "verb-args.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: pullboot root-device [OPTIONS...]\n"
               "\n"
               "Find the block device of the root file system named by root= on the kernel command\n"
               "line (as 'pullboot mount-root' does, mounting nothing) and print it.\n"
               "\n"
               "Options:\n"
               "  -h --help              show this help\n"
               "     --version           show the version\n"
               "     --cmdline STRING|@FILE\n"
               "                         use this kernel command line instead of /proc/cmdline\n"
               "     --link PATH         also make PATH a symbolic link to the device\n"
               "                         (pullboot-generator's units use " GENERATOR_ROOT_DEVICE ")\n"
               "     --timeout MS        wait at most MS milliseconds for the device (default 10000)\n"
               "\n"
               "Exit status: 0 found, 1 failure, 2 invalid usage or a root= that names no block\n"
               "device (bind:, tmpfs).\n");
}

static int link_device(const char *device, const char *link) {
        int r;

        r = mkdir_parents(link, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create the directory of %s", link);
        /* Atomically, so a retried unit replaces an old link. */
        r = symlink_replace(device, link);
        if (r < 0)
                return log_error_errno(r, "cannot link %s to %s", link, device);
        return 0;
}

int verb_root_device(int argc, char **argv) {
        enum { ARG_VERSION = VERB_ARG_VERSION, ARG_CMDLINE, ARG_LINK, ARG_TIMEOUT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "link", required_argument, NULL, ARG_LINK },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                {}
        };
        struct root_mount_options opts = { .dry_run = true };
        const char *cmdline_arg = NULL, *link = NULL;
        _cleanup_free_ char *cmdline = NULL;
        struct root_spec spec;
        struct root_resolved res;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_CMDLINE:
                        cmdline_arg = optarg;
                        break;
                case ARG_LINK:
                        if (verb_parse_absolute_path("--link", optarg, &link) < 0)
                                return PB_EXIT_USAGE;
                        break;
                case ARG_TIMEOUT:
                        if (verb_parse_timeout_ms(optarg, &opts.timeout_ms) < 0)
                                return PB_EXIT_USAGE;
                        break;
                default:
                        return verb_other_option(c, "root-device", help);
                }
        r = verb_no_arguments("root-device", argc, argv, optind);
        if (r != PB_EXIT_OK)
                return r;
        r = verb_read_root_spec(cmdline_arg, &cmdline, &spec);
        if (r != PB_EXIT_OK)
                return r;
        if (spec.kind == ROOT_BIND || spec.kind == ROOT_TMPFS || spec.kind == ROOT_UNSET) {
                log_error("root= names no block device (bind:, tmpfs or none); nothing to find");
                return PB_EXIT_USAGE;
        }

        r = root_mount(&spec, &opts, &res);
        if (r < 0)
                return r == -ENODATA ? PB_EXIT_USAGE : PB_EXIT_FAILURE;
        if (link && link_device(res.device, link) < 0)
                return PB_EXIT_FAILURE;
        printf("%s\n", res.device);
        return fflush(stdout) == 0 ? PB_EXIT_OK : PB_EXIT_FAILURE;
}
