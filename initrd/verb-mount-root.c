/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER: replaced by the implementation of 'pullboot mount-root'. */
#include "log.h"
#include "verbs.h"

int verb_mount_root(int argc, char **argv) {
        log_error("'mount-root' is not implemented yet");
        return PB_EXIT_FAILURE;
}
