/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "verbs.h"

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} verbs[] = {
        { "plan", verb_plan, "print what the initrd would do, doing nothing" },
        { "pull", verb_pull, "download, decompress and verify one image" },
        { "attach", verb_attach, "attach a raw image to a loop device" },
        { "mount-root", verb_mount_root, "mount the root file system named by root=" },
        { "init", verb_init, "run as PID 1 of the initrd" },
        { "net", verb_net, "bring up the network as init does" },
        { "generator", verb_generator, "write the plan as systemd units (pullboot-generator)" },
        { "root-device", verb_root_device, "find (and link) the block device root= names" },
};

static void help(void) {
        printf("Usage: pullboot VERB [OPTIONS...]\n"
               "\n"
               "Boot into a root image pulled from the URL next to the UKI.\n"
               "\n"
               "Verbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %-12s %s\n", verbs[i].name, verbs[i].summary);
        printf("\n"
               "Options:\n"
               "  -h --help      show this help\n"
               "     --version  show the version\n"
               "\n"
               "Run 'pullboot VERB --help' for the options of a verb. See pullboot(8).\n"
               "Exit status: 0 success, 1 failure, 2 invalid usage or input.\n");
}

int main(int argc, char **argv) {
        log_set_program("pullboot");

        /* As the initrd's /init the kernel gives us no verb: run as PID 1. */
        const char *base = strrchr(argv[0], '/');
        base = base ? base + 1 : argv[0];
        if (getpid() == 1 || strcmp(base, "init") == 0)
                return verb_init(argc, argv);
        /* Linked into systemd's system-generators directory, systemd runs it with the directories. */
        if (strcmp(base, "pullboot-generator") == 0)
                return verb_generator(argc, argv);

        if (argc < 2) {
                help();
                return PB_EXIT_USAGE;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
                help();
                return PB_EXIT_OK;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("pullboot %s\n", PULLBOOT_VERSION);
                return PB_EXIT_OK;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(argv[1], verbs[i].name) == 0)
                        return verbs[i].run(argc - 1, argv + 1);

        log_error("unknown verb '%s'; run 'pullboot --help' for the list", argv[1]);
        return PB_EXIT_USAGE;
}
