/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "base.h"
#include "macro.h"
#include "pullspec.h"

/*
 * What PID 1 of the initrd does when booting cannot go on (pullboot.failure=) or when the pulls
 * are done (systemd.pull.success_action=). PID 1 must never exit, so every action ends the boot
 * in a defined way: a shell for the person at the console, or one of the reboot(2) variants.
 */

enum failure_action {
        FAILURE_DEFAULT,    /* a shell when /bin/sh exists, else halt */
        FAILURE_SHELL,
        FAILURE_REBOOT,
        FAILURE_POWEROFF,
        FAILURE_HALT,
        FAILURE_CONTINUE,   /* only for success actions: go on booting */
};

#define FAILURE_SHELL_PATH "/bin/sh"

/* "shell", "reboot", "poweroff", "halt". 0 or -EINVAL. */
int failure_action_from_string(struct pb_span s, enum failure_action *ret);
const char *failure_action_to_string(enum failure_action a);

/* systemd's emergency actions in our terms: reboot*, kexec*, soft-reboot* -> reboot; poweroff* ->
 * poweroff; halt* -> halt; none and exit* -> FAILURE_CONTINUE (keep booting, or for a failure, use
 * pullboot.failure=). PB_ACTION_INVALID also maps to FAILURE_CONTINUE. */
enum failure_action failure_action_from_emergency(enum pb_emergency_action a);

/* FAILURE_DEFAULT resolved against what the initrd holds. */
enum failure_action failure_action_resolve(enum failure_action a, const char *shell);

/* Performs the action. As PID 1 this does not return: after the shell exits it reboots, and if
 * reboot(2) fails it waits forever. When not PID 1 (tests, --dry-run) it only prints what it would
 * do and returns. */
void failure_execute(enum failure_action a, bool pid1);
