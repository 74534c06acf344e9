/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* struct plan as text for people and as JSON for programs (a stable format, see pullboot(8)). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "json.h"
#include "macro.h"
#include "plan.h"

static void json_bool(FILE *f, bool b) {
        fputs(b ? "true" : "false", f);
}

static void json_tristate(FILE *f, int b) {
        if (b < 0)
                fputs("null", f);
        else
                json_bool(f, b > 0);
}

static void json_strv(FILE *f, char *const *l, size_t n, const char *indent) {
        if (n == 0) {
                fputs("[]", f);
                return;
        }
        fputs("[\n", f);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "%s  ", indent);
                json_write_cstring(f, l[i]);
                fputs(i + 1 < n ? ",\n" : "\n", f);
        }
        fprintf(f, "%s]", indent);
}

static void hex(char *buf, const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                sprintf(buf + 2 * i, "%02x", p[i]);
}

static void json_pull(FILE *f, const struct plan_pull *pull) {
        const struct pb_pullspec *s = pull->parsed ? &pull->spec : NULL;
        char digest[65];

        fputs("    {\n", f);
        fputs("      \"source\": ", f);
        json_write_cstring(f, plan_pull_source_to_string(pull->source));
        fputs(",\n      \"key\": ", f);
        json_write_cstring(f, pull->key);
        fputs(",\n      \"line\": ", f);
        if (pull->source == PLAN_SOURCE_CREDENTIAL)
                fprintf(f, "%u", pull->line);
        else
                fputs("null", f);
        fputs(",\n      \"expression\": ", f);
        json_write_cstring(f, pull->expression);
        fputs(",\n      \"status\": ", f);
        json_write_cstring(f, plan_pull_status_to_string(pull->status));
        fputs(",\n      \"reason\": ", f);
        json_write_cstring(f, pull->reason);
        fputs(",\n      \"urls\": ", f);
        json_strv(f, pull->urls, pull->n_urls, "      ");
        fputs(",\n      \"local\": ", f);
        json_write_cstring(f, pull->local);
        fputs(",\n      \"target\": ", f);
        json_write_cstring(f, pull->target);
        fputs(",\n      \"class\": ", f);
        json_write_cstring(f, s ? pb_image_class_to_string(s->class) : NULL);
        fputs(",\n      \"type\": ", f);
        json_write_cstring(f, s ? pb_image_type_to_string(s->type) : NULL);
        fputs(",\n      \"verify\": ", f);
        json_write_cstring(f, s ? pb_verify_to_string(s->verify) : NULL);
        fputs(",\n      \"sha256\": ", f);
        if (s && s->verify == PB_VERIFY_SHA256) {
                hex(digest, s->sha256, sizeof s->sha256);
                json_write_cstring(f, digest);
        } else
                fputs("null", f);
        fputs(",\n      \"blockdev\": ", f);
        json_tristate(f, s ? s->blockdev : -1);
        fputs(",\n      \"bootorigin\": ", f);
        json_tristate(f, s ? s->bootorigin : -1);
        fputs(",\n      \"read_only\": ", f);
        json_tristate(f, s ? s->read_only : -1);
        fputs(",\n      \"lazy\": ", f);
        json_write_cstring(f, pull->status == PLAN_PULL_READY ? plan_lazy_to_string(pull->lazy) : NULL);
        fputs(",\n      \"lazy_reason\": ", f);
        json_write_cstring(f, pull->lazy_reason);
        fputs(",\n      \"lazy_roothash\": ", f);
        json_write_cstring(f, plan_roothash_to_string(pull->lazy_roothash));
        fputs(",\n      \"runtime\": ", f);
        json_tristate(f, s ? pull->runtime : -1);
        fputs(",\n      \"warnings\": ", f);
        json_strv(f, pull->warnings, pull->n_warnings, "      ");
        fputs("\n    }", f);
}

/* The initrd's image store; null on the host, where images go to the system's own directories. */
static void json_store(FILE *f, const struct plan *p) {
        char what[ROOT_WHAT_MAX + 16];

        if (p->mode != PLAN_MODE_INITRD) {
                fputs("null", f);
                return;
        }
        root_spec_format_what(&p->store.device, what, sizeof what);
        fputs("{\n    \"kind\": ", f);
        json_write_cstring(f, store_kind_to_string(p->store.kind));
        fputs(",\n    \"path\": ", f);
        json_write_cstring(f, STORE_PATH);
        fputs(",\n    \"device\": ", f);
        json_write_cstring(f, p->store.kind == STORE_DISK ? what : NULL);
        fputs(",\n    \"format\": ", f);
        json_bool(f, p->store.format);
        fputs(",\n    \"cache\": ", f);
        json_bool(f, p->store.kind == STORE_DISK);
        fputs("\n  }", f);
}

