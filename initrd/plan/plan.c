/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel command line + boot origin + import.pull credential -> struct plan. Pure: no I/O, so the
 * same decisions are printed by `pullboot plan` and executed by `pullboot init`.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "macro.h"
#include "plan.h"
#include "url.h"
#include "strv.h"

#define URL_MAX 8192

static const char *const mode_names[] = {
        [PLAN_MODE_INITRD] = "initrd",
        [PLAN_MODE_HOST] = "host",
};

static const char *const status_names[] = {
        [PLAN_PULL_READY] = "ready",
        [PLAN_PULL_SKIPPED] = "skipped",
        [PLAN_PULL_INVALID] = "invalid",
};

static const char *const source_names[] = {
        [PLAN_SOURCE_CMDLINE] = "cmdline",
        [PLAN_SOURCE_CREDENTIAL] = "credential",
};

static const char *const root_kind_names[] = {
        [PLAN_ROOT_NONE] = "none",
        [PLAN_ROOT_GPT_AUTO] = "gpt-auto",
        [PLAN_ROOT_BIND] = "bind",
        [PLAN_ROOT_LOOP_REF] = "loop-ref",
        [PLAN_ROOT_PARTUUID] = "partuuid",
        [PLAN_ROOT_PARTLABEL] = "partlabel",
        [PLAN_ROOT_UUID] = "uuid",
        [PLAN_ROOT_LABEL] = "label",
        [PLAN_ROOT_DEVICE] = "device",
        [PLAN_ROOT_TMPFS] = "tmpfs",
        [PLAN_ROOT_INVALID] = "invalid",
};

#define NAME_LOOKUP(func, type, table)                                  \
        const char *func(type v) {                                      \
                if ((size_t) v >= ELEMENTSOF(table))                    \
                        return NULL;                                    \
                return table[v];                                        \
        }

NAME_LOOKUP(plan_mode_to_string, enum plan_mode, mode_names)
NAME_LOOKUP(plan_pull_status_to_string, enum plan_pull_status, status_names)
NAME_LOOKUP(plan_pull_source_to_string, enum plan_pull_source, source_names)
NAME_LOOKUP(plan_root_kind_to_string, enum plan_root_kind, root_kind_names)

static char *span_dup(struct pb_span s) {
        char *p = malloc(s.len + 1);
        if (!p)
                return NULL;
        if (s.len)
                memcpy(p, s.ptr, s.len);
        p[s.len] = 0;
        return p;
}

static char *strdup_printf(const char *fmt, ...) _printf_(1, 2);
static char *strdup_printf(const char *fmt, ...) {
        va_list ap;
        char *s;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        return s;
}

static char *diag_dup(const struct pb_diag *d) {
        char buf[1024];
        pb_pullspec_diag_format(d, buf, sizeof buf);
        return strdup(buf);
}

static void pull_done(struct plan_pull *p) {
        free(p->key);
        free(p->expression);
        free(p->reason);
        strv_free(p->urls, p->n_urls);
        free(p->local);
        free(p->target);
        strv_free(p->warnings, p->n_warnings);
}

struct plan *plan_free(struct plan *p) {
        if (!p)
                return NULL;
        free(p->origin);
        for (size_t i = 0; i < p->n_pulls; i++)
                pull_done(&p->pulls[i]);
        free(p->pulls);
        free(p->root.loop_ref);
        free(p->root.invalid);
        free(p->success_action_spec);
        free(p->failure_action_spec);
        strv_free(p->warnings, p->n_warnings);
        strv_free(p->errors, p->n_errors);
        free(p);
        return NULL;
}

bool plan_is_valid(const struct plan *p) {
        if (p->n_errors > 0)
                return false;
        for (size_t i = 0; i < p->n_pulls; i++)
                if (p->pulls[i].status == PLAN_PULL_INVALID)
                        return false;
        return true;
}

static int set_invalid(struct plan_pull *pull, const struct pb_diag *d) {
        pull->status = PLAN_PULL_INVALID;
        pull->reason = diag_dup(d);
        return pull->reason ? 0 : -ENOMEM;
}

