/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan as systemd units. Each ready pull is a oneshot service running `pullboot pull`, each
 * blockdev pull a second one running `pullboot attach`; the pulled root gets sysroot.mount. The
 * failure and success actions go on every step, as systemd-import-generator puts them on its
 * import units, so a failed download ends the boot the way the command line asked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "generator.h"
#include "log.h"

#define ROOT_DEVICE_SERVICE "pullboot-root-device.service"
#define STEP_SERVICE_NAME_MAX 64

/* Unit file values: specifiers (%) and variables ($) taken literally. */
static void put_literal(FILE *f, const char *s) {
        for (; *s; s++) {
                if (*s == '%' || *s == '$')
                        fputc(*s, f);
                fputc(*s, f);
        }
}

/* An ExecStart= word: quoted, with \ and " escaped, so spaces and quotes in a URL stay one word. */
static void put_word(FILE *f, const char *s) {
        fputc('"', f);
        for (; *s; s++) {
                if (*s == '\\' || *s == '"')
                        fputc('\\', f);
                if (*s == '%' || *s == '$')
                        fputc(*s, f);
                fputc(*s, f);
        }
        fputc('"', f);
}

static void put_exec(FILE *f, const struct generator_argv *a) {
        fputs("ExecStart=", f);
        for (size_t i = 0; i < a->n; i++) {
                if (i > 0)
                        fputc(' ', f);
                put_word(f, a->argv[i]);
        }
        fputc('\n', f);
}

static int open_unit(const char *dir, const char *name, FILE **ret) {
        char path[PATH_MAX];

        if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
                return log_error_errno(-ENAMETOOLONG, "unit path %s/%s is too long", dir, name);
        /* Like systemd's generators: a unit already written by another generator is not replaced. */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "cannot create %s", path);
        *ret = fdopen(fd, "w");
        if (!*ret) {
                close(fd);
                return log_error_errno(-ENOMEM, "cannot write %s", path);
        }
        return 0;
}

static int close_unit(FILE *f, const char *name) {
        int r = ferror(f) ? -EIO : 0;
        if (fclose(f) != 0 && r == 0)
                r = -errno;
        if (r < 0)
                return log_error_errno(r, "cannot write unit %s", name);
        return 0;
}

