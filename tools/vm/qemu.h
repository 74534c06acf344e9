/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "firmware.h"
#include "vm.h"

struct qemu {
        pid_t pid;
        int serial_fd;                 /* read end: the guest's serial console */
        int qmp_fd;                    /* connected QMP socket, for shutdown reasons */
        char qmp_path[108];            /* sun_path size */
};

/* Builds the QEMU command line for cfg (firmware fw, private VARS at vars, accelerator kvm or
 * not) and starts it. QEMU dies with us (PR_SET_PDEATHSIG) even if we are killed. */
int qemu_start(const struct vm_config *cfg, const struct firmware *fw, const char *vars, bool kvm,
               const char *rundir, struct qemu *ret);

/* Stops QEMU (SIGTERM, then SIGKILL after a grace period) and reaps it. Idempotent. */
void qemu_stop(struct qemu *q);

/* MAC address of NIC i (0-based), as the guest and the stub record it. */
void qemu_nic_mac(unsigned i, char buf[18]);
