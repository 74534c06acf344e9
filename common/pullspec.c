/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cmdline.h"
#include "pullspec.h"
#include "url.h"

/* Diagnostic templates: "{}" is replaced by the diag span (pb_pullspec_diag_format()). */
#define OPTION_CLASSES "sysext, confext, machine, portable"

static const char *const class_names[] = {
        [PB_CLASS_SYSEXT] = "sysext",
        [PB_CLASS_CONFEXT] = "confext",
        [PB_CLASS_MACHINE] = "machine",
        [PB_CLASS_PORTABLE] = "portable",
};

static const char *const class_dirs[] = {
        [PB_CLASS_SYSEXT] = "extensions",
        [PB_CLASS_CONFEXT] = "confexts",
        [PB_CLASS_MACHINE] = "machines",
        [PB_CLASS_PORTABLE] = "portables",
};

static const char *const type_names[] = {
        [PB_TYPE_TAR] = "tar",
        [PB_TYPE_RAW] = "raw",
};

static const char *const verify_names[] = {
        [PB_VERIFY_NO] = "no",
        [PB_VERIFY_CHECKSUM] = "checksum",
        [PB_VERIFY_SIGNATURE] = "signature",
        [PB_VERIFY_SHA256] = "sha256",
};

/* systemd's emergency_action_table, same spelling. */
static const char *const action_names[] = {
        [PB_ACTION_NONE] = "none",
        [PB_ACTION_EXIT] = "exit",
        [PB_ACTION_EXIT_FORCE] = "exit-force",
        [PB_ACTION_REBOOT] = "reboot",
        [PB_ACTION_REBOOT_FORCE] = "reboot-force",
        [PB_ACTION_REBOOT_IMMEDIATE] = "reboot-immediate",
        [PB_ACTION_POWEROFF] = "poweroff",
        [PB_ACTION_POWEROFF_FORCE] = "poweroff-force",
        [PB_ACTION_POWEROFF_IMMEDIATE] = "poweroff-immediate",
        [PB_ACTION_HALT] = "halt",
        [PB_ACTION_HALT_FORCE] = "halt-force",
        [PB_ACTION_HALT_IMMEDIATE] = "halt-immediate",
        [PB_ACTION_KEXEC] = "kexec",
        [PB_ACTION_KEXEC_FORCE] = "kexec-force",
        [PB_ACTION_SOFT_REBOOT] = "soft-reboot",
        [PB_ACTION_SOFT_REBOOT_FORCE] = "soft-reboot-force",
};

/* Candidate suffixes for an empty REMOTE, best compression first. */
static const char *const raw_candidates[PB_PULLSPEC_MAX_CANDIDATES] = { ".raw.zst", ".raw.xz", ".raw.gz", ".raw" };
static const char *const tar_candidates[PB_PULLSPEC_MAX_CANDIDATES] = { ".tar.zst", ".tar.xz", ".tar.gz", ".tar" };

/* systemd's raw_strip_suffixes() list, in its order. */
static const char *const raw_suffixes[] = {
        ".xz", ".gz", ".bz2", ".zst", ".sysext.raw", ".confext.raw", ".raw", ".qcow2", ".img", ".bin",
};

/* systemd's tar_strip_suffixes() list, in its order; the first match is the only one stripped. */
static const char *const tar_suffixes[] = {
        ".tar", ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz2", ".txz", ".tzst",
};

const char *pb_image_class_to_string(enum pb_image_class c) {
        if (c < 0 || (size_t) c >= PB_ELEMENTSOF(class_names))
                return NULL;
        return class_names[c];
}

const char *pb_image_class_dir(enum pb_image_class c) {
        if (c < 0 || (size_t) c >= PB_ELEMENTSOF(class_dirs))
                return NULL;
        return class_dirs[c];
}

const char *pb_image_type_to_string(enum pb_image_type t) {
        if (t < 0 || (size_t) t >= PB_ELEMENTSOF(type_names))
                return NULL;
        return type_names[t];
}

const char *pb_verify_to_string(enum pb_verify v) {
        if ((size_t) v >= PB_ELEMENTSOF(verify_names))
                return NULL;
        return verify_names[v];
}

