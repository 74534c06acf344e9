/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pullboot.lazy=yes|fill|no: which pulls are served from their URL as a block device instead of
 * being downloaded first. Decided here from what the plan knows (the expression and the URLs);
 * whether the file itself can be read from the middle (raw, or a seekable xz/zstd) is only known
 * once the server answers, and `pullboot init` falls back to the download then, saying why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "plan.h"

static const char *const lazy_names[] = {
        [PLAN_LAZY_NO] = "no",
        [PLAN_LAZY_YES] = "yes",
        [PLAN_LAZY_FILL] = "fill",
};

const char *plan_lazy_to_string(enum plan_lazy l) {
        return l <= PLAN_LAZY_FILL ? lazy_names[l] : "?";
}

static bool has_http_url(const struct plan_pull *pull) {
        for (size_t i = 0; i < pull->n_urls; i++)
                if (strncasecmp(pull->urls[i], "http:", 5) == 0 || strncasecmp(pull->urls[i], "https:", 6) == 0)
                        return true;
        return false;
}

/* Why this pull cannot be lazy, or NULL. */
static const char *refusal(const struct plan_pull *pull) {
        if (pull->spec.type != PB_TYPE_RAW || !pull->spec.blockdev)
                return "only raw images attached as block devices (blockdev) are served lazily";
        /* A digest or signature covers the whole file: it cannot be checked before the boot reads
         * the image, and a root checked after the fact is no check. */
        if (pull->spec.verify != PB_VERIFY_NO)
                return "verify= needs the whole image before the boot reads it; use verify=no with https "
                       "(or a dm-verity image) for a lazy root";
        if (!has_http_url(pull))
                return "no http or https URL to read ranges from";
        return NULL;
}

int plan_decide_lazy(struct plan *p, const char *cmdline) {
        struct pb_cmdline_arg arg;
        char v[16] = "";

        p->lazy = PLAN_LAZY_NO;
        if (pb_cmdline_get(pb_span_from_str(cmdline), "pullboot.lazy", PB_CMDLINE_IN_INITRD, &arg) > 0) {
                if (arg.has_value && pb_span_copy(arg.value, v, sizeof v) >= 0 && strcmp(v, "fill") == 0)
                        p->lazy = PLAN_LAZY_FILL;
                else if (!arg.has_value || pb_parse_boolean(pb_span_from_str(v)) > 0)
                        p->lazy = PLAN_LAZY_YES;
                else if (pb_parse_boolean(pb_span_from_str(v)) < 0) {
                        char *e = NULL;
                        if (asprintf(&e, "pullboot.lazy=%.*s: expected yes, fill or no", (int) arg.value.len,
                                     arg.value.ptr) < 0)
                                e = NULL;
                        return plan_add_error(p, e);
                }
        }
        for (size_t i = 0; i < p->n_pulls; i++) {
                struct plan_pull *pull = &p->pulls[i];
                pull->lazy = PLAN_LAZY_NO;
                pull->lazy_reason = NULL;
                if (p->lazy == PLAN_LAZY_NO || pull->status != PLAN_PULL_READY)
                        continue;
                pull->lazy_reason = refusal(pull);
                if (!pull->lazy_reason)
                        pull->lazy = p->lazy;
        }
        return 0;
}
