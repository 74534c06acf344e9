/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER: replaced by the implementation of 'pullboot plan'. */
#include "log.h"
#include "verbs.h"

int verb_plan(int argc, char **argv) {
        log_error("'plan' is not implemented yet");
        return PB_EXIT_FAILURE;
}