enum pb_emergency_action pb_emergency_action_from_string(struct pb_span s) {
        for (size_t i = 0; i < PB_ELEMENTSOF(action_names); i++)
                if (pb_span_eq(s, action_names[i]))
                        return (enum pb_emergency_action) i;
        return PB_ACTION_INVALID;
}

const char *pb_emergency_action_to_string(enum pb_emergency_action a) {
        if (a < 0 || (size_t) a >= PB_ELEMENTSOF(action_names))
                return NULL;
        return action_names[a];
}

static struct pb_span span_sub(struct pb_span s, size_t from, size_t to) {
        return pb_span_make(s.ptr + from, to - from);
}

static bool span_endswith_ci(struct pb_span s, const char *suffix) {
        size_t n = pb_strlen(suffix);
        if (s.len < n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (pb_ascii_tolower(s.ptr[s.len - n + i]) != pb_ascii_tolower(suffix[i]))
                        return false;
        return true;
}

/* Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF), like systemd's utf8_is_valid(). */
static bool utf8_is_valid(struct pb_span s) {
        const uint8_t *p = (const uint8_t *) s.ptr;
        size_t i = 0;

        while (i < s.len) {
                uint8_t c = p[i];
                size_t n;
                uint32_t cp, min;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                if ((c & 0xe0) == 0xc0) {
                        n = 1, cp = c & 0x1f, min = 0x80;
                } else if ((c & 0xf0) == 0xe0) {
                        n = 2, cp = c & 0x0f, min = 0x800;
                } else if ((c & 0xf8) == 0xf0) {
                        n = 3, cp = c & 0x07, min = 0x10000;
                } else
                        return false;
                if (s.len - i - 1 < n)
                        return false;
                for (size_t k = 1; k <= n; k++) {
                        if ((p[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i + k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += n + 1;
        }
        return true;
}

bool pb_image_name_is_valid(struct pb_span name) {
        if (name.len == 0 || name.len > PB_PULLSPEC_NAME_MAX)
                return false;
        if (pb_span_eq(name, ".") || pb_span_eq(name, ".."))
                return false;
        for (size_t i = 0; i < name.len; i++) {
                uint8_t c = (uint8_t) name.ptr[i];
                /* NUL cannot occur in systemd's C string, so it counts as invalid here too. */
                if (c == '/' || c < ' ' || c == 0x7f)
                        return false;
        }
        if (!utf8_is_valid(name))
                return false;
        return !pb_span_startswith(name, ".#");
}

struct pb_span pb_raw_strip_suffixes(struct pb_span name) {
        /* Each pass tries every suffix in turn against the shrinking name, until a pass changes
         * nothing: "x.raw.xz" loses ".xz" and then ".raw" in the same pass, "x.xz.raw" needs two. */
        for (;;) {
                bool changed = false;

                for (size_t i = 0; i < PB_ELEMENTSOF(raw_suffixes); i++)
                        if (pb_span_endswith(name, raw_suffixes[i])) {
                                name.len -= pb_strlen(raw_suffixes[i]);
                                changed = true;
                        }
                if (!changed)
                        return name;
        }
}

int pb_tar_strip_suffixes(struct pb_span name, struct pb_span *ret) {
        for (size_t i = 0; i < PB_ELEMENTSOF(tar_suffixes); i++)
                if (pb_span_endswith(name, tar_suffixes[i])) {
                        name.len -= pb_strlen(tar_suffixes[i]);
                        break;
                }
        if (name.len == 0)
                return -EINVAL;
        *ret = name;
        return 0;
}

static int parse_sha256(struct pb_span hex, uint8_t ret[32]) {
        if (hex.len != 64)
                return -EINVAL;
        for (size_t i = 0; i < 32; i++) {
                int hi = pb_hex_digit(hex.ptr[2 * i]), lo = pb_hex_digit(hex.ptr[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                ret[i] = (uint8_t) (hi << 4 | lo);
        }
        return 0;
}

static void add_warning(struct pb_pullspec *spec, const char *reason, struct pb_span where) {
        if (spec->n_warnings >= PB_PULLSPEC_MAX_WARNINGS)
                return;
        spec->warnings[spec->n_warnings++] = (struct pb_diag) { .reason = reason, .where = where };
}

static int class_from_span(struct pb_span s) {
        for (size_t i = 0; i < PB_ELEMENTSOF(class_names); i++)
                if (pb_span_eq(s, class_names[i]))
                        return (int) i;
        return -1;
}

static int type_from_span(struct pb_span s) {
        for (size_t i = 0; i < PB_ELEMENTSOF(type_names); i++)
                if (pb_span_eq(s, type_names[i]))
                        return (int) i;
        return -1;
}

static int parse_option(struct pb_span opt, struct pb_pullspec *spec, struct pb_span *blockdev_opt,
                        struct pb_diag *diag) {
        int r;

        if (pb_span_eq(opt, "ro"))
                spec->read_only = true;
        else if (pb_span_eq(opt, "rw"))
                spec->read_only = false;
        else if (pb_span_eq(opt, "blockdev")) {
                spec->blockdev = true;
                *blockdev_opt = opt;
        }
        else if (pb_span_eq(opt, "bootorigin"))
                spec->bootorigin = true;
        else if (pb_span_startswith(opt, "runtime=")) {
                r = pb_parse_boolean(span_sub(opt, 8, opt.len));
                if (r < 0)
                        add_warning(spec, "option '{}': not a boolean, ignored", opt);
                else
                        spec->runtime = r;
        } else if (pb_span_startswith(opt, "verify=")) {
                struct pb_span v = span_sub(opt, 7, opt.len);
                enum pb_verify w;

                if (pb_span_eq(v, "no"))
                        w = PB_VERIFY_NO;
                else if (pb_span_eq(v, "checksum"))
                        w = PB_VERIFY_CHECKSUM;
                else if (pb_span_eq(v, "signature"))
                        w = PB_VERIFY_SIGNATURE;
                else if (pb_span_startswith(v, "sha256:")) {
                        /* Our extension: a pin the user wrote on purpose must never degrade to a
                         * warning, or a typo would silently weaken verification. */
                        if (parse_sha256(span_sub(v, 7, v.len), spec->sha256) < 0)
                                return pb_diag_set(diag, -EINVAL,
                                                   "option '{}': the digest must be 64 hexadecimal digits", opt);
                        w = PB_VERIFY_SHA256;
                } else {
                        add_warning(spec, "option '{}': unknown verification mode, ignored "
                                    "(use no, checksum, signature or sha256:HEX)", opt);
                        return 0;
                }
                spec->verify = w;
                if (w != PB_VERIFY_SHA256)
                        pb_memset(spec->sha256, 0, sizeof spec->sha256);
        } else {
                int c = class_from_span(opt), t;

                if (c >= 0) {
                        if (spec->class != PB_CLASS_INVALID)
                                return pb_diag_set(diag, -EINVAL,
                                                   "option '{}': image class given twice "
                                                   "(exactly one of " OPTION_CLASSES " is allowed)", opt);
                        spec->class = (enum pb_image_class) c;
                        return 0;
                }
                t = type_from_span(opt);
                if (t >= 0) {
                        if (spec->type != PB_TYPE_INVALID)
                                return pb_diag_set(diag, -EINVAL,
                                                   "option '{}': image type given twice "
                                                   "(exactly one of tar, raw is allowed)", opt);
                        spec->type = (enum pb_image_type) t;
                        return 0;
                }
                if (opt.len == 0)
                        add_warning(spec, "empty option (stray ','), ignored", opt);
                else
                        add_warning(spec, "option '{}': unknown, ignored", opt);
        }
        return 0;
}

/* The ':' in the option "verify=sha256:HEX" belongs to the option, not to the OPTIONS:LOCAL:REMOTE
 * split. This is the one place our split differs from systemd's, which would read HEX as LOCAL. */
static bool is_sha256_pin_colon(struct pb_span expr, size_t colon) {
        static const char opt[] = "verify=sha256";
        const size_t n = sizeof opt - 1;

        if (colon < n || pb_memcmp(expr.ptr + colon - n, opt, n) != 0)
                return false;
        return colon == n || expr.ptr[colon - n - 1] == ',';
}

int pb_pullspec_parse_syntax(struct pb_span expr, struct pb_pullspec *ret, struct pb_diag *diag) {
        struct pb_pullspec spec = {
                .class = PB_CLASS_INVALID,
                .type = PB_TYPE_INVALID,
                .verify = PB_VERIFY_SIGNATURE,
                .runtime = -1,
        };
        struct pb_span options;
        size_t c1 = SIZE_MAX, c2 = SIZE_MAX;
        int r;

        if (!ret || (!expr.ptr && expr.len > 0))
                return pb_diag_set(diag, -EINVAL, "invalid arguments", PB_SPAN_NULL);

        /* systemd splits with extract_first_word(), which would unescape "\:" and "\,"; rather than
         * reproducing that in place we refuse backslashes where they would matter. */
        for (size_t i = 0; i < expr.len && c2 == SIZE_MAX; i++) {
                if (expr.ptr[i] == '\\')
                        return pb_diag_set(diag, -EINVAL,
                                           "'{}': backslash escapes are not supported in OPTIONS or LOCAL",
                                           span_sub(expr, 0, i + 1));
                if (expr.ptr[i] != ':')
                        continue;
                if (c1 == SIZE_MAX && is_sha256_pin_colon(expr, i))
                        continue;
                if (c1 == SIZE_MAX)
                        c1 = i;
                else
                        c2 = i;
        }
        if (c1 == SIZE_MAX)
                return pb_diag_set(diag, -EINVAL,
                                   "expression '{}': expected OPTIONS:LOCAL:REMOTE, no ':' found", expr);
        if (c2 == SIZE_MAX)
                return pb_diag_set(diag, -EINVAL,
                                   "expression '{}': expected OPTIONS:LOCAL:REMOTE, only one ':' found", expr);

        options = spec.options = span_sub(expr, 0, c1);
        spec.local = span_sub(expr, c1 + 1, c2);
        spec.remote = span_sub(expr, c2 + 1, expr.len);

        if (spec.local.len > 0 && !pb_image_name_is_valid(spec.local))
                return pb_diag_set(diag, -EINVAL,
                                   "LOCAL '{}': not a valid image name (a file name without '/' or control "
                                   "characters, not starting with '.#')", spec.local);

        /* Every comma-separated piece counts, empty ones included: systemd warns about those too. */
        for (size_t start = 0;;) {
                size_t end = start;
                while (end < options.len && options.ptr[end] != ',')
                        end++;
                r = parse_option(span_sub(options, start, end), &spec, &spec.blockdev_opt, diag);
                if (r < 0)
                        return r;
                if (end >= options.len)
                        break;
                start = end + 1;
        }

        if (spec.remote.len == 0 && !spec.bootorigin)
                return pb_diag_set(diag, -EINVAL,
                                   "REMOTE is empty (an empty REMOTE needs the option 'bootorigin')",
                                   spec.remote);

        *ret = spec;
        return 0;
}

int pb_pullspec_check(const struct pb_pullspec *ret, struct pb_diag *diag) {
        const struct pb_pullspec spec = *ret;
        struct pb_span options = spec.options, blockdev_opt = spec.blockdev_opt;

        /* With bootorigin REMOTE is a file name; the URL it yields is checked once the origin is known. */
        if (!spec.bootorigin && !pb_url_is_valid(spec.remote))
                return pb_diag_set(diag, -EINVAL, "REMOTE '{}': not a valid http, https or file URL",
                                   spec.remote);
        if (spec.type == PB_TYPE_INVALID)
                return pb_diag_set(diag, -EINVAL,
                                   "options '{}': no image type (exactly one of tar, raw is required)", options);
        if (spec.class == PB_CLASS_INVALID)
                return pb_diag_set(diag, -EINVAL,
                                   "options '{}': no image class (exactly one of " OPTION_CLASSES " is required)",
                                   options);
        if (spec.blockdev && spec.type != PB_TYPE_RAW)
                return pb_diag_set(diag, -EINVAL, "option '{}': only supported for raw images", blockdev_opt);
        return 0;
}

int pb_pullspec_parse(struct pb_span expr, struct pb_pullspec *ret, struct pb_diag *diag) {
        struct pb_pullspec spec;
        int r;

        r = pb_pullspec_parse_syntax(expr, &spec, diag);
        if (r < 0)
                return r;
        r = pb_pullspec_check(&spec, diag);
        if (r < 0)
                return r;
        *ret = spec;
        return 0;
}

size_t pb_pullspec_diag_format(const struct pb_diag *d, char *buf, size_t size) {
        struct pb_writer w = pb_writer_make(buf, size > 0 ? size - 1 : 0);
        const char *r = d && d->reason ? d->reason : "invalid pull expression";

        if (size == 0)
                return 0;
        for (; *r && !w.overflow; r++) {
                if (r[0] == '{' && r[1] == '}') {
                        struct pb_span s = d ? d->where : PB_SPAN_NULL;
                        for (size_t i = 0; i < s.len; i++) {
                                uint8_t c = (uint8_t) s.ptr[i];
                                if (c < ' ' || c == 0x7f) {
                                        pb_writer_put_str(&w, "\\x");
                                        pb_writer_put_hex(&w, &c, 1, false);
                                } else
                                        pb_writer_put_u8(&w, c);
                        }
                        r++;
                } else
                        pb_writer_put_u8(&w, (uint8_t) *r);
        }
        /* Everything is written a character (or escape) at a time, so on overflow the buffer is
         * nearly full: cut it back to make room for "...". */
        if (w.overflow) {
                w.len = w.len > 3 ? (w.len < w.size - 3 ? w.len : w.size - 3) : 0;
                w.overflow = false;
                pb_writer_put_str(&w, w.size >= 3 ? "..." : "");
        }
        buf[w.len] = 0;
        return w.len;
}

unsigned pb_pullspec_n_candidates(const struct pb_pullspec *spec) {
        if (spec->bootorigin && spec->remote.len == 0)
                return PB_PULLSPEC_MAX_CANDIDATES;
        return 1;
}

int pb_pullspec_candidate_url(const struct pb_pullspec *spec, struct pb_span origin, unsigned idx,
                              char *buf, size_t size, struct pb_diag *diag) {
        struct pb_url u;
        struct pb_span last;
        char component[PB_PULLSPEC_NAME_MAX + 16];
        int r;

        if (!spec || !buf || size == 0)
                return pb_diag_set(diag, -EINVAL, "invalid arguments", PB_SPAN_NULL);
        buf[0] = 0;
        if (idx >= pb_pullspec_n_candidates(spec))
                return pb_diag_set(diag, -ERANGE, "no such candidate", PB_SPAN_NULL);

        if (!spec->bootorigin) {
                if (!pb_url_is_valid(spec->remote))
                        return pb_diag_set(diag, -EINVAL, "REMOTE '{}': not a valid http, https or file URL",
                                           spec->remote);
                return pb_span_copy(spec->remote, buf, size);
        }

        if (origin.len == 0)
                return pb_diag_set(diag, -ENODATA,
                                   "option 'bootorigin': no boot origin URL (StubDeviceURL is not set)",
                                   PB_SPAN_NULL);
        /* systemd accepts only an http(s) StubDeviceURL. */
        if (pb_url_parse(origin, &u, NULL) < 0 || u.scheme == PB_URL_FILE)
                return pb_diag_set(diag, -EINVAL, "boot origin '{}': not a valid http or https URL", origin);

        if (spec->remote.len > 0) {
                r = pb_url_change_last_component(origin, spec->remote, buf, size, NULL);
                if (r == -ENOBUFS)
                        return pb_diag_set(diag, r, "URL derived from boot origin '{}' is too long", origin);
                if (r < 0)
                        return pb_diag_set(diag, r,
                                           "REMOTE '{}': replacing the boot origin's last component does not "
                                           "yield a valid URL", spec->remote);
                return 0;
        }

        r = pb_url_last_component(origin, &last);
        if (r < 0)
                return pb_diag_set(diag, -EINVAL, "boot origin '{}': has no last path component", origin);
        if (!span_endswith_ci(last, ".efi") || last.len == 4)
                return pb_diag_set(diag, -EINVAL,
                                   "boot origin '{}': last component does not end in .efi, cannot derive "
                                   "the image name (give REMOTE explicitly)", last);
        if (last.len - 4 > PB_PULLSPEC_NAME_MAX)
                return pb_diag_set(diag, -ENAMETOOLONG, "boot origin '{}': last component is too long", last);

        struct pb_writer w = pb_writer_make(component, sizeof component);
        pb_writer_put_span(&w, span_sub(last, 0, last.len - 4));
        pb_writer_put_str(&w, spec->type == PB_TYPE_TAR ? tar_candidates[idx] : raw_candidates[idx]);
        r = pb_writer_finish_str(&w);
        if (r < 0)
                return pb_diag_set(diag, r, "boot origin '{}': last component is too long", last);

        r = pb_url_change_last_component(origin, pb_span_make(component, w.len), buf, size, NULL);
        if (r == -ENOBUFS)
                return pb_diag_set(diag, r, "URL derived from boot origin '{}' is too long", origin);
        if (r < 0)
                return pb_diag_set(diag, r, "boot origin '{}': cannot derive a valid URL from it", origin);
        return 0;
}

int pb_pullspec_local_name(const struct pb_pullspec *spec, struct pb_span url, char *buf, size_t size,
                           struct pb_diag *diag) {
        struct pb_span last, name;
        int r;

        if (!spec || !buf || size == 0)
                return pb_diag_set(diag, -EINVAL, "invalid arguments", PB_SPAN_NULL);
        buf[0] = 0;

        if (spec->local.len > 0)
                name = spec->local;
        else {
                r = pb_url_last_component(url, &last);
                if (r < 0)
                        return pb_diag_set(diag, -EINVAL,
                                           "URL '{}': no last path component to derive the local name from "
                                           "(give LOCAL explicitly)", url);
                if (spec->type == PB_TYPE_TAR) {
                        r = pb_tar_strip_suffixes(last, &name);
                        if (r < 0)
                                return pb_diag_set(diag, r,
                                                   "URL component '{}': nothing left after stripping the tar "
                                                   "suffix (give LOCAL explicitly)", last);
                } else
                        name = pb_raw_strip_suffixes(last);
        }

        /* systemd leaves the derived name to importd to refuse; refusing here says why earlier. */
        if (!pb_image_name_is_valid(name))
                return pb_diag_set(diag, -EINVAL,
                                   "local name '{}' derived from the URL is not a valid image name "
                                   "(give LOCAL explicitly)", name);

        r = pb_span_copy(name, buf, size);
        if (r < 0)
                return pb_diag_set(diag, r, "local name '{}' is too long for the buffer", name);
        return 0;
}

bool pb_pullspec_runtime(const struct pb_pullspec *spec, bool in_initrd) {
        return spec->runtime >= 0 ? spec->runtime > 0 : in_initrd;
}

int pb_pullspec_target_path(const struct pb_pullspec *spec, const char *local_name, bool in_initrd,
                            char *buf, size_t size) {
        const char *dir;
        struct pb_writer w;

        if (!spec || !local_name || !buf || size == 0)
                return -EINVAL;
        buf[0] = 0;
        dir = pb_image_class_dir(spec->class);
        if (!dir || !pb_image_type_to_string(spec->type) || !pb_image_name_is_valid(pb_span_from_str(local_name)))
                return -EINVAL;

        w = pb_writer_make(buf, size);
        pb_writer_put_str(&w, pb_pullspec_runtime(spec, in_initrd) ? "/run/" : "/var/lib/");
        pb_writer_put_str(&w, dir);
        pb_writer_put_u8(&w, '/');
        pb_writer_put_str(&w, local_name);
        if (spec->type == PB_TYPE_RAW)
                pb_writer_put_str(&w, ".raw");
        return pb_writer_finish_str(&w);
}

void pb_credential_iter_init(struct pb_credential_iter *it, struct pb_span text) {
        *it = (struct pb_credential_iter) {
                .pos = text.ptr,
                .end = text.ptr ? text.ptr + text.len : NULL,
        };
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int pb_credential_next(struct pb_credential_iter *it, struct pb_span *ret_line) {
        while (it->pos && it->pos < it->end) {
                const char *start = it->pos, *e = it->pos;

                while (e < it->end && *e != '\n')
                        e++;
                it->pos = e < it->end ? e + 1 : e;
                it->line++;

                while (start < e && is_space(*start))
                        start++;
                while (e > start && is_space(e[-1]))
                        e--;
                if (start == e || *start == '#')
                        continue;
                *ret_line = pb_span_make(start, (size_t) (e - start));
                return 1;
        }
        *ret_line = PB_SPAN_NULL;
        return 0;
}
