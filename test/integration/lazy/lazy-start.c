/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lazy-start URL: lazy_root_start() as `pullboot init` calls it (the server process forked, its
 * verdict read from the status pipe), for images that are refused before any nbd device is
 * touched. Prints "rc N" (0 or a negative errno) on stdout; the reasons are the log lines on
 * stderr, which the test counts (the server's reason once, nothing repeated by the parent).
 */
#include <signal.h>
#include <stdio.h>

#include "lazy-root.h"
#include "log.h"

int main(int argc, char **argv) {
        struct lazy_root l;

        if (argc != 3) {
                fprintf(stderr, "usage: lazy-start URL STATE-DIR\n");
                return 2;
        }
        log_set_program("lazy-start");
        struct lazy_root_options o = { .url = argv[1], .read_only = true, .state_dir = argv[2] };
        int r = lazy_root_start(&o, &l);
        printf("rc %d\n", r);
        if (r == 0)
                (void) kill(l.pid, SIGTERM);
        return 0;
}