int plan_print_json(const struct plan *p, FILE *f) {
        const struct plan_root *root = &p->root;
        char what[ROOT_WHAT_MAX + 16];

        fputs("{\n  \"mode\": ", f);
        json_write_cstring(f, plan_mode_to_string(p->mode));
        fputs(",\n  \"origin\": ", f);
        json_write_cstring(f, p->origin);
        fputs(",\n  \"origin_source\": ", f);
        json_write_cstring(f, p->origin ? p->origin_source : NULL);
        fputs(",\n  \"pulls\": ", f);
        if (p->n_pulls == 0)
                fputs("[]", f);
        else {
                fputs("[\n", f);
                for (size_t i = 0; i < p->n_pulls; i++) {
                        json_pull(f, &p->pulls[i]);
                        fputs(i + 1 < p->n_pulls ? ",\n" : "\n", f);
                }
                fputs("  ]", f);
        }

        root_spec_format_what(&root->spec, what, sizeof what);
        fputs(",\n  \"root\": {\n    \"kind\": ", f);
        json_write_cstring(f, plan_root_kind_to_string(root->kind));
        fputs(",\n    \"spec\": ", f);
        json_write_cstring(f, root->invalid ? root->invalid : what[0] ? what : NULL);
        fputs(",\n    \"what\": ", f);
        json_write_cstring(f, root->spec.what[0] ? root->spec.what : NULL);
        fputs(",\n    \"loop_ref\": ", f);
        json_write_cstring(f, root->loop_ref);
        fputs(",\n    \"partition\": ", f);
        if (root->loop_ref && root->partition > 0)
                fprintf(f, "%u", root->partition);
        else
                fputs("null", f);
        fputs(",\n    \"pull\": ", f);
        if (root->pull >= 0)
                fprintf(f, "%zd", root->pull);
        else
                fputs("null", f);
        fputs(",\n    \"fstype\": ", f);
        json_write_cstring(f, root->spec.fstype[0] ? root->spec.fstype : NULL);
        fputs(",\n    \"options\": ", f);
        json_write_cstring(f, root->spec.options[0] ? root->spec.options : NULL);
        fputs(",\n    \"read_only\": ", f);
        json_bool(f, root_spec_read_only(&root->spec));
        fputs("\n  },\n  \"actions\": {\n    \"success\": ", f);
        json_write_cstring(f, p->success_action_spec);
        fputs(",\n    \"failure\": ", f);
        json_write_cstring(f, p->failure_action_spec);
        fputs("\n  },\n  \"store\": ", f);
        json_store(f, p);
        fputs(",\n  \"warnings\": ", f);
        json_strv(f, p->warnings, p->n_warnings, "  ");
        fputs(",\n  \"errors\": ", f);
        json_strv(f, p->errors, p->n_errors, "  ");
        fputs("\n}\n", f);

        fflush(f);
        return ferror(f) ? -EIO : 0;
}

/* "LABEL: VALUE\n" with control characters in VALUE shown as \xHH: values come from the command
 * line and must not drive the terminal. */
static void text_line(FILE *f, const char *label, const char *value) {
        fputs(label, f);
        fput_escaped(f, value, strlen(value));
        fputc('\n', f);
}

static const char *yes_no(bool b) {
        return b ? "yes" : "no";
}

