/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER: replaced by the implementation of 'pullboot attach'. */
#include "log.h"
#include "verbs.h"

int verb_attach(int argc, char **argv) {
        log_error("'attach' is not implemented yet");
        return PB_EXIT_FAILURE;
}
