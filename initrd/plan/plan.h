/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "pullspec.h"
#include "root.h"
#include "store.h"

/*
 * What the initrd will do, decided once from its inputs and then executed (`pullboot init`) or
 * printed (`pullboot plan`). plan_build() is pure: it reads no files and no variables; the caller
 * supplies the kernel command line, the boot origin URL and the import.pull credential.
 *
 * A bad pull expression does not stop the plan: its entry is PLAN_PULL_INVALID with the reason, so
 * `pullboot init` can skip it and go on as systemd does, while `pullboot plan` refuses the whole
 * input (plan_is_valid()).
 */

enum plan_mode {
        PLAN_MODE_INITRD,   /* rd.systemd.pull= only, images below /run by default */
        PLAN_MODE_HOST,     /* systemd.pull= only, images below /var/lib by default */
};

enum plan_pull_source {
        PLAN_SOURCE_CMDLINE,
        PLAN_SOURCE_CREDENTIAL,
};

enum plan_pull_status {
        PLAN_PULL_READY,    /* urls, local and target are set: pull it */
        PLAN_PULL_SKIPPED,  /* valid, but nothing to do (bootorigin without an origin) */
        PLAN_PULL_INVALID,  /* refused; reason says why */
};

/* pullboot.lazy=: serve blockdev images from their URL instead of downloading them (plan-lazy.c). */
enum plan_lazy {
        PLAN_LAZY_NO,               /* download */
        PLAN_LAZY_YES,              /* serve from HTTP ranges, fetching what is read */
        PLAN_LAZY_FILL,             /* as yes, and fetch the rest once idle */
};

/* Where a lazy, verified pull's dm-verity root hash is trusted from. */
enum plan_roothash {
        PLAN_ROOTHASH_NONE,         /* not verity-checked (not lazy, or verify=no) */
        PLAN_ROOTHASH_CMDLINE,      /* roothash= on the (signed) kernel command line */
        PLAN_ROOTHASH_SIDECAR,      /* IMAGE.roothash, listed in the verified checksum list */
};

#define PLAN_ROOTHASH_HEX_MAX 128   /* sha512 */

struct plan_pull {
        enum plan_pull_source source;
        char *key;                  /* "rd.systemd.pull", "systemd.pull" or "import.pull" */
        unsigned line;              /* credential line number, 0 for the command line */
        char *expression;           /* as written; spec's spans point into it */
        enum plan_pull_status status;
        char *reason;               /* SKIPPED/INVALID: one line, names the option; else NULL */

        bool parsed;                /* spec is filled (false if the expression itself was refused) */
        struct pb_pullspec spec;
        bool runtime;               /* resolved: below /run (true) or /var/lib */

        char **urls;                /* READY: candidate URLs, try in order, first success wins */
        size_t n_urls;
        char *local;                /* READY: local image name */
        char *target;               /* READY: /run/machines/NAME.raw, /var/lib/extensions/NAME, ... */

        char **warnings;            /* accepted with warnings (unknown options, ...) */
        size_t n_warnings;

        enum plan_lazy lazy;        /* READY: how this pull is served */
        const char *lazy_reason;    /* static: why not lazy although pullboot.lazy= (or its default) asked */
        /* Lazy with verify= other than no: the dm-verity root hash that makes it safe (plan-lazy.c). */
        enum plan_roothash lazy_roothash;
        char lazy_roothash_hex[PLAN_ROOTHASH_HEX_MAX + 1]; /* PLAN_ROOTHASH_CMDLINE: the value */
};

enum plan_root_kind {
        PLAN_ROOT_NONE,             /* no root= */
        PLAN_ROOT_GPT_AUTO,         /* root=gpt-auto: find the root partition of the "rootdisk" loop */
        PLAN_ROOT_BIND,             /* root=bind:PATH: bind-mount a directory (tar images) */
        PLAN_ROOT_LOOP_REF,         /* root=/dev/disk/by-loop-ref/REF[-partN] */
        PLAN_ROOT_PARTUUID,         /* root=PARTUUID=... */
        PLAN_ROOT_PARTLABEL,        /* root=PARTLABEL=... */
        PLAN_ROOT_UUID,             /* root=UUID=... (file system UUID) */
        PLAN_ROOT_LABEL,            /* root=LABEL=... (file system label) */
        PLAN_ROOT_DEVICE,           /* root=/dev/... or any other absolute path */
        PLAN_ROOT_TMPFS,            /* root=tmpfs */
        PLAN_ROOT_INVALID,          /* unusable root= value; the reason is in plan->errors */
};