static void text_pull(FILE *f, const struct plan *p, size_t idx, const struct plan_pull *pull) {
        const struct pb_pullspec *s = &pull->spec;

        if (pull->source == PLAN_SOURCE_CREDENTIAL)
                fprintf(f, "pull %zu (%s line %u): %s\n", idx, pull->key, pull->line,
                        plan_pull_status_to_string(pull->status));
        else
                fprintf(f, "pull %zu (%s): %s\n", idx, pull->key, plan_pull_status_to_string(pull->status));
        text_line(f, "  expression:  ", pull->expression);
        if (pull->reason)
                text_line(f, pull->status == PLAN_PULL_INVALID ? "  error:       " : "  reason:      ", pull->reason);
        for (size_t i = 0; i < pull->n_warnings; i++)
                text_line(f, "  warning:     ", pull->warnings[i]);
        if (!pull->parsed)
                return;

        if (pull->n_urls == 1)
                fprintf(f, "  url:         %s\n", pull->urls[0]);
        for (size_t i = 0; pull->n_urls > 1 && i < pull->n_urls; i++)
                fprintf(f, "  %-12s %s\n", i == 0 ? "candidates:" : "", pull->urls[i]);
        if (pull->local)
                fprintf(f, "  local:       %s\n", pull->local);
        if (pull->target)
                fprintf(f, "  target:      %s\n", pull->target);
        fprintf(f, "  class:       %s\n", pb_image_class_to_string(s->class));
        fprintf(f, "  type:        %s\n", pb_image_type_to_string(s->type));
        if (s->verify == PB_VERIFY_SHA256) {
                char digest[65];
                hex(digest, s->sha256, sizeof s->sha256);
                fprintf(f, "  verify:      sha256 %s\n", digest);
        } else
                fprintf(f, "  verify:      %s\n", pb_verify_to_string(s->verify));
        fprintf(f, "  blockdev:    %s\n", yes_no(s->blockdev));
        fprintf(f, "  read-only:   %s\n", yes_no(s->read_only));
        fprintf(f, "  runtime:     %s\n", yes_no(pull->runtime));
        if (pull->lazy != PLAN_LAZY_NO)
                fprintf(f, "  lazy:        %s (%sserved from the URL and read on demand if the image is seekable, "
                        "else downloaded)\n", plan_lazy_to_string(pull->lazy), p->lazy_default ? "the default: " : "");
        if (pull->lazy_roothash == PLAN_ROOTHASH_CMDLINE)
                fprintf(f, "  verity:      root hash %s from roothash= on the command line\n", pull->lazy_roothash_hex);
        else if (pull->lazy_roothash == PLAN_ROOTHASH_SIDECAR)
                fprintf(f, "  verity:      root hash from IMAGE.roothash next to the image, listed in the checked "
                        "checksum list (else the whole image is downloaded)\n");
        if (pull->lazy_reason)
                text_line(f, "  not lazy:    ", pull->lazy_reason);
}

int plan_print_text(const struct plan *p, FILE *f) {
        const struct plan_root *root = &p->root;
        char what[ROOT_WHAT_MAX + 16];

        fprintf(f, "mode:          %s\n", plan_mode_to_string(p->mode));
        if (p->origin) {
                text_line(f, "origin:        ", p->origin);
                if (p->origin_source)
                        fprintf(f, "  from:        %s\n", p->origin_source);
        } else
                fputs("origin:        none (not booted via UEFI HTTP boot)\n", f);

        if (p->n_pulls == 0)
                fputs("pulls:         none\n", f);
        for (size_t i = 0; i < p->n_pulls; i++)
                text_pull(f, p, i, &p->pulls[i]);

        root_spec_format_what(&root->spec, what, sizeof what);
        fprintf(f, "root:          %s", plan_root_kind_to_string(root->kind));
        fputc('\n', f);
        if (root->invalid)
                text_line(f, "  invalid:     ", root->invalid);
        else if (what[0])
                text_line(f, "  spec:        ", what);
        if (root->loop_ref) {
                fprintf(f, "  loop-ref:    %s\n", root->loop_ref);
                if (root->partition > 0)
                        fprintf(f, "  partition:   %u\n", root->partition);
        }
        if (root->pull >= 0)
                fprintf(f, "  from pull:   %zd\n", root->pull);
        if (root->spec.fstype[0])
                fprintf(f, "  fstype:      %s\n", root->spec.fstype);
        if (root->spec.options[0])
                fprintf(f, "  options:     %s\n", root->spec.options);
        if (root->kind != PLAN_ROOT_NONE && root->kind != PLAN_ROOT_INVALID)
                fprintf(f, "  read-only:   %s\n", yes_no(root_spec_read_only(&root->spec)));

        if (p->mode == PLAN_MODE_INITRD && p->store.kind == STORE_DISK) {
                char dev[ROOT_WHAT_MAX + 16];
                root_spec_format_what(&p->store.device, dev, sizeof dev);
                fprintf(f, "store:         disk on %s (kept across boots: unchanged images are reused)\n",
                        STORE_PATH);
                text_line(f, "  device:      ", dev);
                fprintf(f, "  format:      %s\n", p->store.format ? "yes, with ext4 if blank" : "no");
        } else if (p->mode == PLAN_MODE_INITRD)
                fprintf(f, "store:         tmpfs on %s (RAM, sized for the images)\n", STORE_PATH);
        text_line(f, "on success:    ", p->success_action_spec ? p->success_action_spec : "none");
        text_line(f, "on failure:    ", p->failure_action_spec ? p->failure_action_spec : "none");
        for (size_t i = 0; i < p->n_warnings; i++)
                text_line(f, "warning:       ", p->warnings[i]);
        for (size_t i = 0; i < p->n_errors; i++)
                text_line(f, "error:         ", p->errors[i]);

        fflush(f);
        return ferror(f) ? -EIO : 0;
}
