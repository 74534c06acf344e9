/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pullboot.lazy=yes|fill|no: which pulls are served from their URL as a block device instead of
 * being downloaded first. Decided here from what the plan knows (the expression and the URLs);
 * whether the file itself can be read from the middle (raw, or a seekable xz/zstd) is only known
 * once the server answers, and `pullboot init` falls back to the download then, saying why.
 *
 * A digest or signature over the whole file cannot be checked before the boot reads the image, so
 * a verified pull (verify= other than no) is lazy only as a dm-verity DDI whose root hash is
 * trusted: roothash= on the kernel command line (signed with the UKI), or, with
 * verify=checksum|signature, the sidecar IMAGE.roothash, which must be listed in the checksum list
 * the pull verifies anyway (init fetches it; without it, the whole image is downloaded and
 * checked). The kernel then checks every block as it is read (lazy/verity.c).
 *
 * Without pullboot.lazy= the answer is yes where being lazy costs nothing the user chose: not
 * where a store on disk keeps the images across boots (the next boot reads the disk, not the
 * network), and not for a verified pull whose trust would first need its checksum list: looking
 * for the IMAGE.roothash sidecar fetches the list once more, and for the common image that has
 * none that is a request and a refusal on the console every boot. roothash= on the command line
 * (systemd's way for a UKI) needs no list, so such a root is lazy by default. What remains is
 * decided by the image: a seekable one is served lazily, any other is downloaded after a probe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base.h"
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

const char *plan_roothash_to_string(enum plan_roothash r) {
        return r == PLAN_ROOTHASH_CMDLINE ? "cmdline" : r == PLAN_ROOTHASH_SIDECAR ? "sidecar" : NULL;
}

/* roothash= as systemd-veritysetup-generator takes it: hex, here of a sha256 or sha512 digest.
 * 1 and hex filled when given and well-formed, 0 when absent, -EINVAL when malformed. */
static int cmdline_roothash(const char *cmdline, char hex[static PLAN_ROOTHASH_HEX_MAX + 1]) {
        struct pb_cmdline_arg arg;

        if (pb_cmdline_get(pb_span_from_str(cmdline), "roothash", PB_CMDLINE_IN_INITRD, &arg) <= 0 || !arg.has_value)
                return 0;
        if (arg.value.len != 64 && arg.value.len != 128)
                return -EINVAL;
        for (size_t i = 0; i < arg.value.len; i++)
                if (pb_hex_digit(arg.value.ptr[i]) < 0)
                        return -EINVAL;
        memcpy(hex, arg.value.ptr, arg.value.len);
        hex[arg.value.len] = 0;
        return 1;
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
        if (!has_http_url(pull))
                return "no http or https URL to read ranges from";
        return NULL;
}

/* What the default leaves to an explicit pullboot.lazy=yes. */
static const char *default_refusal(const struct plan *p, const struct plan_pull *pull, int cmdline_hash) {
        bool is_root = plan_is_root_pull(p, pull);

        if (p->store.kind == STORE_DISK)
                return "the store on disk keeps this image across boots (pullboot.store=), so it is downloaded "
                       "there; pullboot.lazy=yes reads it from the network instead";
        if (pull->spec.verify != PB_VERIFY_NO && !(is_root && cmdline_hash > 0))
                return "by default only images trusted without their checksum list are read lazily (verify=no, or "
                       "a root with roothash= on the command line); pullboot.lazy=yes also looks for an "
                       "IMAGE.roothash listed in the checksum list";
        return NULL;
}

/* A verified pull: which root hash makes it safe to read lazily, or why there is none. A digest
 * or signature covers the whole file: it cannot be checked before the boot reads the image, and a
 * root checked after the fact is no check. */
static const char *verity_refusal(const struct plan *p, struct plan_pull *pull, int cmdline_hash,
                                  const char *hex) {
        bool is_root = plan_is_root_pull(p, pull);

        if (pull->spec.verify == PB_VERIFY_NO) {
                /* Nothing to check the image against but what the command line names. */
                if (is_root && cmdline_hash > 0) {
                        pull->lazy_roothash = PLAN_ROOTHASH_CMDLINE;
                        snprintf(pull->lazy_roothash_hex, sizeof pull->lazy_roothash_hex, "%s", hex);
                }
                return NULL;
        }
        if (!is_root)
                return "verify= needs the whole image before the boot reads it, and dm-verity (roothash=) "
                       "covers only the root image; use verify=no with https for this one";
        if (cmdline_hash < 0)
                return "roothash= is not 64 or 128 hex digits; the whole image is downloaded and checked";
        if (cmdline_hash > 0) {
                pull->lazy_roothash = PLAN_ROOTHASH_CMDLINE;
                snprintf(pull->lazy_roothash_hex, sizeof pull->lazy_roothash_hex, "%s", hex);
                return NULL;
        }
        if (pull->spec.verify == PB_VERIFY_CHECKSUM || pull->spec.verify == PB_VERIFY_SIGNATURE) {
                pull->lazy_roothash = PLAN_ROOTHASH_SIDECAR;
                return NULL;
        }
        return "verify=sha256 needs the whole image before the boot reads it; a dm-verity image is read "
               "lazily with roothash= on the command line, or with verify=checksum|signature and an "
               "IMAGE.roothash listed in SHA256SUMS";
}

int plan_decide_lazy(struct plan *p, const char *cmdline) {
        struct pb_cmdline_arg arg;
        char v[16] = "", hex[PLAN_ROOTHASH_HEX_MAX + 1] = "";
        int cmdline_hash = cmdline_roothash(cmdline, hex);

        p->lazy = PLAN_LAZY_YES;
        p->lazy_default = true;
        if (pb_cmdline_get(pb_span_from_str(cmdline), "pullboot.lazy", PB_CMDLINE_IN_INITRD, &arg) > 0) {
                p->lazy_default = false;
                p->lazy = PLAN_LAZY_NO;
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
                pull->lazy_roothash = PLAN_ROOTHASH_NONE;
                pull->lazy_roothash_hex[0] = 0;
                if (p->lazy == PLAN_LAZY_NO || pull->status != PLAN_PULL_READY)
                        continue;
                pull->lazy_reason = refusal(pull);
                /* Unasked, a pull that could never be lazy needs no word on it. */
                if (pull->lazy_reason && p->lazy_default) {
                        pull->lazy_reason = NULL;
                        continue;
                }
                if (!pull->lazy_reason && p->lazy_default)
                        pull->lazy_reason = default_refusal(p, pull, cmdline_hash);
                if (!pull->lazy_reason)
                        pull->lazy_reason = verity_refusal(p, pull, cmdline_hash, hex);
                if (!pull->lazy_reason)
                        pull->lazy = p->lazy;
        }
        return 0;
}
