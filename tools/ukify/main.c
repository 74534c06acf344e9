/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "ukify.h"

static void help(void) {
        printf("Usage: pullboot-ukify build --stub FILE --linux FILE [--initrd FILE]...\n"
               "                            [--cmdline TEXT|@FILE] [--os-release TEXT|@FILE]\n"
               "                            [--uname STR] [--splash FILE] --output FILE\n"
               "       pullboot-ukify inspect [--json] FILE\n"
               "\n"
               "Build a unified kernel image (UKI) by appending .osrel, .cmdline, .uname, .splash,\n"
               ".initrd and .linux sections to an EFI stub (pullboot's or systemd's), or show the\n"
               "sections of a UKI.\n"
               "\n"
               "  -h --help     show this help\n"
               "     --version  show the version\n"
               "\n"
               "Exit status: 0 success, 1 failure (I/O), 2 invalid usage or input.\n"
               "See pullboot-ukify(1).\n");
}

int main(int argc, char **argv) {
        log_set_program("pullboot-ukify");

        if (argc < 2) {
                log_error("missing verb: use 'build' or 'inspect' (see --help)");
                return UKIFY_EXIT_USAGE;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                help();
                return UKIFY_EXIT_OK;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("pullboot-ukify %s\n", PULLBOOT_VERSION);
                return UKIFY_EXIT_OK;
        }
        if (strcmp(argv[1], "build") == 0)
                return verb_build(argc - 1, argv + 1);
        if (strcmp(argv[1], "inspect") == 0)
                return verb_inspect(argc - 1, argv + 1);
        log_error("unknown verb '%s': use 'build' or 'inspect' (see --help)", argv[1]);
        return UKIFY_EXIT_USAGE;
}