/* Fills everything after the expression: status, reason, urls, local, target. */
static int resolve_pull(struct plan_pull *pull, const char *origin, enum plan_mode mode) {
        struct pb_span origin_span = pb_span_from_str(origin);
        struct pb_diag d = { 0 };
        _cleanup_free_ char *url = NULL;
        char local[PB_PULLSPEC_NAME_MAX + 1], target[PB_PULLSPEC_NAME_MAX + 64];
        unsigned n;
        int r;

        r = pb_pullspec_parse_syntax(pb_span_from_str(pull->expression), &pull->spec, &d);
        if (r < 0)
                return set_invalid(pull, &d);
        pull->runtime = pb_pullspec_runtime(&pull->spec, mode == PLAN_MODE_INITRD);

        for (unsigned i = 0; i < pull->spec.n_warnings; i++) {
                r = strv_consume(&pull->warnings, &pull->n_warnings, diag_dup(&pull->spec.warnings[i]));
                if (r < 0)
                        return r;
        }

        /* Like systemd: bootorigin without an origin is not an error, the pull just does not happen,
         * so one initrd boots from a local disk and from the network alike. */
        if (pull->spec.bootorigin && origin_span.len == 0) {
                pull->parsed = true;
                pull->status = PLAN_PULL_SKIPPED;
                pull->reason = strdup("option 'bootorigin': no boot origin URL "
                                      "(not booted via UEFI HTTP boot, StubDeviceURL is not set)");
                return pull->reason ? 0 : -ENOMEM;
        }

        r = pb_pullspec_check(&pull->spec, &d);
        if (r < 0)
                return set_invalid(pull, &d);
        pull->parsed = true;

        url = malloc(URL_MAX);
        if (!url)
                return -ENOMEM;
        n = pb_pullspec_n_candidates(&pull->spec);
        for (unsigned i = 0; i < n; i++) {
                r = pb_pullspec_candidate_url(&pull->spec, origin_span, i, url, URL_MAX, &d);
                if (r < 0)
                        return set_invalid(pull, &d);
                r = strv_consume(&pull->urls, &pull->n_urls, strdup(url));
                if (r < 0)
                        return r;
        }

        /* Every candidate differs only in compression suffixes, which stripping removes, so the first
         * one names the image. */
        r = pb_pullspec_local_name(&pull->spec, pb_span_from_str(pull->urls[0]), local, sizeof local, &d);
        if (r < 0)
                return set_invalid(pull, &d);
        r = pb_pullspec_target_path(&pull->spec, local, mode == PLAN_MODE_INITRD, target, sizeof target);
        if (r < 0) {
                d = (struct pb_diag) { .reason = "local name '{}': cannot form the target path",
                                       .where = pb_span_from_str(local) };
                return set_invalid(pull, &d);
        }
        pull->local = strdup(local);
        pull->target = strdup(target);
        if (!pull->local || !pull->target)
                return -ENOMEM;
        pull->status = PLAN_PULL_READY;
        return 0;
}

/* systemd-import-generator names a transfer's unit after the path it installs the image at
 * (systemd-import@<image root>/<LOCAL>[.raw].service), so a second expression for the same path
 * finds the unit already written and is refused: the first one wins. A raw "m" and a tar "m"
 * (m.raw and m) are different paths and both happen. The same here. It matters beyond tidiness:
 * a credential from the VM manager must not replace an image the (signed) command line pulls,
 * pinned digest included, at the same path. */
static int refuse_duplicate(struct plan *p, struct plan_pull *pull) {
        if (pull->status != PLAN_PULL_READY)
                return 0;
        for (size_t i = 0; i + 1 < p->n_pulls; i++) {
                const struct plan_pull *o = &p->pulls[i];
                if (o->status != PLAN_PULL_READY || strcmp(o->target, pull->target) != 0)
                        continue;
                pull->status = PLAN_PULL_INVALID;
                if (asprintf(&pull->reason, "target '%s' is already pulled by pull %zu; the first "
                             "expression for a path wins", pull->target, i) < 0) {
                        pull->reason = NULL;
                        return -ENOMEM;
                }
                return 0;
        }
        return 0;
}

static int add_pull(struct plan *p, enum plan_pull_source source, const char *key, unsigned line,
                    struct pb_span expression, const char *origin) {
        struct plan_pull *m = realloc(p->pulls, (p->n_pulls + 1) * sizeof *m);
        if (!m)
                return -ENOMEM;
        p->pulls = m;

        struct plan_pull *pull = &p->pulls[p->n_pulls++];
        *pull = (struct plan_pull) {
                .source = source,
                .line = line,
                .key = strdup(key),
                .expression = span_dup(expression),
        };
        if (!pull->key || !pull->expression)
                return -ENOMEM;
        int r = resolve_pull(pull, origin, p->mode);
        if (r < 0)
                return r;
        return refuse_duplicate(p, pull);
}

