/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "test.h"
#include "utf16.h"
#include "varstore.h"

#define NV_BS_RT 0x7u

static const pb_guid global_guid =
        PB_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);
static const pb_guid other_guid =
        PB_GUID_INIT(0x4a67b082, 0x0a4c, 0x41cf, 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f);

/* A minimal NV data volume: 0x48-byte FV header, store header, store_size bytes of store (one
 * block together), then two erased blocks for the fault-tolerant-write working block and spare. */
static uint8_t *make_store(size_t store_size, bool authenticated, size_t *ret_size) {
        static const uint8_t fv_guid[16] = { 0x8d, 0x2b, 0xf1, 0xff, 0x96, 0x76, 0x8b, 0x4c,
                                             0xa9, 0x85, 0x27, 0x47, 0x07, 0x5b, 0x4f, 0x50 };
        static const uint8_t auth_guid[16] = { 0x78, 0x2c, 0xf3, 0xaa, 0x7b, 0x94, 0x9a, 0x43,
                                               0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92 };
        static const uint8_t plain_guid[16] = { 0x16, 0x36, 0xcf, 0xdd, 0x75, 0x32, 0x64, 0x41,
                                                0x98, 0xb6, 0xfe, 0x85, 0x70, 0x7f, 0xfe, 0x7d };
        size_t block = 0x48 + store_size, size = 3 * block;
        uint8_t *b = malloc(size);
        uint16_t sum = 0;

        ASSERT_TRUE(b);
        memset(b, 0xff, size);
        memset(b, 0, 0x48);
        memcpy(b + 0x10, fv_guid, 16);
        pb_put_le64(b + 0x20, size);
        memcpy(b + 0x28, "_FVH", 4);
        pb_put_le32(b + 0x2c, 0x0004feff);
        pb_put_le16(b + 0x30, 0x48);
        b[0x37] = 2;
        pb_put_le32(b + 0x38, 3);
        pb_put_le32(b + 0x3c, (uint32_t) block);
        for (size_t i = 0; i < 0x48; i += 2)
                sum = (uint16_t) (sum + pb_le16(b + i));
        pb_put_le16(b + 0x32, (uint16_t) (0x10000 - sum));
        memcpy(b + 0x48, authenticated ? auth_guid : plain_guid, 16);
        pb_put_le32(b + 0x48 + 16, (uint32_t) store_size);
        b[0x48 + 20] = 0x5a;
        b[0x48 + 21] = 0xfe;
        memset(b + 0x48 + 22, 0, 6);
        *ret_size = size;
        return b;
}

static size_t count_live(const struct pb_varstore *vs) {
        struct pb_varstore_var v;
        size_t c = 0, n = 0;
        while (pb_varstore_next_live(vs, &c, &v) > 0)
                n++;
        return n;
}

static void assert_var_n(const struct pb_varstore *vs, const char *name, const pb_guid *g, const char *data,
                         size_t len) {
        struct pb_varstore_var v;
        ASSERT_EQ(pb_varstore_find(vs, name, g, &v), 1);
        ASSERT_EQ(v.data_size, len);
        ASSERT_MEMEQ(v.data, data, v.data_size);
        ASSERT_EQ(v.attributes, NV_BS_RT);
}
#define assert_var(vs, name, g, data) assert_var_n(vs, name, g, data, sizeof(data) - 1)

