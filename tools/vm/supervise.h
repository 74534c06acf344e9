/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "qemu.h"
#include "vm.h"

enum vm_outcome {
        VM_OUTCOME_MATCHED,            /* every --expect pattern was seen */
        VM_OUTCOME_FAIL_PATTERN,       /* a --fail pattern was seen */
        VM_OUTCOME_POWERED_OFF,        /* the guest shut down first */
        VM_OUTCOME_REBOOTED,           /* the guest reset (QEMU runs with -no-reboot) */
        VM_OUTCOME_TIMEOUT,
        VM_OUTCOME_INTERRUPTED,        /* we got SIGINT/SIGTERM */
        VM_OUTCOME_ERROR,
};

/* Pattern state carried across reboots: an --expect seen before a reboot stays seen. */
struct vm_matches {
        bool seen[VM_MAX_PATTERNS];
        unsigned n_seen;
};

/* Feeds the guest console to the log and the patterns until an outcome; deadline is in
 * console_elapsed() seconds. sigfd is a signalfd for SIGINT/SIGTERM/SIGHUP. */
enum vm_outcome vm_supervise(const struct vm_config *cfg, struct console *con, struct qemu *q, int sigfd,
                             double deadline, struct vm_matches *m);
