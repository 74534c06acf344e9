/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "console.h"

/*
 * The embedded HTTP server pullboot-vm serves a directory with: GET and HEAD, single byte ranges
 * (206/416) guarded by If-Range against a strong ETag, conditional requests (If-None-Match, else
 * If-Modified-Since, answered 304; every file response carries ETag and Last-Modified, so a
 * directory whose files change between boots looks to a client as a real server would), on 127.0.0.1 only (the guest reaches it as
 * 10.0.2.2 through QEMU's user-mode network), over plain HTTP or HTTPS. Every finished request is
 * logged to the console log.
 */

struct httpd;

struct httpd_options {
        const char *root;              /* directory to serve */
        uint16_t port;                 /* 0: pick a free one */
        /* Fault injection for resume tests: the first drop_count responses larger than
         * drop_after bytes are cut off after drop_after bytes. */
        uint64_t drop_after;
        unsigned drop_count;
        /* Path (e.g. "/demo.efi") that is never cut: the firmware's HTTP boot cannot resume. */
        const char *never_cut;
        /* Both set: HTTPS only, with this certificate (chain) and key (PEM text, kept by the caller
         * until httpd_stop()). */
        const char *tls_cert_pem;
        const char *tls_key_pem;
};

int httpd_start(const struct httpd_options *o, struct console *log, struct httpd **ret);
uint16_t httpd_port(const struct httpd *h);
/* Number of GET requests for path (e.g. "/demo.efi") that completed so far. */
unsigned httpd_requests(struct httpd *h, const char *path);
void httpd_stop(struct httpd *h);