static int add_warning(struct plan *p, char *s) {
        return strv_consume(&p->warnings, &p->n_warnings, s);
}

static int add_error(struct plan *p, char *s) {
        return strv_consume(&p->errors, &p->n_errors, s);
}

int plan_add_error(struct plan *p, char *s) {
        return add_error(p, s);
}

/* systemd's PROC_CMDLINE_RD_STRICT: in the initrd only "rd.KEY" counts, on the host only "KEY";
 * '-' and '_' are the same in keys (proc_cmdline_key_streq()). */
static bool key_matches_strict(const struct pb_cmdline_arg *arg, const char *name, enum plan_mode mode) {
        return pb_cmdline_key_matches(arg, name,
                                      mode == PLAN_MODE_INITRD ? PB_CMDLINE_IN_INITRD | PB_CMDLINE_RD_STRICT : 0);
}

static enum plan_root_kind root_kind_from_spec(const struct root_spec *spec) {
        switch (spec->kind) {
        case ROOT_GPT_AUTO:
                return PLAN_ROOT_GPT_AUTO;
        case ROOT_BIND:
                return PLAN_ROOT_BIND;
        case ROOT_UUID:
                return PLAN_ROOT_UUID;
        case ROOT_PARTUUID:
                return PLAN_ROOT_PARTUUID;
        case ROOT_LABEL:
                return PLAN_ROOT_LABEL;
        case ROOT_PARTLABEL:
                return PLAN_ROOT_PARTLABEL;
        case ROOT_TMPFS:
                return PLAN_ROOT_TMPFS;
        case ROOT_DEVICE:
                return pb_span_startswith(pb_span_from_str(spec->what), "/dev/disk/by-loop-ref/") ?
                        PLAN_ROOT_LOOP_REF : PLAN_ROOT_DEVICE;
        default:
                return PLAN_ROOT_NONE;
        }
}

/* /dev/disk/by-loop-ref/REF[-partN]: REF is the backing file's name ("image.raw"), the handle
 * systemd-loop@ (and `pullboot attach`) give the loop devices of blockdev pulls. The split itself
 * is root.h's, so plan and mount-root read root= the same way. */
static int split_loop_ref(struct plan_root *root) {
        char ref[PATH_MAX];
        unsigned part = 0;
        int r;

        r = root_spec_loop_ref(&root->spec, ref, sizeof ref, &part);
        if (r < 0)
                return r;
        root->partition = part;
        root->loop_ref = strdup(r > 0 ? ref : "");
        return root->loop_ref ? 0 : -ENOMEM;
}

static int parse_root(struct plan *p, const char *cmdline) {
        struct plan_root *root = &p->root;
        struct pb_diag d = { 0 };
        int r;

        r = root_spec_from_cmdline(pb_span_from_str(cmdline), &root->spec, &d);
        if (r < 0) {
                root->kind = PLAN_ROOT_INVALID;
                root->invalid = strndup(d.where.ptr ? d.where.ptr : "", d.where.len);
                if (!root->invalid)
                        return -ENOMEM;
                return add_error(p, strdup_printf("'%s': %s", root->invalid, d.reason ? d.reason : "invalid root="));
        }
        root->kind = root_kind_from_spec(&root->spec);
        if (root->kind == PLAN_ROOT_LOOP_REF)
                return split_loop_ref(root);
        return 0;
}

/* The first pull matching, among READY ones only or among all valid (READY or SKIPPED) ones. */
static ssize_t find_pull(const struct plan *p, bool ready_only,
                         bool (*match)(const struct plan_pull *, const char *), const char *arg) {
        for (size_t i = 0; i < p->n_pulls; i++) {
                enum plan_pull_status st = p->pulls[i].status;
                if (st == PLAN_PULL_INVALID || (ready_only && st != PLAN_PULL_READY))
                        continue;
                if (match(&p->pulls[i], arg))
                        return (ssize_t) i;
        }
        return -1;
}