/* dir/TARGET.SUFFIX/UNIT -> ../UNIT */
static int add_link(const char *dir, const char *target, const char *suffix, const char *unit) {
        char path[PATH_MAX], dest[PATH_MAX];

        if ((size_t) snprintf(path, sizeof path, "%s/%s.%s/%s", dir, target, suffix, unit) >= sizeof path)
                return log_error_errno(-ENAMETOOLONG, "link path for %s is too long", unit);
        snprintf(dest, sizeof dest, "../%s", unit);
        int r = mkdir_parents(path, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create the directory of %s", path);
        if (symlink(dest, path) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "cannot link %s", path);
        return 0;
}

/*
 * How a step depends on the one before. With a failure action, Wants=: a failed pull must not fail
 * the jobs waiting for it, because initrd-root-fs.target would then start emergency.target
 * (OnFailureJobMode=replace-irreversibly) before the failed unit's FailureAction= runs, and the
 * action's job could no longer be queued. The action then ends the boot; without one, Requires=
 * stops the chain at the first failure.
 */
static const char *dep_kind(const struct plan *p) {
        return p->failure_action_spec && p->failure_action != PB_ACTION_INVALID ? "Wants" : "Requires";
}

static bool needs_network(const struct plan_pull *pull) {
        for (size_t i = 0; i < pull->n_urls; i++)
                if (strncmp(pull->urls[i], "file:", 5) != 0)
                        return true;
        return false;
}

static void put_header(FILE *f, const struct plan *p, const struct plan_pull *pull, const char *what) {
        fputs("# Written by pullboot-generator from the kernel command line and the import.pull credential\n"
              "[Unit]\nDescription=", f);
        put_literal(f, what);
        fputs("\nDocumentation=man:pullboot-generator(8)\n", f);
        fprintf(f, "SourcePath=%s\n", pull && pull->source == PLAN_SOURCE_CREDENTIAL ? "/run/credentials/@system/import.pull"
                                                                                    : "/proc/cmdline");
        fputs("DefaultDependencies=no\n"
              "Conflicts=shutdown.target\n"
              "Before=shutdown.target\n", f);
        /* Done before the initrd is: images that are not the root (sysext, confext) too. */
        if (pull)
                fputs("Before=initrd.target\n", f);
        if (p->failure_action_spec && p->failure_action != PB_ACTION_INVALID)
                fprintf(f, "FailureAction=%s\n", p->failure_action_spec);
}

/* Opens the unit file of a pullboot-*.service whose command line is a; frees a when it cannot. */
static int open_service(const char *dir, const char *name, struct generator_argv *a, FILE **ret) {
        int r = open_unit(dir, name, ret);
        if (r < 0)
                generator_argv_free(a);
        return r;
}

/* The end of a pullboot-*.service: a oneshot whose output (the error of a failed pull or attach)
 * goes to the console too, next to the failure action; extra settings; ExecStart= from a (freed);
 * wanted by initrd.target. */
static int finish_service(FILE *f, const char *dir, const char *name, const char *extra, struct generator_argv *a) {
        int r;

        fputs("\n[Service]\n"
              "Type=oneshot\n"
              "RemainAfterExit=yes\n"
              "StandardOutput=journal+console\n"
              "StandardError=journal+console\n", f);
        if (extra)
                fputs(extra, f);
        put_exec(f, a);
        generator_argv_free(a);
        r = close_unit(f, name);
        if (r < 0)
                return r;
        return add_link(dir, "initrd.target", "wants", name);
}

/* Opens pullboot-STEP-I.service, the unit of one step (pull, attach) of pull i whose command line is
 * a, and writes its [Unit] header with the description formatted from fmt; frees a when it cannot. */
_printf_(8, 9)
static int open_step_service(const char *dir, const struct plan *p, size_t i, const char *step, struct generator_argv *a,
                             char name[static STEP_SERVICE_NAME_MAX], FILE **ret, const char *fmt, ...) {
        char what[PATH_MAX + 64];
        va_list ap;
        int r;

        snprintf(name, STEP_SERVICE_NAME_MAX, "pullboot-%s-%zu.service", step, i);
        r = open_service(dir, name, a, ret);
        if (r < 0)
                return r;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        put_header(*ret, p, &p->pulls[i], what);
        return 0;
}

static int write_pull(const struct plan *p, size_t i, const struct generator_options *o, const char *dir) {
        const struct plan_pull *pull = &p->pulls[i];
        struct generator_argv a;
        char name[STEP_SERVICE_NAME_MAX];
        FILE *f;
        int r;

        r = generator_pull_argv(pull, o, &a);
        if (r < 0)
                return log_error_errno(r, "pull %zu: cannot form its command line", i);
        r = open_step_service(dir, p, i, "pull", &a, name, &f, "Pull %s to %s", pull->urls[0], pull->target);
        if (r < 0)
                return r;
        if (p->success_action_spec && p->success_action != PB_ACTION_INVALID)
                fprintf(f, "SuccessAction=%s\n", p->success_action_spec);
        /* The network the systemd way: whatever makes network-online.target (systemd-networkd and
         * its wait-online service in dracut's and mkosi's initrds). */
        if (needs_network(pull))
                fputs("Wants=network-online.target\n"
                      "After=network-online.target\n", f);
        /* A download takes as long as it takes; the pull's stall timeout catches a dead one. */
        return finish_service(f, dir, name, "TimeoutStartSec=infinity\n", &a);
}

static int write_attach(const struct plan *p, size_t i, const struct generator_options *o, const char *dir) {
        struct generator_argv a;
        char name[STEP_SERVICE_NAME_MAX];
        FILE *f;
        int r;

        r = generator_attach_argv(&p->pulls[i], o, &a);
        if (r < 0)
                return log_error_errno(r, "pull %zu: cannot form its attach command line", i);
        r = open_step_service(dir, p, i, "attach", &a, name, &f, "Attach %s to a loop device", p->pulls[i].target);
        if (r < 0)
                return r;
        fprintf(f, "%s=pullboot-pull-%zu.service\n"
                   "After=pullboot-pull-%zu.service systemd-udevd.service systemd-modules-load.service\n", dep_kind(p), i, i);
        return finish_service(f, dir, name, NULL, &a);
}

/* gpt-auto and by-loop-ref: which partition of the attached image is the root is decided by
 * `pullboot root-device` (the DPS rules, the loop reference) once it is attached. */
static int write_root_device(const struct plan *p, const struct generator_options *o, const char *dir) {
        FILE *f;
        int r;

        r = open_unit(dir, ROOT_DEVICE_SERVICE, &f);
        if (r < 0)
                return r;
        put_header(f, p, NULL, "Find the root partition of the pulled image");
        fprintf(f, "%s=pullboot-attach-%zd.service\n"
                   "After=pullboot-attach-%zd.service\n", dep_kind(p), p->root.pull, p->root.pull);
        fputs("\n[Service]\n"
              "Type=oneshot\n"
              "RemainAfterExit=yes\n"
              "StandardOutput=journal+console\n"
              "StandardError=journal+console\n"
              "ExecStart=", f);
        put_word(f, o->pullboot);
        fputs(" root-device --link " GENERATOR_ROOT_DEVICE "\n", f);
        return close_unit(f, ROOT_DEVICE_SERVICE);
}

static int write_sysroot(const struct plan *p, const char *early_dir) {
        const struct plan_pull *pull = &p->pulls[p->root.pull];
        char options[ROOT_OPTIONS_MAX + 16], dep[64];
        bool bind = p->root.kind == PLAN_ROOT_BIND;
        FILE *f;
        int r;

        r = generator_root_options(p, options, sizeof options);
        if (r < 0)
                return log_error_errno(r, "rootflags= is too long");
        if (bind)
                snprintf(dep, sizeof dep, "pullboot-pull-%zd.service", p->root.pull);
        else
                snprintf(dep, sizeof dep, "%s", ROOT_DEVICE_SERVICE);

        r = open_unit(early_dir, "sysroot.mount", &f);
        if (r < 0)
                return r;
        put_header(f, p, pull, "Root file system pulled by pullboot");
        fprintf(f, "Before=initrd-root-fs.target\n"
                   "%s=%s\n"
                   "After=%s\n", dep_kind(p), dep, dep);
        fputs("\n[Mount]\nWhat=", f);
        put_literal(f, bind ? pull->target : GENERATOR_ROOT_DEVICE);
        fputs("\nWhere=/sysroot\n", f);
        if (!bind && p->root.spec.fstype[0]) {
                fputs("Type=", f);
                put_literal(f, p->root.spec.fstype);
                fputc('\n', f);
        }
        if (options[0]) {
                fputs("Options=", f);
                put_literal(f, options);
                fputc('\n', f);
        }
        r = close_unit(f, "sysroot.mount");
        if (r < 0)
                return r;
        return add_link(early_dir, "initrd-root-fs.target", "requires", "sysroot.mount");
}

int generator_write_units(const struct plan *p, const struct generator_options *o, const char *normal_dir,
                          const char *early_dir) {
        int r;

        for (size_t i = 0; i < p->n_pulls; i++) {
                if (p->pulls[i].status != PLAN_PULL_READY)
                        continue;
                r = write_pull(p, i, o, normal_dir);
                if (r < 0)
                        return r;
                if (!p->pulls[i].spec.blockdev)
                        continue;
                r = write_attach(p, i, o, normal_dir);
                if (r < 0)
                        return r;
        }
        if (!generator_root_is_pulled(p))
                return 0;
        if (p->root.kind != PLAN_ROOT_BIND) {
                r = write_root_device(p, o, normal_dir);
                if (r < 0)
                        return r;
        }
        return write_sysroot(p, early_dir);
}
