/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "dps.h"
#include "test.h"

static pb_guid root_type, usr_type, other_type;

static struct dps_partition part(unsigned partno, const pb_guid *type, const char *label, uint64_t attrs) {
        struct dps_partition p = { .partno = partno, .type = *type, .attrs = attrs };
        snprintf(p.label, sizeof(p.label), "%s", label);
        return p;
}

/* The partno gpt-auto picks for type among parts, or 0. */
static unsigned pick(const struct dps_partition *parts, size_t n, const pb_guid *type) {
        int i = dps_pick(parts, n, type);
        if (i == -ENOENT)
                return 0;
        ASSERT_TRUE(i >= 0 && (size_t) i < n);
        return parts[i].partno;
}

static void test_types(void) {
        pb_guid g;
        char s[PB_GUID_STRING_LEN + 1];

        ASSERT_EQ(dps_type_for_arch("x86-64", DPS_ROOT, &g), 0);
        ASSERT_EQ(pb_guid_format(&g, s, sizeof(s)), 0);
        ASSERT_STREQ(s, "4f68bce3-e8cd-4db1-96e7-fbcaf984b709");
        ASSERT_EQ(dps_type_for_arch("x86-64", DPS_USR, &g), 0);
        pb_guid_format(&g, s, sizeof(s));
        ASSERT_STREQ(s, "8484680c-9521-48c6-9c11-b0720656f69e");
        ASSERT_EQ(dps_type_for_arch("arm64", DPS_ROOT, &g), 0);
        pb_guid_format(&g, s, sizeof(s));
        ASSERT_STREQ(s, "b921b045-1df0-41c3-af44-4c6f280d3fae");
        ASSERT_EQ(dps_type_for_arch("arm64", DPS_USR, &g), 0);
        pb_guid_format(&g, s, sizeof(s));
        ASSERT_STREQ(s, "b0e01050-ee5f-4390-949a-9101b17104e9");
        ASSERT_EQ(dps_type_for_arch("sparc", DPS_ROOT, &g), -ENOENT);
#if defined(__x86_64__)
        ASSERT_EQ(dps_type_native(DPS_ROOT, &g), 0);
        ASSERT_TRUE(pb_guid_eq(&g, &root_type));
#endif
}

static void test_pick(void) {
        /* Nothing at all, or nothing of the type. */
        ASSERT_EQ(pick(NULL, 0, &root_type), 0u);
        struct dps_partition a[] = { part(1, &other_type, "root", 0), part(2, &usr_type, "usr", 0) };
        ASSERT_EQ(pick(a, 2, &root_type), 0u);
        ASSERT_EQ(pick(a, 2, &usr_type), 2u);

        /* A single candidate, with and without label. */
        struct dps_partition b[] = { part(1, &other_type, "", 0), part(3, &root_type, "", 0) };
        ASSERT_EQ(pick(b, 2, &root_type), 3u);

        /* Newest label wins, in any order on the disk. */
        struct dps_partition c[] = {
                part(1, &root_type, "root-1.9", 0),
                part(2, &root_type, "root-1.10", 0),
                part(3, &root_type, "root-1.2", 0),
        };
        ASSERT_EQ(pick(c, 3, &root_type), 2u);
        struct dps_partition c2[] = { c[1], c[0], c[2] };
        ASSERT_EQ(pick(c2, 3, &root_type), 2u);
        struct dps_partition c3[] = { c[2], c[0], c[1] };
        ASSERT_EQ(pick(c3, 3, &root_type), 2u);

        /* The no-auto flag (bit 63) removes the newest; other flags do not. */
        struct dps_partition d[] = {
                part(1, &root_type, "v1", 0),
                part(2, &root_type, "v3", DPS_FLAG_NO_AUTO),
                part(3, &root_type, "v2", DPS_FLAG_READ_ONLY | DPS_FLAG_GROWFS | 1),
        };
        ASSERT_EQ(pick(d, 3, &root_type), 3u);

        /* "_empty" slots of systemd-sysupdate never win, even though they compare newer. */
        struct dps_partition e[] = {
                part(1, &root_type, "_empty", 0),
                part(2, &root_type, "", 0),
                part(3, &root_type, "_empty", 0),
        };
        ASSERT_EQ(pick(e, 3, &root_type), 2u);
        struct dps_partition e2[] = { part(1, &root_type, "_empty", 0), part(2, &root_type, "_empty", 0) };
        ASSERT_EQ(pick(e2, 2, &root_type), 0u);
        /* "_empty" is exact: other labels starting with it are versions like any. */
        struct dps_partition e3[] = { part(1, &root_type, "_empty2", 0), part(2, &root_type, "1", 0) };
        ASSERT_EQ(pick(e3, 2, &root_type), 2u);

        /* All excluded. */
        struct dps_partition f[] = {
                part(1, &root_type, "v1", DPS_FLAG_NO_AUTO),
                part(2, &root_type, "_empty", 0),
        };
        ASSERT_EQ(pick(f, 2, &root_type), 0u);

        /* Ties keep the first; an unlabelled one loses against any version. */
        struct dps_partition g[] = {
                part(4, &root_type, "os_7", 0),
                part(2, &root_type, "os_7", 0),
                part(1, &root_type, "", 0),
        };
        ASSERT_EQ(pick(g, 3, &root_type), 4u);

        /* Pre-releases are older than the release. */
        struct dps_partition h[] = {
                part(1, &root_type, "os_2~rc1", 0),
                part(2, &root_type, "os_1", 0),
                part(3, &root_type, "os_2", 0),
                part(4, &root_type, "os_2~rc2", 0),
        };
        ASSERT_EQ(pick(h, 4, &root_type), 3u);

        /* root and usr are chosen independently on the same disk. */
        struct dps_partition u[] = {
                part(1, &usr_type, "usr-5", 0),
                part(2, &root_type, "root-5", 0),
                part(3, &usr_type, "usr-6", 0),
                part(4, &root_type, "root-6", DPS_FLAG_NO_AUTO),
                part(5, &usr_type, "_empty", 0),
        };
        ASSERT_EQ(pick(u, 5, &root_type), 2u);
        ASSERT_EQ(pick(u, 5, &usr_type), 3u);

        /* Another architecture's root partition type is ignored. */
        pb_guid arm;
        ASSERT_EQ(dps_type_for_arch("arm64", DPS_ROOT, &arm), 0);
        struct dps_partition x[] = { part(1, &arm, "v9", 0), part(2, &root_type, "v1", 0) };
        ASSERT_EQ(pick(x, 2, &root_type), 2u);
}

