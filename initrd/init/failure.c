/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "failure.h"
#include "log.h"

static const char *const names[] = {
        [FAILURE_DEFAULT] = "default",
        [FAILURE_SHELL] = "shell",
        [FAILURE_REBOOT] = "reboot",
        [FAILURE_POWEROFF] = "poweroff",
        [FAILURE_HALT] = "halt",
        [FAILURE_CONTINUE] = "continue",
};

int failure_action_from_string(struct pb_span s, enum failure_action *ret) {
        for (enum failure_action a = FAILURE_SHELL; a <= FAILURE_HALT; a++)
                if (pb_span_eq(s, names[a])) {
                        *ret = a;
                        return 0;
                }
        return -EINVAL;
}

const char *failure_action_to_string(enum failure_action a) {
        if ((unsigned) a >= ELEMENTSOF(names))
                return "invalid";
        return names[a];
}

enum failure_action failure_action_from_emergency(enum pb_emergency_action a) {
        switch (a) {
        case PB_ACTION_REBOOT:
        case PB_ACTION_REBOOT_FORCE:
        case PB_ACTION_REBOOT_IMMEDIATE:
        case PB_ACTION_KEXEC:
        case PB_ACTION_KEXEC_FORCE:
        case PB_ACTION_SOFT_REBOOT:
        case PB_ACTION_SOFT_REBOOT_FORCE:
                return FAILURE_REBOOT;
        case PB_ACTION_POWEROFF:
        case PB_ACTION_POWEROFF_FORCE:
        case PB_ACTION_POWEROFF_IMMEDIATE:
                return FAILURE_POWEROFF;
        case PB_ACTION_HALT:
        case PB_ACTION_HALT_FORCE:
        case PB_ACTION_HALT_IMMEDIATE:
                return FAILURE_HALT;
        default:
                return FAILURE_CONTINUE;
        }
}

enum failure_action failure_action_resolve(enum failure_action a, const char *shell) {
        if (a != FAILURE_DEFAULT)
                return a;
        return access(shell, X_OK) == 0 ? FAILURE_SHELL : FAILURE_HALT;
}

static void run_shell(void) {
        pid_t pid = fork();
        if (pid < 0) {
                log_error_errno(-errno, "cannot start the emergency shell");
                return;
        }
        if (pid == 0) {
                /* A session of its own with the console as controlling terminal, so ^C works. */
                (void) setsid();
                (void) ioctl(STDIN_FILENO, TIOCSCTTY, 1);
                (void) signal(SIGINT, SIG_DFL);
                execl(FAILURE_SHELL_PATH, FAILURE_SHELL_PATH, "-i", (char *) NULL);
                _exit(127);
        }
        for (;;) {
                pid_t w = waitpid(-1, NULL, 0);
                if (w == pid || (w < 0 && errno == ECHILD))
                        break;
        }
}

void failure_execute(enum failure_action a, bool pid1) {
        a = failure_action_resolve(a, FAILURE_SHELL_PATH);

        if (!pid1) {
                log_info("action: %s (not PID 1, not performed)", failure_action_to_string(a));
                return;
        }

        if (a == FAILURE_CONTINUE)
                a = FAILURE_HALT;
        if (a == FAILURE_SHELL) {
                log_info("starting %s; leaving the shell reboots the machine", FAILURE_SHELL_PATH);
                run_shell();
                a = FAILURE_REBOOT;
        }

        log_info("%s now", a == FAILURE_REBOOT ? "rebooting" : a == FAILURE_POWEROFF ? "powering off" : "halting");
        sync();
        (void) reboot(a == FAILURE_REBOOT ? RB_AUTOBOOT : a == FAILURE_POWEROFF ? RB_POWER_OFF : RB_HALT_SYSTEM);
        log_error_errno(-errno, "reboot(2) failed; waiting forever");
        for (;;)
                pause();
}
