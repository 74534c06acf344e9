/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "plan.h"

void plan_log_pull_status(const struct plan_pull *pull) {
        if (pull->status == PLAN_PULL_INVALID)
                log_warning("ignoring %s=%s: %s", pull->key, pull->expression, pull->reason);
        else if (pull->status == PLAN_PULL_SKIPPED)
                log_info("skipping %s=%s: %s", pull->key, pull->expression, pull->reason);
}