/* The name a pull's image gets: LOCAL, or when skipped without LOCAL, unknown. */
static const char *pull_local(const struct plan_pull *pull, char *buf, size_t size) {
        if (pull->local)
                return pull->local;
        if (pull->parsed && pull->spec.local.len > 0 && pb_span_copy(pull->spec.local, buf, size) == 0)
                return buf;
        return NULL;
}

/* systemd-loop@ attaches with --loop-ref-auto: the reference is the backing file's name. */
static bool match_blockdev_ref(const struct plan_pull *pull, const char *ref) {
        char buf[PB_PULLSPEC_NAME_MAX + 1];
        const char *local = pull_local(pull, buf, sizeof buf);
        size_t n;

        if (!pull->parsed || !pull->spec.blockdev || !local)
                return false;
        n = strlen(local);
        return strncmp(ref, local, n) == 0 && strcmp(ref + n, ".raw") == 0;
}

/* udev's gpt-auto root lookup only considers a loop device backed by "rootdisk[.raw]". */
static bool match_gpt_auto(const struct plan_pull *pull, const char *unused) {
        return match_blockdev_ref(pull, "rootdisk.raw");
}

static bool match_bind(const struct plan_pull *pull, const char *path) {
        char buf[PB_PULLSPEC_NAME_MAX + 1], target[PB_PULLSPEC_NAME_MAX + 64];
        const char *local = pull_local(pull, buf, sizeof buf);

        if (!pull->parsed || pull->spec.type != PB_TYPE_TAR || !local)
                return false;
        if (pb_pullspec_target_path(&pull->spec, local, pull->runtime, target, sizeof target) < 0)
                return false;
        return strcmp(target, path) == 0;
}

/*
 * Which pull provides the root, and a warning when none could though one obviously should. The
 * root comes from a pull only if that pull runs; a skipped one (no boot origin) leaves the root to
 * be found elsewhere, which is the point of bootorigin, so it warrants no warning either.
 */
static int link_root(struct plan *p) {
        struct plan_root *root = &p->root;
        bool (*match)(const struct plan_pull *, const char *);
        const char *arg;

        switch (root->kind) {
        case PLAN_ROOT_GPT_AUTO:
                match = match_gpt_auto, arg = NULL;
                break;
        case PLAN_ROOT_LOOP_REF:
                match = match_blockdev_ref, arg = root->loop_ref;
                break;
        case PLAN_ROOT_BIND:
                match = match_bind, arg = root->spec.what;
                break;
        default:
                return 0;
        }

        root->pull = find_pull(p, true, match, arg);
        if (find_pull(p, false, match, arg) >= 0)
                return 0;

        /* gpt-auto and bind: may well be meant for a local disk when nothing is pulled at all. */
        switch (root->kind) {
        case PLAN_ROOT_GPT_AUTO:
                if (p->n_pulls == 0)
                        return 0;
                return add_warning(p, strdup("root=gpt-auto: no blockdev pull is named 'rootdisk'; "
                                             "gpt-auto only looks at the loop device of 'rootdisk'"));
        case PLAN_ROOT_LOOP_REF:
                return add_warning(p, strdup_printf("root=%s: no blockdev pull attaches a loop device "
                                                    "named '%s'", root->spec.what, root->loop_ref));
        default:
                if (p->n_pulls == 0)
                        return 0;
                return add_warning(p, strdup_printf("root=bind:%s: no tar pull unpacks there", root->spec.what));
        }
}

static int set_action(struct pb_span v, char **spec, enum pb_emergency_action *action) {
        free(*spec);
        *spec = span_dup(v);
        if (!*spec)
                return -ENOMEM;
        *action = pb_emergency_action_from_string(v);
        return 0;
}

static int check_action(struct plan *p, const char *key, const char *spec, enum pb_emergency_action a) {
        if (!spec || a != PB_ACTION_INVALID)
                return 0;
        return add_error(p, strdup_printf("%s=%s: not an emergency action (use none, reboot, reboot-force, "
                                          "poweroff, poweroff-force, halt, exit, ...; see systemd.unit(5))",
                                          key, spec));
}