static void test_basic(bool authenticated) {
        size_t size;
        uint8_t *b = make_store(0x1000, authenticated, &size);
        struct pb_varstore vs;
        struct pb_varstore_var v, old;
        struct pb_diag d = {};
        uint8_t *copy;

        ASSERT_EQ(pb_varstore_open(&vs, b, size, &d), 0);
        ASSERT_EQ(vs.authenticated, authenticated);
        ASSERT_EQ(vs.vars_offset, 0x64);
        ASSERT_EQ(vs.end_offset, 0x1048);
        ASSERT_EQ(pb_varstore_free_space(&vs), 0x1048 - 0x64);
        ASSERT_EQ(count_live(&vs), 0);
        ASSERT_EQ(pb_varstore_find(&vs, "BootOrder", &global_guid, &v), 0);

        ASSERT_EQ(pb_varstore_set(&vs, "BootOrder", &global_guid, NV_BS_RT, "\x01\x00", 2), 1);
        assert_var(&vs, "BootOrder", &global_guid, "\x01\x00");
        ASSERT_EQ(pb_varstore_find(&vs, "BootOrder", &global_guid, &old), 1);
        ASSERT_EQ(old.offset, 0x64);
        ASSERT_EQ(old.state, PB_VAR_STATE_ADDED);
        /* header + "BootOrder\0" in UCS-2 + 2 bytes, next record 4-aligned */
        ASSERT_EQ(vs.free_offset, 0x64 + ((vs.header_size + 20 + 2 + 3) & ~3u));
        ASSERT_EQ(b[0x64], 0xaa);
        ASSERT_EQ(b[0x65], 0x55);

        /* Same name, other GUID: a different variable. */
        ASSERT_EQ(pb_varstore_set(&vs, "BootOrder", &other_guid, NV_BS_RT, "xyz", 3), 1);
        assert_var(&vs, "BootOrder", &global_guid, "\x01\x00");
        assert_var(&vs, "BootOrder", &other_guid, "xyz");
        ASSERT_EQ(count_live(&vs), 2);

        /* Identical write: nothing changes, not even a byte. */
        copy = malloc(size);
        memcpy(copy, b, size);
        ASSERT_EQ(pb_varstore_set(&vs, "BootOrder", &global_guid, NV_BS_RT, "\x01\x00", 2), 0);
        ASSERT_MEMEQ(copy, b, size);

        /* Update: old record deleted (0x3c), new appended. */
        ASSERT_EQ(pb_varstore_set(&vs, "BootOrder", &global_guid, NV_BS_RT, "\x02\x00\x01\x00", 4), 1);
        ASSERT_EQ(b[old.offset + 2], PB_VAR_STATE_DELETED);
        ASSERT_EQ(pb_varstore_find(&vs, "BootOrder", &global_guid, &v), 1);
        ASSERT_TRUE(v.offset > old.offset);
        ASSERT_EQ(v.data_size, 4);
        ASSERT_EQ(count_live(&vs), 2);
        ASSERT_TRUE(pb_varstore_reclaimable(&vs) > 0);

        /* Re-opening sees the same thing. */
        ASSERT_EQ(pb_varstore_open(&vs, b, size, &d), 0);
        ASSERT_EQ(count_live(&vs), 2);
        ASSERT_EQ(pb_varstore_find(&vs, "BootOrder", &global_guid, &v), 1);
        ASSERT_EQ(v.data_size, 4);

        /* Delete. */
        ASSERT_EQ(pb_varstore_delete(&vs, "BootOrder", &other_guid), 1);
        ASSERT_EQ(pb_varstore_delete(&vs, "BootOrder", &other_guid), 0);
        ASSERT_EQ(pb_varstore_find(&vs, "BootOrder", &other_guid, &v), 0);
        assert_var(&vs, "BootOrder", &global_guid, "\x02\x00\x01\x00");

        /* Reclaim keeps exactly the live variable at the start. */
        pb_varstore_reclaim(&vs);
        ASSERT_EQ(count_live(&vs), 1);
        ASSERT_EQ(pb_varstore_reclaimable(&vs), 0);
        ASSERT_EQ(pb_varstore_find(&vs, "BootOrder", &global_guid, &v), 1);
        ASSERT_EQ(v.offset, 0x64);
        ASSERT_EQ(v.data_size, 4);
        for (size_t i = vs.free_offset; i < vs.end_offset; i++)
                ASSERT_EQ(b[i], 0xff);

        /* Bad requests. */
        ASSERT_EQ(pb_varstore_set(&vs, "X", &global_guid, 0x6, "a", 1), -EINVAL);
        ASSERT_EQ(pb_varstore_set(&vs, "X", &global_guid, 0x27, "a", 1), -EOPNOTSUPP);
        ASSERT_EQ(pb_varstore_set(&vs, "", &global_guid, NV_BS_RT, "a", 1), -EINVAL);
        /* Empty data deletes, as SetVariable() does. */
        ASSERT_EQ(pb_varstore_set(&vs, "BootOrder", &global_guid, NV_BS_RT, NULL, 0), 1);
        ASSERT_EQ(count_live(&vs), 0);

        free(copy);
        free(b);
}

