/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for common/pullspec.c. The input is an import.pull credential (one expression per
 * line, so a single line is one expression). Each accepted expression is carried through
 * everything `pullboot init` does with it, against a fixed boot origin and without one. Besides
 * "no crash", checks the promises callers rely on: spans and diagnostics point into the input,
 * output strings are terminated within their buffers, derived URLs parse, derived names are
 * valid image names, target paths have the documented shape.
 */
#include <stddef.h>
#include <stdint.h>

#include "pullspec.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                            \
        do {                                \
                if (!(x))                   \
                        __builtin_trap();   \
        } while (0)

static const char origin[] = "http://example.com/dir/image.efi";

static bool within(struct pb_span s, struct pb_span outer) {
        if (s.len == 0)
                return true;
        return s.ptr >= outer.ptr && s.ptr + s.len <= outer.ptr + outer.len;
}

/* A diag from this module points into the expression, or at nothing, or at the origin. */
static void check_diag(const struct pb_diag *d, struct pb_span expr, struct pb_span url) {
        char msg[128];
        size_t n;

        CHECK(d->reason);
        CHECK(within(d->where, expr) || within(d->where, url) || within(d->where, pb_span_from_str(origin)));
        n = pb_pullspec_diag_format(d, msg, sizeof msg);
        CHECK(n < sizeof msg && msg[n] == 0);
}

static void check_target(const struct pb_pullspec *spec, const char *local) {
        char path[PB_PULLSPEC_NAME_MAX + 64];
        struct pb_span p;

        for (int in_initrd = 0; in_initrd < 2; in_initrd++) {
                CHECK(pb_pullspec_target_path(spec, local, in_initrd, path, sizeof path) == 0);
                p = pb_span_from_str(path);
                CHECK(pb_span_startswith(p, "/run/") || pb_span_startswith(p, "/var/lib/"));
                CHECK(pb_span_startswith(p, "/run/") == pb_pullspec_runtime(spec, in_initrd));
                /* ".../CLASSDIR/LOCAL.raw" or ".../CLASSDIR/LOCAL": the name is the last component. */
                size_t tail = pb_strlen(local) + (spec->type == PB_TYPE_RAW ? 4 : 0);
                CHECK(p.len > tail && p.ptr[p.len - tail - 1] == '/');
                CHECK(pb_memcmp(p.ptr + p.len - tail, local, pb_strlen(local)) == 0);
                CHECK(spec->type != PB_TYPE_RAW || pb_span_endswith(p, ".raw"));
        }
        /* A tiny buffer fails cleanly. */
        CHECK(pb_pullspec_target_path(spec, local, true, path, 8) == -ENOBUFS);
        CHECK(path[0] == 0 || path[7] == 0);
}

static void check_resolve(const struct pb_pullspec *spec, struct pb_span expr, struct pb_span o) {
        char url[1024], local[PB_PULLSPEC_NAME_MAX + 1];
        struct pb_diag d = { 0 };
        unsigned n = pb_pullspec_n_candidates(spec);
        int r;

        CHECK(n == 1 || n == PB_PULLSPEC_MAX_CANDIDATES);
        for (unsigned i = 0; i < n; i++) {
                r = pb_pullspec_candidate_url(spec, o, i, url, sizeof url, &d);
                if (r < 0) {
                        CHECK(url[0] == 0);
                        check_diag(&d, expr, o);
                        /* Without an origin, only bootorigin pulls can fail to resolve. */
                        CHECK(o.len > 0 || spec->bootorigin);
                        continue;
                }
                struct pb_span u = pb_span_from_str(url);
                CHECK(u.len < sizeof url);
                CHECK(pb_url_is_valid(u));
                if (!spec->bootorigin)
                        CHECK(pb_span_eq_span(u, spec->remote));

                r = pb_pullspec_local_name(spec, u, local, sizeof local, &d);
                if (r < 0) {
                        CHECK(local[0] == 0);
                        check_diag(&d, expr, u);
                        continue;
                }
                CHECK(pb_image_name_is_valid(pb_span_from_str(local)));
                if (spec->local.len > 0)
                        CHECK(pb_span_eq(spec->local, local));
                check_target(spec, local);
        }
        CHECK(pb_pullspec_candidate_url(spec, o, n, url, sizeof url, NULL) == -ERANGE);
}

static void check_expression(struct pb_span expr) {
        struct pb_pullspec spec;
        struct pb_diag d = { 0 };

        if (pb_pullspec_parse(expr, &spec, &d) < 0) {
                check_diag(&d, expr, PB_SPAN_NULL);
                return;
        }
        CHECK(within(spec.local, expr) && within(spec.remote, expr));
        CHECK(pb_image_class_to_string(spec.class) && pb_image_class_dir(spec.class));
        CHECK(pb_image_type_to_string(spec.type) && pb_verify_to_string(spec.verify));
        CHECK(!spec.blockdev || spec.type == PB_TYPE_RAW);
        CHECK(spec.remote.len > 0 || spec.bootorigin);
        CHECK(spec.local.len == 0 || pb_image_name_is_valid(spec.local));
        CHECK(spec.n_warnings <= PB_PULLSPEC_MAX_WARNINGS);
        for (unsigned i = 0; i < spec.n_warnings; i++)
                check_diag(&spec.warnings[i], expr, PB_SPAN_NULL);

        check_resolve(&spec, expr, pb_span_from_str(origin));
        check_resolve(&spec, expr, PB_SPAN_NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct pb_span in = pb_span_make((const char *) data, size), line, s;
        struct pb_credential_iter it;
        unsigned lines = 0;

        /* The whole input as one expression (newlines and all) ... */
        check_expression(in);

        /* ... and as a credential. */
        pb_credential_iter_init(&it, in);
        while (pb_credential_next(&it, &line) > 0) {
                CHECK(within(line, in) && line.len > 0 && line.ptr[0] != '#');
                CHECK(it.line > lines);
                lines = it.line;
                check_expression(line);
        }

        /* Name helpers on arbitrary bytes. */
        s = pb_raw_strip_suffixes(in);
        CHECK(s.ptr == in.ptr && s.len <= in.len);
        if (pb_tar_strip_suffixes(in, &s) == 0)
                CHECK(s.ptr == in.ptr && s.len > 0 && s.len <= in.len);
        (void) pb_image_name_is_valid(in);
        (void) pb_emergency_action_from_string(in);
        return 0;
}
