/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER: replaced by the implementation of 'pullboot pull'. */
#include "log.h"
#include "verbs.h"

int verb_pull(int argc, char **argv) {
        log_error("'pull' is not implemented yet");
        return PB_EXIT_FAILURE;
}
