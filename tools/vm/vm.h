/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "console.h"

#define VM_MAX_PATTERNS 16
#define VM_MAX_NICS 4
#define VM_MAX_DISKS 8

enum vm_accel { VM_ACCEL_AUTO, VM_ACCEL_KVM, VM_ACCEL_TCG };

/* Everything one pullboot-vm run needs, filled from the command line. */
struct vm_config {
        const char *serve_dir;
        const char *url_base;          /* with --serve: "http://10.0.2.2:PORT" once the server runs */
        const char *boot;              /* NAME.efi below the URL base, or NULL (disk boot) */
        /* --disk, in order: raw virtio disks. Without --boot the first is the boot disk
         * (bootindex 1); --data-disk adds one that is never booted from. */
        const char *disks[VM_MAX_DISKS];
        bool disk_bootable[VM_MAX_DISKS];
        unsigned n_disks;
        const char *vars_template;     /* --vars FILE: a persistent store (its boot entries are
                                        * used as they are when there is no --boot) */
        const char *log_path;
        unsigned timeout_sec;
        unsigned memory_mib;
        unsigned nics;
        unsigned boot_nic;             /* 1-based NIC the boot entry is tied to; 0 = any NIC */
        unsigned reboots;              /* guest reboots allowed before the run ends */
        bool secure_boot;
        bool timestamps;
        bool keep_vars;                /* --vars FILE is used in place and kept */
        enum vm_accel accel;
        uint64_t drop_after;           /* fault injection for --serve */
        unsigned drop_count;
        uint16_t port;                 /* --serve port, 0: any free one */
        bool tls;                      /* --tls: throwaway CA and server certificate */
        const char *tls_cert;          /* --tls-cert/--tls-key: serve HTTPS with these */
        const char *tls_key;
        const char *tls_ca;            /* --tls-ca: CA certificates to enroll (TlsCaCertificate) */
        const char *tls_ca_out;        /* --tls-ca-out: where to copy the throwaway CA */
        const char *extra_args[32];    /* --qemu-arg, appended verbatim */
        unsigned n_extra_args;
        regex_t expect[VM_MAX_PATTERNS];
        const char *expect_src[VM_MAX_PATTERNS];
        unsigned n_expect;
        regex_t fail[VM_MAX_PATTERNS];
        const char *fail_src[VM_MAX_PATTERNS];
        unsigned n_fail;
};

/* Exit codes (documented in pullboot-vm(1)). */
#define VM_EXIT_MATCHED 0
#define VM_EXIT_FAILED 1
#define VM_EXIT_USAGE 2
#define VM_EXIT_TIMEOUT 124
