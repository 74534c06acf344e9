/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER: replaced by the implementation of 'pullboot init'. */
#include "log.h"
#include "verbs.h"

int verb_init(int argc, char **argv) {
        log_error("'init' is not implemented yet");
        return PB_EXIT_FAILURE;
}