struct plan_root {
        enum plan_root_kind kind;
        struct root_spec spec;      /* root=, rootfstype=, rootflags=, ro/rw, for root_mount() */
        char *invalid;              /* INVALID: the offending root=/rootfstype=/rootflags= text */
        char *loop_ref;             /* LOOP_REF: "image.raw", the backing file's name */
        unsigned partition;         /* LOOP_REF: N of "-partN", 0 for the whole device */
        ssize_t pull;               /* index of the pull that provides the root, -1 if none */
};

struct plan {
        enum plan_mode mode;
        char *origin;               /* boot origin URL, NULL if none */
        const char *origin_source;  /* annotation set by the caller: "StubDeviceURL", ... (not owned) */

        struct plan_pull *pulls;
        size_t n_pulls;

        struct plan_root root;

        /* systemd.pull.success_action= / failure_action=: the value as written (NULL if absent) and
         * its meaning (PB_ACTION_INVALID if it is not one of systemd's emergency actions). */
        char *success_action_spec, *failure_action_spec;
        enum pb_emergency_action success_action, failure_action;

        /* Initrd: where the images go (pullboot.store=, pullboot.store-format=; store.h). */
        struct store_spec store;
        enum plan_lazy lazy;        /* pullboot.lazy=, else yes */
        bool lazy_default;          /* no pullboot.lazy=: lazy only where nothing is lost (plan-lazy.c) */

        char **warnings;            /* things that are probably not what was meant */
        size_t n_warnings;
        char **errors;              /* invalid inputs other than pull expressions */
        size_t n_errors;
};

/* Builds the plan. Only allocation failure (-ENOMEM) is an error; bad input is recorded inside.
 * origin and credential may be NULL. */
int plan_build(const char *cmdline, const char *origin, const char *credential, enum plan_mode mode,
               struct plan **ret);
struct plan *plan_free(struct plan *p);
static inline void plan_freep(struct plan **p) {
        plan_free(*p);
}
#define _cleanup_plan_ __attribute__((cleanup(plan_freep)))

/* False if any pull is INVALID or the plan has errors: `pullboot plan` then exits 2. */
bool plan_is_valid(const struct plan *p);

/* Is pull (one of p->pulls) the one that provides the root? */
static inline bool plan_is_root_pull(const struct plan *p, const struct plan_pull *pull) {
        return p->root.pull >= 0 && pull == &p->pulls[p->root.pull];
}

const char *plan_mode_to_string(enum plan_mode m);            /* "initrd", "host" */
const char *plan_pull_status_to_string(enum plan_pull_status s); /* "ready", "skipped", "invalid" */
const char *plan_pull_source_to_string(enum plan_pull_source s); /* "cmdline", "credential" */
const char *plan_root_kind_to_string(enum plan_root_kind k);  /* "none", "gpt-auto", "bind", ... */
const char *plan_lazy_to_string(enum plan_lazy l);            /* "no", "yes", "fill" */
const char *plan_roothash_to_string(enum plan_roothash r);    /* NULL, "cmdline", "sidecar" */

/* pullboot.lazy= and, for each ready pull, whether it can be served lazily (plan-lazy.c). An
 * invalid value becomes a plan error. Only allocation failure is returned. */
int plan_decide_lazy(struct plan *p, const char *cmdline);
int plan_add_error(struct plan *p, char *s);   /* takes s (NULL: -ENOMEM) */

/* Printers (plan-print.c). The JSON form is a stable interface, documented in pullboot(8). */
int plan_print_text(const struct plan *p, FILE *f);
int plan_print_json(const struct plan *p, FILE *f);

/* How the boot reports a pull it will not run, in `pullboot init` and the generator alike (plan-log.c):
 * an invalid expression as a warning (it is skipped, as systemd does), a skipped one as information. */
void plan_log_pull_status(const struct plan_pull *pull);
