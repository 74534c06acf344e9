/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for common/netinfo.c: whatever parses must format, and formatting must be a
 * fixed point: parse(format(x)) == x and format(parse(format(x))) == format(x).
 */
#include <stddef.h>
#include <stdint.h>

#include "netinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                            \
        do {                                \
                if (!(x))                   \
                        __builtin_trap();   \
        } while (0)

static bool same(const struct pb_netinfo *a, const struct pb_netinfo *b) {
        if (a->has_mac != b->has_mac || (a->has_mac && pb_memcmp(a->mac, b->mac, 6) != 0))
                return false;
        if (a->has_ipv4 != b->has_ipv4 ||
            (a->has_ipv4 && (pb_memcmp(a->ipv4, b->ipv4, 4) != 0 || a->prefix_len != b->prefix_len)))
                return false;
        if (a->has_gateway != b->has_gateway || (a->has_gateway && pb_memcmp(a->gateway, b->gateway, 4) != 0))
                return false;
        if (a->n_dns != b->n_dns)
                return false;
        for (unsigned i = 0; i < a->n_dns; i++)
                if (pb_memcmp(a->dns[i], b->dns[i], 4) != 0)
                        return false;
        return a->ipv4_static == b->ipv4_static;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct pb_span in = pb_span_make((const char *) data, size);
        struct pb_netinfo a, b;
        struct pb_diag d = {};
        char t1[512], t2[512];

        if (pb_netinfo_parse(in, &a, &d) < 0) {
                CHECK(d.reason);
                CHECK(d.where.len == 0 || (d.where.ptr >= in.ptr && d.where.ptr + d.where.len <= in.ptr + in.len));
                return 0;
        }
        CHECK(a.n_dns <= PB_NETINFO_MAX_DNS && (!a.has_ipv4 || a.prefix_len <= 32));

        CHECK(pb_netinfo_format(&a, t1, sizeof t1) == 0);
        CHECK(pb_netinfo_parse(pb_span_from_str(t1), &b, NULL) == 0);
        CHECK(same(&a, &b));
        CHECK(pb_netinfo_format(&b, t2, sizeof t2) == 0);
        CHECK(pb_span_eq(pb_span_from_str(t1), t2));
        return 0;
}
