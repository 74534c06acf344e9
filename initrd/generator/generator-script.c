/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan as a POSIX shell script, for initrds without systemd (dracut's shell flavour): the same
 * pull and attach steps as the units, in order, each stopping the script through the caller's
 * pullboot_failed on failure. The root itself is mounted by the caller's mount hook
 * (`pullboot mount-root`), which reads root= as the plan does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "generator.h"
#include "log.h"

/* A shell word in single quotes; a single quote becomes '\''. */
static void put_word(FILE *f, const char *s) {
        fputc('\'', f);
        for (; *s; s++)
                if (*s == '\'')
                        fputs("'\\''", f);
                else
                        fputc(*s, f);
        fputc('\'', f);
}

static void put_step(FILE *f, const struct generator_argv *a, const char *msg) {
        for (size_t k = 0; k < a->n; k++) {
                if (k > 0)
                        fputc(' ', f);
                put_word(f, a->argv[k]);
        }
        fputs(" || { pullboot_failed ", f);
        put_word(f, msg);
        fputs("; return 1; }\n", f);
}

int generator_write_script(const struct plan *p, const struct generator_options *o, FILE *f) {
        int r;

        fputs("# Written by pullboot-generator --script from the kernel command line and the import.pull credential\n", f);
        fputs("PULLBOOT_FAILURE_ACTION=", f);
        put_word(f, p->failure_action != PB_ACTION_INVALID ? p->failure_action_spec : "");
        fputs("\nPULLBOOT_SUCCESS_ACTION=", f);
        put_word(f, p->success_action != PB_ACTION_INVALID ? p->success_action_spec : "");
        fputc('\n', f);

        for (size_t i = 0; i < p->n_pulls; i++) {
                const struct plan_pull *pull = &p->pulls[i];
                struct generator_argv a;
                char msg[8192];

                if (pull->status != PLAN_PULL_READY)
                        continue;
                r = generator_pull_argv(pull, o, &a);
                if (r < 0)
                        return log_error_errno(r, "pull %zu: cannot form its command line", i);
                snprintf(msg, sizeof msg, "pull %zu: cannot pull %s; see the message above", i, pull->urls[0]);
                put_step(f, &a, msg);
                generator_argv_free(&a);
                if (!pull->spec.blockdev)
                        continue;
                r = generator_attach_argv(pull, o, &a);
                if (r < 0)
                        return log_error_errno(r, "pull %zu: cannot form its attach command line", i);
                snprintf(msg, sizeof msg, "pull %zu: cannot attach %s to a loop device", i, pull->target);
                put_step(f, &a, msg);
                generator_argv_free(&a);
        }
        fputs("PULLBOOT_ROOT_PULLED=", f);
        fputs(generator_root_is_pulled(p) ? "1\n" : "0\n", f);
        return ferror(f) ? log_error_errno(-EIO, "cannot write the script") : 0;
}
