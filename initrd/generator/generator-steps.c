/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command lines of the generator's steps, shared by the unit and the script renderer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "macro.h"

static int push(struct generator_argv *a, const char *s) {
        if (a->n + 1 >= ELEMENTSOF(a->argv))
                return -E2BIG;
        a->argv[a->n++] = s;
        a->argv[a->n] = NULL;
        return 0;
}

static int push_owned(struct generator_argv *a, char *s) {
        if (!s)
                return -ENOMEM;
        if (a->n_owned >= ELEMENTSOF(a->owned)) {
                free(s);
                return -E2BIG;
        }
        a->owned[a->n_owned++] = s;
        return push(a, s);
}

void generator_argv_free(struct generator_argv *a) {
        for (size_t i = 0; i < a->n_owned; i++)
                free(a->owned[i]);
        *a = (struct generator_argv) {};
}

/* The end of a builder: hands a over to ret, or frees it when a push failed (r < 0). */
static int argv_done(struct generator_argv *a, int r, struct generator_argv *ret) {
        if (r < 0) {
                generator_argv_free(a);
                return r;
        }
        *ret = *a;
        return 0;
}

static char *verify_arg(const struct pb_pullspec *spec) {
        char *s;

        if (spec->verify != PB_VERIFY_SHA256)
                return asprintf(&s, "--verify=%s", pb_verify_to_string(spec->verify)) < 0 ? NULL : s;
        s = malloc(sizeof "--verify=sha256:" + 64);
        if (!s)
                return NULL;
        int n = sprintf(s, "--verify=sha256:");
        for (size_t i = 0; i < sizeof spec->sha256; i++)
                n += sprintf(s + n, "%02x", spec->sha256[i]);
        return s;
}

int generator_pull_argv(const struct plan_pull *pull, const struct generator_options *o, struct generator_argv *ret) {
        struct generator_argv a = {};
        int r;

        if (pull->status != PLAN_PULL_READY)
                return -EINVAL;
        r = push(&a, o->pullboot);
        if (r >= 0)
                r = push(&a, "pull");
        /* Progress as lines, one a second: the console and the journal get something readable. */
        if (r >= 0)
                r = push(&a, "--progress=plain");
        if (r >= 0)
                r = push(&a, pull->spec.type == PB_TYPE_TAR ? "--type=tar" : "--type=raw");
        if (r >= 0)
                r = push_owned(&a, verify_arg(&pull->spec));
        if (r >= 0 && pull->spec.read_only)
                r = push(&a, "--ro");
        for (size_t i = 0; r >= 0 && i < pull->n_urls; i++)
                r = push(&a, pull->urls[i]);
        if (r >= 0)
                r = push(&a, pull->target);
        return argv_done(&a, r, ret);
}

int generator_attach_argv(const struct plan_pull *pull, const struct generator_options *o,
                          struct generator_argv *ret) {
        struct generator_argv a = {};
        int r;

        if (pull->status != PLAN_PULL_READY || !pull->spec.blockdev)
                return -EINVAL;
        r = push(&a, o->pullboot);
        if (r >= 0)
                r = push(&a, "attach");
        if (r >= 0 && pull->spec.read_only)
                r = push(&a, "--ro");
        if (r >= 0)
                r = push(&a, pull->target);
        return argv_done(&a, r, ret);
}

bool generator_root_is_pulled(const struct plan *p) {
        switch (p->root.kind) {
        case PLAN_ROOT_GPT_AUTO:
        case PLAN_ROOT_LOOP_REF:
        case PLAN_ROOT_BIND:
                return p->root.pull >= 0;
        default:
                return false;
        }
}

int generator_root_options(const struct plan *p, char *buf, size_t size) {
        const struct root_spec *s = &p->root.spec;
        const char *parts[3] = {
                p->root.kind == PLAN_ROOT_BIND ? "bind" : NULL,
                s->options[0] ? s->options : NULL,
                s->rw == 1 ? "rw" : s->rw == 0 ? "ro" : NULL,
        };
        size_t n = 0;

        buf[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                if (!parts[i])
                        continue;
                int k = snprintf(buf + n, size - n, "%s%s", n ? "," : "", parts[i]);
                if (k < 0 || (size_t) k >= size - n)
                        return -ENAMETOOLONG;
                n += (size_t) k;
        }
        return 0;
}
