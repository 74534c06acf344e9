/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for common/url.c. Input: URL, optionally followed by '\n' and a replacement
 * component. Besides "no crash", checks the promises callers rely on: spans point into the
 * input, a derived URL is itself valid, and diagnostics point at the caller's bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool within(struct pb_span s, struct pb_span outer) {
        if (s.len == 0)
                return true;
        return s.ptr >= outer.ptr && s.ptr + s.len <= outer.ptr + outer.len;
}

#define CHECK(x)                            \
        do {                                \
                if (!(x))                   \
                        __builtin_trap();   \
        } while (0)

static void check_parse(struct pb_span in) {
        struct pb_url u;
        struct pb_diag d = {};

        if (pb_url_parse(in, &u, &d) < 0) {
                CHECK(d.reason);
                CHECK(within(d.where, in));
                CHECK(!pb_url_is_valid(in));
                return;
        }
        CHECK(pb_url_is_valid(in));
        CHECK(within(u.userinfo, in) && within(u.host, in) && within(u.path, in));
        CHECK(within(u.query, in) && within(u.fragment, in));
        CHECK(u.path.len == 0 || u.path.ptr[0] == '/');
        CHECK(u.scheme != PB_URL_FILE || !u.has_port);
        CHECK(u.scheme == PB_URL_FILE || u.host.len > 0);
        CHECK(u.has_query || u.query.len == 0);
        CHECK(u.has_fragment || u.fragment.len == 0);
        for (size_t i = 0; i < in.len; i++)
                CHECK((unsigned char) in.ptr[i] > 0x20 && (unsigned char) in.ptr[i] < 0x7f);
}

static bool plain_component(struct pb_span c) {
        if (c.len == 0)
                return false;
        for (size_t i = 0; i < c.len; i++)
                if (c.ptr[i] == '/' || c.ptr[i] == '?' || c.ptr[i] == '#')
                        return false;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct pb_span all = pb_span_make((const char *) data, size), url = all;
        struct pb_span comp = pb_span_from_str("image.raw.zst");
        char buf[4096], small[16];
        struct pb_diag d = {};
        struct pb_span last;
        int r;

        for (size_t i = 0; i < size; i++)
                if (data[i] == '\n') {
                        url = pb_span_make((const char *) data, i);
                        comp = pb_span_make((const char *) data + i + 1, size - i - 1);
                        break;
                }

        check_parse(all);
        check_parse(url);

        r = pb_url_last_component(url, &last);
        if (r >= 0) {
                CHECK(last.len > 0 && within(last, url));
                CHECK(plain_component(last));
        }

        r = pb_url_change_last_component(url, comp, buf, sizeof buf, &d);
        if (r >= 0) {
                struct pb_span out = pb_span_from_str(buf);

                CHECK(pb_url_is_valid(out));
                if (plain_component(comp)) {
                        CHECK(pb_url_last_component(out, &last) >= 0);
                        CHECK(pb_span_eq_span(last, comp));
                }
                /* The same with too small a buffer must fail cleanly, never write past it. */
                if (out.len >= sizeof small) {
                        CHECK(pb_url_change_last_component(url, comp, small, sizeof small, NULL) == -ENOBUFS);
                        CHECK(small[0] == 0);
                }
        } else {
                CHECK(buf[0] == 0);
                if (r == -EINVAL) {
                        CHECK(d.reason);
                        CHECK(within(d.where, url) || within(d.where, comp));
                }
        }

        for (size_t n = 0; n < 3; n++) {
                r = pb_url_change_suffix(url, n, comp, buf, sizeof buf, NULL);
                CHECK(r == 0 || r == -EINVAL || r == -ENOBUFS);
                if (r == 0) {
                        size_t len = pb_strlen(buf);
                        CHECK(len > comp.len && buf[len - comp.len - 1] == '/');
                        CHECK(comp.len == 0 || pb_memcmp(buf + len - comp.len, comp.ptr, comp.len) == 0);
                }
        }

        return 0;
}
