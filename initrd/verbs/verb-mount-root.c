/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "root.h"
#include "verb-args.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: pullboot mount-root [OPTIONS...]\n"
               "\n"
               "Mount the root file system named by root= (and rootfstype=, rootflags=, ro, rw) on\n"
               "the kernel command line, as systemd's fstab- and gpt-auto-generators do:\n"
               "root=gpt-auto (the DPS root partition of the loop device 'rootdisk'), a device path,\n"
               "UUID=, PARTUUID=, LABEL=, PARTLABEL=, bind:PATH or tmpfs. Prints\n"
               "'DEVICE WHERE FSTYPE ro|rw' for each mount.\n"
               "\n"
               "Options:\n"
               "  -h --help              show this help\n"
               "     --version           show the version\n"
               "     --cmdline STRING|@FILE\n"
               "                         use this kernel command line instead of /proc/cmdline\n"
               "     --origin URL        accepted for symmetry with 'pullboot plan' (unused here)\n"
               "     --where DIR         mount point (default /sysroot)\n"
               "     --disk DEVICE       whole disk for root=gpt-auto instead of the 'rootdisk' loop device\n"
               "     --timeout MS        wait at most MS milliseconds for the device (default 10000)\n"
               "     --dry-run           find the device and file system type, mount nothing\n"
               "\n"
               "Exit status: 0 mounted, 1 failure, 2 invalid usage or an invalid root=.\n");
}

static void print_mount(const char *device, const char *where, const char *suffix, const char *fstype, bool ro) {
        printf("%s %s%s %s %s\n", device, where, suffix, fstype, ro ? "ro" : "rw");
}

int verb_mount_root(int argc, char **argv) {
        enum { ARG_VERSION = VERB_ARG_VERSION, ARG_CMDLINE, ARG_ORIGIN, ARG_WHERE, ARG_DISK, ARG_TIMEOUT, ARG_DRY_RUN };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "origin", required_argument, NULL, ARG_ORIGIN },
                { "where", required_argument, NULL, ARG_WHERE },
                { "disk", required_argument, NULL, ARG_DISK },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                {}
        };
        struct root_mount_options opts = {};
        const char *cmdline_arg = NULL;
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
                case ARG_ORIGIN:
                        break;
                case ARG_WHERE:
                        if (verb_parse_absolute_path("--where", optarg, &opts.where) < 0)
                                return PB_EXIT_USAGE;
                        break;
                case ARG_DISK:
                        opts.gpt_auto_disk = optarg;
                        break;
                case ARG_TIMEOUT:
                        if (verb_parse_timeout_ms(optarg, &opts.timeout_ms) < 0)
                                return PB_EXIT_USAGE;
                        break;
                case ARG_DRY_RUN:
                        opts.dry_run = true;
                        break;
                default:
                        return verb_other_option(c, "mount-root", help);
                }
        r = verb_no_arguments("mount-root", argc, argv, optind);
        if (r != PB_EXIT_OK)
                return r;

        r = verb_read_root_spec(cmdline_arg, &cmdline, &spec);
        if (r != PB_EXIT_OK)
                return r;

        r = root_mount(&spec, &opts, &res);
        if (r < 0)
                return r == -ENODATA ? PB_EXIT_USAGE : PB_EXIT_FAILURE;

        const char *where = opts.where ?: "/sysroot";
        print_mount(res.device, where, "", spec.kind == ROOT_BIND ? "bind" : res.fstype, res.read_only);
        if (res.usr_device[0])
                print_mount(res.usr_device, where, "/usr", res.usr_fstype, res.usr_read_only);
        return fflush(stdout) == 0 ? PB_EXIT_OK : PB_EXIT_FAILURE;
}