/* Appends a raw record with the given state, as a half-finished edk2 update would leave it. */
static void put_raw(struct pb_varstore *vs, const char *name, const pb_guid *g, uint8_t state, const char *data) {
        struct pb_varstore_var v;
        size_t before = vs->free_offset;
        /* Use the library to write, then patch the state byte. */
        uint8_t n[64];
        size_t ns;
        ASSERT_EQ(pb_utf8_to_ucs2le(pb_span_from_str(name), n, sizeof n, &ns), 0);
        /* A fresh name so set() never touches earlier records; rename afterwards. */
        ASSERT_EQ(pb_varstore_set(vs, "Zz", g, NV_BS_RT, data, strlen(data)), 1);
        ASSERT_EQ(pb_varstore_find(vs, "Zz", g, &v), 1);
        ASSERT_EQ(v.offset, before);
        ASSERT_EQ(ns, 6);   /* callers use 2-character names like "Zz" */
        memcpy(vs->buf + v.offset + vs->header_size, n, ns);
        vs->buf[v.offset + 2] = state;
}

static void test_states(void) {
        size_t size;
        uint8_t *b = make_store(0x1000, true, &size);
        struct pb_varstore vs;
        struct pb_varstore_var v;
        struct pb_diag d = {};

        ASSERT_EQ(pb_varstore_open(&vs, b, size, &d), 0);
        /* Ab: only an in-deleted-transition copy -> still the variable (edk2 returns it). */
        put_raw(&vs, "Ab", &global_guid, PB_VAR_STATE_IN_DELETED_TRANSITION, "old");
        /* Cd: transition copy followed by the added one -> the added one wins. */
        put_raw(&vs, "Cd", &global_guid, PB_VAR_STATE_IN_DELETED_TRANSITION, "old");
        put_raw(&vs, "Cd", &global_guid, PB_VAR_STATE_ADDED, "new");
        /* Ef: deleted and header-only records are invisible. */
        put_raw(&vs, "Ef", &global_guid, PB_VAR_STATE_DELETED, "gone");
        put_raw(&vs, "Gh", &global_guid, PB_VAR_STATE_HEADER_VALID_ONLY, "half");

        ASSERT_EQ(pb_varstore_open(&vs, b, size, &d), 0);
        assert_var(&vs, "Ab", &global_guid, "old");
        ASSERT_EQ(pb_varstore_find(&vs, "Ab", &global_guid, &v), 1);
        ASSERT_EQ(v.state, PB_VAR_STATE_IN_DELETED_TRANSITION);
        assert_var(&vs, "Cd", &global_guid, "new");
        ASSERT_EQ(pb_varstore_find(&vs, "Ef", &global_guid, &v), 0);
        ASSERT_EQ(pb_varstore_find(&vs, "Gh", &global_guid, &v), 0);
        ASSERT_EQ(count_live(&vs), 2);

        /* Updating the transition-only variable: it ends deleted, the new copy added. */
        ASSERT_EQ(pb_varstore_find(&vs, "Ab", &global_guid, &v), 1);
        size_t ab_off = v.offset;
        ASSERT_EQ(pb_varstore_set(&vs, "Ab", &global_guid, NV_BS_RT, "newer", 5), 1);
        ASSERT_EQ(b[ab_off + 2], PB_VAR_STATE_DELETED);
        assert_var(&vs, "Ab", &global_guid, "newer");
        ASSERT_EQ(count_live(&vs), 2);

        /* Reclaim promotes a lone transition copy and drops the rest. */
        put_raw(&vs, "Ij", &global_guid, PB_VAR_STATE_IN_DELETED_TRANSITION, "keep");
        ASSERT_EQ(count_live(&vs), 3);
        pb_varstore_reclaim(&vs);
        ASSERT_EQ(count_live(&vs), 3);
        ASSERT_EQ(pb_varstore_find(&vs, "Ij", &global_guid, &v), 1);
        ASSERT_EQ(v.state, PB_VAR_STATE_ADDED);
        assert_var(&vs, "Ij", &global_guid, "keep");
        assert_var(&vs, "Cd", &global_guid, "new");
        assert_var(&vs, "Ab", &global_guid, "newer");
        ASSERT_EQ(pb_varstore_reclaimable(&vs), 0);
        free(b);
}

