/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"

/*
 * [rd.]systemd.pull=OPTIONS:LOCAL:REMOTE expressions, as systemd-import-generator accepts them
 * (split on the first two ':'; REMOTE keeps its colons), plus two documented pullboot extensions:
 *  - bootorigin with an empty REMOTE: candidates are the origin's last component with ".efi"
 *    replaced by the type's suffixes (raw: .raw.zst .raw.xz .raw.gz .raw; tar: .tar.zst .tar.xz
 *    .tar.gz .tar), tried in that order;
 *  - verify=sha256:HEX pins the SHA-256 of the downloaded (compressed) stream.
 */

enum pb_image_class {
        PB_CLASS_INVALID = -1,
        PB_CLASS_SYSEXT,
        PB_CLASS_CONFEXT,
        PB_CLASS_MACHINE,
        PB_CLASS_PORTABLE,
};

enum pb_image_type {
        PB_TYPE_INVALID = -1,
        PB_TYPE_TAR,
        PB_TYPE_RAW,
};

enum pb_verify {
        PB_VERIFY_NO,
        PB_VERIFY_CHECKSUM,
        PB_VERIFY_SIGNATURE,
        PB_VERIFY_SHA256, /* extension: pinned digest in sha256[] */
};

#define PB_PULLSPEC_MAX_WARNINGS 8
/* Longest LOCAL name and longest last URL component we derive names from (Linux NAME_MAX). */
#define PB_PULLSPEC_NAME_MAX 255
/* Suffixes tried, in order, for a bootorigin pull with an empty REMOTE. */
#define PB_PULLSPEC_MAX_CANDIDATES 4

struct pb_pullspec {
        enum pb_image_class class;
        enum pb_image_type type;
        enum pb_verify verify;
        uint8_t sha256[32];
        bool read_only;
        bool blockdev;
        bool bootorigin;
        int runtime;              /* -1 unset, else 0/1 */
        struct pb_span local;     /* as written; may be empty (derive it) */
        struct pb_span remote;    /* as written; may be empty only with bootorigin */
        struct pb_span options;   /* the OPTIONS part, for diagnostics */
        struct pb_span blockdev_opt;
        /* Accepted-with-warning items (unknown options, as systemd warns). */
        struct pb_diag warnings[PB_PULLSPEC_MAX_WARNINGS];
        unsigned n_warnings;
};

/*
 * Parses one expression (the value after "systemd.pull="). -EINVAL with diag naming the option.
 *
 * Acceptance follows systemd-import-generator, with these documented differences: a class or type
 * given twice is refused (systemd silently takes the last one), backslash escapes in OPTIONS and
 * LOCAL are refused (systemd unescapes them), and verify=sha256:HEX with a malformed digest is
 * refused (an unknown verify= value still only warns, as in systemd).
 *
 * Diagnostics of this module (errors and spec->warnings[]) use a reason that is a template with
 * at most one "{}", standing for the diag's span: pb_pullspec_diag_format() renders it, e.g.
 * "option 'blockdev': only supported for raw images".
 */
int pb_pullspec_parse(struct pb_span expr, struct pb_pullspec *ret, struct pb_diag *diag);

/* The two halves of pb_pullspec_parse(), in systemd-import-generator's order: the syntax (the
 * split, LOCAL's validity, the options, an empty REMOTE) comes before the bootorigin decision, and
 * the rest (REMOTE's validity, type, class, blockdev for raw only) after it. So with 'bootorigin'
 * and no boot origin an expression without a class is skipped, not refused, as in systemd. */
int pb_pullspec_parse_syntax(struct pb_span expr, struct pb_pullspec *ret, struct pb_diag *diag);
int pb_pullspec_check(const struct pb_pullspec *spec, struct pb_diag *diag);

/* Renders a diag filled by this module ("{}" replaced by the span, control bytes escaped as \xHH),
 * NUL-terminated, truncated with "..." if buf is small. Returns the length written. */
size_t pb_pullspec_diag_format(const struct pb_diag *d, char *buf, size_t size);

