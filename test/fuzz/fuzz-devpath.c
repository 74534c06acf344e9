/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device paths from firmware variables are attacker-controlled: walk them, render them (into
 * roomy and tight buffers), run every decoder on every node, and re-encode what decoded: the
 * encoders must give back the node's own bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "devpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                \
        do {                                    \
                if (!(x))                       \
                        __builtin_trap();       \
        } while (0)

static uint8_t out[0x10000 + 64];

static void check_same(const struct pb_dp_node *n, const struct pb_writer *w) {
        CHECK(pb_writer_status(w) == 0);
        CHECK(w->len == n->length);
        CHECK(w->data[0] == n->type && w->data[1] == n->subtype);
        CHECK(memcmp(w->data + 4, n->data, n->data_len) == 0);
}

static void check_node(const struct pb_dp_node *n) {
        struct pb_writer w = pb_writer_make(out, sizeof out);
        struct pb_dp_mac mac;
        struct pb_dp_ipv4 v4;
        struct pb_dp_ipv6 v6;
        struct pb_dp_hd hd;
        struct pb_span uri;
        const uint8_t *vdata;
        size_t vlen;
        uint32_t hid, uid;
        uint8_t dev, fn;
        char path[512];
        pb_guid g;

        if (pb_dp_get_pci(n, &dev, &fn) == 0) {
                pb_dp_put_pci(&w, dev, fn);
                check_same(n, &w);
        }
        w = pb_writer_make(out, sizeof out);
        if (pb_dp_get_acpi(n, &hid, &uid) == 0) {
                pb_dp_put_acpi(&w, hid, uid);
                check_same(n, &w);
        }
        w = pb_writer_make(out, sizeof out);
        if (pb_dp_get_mac(n, &mac) == 0) {
                CHECK(mac.addr_len == 6 || mac.addr_len == 32);
                pb_dp_put_mac(&w, mac.addr, sizeof mac.addr, mac.if_type);
                check_same(n, &w);
        }
        w = pb_writer_make(out, sizeof out);
        if (pb_dp_get_ipv4(n, &v4) == 0 && n->length == 27 && n->data[14] <= 1) {
                pb_dp_put_ipv4(&w, &v4);
                check_same(n, &w);
        }
        w = pb_writer_make(out, sizeof out);
        if (pb_dp_get_ipv6(n, &v6) == 0 && n->length == 60) {
                pb_dp_put_ipv6(&w, &v6);
                check_same(n, &w);
        }
        w = pb_writer_make(out, sizeof out);
        if (pb_dp_get_hd(n, &hd) == 0) {
                pb_dp_put_hd(&w, &hd);
                check_same(n, &w);
        }
        w = pb_writer_make(out, sizeof out);
        if (pb_dp_get_uri(n, &uri) == 0) {
                CHECK(uri.len <= n->data_len);
                CHECK(uri.len == 0 || uri.ptr[uri.len - 1] != 0);
                CHECK(memchr(uri.ptr, 0, uri.len) == NULL);
                pb_dp_put_uri(&w, uri);
                CHECK(pb_writer_status(&w) == 0 && w.len == 4 + uri.len);
        }
        w = pb_writer_make(out, sizeof out);
        if (pb_dp_get_vendor(n, &g, &vdata, &vlen) == 0) {
                CHECK(vdata + vlen == n->data + n->data_len);
                pb_dp_put_vendor(&w, n->type, n->subtype, &g, vdata, vlen);
                check_same(n, &w);
        }
        w = pb_writer_make(out, sizeof out);
        if (pb_dp_get_filepath(n, path, sizeof path) == 0) {
                struct pb_dp_node again;
                char path2[sizeof path];
                size_t off = 0;

                /* Valid UTF-8 by construction, so it encodes again, and decodes to the same
                 * text; the original may lack the NUL the encoder adds. */
                CHECK(pb_dp_put_filepath(&w, pb_span_from_str(path)) == 0);
                CHECK(w.len <= n->length + 2u);
                off = 0;
                pb_dp_put_end(&w);
                CHECK(pb_dp_next(out, w.len, &off, &again) == 1);
                CHECK(pb_dp_get_filepath(&again, path2, sizeof path2) == 0);
                CHECK(strcmp(path, path2) == 0);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char text[1 << 19];
        struct pb_dp_node n;
        size_t off = 0, len = 0, tight;
        int r, rv, rt;

        while ((r = pb_dp_next(data, size, &off, &n)) > 0) {
                CHECK(n.data + n.data_len == data + off);
                CHECK(n.length >= 4 && n.data_len == n.length - 4u);
                check_node(&n);
        }
        CHECK(off <= size);

        rv = pb_dp_validate(data, size, &len);
        CHECK(rv == (r < 0 ? r : 0));
        CHECK(rv < 0 || len == off);
        (void) pb_dp_validate_list(data, size, NULL);
        (void) pb_dp_find(data, size, PB_DP_TYPE_MESSAGING, PB_DP_MSG_URI, &n);

        rt = pb_dp_to_text(data, size, text, sizeof text);
        CHECK(strlen(text) < sizeof text);
        /* No node renders to more than 4 characters per input byte plus a little. */
        if (size < (sizeof text - 64) / 4) {
                CHECK(rt == 0 || rt == -EBADMSG);
                CHECK((rt == 0) == (rv == 0));
        }

        /* A tight buffer must truncate cleanly, never write past its end. */
        tight = size > 0 ? data[0] % 64 : 0;
        if (tight > 0) {
                char *small = text + sizeof text - tight;

                rt = pb_dp_to_text(data, size, small, tight);
                CHECK(strlen(small) < tight);
        }
        return 0;
}