static void test_full(void) {
        size_t size;
        uint8_t *b = make_store(0x400, true, &size);
        struct pb_varstore vs;
        struct pb_diag d = {};
        uint8_t data[100], *copy;
        char name[16];
        int i, r;

        memset(data, 0x5a, sizeof data);
        ASSERT_EQ(pb_varstore_open(&vs, b, size, &d), 0);
        /* each record: 60 + 12 ("Var00" + NUL in UCS-2) + 100 = 172 bytes */
        for (i = 0;; i++) {
                snprintf(name, sizeof name, "Var%02d", i);
                r = pb_varstore_set(&vs, name, &global_guid, NV_BS_RT, data, sizeof data);
                if (r == -ENOSPC)
                        break;
                ASSERT_EQ(r, 1);
        }
        ASSERT_EQ(i, (0x400 - 0x1c) / 172);
        copy = malloc(size);
        memcpy(copy, b, size);
        /* Full and nothing to reclaim: refused, untouched. */
        ASSERT_EQ(pb_varstore_set(&vs, "Var99", &global_guid, NV_BS_RT, data, sizeof data), -ENOSPC);
        ASSERT_MEMEQ(copy, b, size);

        /* Updating on a full store: edk2 reclaims the old copy to make room for the new one. */
        data[0] = 1;
        ASSERT_EQ(pb_varstore_set(&vs, "Var01", &global_guid, NV_BS_RT, data, sizeof data), 1);
        ASSERT_EQ(count_live(&vs), (size_t) i);
        ASSERT_EQ(pb_varstore_reclaimable(&vs), 0);
        struct pb_varstore_var v;
        ASSERT_EQ(pb_varstore_find(&vs, "Var01", &global_guid, &v), 1);
        ASSERT_EQ(v.data[0], 1);
        ASSERT_EQ(v.offset + 172, vs.free_offset);   /* it is the last record now */

        /* A deleted record's space is reused for a new variable. */
        ASSERT_EQ(pb_varstore_delete(&vs, "Var03", &global_guid), 1);
        ASSERT_EQ(pb_varstore_reclaimable(&vs), 172);
        ASSERT_EQ(pb_varstore_set(&vs, "Var99", &global_guid, NV_BS_RT, data, sizeof data), 1);
        ASSERT_EQ(count_live(&vs), (size_t) i);
        ASSERT_EQ(pb_varstore_find(&vs, "Var03", &global_guid, &v), 0);
        ASSERT_EQ(pb_varstore_find(&vs, "Var04", &global_guid, &v), 1);
        ASSERT_EQ(v.data[0], 0x5a);
        ASSERT_EQ(pb_varstore_find(&vs, "Var99", &global_guid, &v), 1);

        /* The caller's reserve is honoured. */
        vs.reserve = 0x400;
        ASSERT_EQ(pb_varstore_set(&vs, "New", &global_guid, NV_BS_RT, "x", 1), -ENOSPC);
        free(copy);
        free(b);
}

/* Junk in the free area is damage: refused, not reclaimed away. */
static void test_dirty_tail(void) {
        size_t size;
        uint8_t *b = make_store(0x400, true, &size);
        struct pb_varstore vs;
        struct pb_diag d = {};

        ASSERT_EQ(pb_varstore_open(&vs, b, size, &d), 0);
        ASSERT_EQ(pb_varstore_set(&vs, "Aa", &global_guid, NV_BS_RT, "1", 1), 1);
        b[0x300] = 0;
        ASSERT_EQ(pb_varstore_open(&vs, b, size, &d), -EBADMSG);
        ASSERT_TRUE(strstr(d.reason, "free area"));
        ASSERT_EQ((const uint8_t *) d.where.ptr - b, 0x300);
        free(b);
}