static int parse_cmdline(struct plan *p, const char *cmdline, const char *origin) {
        const char *pull_key = p->mode == PLAN_MODE_INITRD ? "rd.systemd.pull" : "systemd.pull";
        const char *success_key = p->mode == PLAN_MODE_INITRD ? "rd.systemd.pull.success_action"
                                                               : "systemd.pull.success_action";
        const char *failure_key = p->mode == PLAN_MODE_INITRD ? "rd.systemd.pull.failure_action"
                                                               : "systemd.pull.failure_action";
        struct pb_cmdline_sd_iter it;
        struct pb_cmdline_arg arg;
        _cleanup_free_ char *word = NULL;
        size_t size = strlen(cmdline) + 1;
        int r;

        /* These keys are systemd's: split and unquoted the way systemd-import-generator reads them. */
        word = malloc(size);
        if (!word)
                return -ENOMEM;
        pb_cmdline_sd_iter_init(&it, pb_span_from_str(cmdline));
        while ((r = pb_cmdline_sd_next(&it, word, size, &arg)) > 0) {
                bool is_pull = key_matches_strict(&arg, "systemd.pull", p->mode);
                bool is_success = key_matches_strict(&arg, "systemd.pull.success_action", p->mode);
                bool is_failure = key_matches_strict(&arg, "systemd.pull.failure_action", p->mode);

                if ((is_pull || is_success || is_failure) && !arg.has_value) {
                        r = add_warning(p, strdup_printf("%.*s: given without a value, ignored", (int) arg.key.len,
                                                         arg.key.ptr));
                        if (r < 0)
                                return r;
                        continue;
                }
                if (is_pull)
                        r = add_pull(p, PLAN_SOURCE_CMDLINE, pull_key, 0, arg.value, origin);
                else if (is_success)
                        r = set_action(arg.value, &p->success_action_spec, &p->success_action);
                else if (is_failure)
                        r = set_action(arg.value, &p->failure_action_spec, &p->failure_action);
                else
                        r = 0;
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        r = check_action(p, success_key, p->success_action_spec, p->success_action);
        if (r < 0)
                return r;
        return check_action(p, failure_key, p->failure_action_spec, p->failure_action);
}

static int parse_store(struct plan *p, const char *cmdline) {
        struct pb_diag d = { 0 };
        int r = store_spec_from_cmdline(pb_span_from_str(cmdline), &p->store, &d);
        if (r >= 0)
                return 0;
        return add_error(p, strdup_printf("'%.*s': %s", (int) d.where.len, d.where.ptr ? d.where.ptr : "",
                                          d.reason ? d.reason : "invalid pullboot.store="));
}

static int parse_credential(struct plan *p, const char *credential, const char *origin) {
        struct pb_credential_iter it;
        struct pb_span line;
        int r;

        pb_credential_iter_init(&it, pb_span_from_str(credential));
        while (pb_credential_next(&it, &line) > 0) {
                r = add_pull(p, PLAN_SOURCE_CREDENTIAL, "import.pull", it.line, line, origin);
                if (r < 0)
                        return r;
        }
        return 0;
}

int plan_build(const char *cmdline, const char *origin, const char *credential, enum plan_mode mode,
               struct plan **ret) {
        _cleanup_plan_ struct plan *p = NULL;
        int r;

        p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        p->mode = mode;
        p->root = (struct plan_root) { .kind = PLAN_ROOT_NONE, .pull = -1 };
        root_spec_init(&p->root.spec);
        p->store = (struct store_spec) { .kind = STORE_TMPFS };
        root_spec_init(&p->store.device);
        p->success_action = p->failure_action = PB_ACTION_INVALID;
        if (origin && *origin) {
                p->origin = strdup(origin);
                if (!p->origin)
                        return -ENOMEM;
        }

        /* Command line first, then the credential: the order systemd-import-generator uses. */
        r = parse_cmdline(p, cmdline ? cmdline : "", p->origin);
        if (r < 0)
                return r;
        if (credential) {
                r = parse_credential(p, credential, p->origin);
                if (r < 0)
                        return r;
        }
        r = parse_root(p, cmdline ? cmdline : "");
        if (r < 0)
                return r;
        /* root= and the store are the initrd's business; on the host there is nothing to check. */
        if (mode == PLAN_MODE_INITRD)
                r = link_root(p);
        if (r >= 0 && mode == PLAN_MODE_INITRD)
                r = parse_store(p, cmdline ? cmdline : "");
        if (r < 0)
                return r;
        if (mode == PLAN_MODE_INITRD) {
                r = plan_decide_lazy(p, cmdline ? cmdline : "");
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(p);
        return 0;
}