/* Every combination of three candidates with labels from a small set and each flag choice:
 * the pick must be the newest eligible, first on ties, and never an excluded one. */
static void test_exhaustive(void) {
        static const char *const labels[] = { "", "_empty", "1", "1.1", "2~rc", "2" };
        static const int rank[] = { 0, -1, 1, 2, 3, 4 };   /* by strverscmp; -1 never eligible */
        static const uint64_t flags[] = { 0, DPS_FLAG_NO_AUTO, DPS_FLAG_READ_ONLY };
        const size_t nl = sizeof(labels) / sizeof(labels[0]), nf = sizeof(flags) / sizeof(flags[0]);
        unsigned combos = 0;

        for (size_t l0 = 0; l0 < nl; l0++)
        for (size_t l1 = 0; l1 < nl; l1++)
        for (size_t l2 = 0; l2 < nl; l2++)
        for (size_t f0 = 0; f0 < nf; f0++)
        for (size_t f1 = 0; f1 < nf; f1++)
        for (size_t f2 = 0; f2 < nf; f2++)
        for (unsigned typemask = 0; typemask < 8; typemask++) {
                size_t li[3] = { l0, l1, l2 }, fi[3] = { f0, f1, f2 };
                struct dps_partition p[3];
                unsigned want = 0;
                int best = -1;

                for (unsigned k = 0; k < 3; k++) {
                        const pb_guid *t = (typemask >> k) & 1 ? &root_type : &usr_type;
                        p[k] = part(k + 1, t, labels[li[k]], flags[fi[k]]);
                        bool eligible = t == &root_type && flags[fi[k]] != DPS_FLAG_NO_AUTO && rank[li[k]] >= 0;
                        if (eligible && rank[li[k]] > best) {
                                best = rank[li[k]];
                                want = k + 1;
                        }
                }
                unsigned got = pick(p, 3, &root_type);
                if (got != want)
                        TEST_FAIL("labels '%s' '%s' '%s' flags %zu %zu %zu types %u: got %u, want %u",
                                  labels[l0], labels[l1], labels[l2], f0, f1, f2, typemask, got, want);
                combos++;
        }
        printf("dps: %u combinations checked\n", combos);
}

int main(void) {
        ASSERT_EQ(dps_type_for_arch("x86-64", DPS_ROOT, &root_type), 0);
        ASSERT_EQ(dps_type_for_arch("x86-64", DPS_USR, &usr_type), 0);
        ASSERT_EQ(pb_guid_parse(pb_span_from_str("0fc63daf-8483-4772-8e79-3d69d8477de4"), &other_type), 0);

        test_types();
        test_pick();
        test_exhaustive();
        printf("dps: ok\n");
        return 0;
}