static void expect_reject(uint8_t *b, size_t size, const char *why) {
        struct pb_varstore vs;
        struct pb_diag d = {};
        int r = pb_varstore_open(&vs, b, size, &d);
        if (r != -EBADMSG)
                TEST_FAIL("store damaged as \"%s\" opened: %d", why, r);
        ASSERT_TRUE(d.reason);
        if (!strstr(d.reason, why))
                TEST_FAIL("reason \"%s\" does not mention \"%s\"", d.reason, why);
}

static void test_reject(void) {
        size_t size;
        uint8_t *b = make_store(0x400, true, &size), *g = malloc(size);
        struct pb_varstore vs;
        struct pb_diag d = {};

        ASSERT_EQ(pb_varstore_open(&vs, b, size, &d), 0);
        ASSERT_EQ(pb_varstore_set(&vs, "Aa", &global_guid, NV_BS_RT, "1", 1), 1);
        ASSERT_EQ(pb_varstore_set(&vs, "Bb", &global_guid, NV_BS_RT, "2", 1), 1);   /* at 0x64 + 68 */

#define MUTATE(stmt, why) do { memcpy(g, b, size); stmt; expect_reject(g, size, why); } while (0)
        MUTATE(g[0x28] = 'X', "_FVH");
        MUTATE(g[0x10] ^= 1, "NV data");
        MUTATE(g[0x00] = 1, "zero vector");
        MUTATE(pb_put_le64(g + 0x20, size + 1), "length");
        MUTATE(g[0x48] ^= 1, "variable store header");
        MUTATE(g[0x48 + 21] = 0xff, "healthy");
        MUTATE(pb_put_le32(g + 0x48 + 16, 0x10000), "size");
        MUTATE(pb_put_le32(g + 0x64 + 40, 0x1000), "past the end");
        MUTATE(g[0x64] = 0xab, "start marker");
        MUTATE(g[0x64 + 2] = 0x3b, "state");
        MUTATE(g[0x64 + 3] = 1, "reserved");
        MUTATE(g[0x64 + 4] = 0x6, "attributes");
        MUTATE(g[0x64 + 60] = 0, "UCS-2");               /* a NUL before the name ends */
        MUTATE(g[0x64 + 60 + 6 + 1] = 0, "padding");     /* data "1" + 3 pad bytes */
        MUTATE(pb_put_le32(g + 0x64 + 40, 6), "not 0x55aa");  /* data size grew: next record misaligned */
        /* A grown data size swallowing the records after it, or the free area. */
        MUTATE(pb_put_le32(g + 0x64 + 40, 0x100), "erased space");
        MUTATE(pb_put_le32(g + 0x64 + 68 + 40, 0x100), "erased space");
        MUTATE(g[0x48 + 23] = 1, "reserved");
        MUTATE(g[0x37] = 1, "revision");
        MUTATE(g[0x34] = 1, "extended header");
        MUTATE(g[0x38] = 2, "add up");
        MUTATE(g[0x2c] ^= 1, "checksum");
        MUTATE(pb_put_le32(g + 0x48 + 16, 0x3f0), "block");
        MUTATE(pb_put_le32(g + 0x48 + 16, 0x400 + 0x448), "no room");   /* ends on the next block */
        /* An FTW working block in the tail whose write queue reaches into the spare. */
        MUTATE((memcpy(g + 0x448, "\x2b\x29\x58\x9e\x68\x7c\x7d\x49\xa0\xce\x65\x00\xfd\x9f\x1b\x95", 16),
                pb_put_le64(g + 0x448 + 24, 0x1000)), "spare");
        /* A second VAR_ADDED copy of Aa. */
        MUTATE((memcpy(g + 0x64 + 136, g + 0x64, 68)), "second live record");
        /* The same working block with a queue that fits is fine. */
        memcpy(g, b, size);
        memcpy(g + 0x448, "\x2b\x29\x58\x9e\x68\x7c\x7d\x49\xa0\xce\x65\x00\xfd\x9f\x1b\x95", 16);
        pb_put_le64(g + 0x448 + 24, 0x400 - 32);
        ASSERT_EQ(pb_varstore_open(&vs, g, size, &d), 0);
        expect_reject(b, 0x50, "too small");
        /* An all-zero file (a blank flash image) is not a varstore. */
        memset(g, 0, size);
        expect_reject(g, size, "_FVH");
#undef MUTATE
        free(g);
        free(b);
}

