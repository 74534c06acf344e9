/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pullboot-vm's HTTP server without QEMU, for tests: serves DIR on 127.0.0.1, prints the port on
 * stdout, logs each request to stderr as pullboot-vm does ("pullboot-vm: http: GET /x -> 200,
 * N bytes") and runs until killed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "httpd.h"

int main(int argc, char **argv) {
        struct httpd_options o = {};
        struct console log;
        struct httpd *h = NULL;

        if (argc != 2) {
                fprintf(stderr, "usage: httpd-serve DIR\n");
                return 2;
        }
        o.root = argv[1];
        console_init(&log, stderr, false);
        int r = httpd_start(&o, &log, &h);
        if (r < 0) {
                fprintf(stderr, "cannot serve %s: %s\n", argv[1], strerror(-r));
                return 1;
        }
        printf("%u\n", (unsigned) httpd_port(h));
        fflush(stdout);
        for (;;)
                pause();
}