/* systemd's image_name_is_valid(): a file name (not "." or "..", no '/', at most NAME_MAX bytes),
 * valid UTF-8 without control characters, not starting with ".#". */
bool pb_image_name_is_valid(struct pb_span name);

/* systemd's raw_strip_suffixes() / tar_strip_suffixes() on a last URL component. The result is a
 * prefix of name. tar: -EINVAL if nothing is left. */
struct pb_span pb_raw_strip_suffixes(struct pb_span name);
int pb_tar_strip_suffixes(struct pb_span name, struct pb_span *ret);

const char *pb_image_class_to_string(enum pb_image_class c);   /* "sysext", ... */
const char *pb_image_class_dir(enum pb_image_class c);         /* "extensions", "confexts", "machines", "portables" */
const char *pb_image_type_to_string(enum pb_image_type t);     /* "tar", "raw" */
const char *pb_verify_to_string(enum pb_verify v);             /* "no", "checksum", "signature", "sha256" */

/* Number of candidate remote URLs: 1, or the number of suffixes for a bootorigin pull with an empty
 * REMOTE. */
unsigned pb_pullspec_n_candidates(const struct pb_pullspec *spec);

/*
 * The idx-th candidate URL. With bootorigin the origin URL is required (-ENODATA if origin is
 * empty): REMOTE replaces its last component (pb_url_change_last_component), or with an empty
 * REMOTE the origin's last component minus ".efi" plus the idx-th suffix. Without bootorigin,
 * REMOTE itself (validated). NUL-terminated into buf.
 */
int pb_pullspec_candidate_url(const struct pb_pullspec *spec, struct pb_span origin, unsigned idx,
                              char *buf, size_t size, struct pb_diag *diag);

/* The local name: LOCAL, or derived from the URL's last component by stripping the suffixes
 * systemd strips for the type. NUL-terminated into buf. */
int pb_pullspec_local_name(const struct pb_pullspec *spec, struct pb_span url, char *buf, size_t size,
                           struct pb_diag *diag);

/* Where the image lands: "/run/machines/NAME.raw" for raw, "/run/machines/NAME" for tar;
 * /var/lib/... when runtime is false (in_initrd decides the default). */
int pb_pullspec_target_path(const struct pb_pullspec *spec, const char *local_name, bool in_initrd,
                            char *buf, size_t size);
/* Whether the image goes below /run (runtime=, defaulting to in_initrd). */
bool pb_pullspec_runtime(const struct pb_pullspec *spec, bool in_initrd);

/* systemd's emergency actions for systemd.pull.success_action= / failure_action=. */
enum pb_emergency_action {
        PB_ACTION_INVALID = -1,
        PB_ACTION_NONE,
        PB_ACTION_EXIT,
        PB_ACTION_EXIT_FORCE,
        PB_ACTION_REBOOT,
        PB_ACTION_REBOOT_FORCE,
        PB_ACTION_REBOOT_IMMEDIATE,
        PB_ACTION_POWEROFF,
        PB_ACTION_POWEROFF_FORCE,
        PB_ACTION_POWEROFF_IMMEDIATE,
        PB_ACTION_HALT,
        PB_ACTION_HALT_FORCE,
        PB_ACTION_HALT_IMMEDIATE,
        PB_ACTION_KEXEC,
        PB_ACTION_KEXEC_FORCE,
        PB_ACTION_SOFT_REBOOT,
        PB_ACTION_SOFT_REBOOT_FORCE,
};
enum pb_emergency_action pb_emergency_action_from_string(struct pb_span s);
const char *pb_emergency_action_to_string(enum pb_emergency_action a);

/* The import.pull credential: one expression per line, '#' comments, blank lines skipped.
 * Iterates lines with leading/trailing whitespace removed. */
struct pb_credential_iter {
        const char *pos, *end;
        unsigned line;            /* 1-based line number of the last returned line */
};
void pb_credential_iter_init(struct pb_credential_iter *it, struct pb_span text);
int pb_credential_next(struct pb_credential_iter *it, struct pb_span *ret_line);  /* 1 or 0 at end */