static uint8_t *read_file(const char *path, size_t *ret_size) {
        FILE *f = fopen(path, "rb");
        uint8_t *b;
        long n;
        if (!f)
                return NULL;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        b = malloc(n);
        ASSERT_TRUE(b && fread(b, 1, n, f) == (size_t) n);
        fclose(f);
        *ret_size = n;
        return b;
}

/* Debian's OVMF VARS files: parse, edit, reclaim; every variable that was there is still there. */
static void test_debian(const char *path, unsigned *n_tested) {
        size_t size;
        uint8_t *b = read_file(path, &size), *orig;
        struct pb_varstore vs, vo;
        struct pb_varstore_var v, w;
        struct pb_diag d = {};
        size_t c = 0, n;

        if (!b)
                return;
        orig = malloc(size);
        memcpy(orig, b, size);
        ASSERT_EQ(pb_varstore_open(&vs, b, size, &d), 0);
        ASSERT_TRUE(vs.authenticated);
        ASSERT_EQ(vs.end_offset, size == 540672 ? 0x40000 : 0xe000);
        n = count_live(&vs);
        size_t f0 = vs.free_offset;

        ASSERT_EQ(pb_varstore_set(&vs, "Boot0007", &global_guid, NV_BS_RT, "entry", 5), 1);
        ASSERT_EQ(count_live(&vs), n + 1);
        ASSERT_EQ(pb_varstore_delete(&vs, "Boot0007", &global_guid), 1);
        ASSERT_EQ(count_live(&vs), n);
        /* Everything before the appended record is untouched (appends only). */
        ASSERT_MEMEQ(b, orig, f0);
        pb_varstore_reclaim(&vs);
        ASSERT_EQ(count_live(&vs), n);
        ASSERT_EQ(pb_varstore_reclaimable(&vs), 0);

        ASSERT_EQ(pb_varstore_open(&vo, orig, size, &d), 0);
        while (pb_varstore_next_live(&vo, &c, &v) > 0) {
                ASSERT_EQ(pb_varstore_find_ucs2(&vs, v.name, v.name_size, &v.guid, &w), 1);
                ASSERT_EQ(w.attributes, v.attributes);
                ASSERT_EQ(w.data_size, v.data_size);
                ASSERT_MEMEQ(w.data, v.data, v.data_size);
                ASSERT_EQ(w.monotonic_count, v.monotonic_count);
                ASSERT_MEMEQ(w.timestamp, v.timestamp, 16);
        }
        /* Outside the store (event log, FTW blocks) nothing moved. */
        ASSERT_MEMEQ(b + vs.end_offset, orig + vs.end_offset, size - vs.end_offset);
        ASSERT_MEMEQ(b, orig, vs.vars_offset);
        printf("%s: %zu live variables, round trip ok\n", path, n);
        (*n_tested)++;
        free(orig);
        free(b);
}

int main(void) {
        static const char *const debian[] = {
                "/usr/share/OVMF/OVMF_VARS.fd",
                "/usr/share/OVMF/OVMF_VARS.ms.fd",
                "/usr/share/OVMF/OVMF_VARS_4M.fd",
                "/usr/share/OVMF/OVMF_VARS_4M.ms.fd",
                "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd",
        };
        unsigned n = 0;

        test_basic(true);
        test_basic(false);
        test_states();
        test_full();
        test_dirty_tail();
        test_reject();
        for (size_t i = 0; i < PB_ELEMENTSOF(debian); i++)
                test_debian(debian[i], &n);
        if (n == 0)
                printf("no Debian OVMF VARS files found (package ovmf); synthetic stores only\n");
        return 0;
}
