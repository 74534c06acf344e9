/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libbootcfg's backend-independent logic, on an in-memory backend that records every call. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bootcfg.h"
#include "loadopt.h"
#include "macro.h"
#include "test.h"

struct fake_var {
        char name[32];
        pb_guid guid;
        uint32_t attr;
        uint8_t data[512];
        size_t size;
        bool used;
};

struct fake {
        struct fake_var vars[64];
        char log[4096];
};

static const pb_guid global = PB_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);

static struct fake_var *lookup(struct fake *f, const char *name, const pb_guid *g) {
        for (size_t i = 0; i < 64; i++)
                if (f->vars[i].used && strcmp(f->vars[i].name, name) == 0 && pb_guid_eq(&f->vars[i].guid, g))
                        return &f->vars[i];
        return NULL;
}

static int fake_get(struct bootcfg_backend *b, const char *name, const pb_guid *g, uint32_t *attr, uint8_t **data,
                    size_t *size) {
        struct fake_var *v = lookup(b->userdata, name, g);
        if (!v)
                return -ENOENT;
        *attr = v->attr;
        *data = malloc(v->size + 1);
        memcpy(*data, v->data, v->size);
        *size = v->size;
        return 0;
}

static int fake_set(struct bootcfg_backend *b, const char *name, const pb_guid *g, uint32_t attr,
                    const uint8_t *data, size_t size) {
        struct fake *f = b->userdata;
        struct fake_var *v = lookup(f, name, g);
        for (size_t i = 0; !v && i < 64; i++)
                if (!f->vars[i].used)
                        v = &f->vars[i];
        ASSERT_TRUE(v && size <= sizeof v->data);
        *v = (struct fake_var) { .guid = *g, .attr = attr, .size = size, .used = true };
        snprintf(v->name, sizeof v->name, "%s", name);
        memcpy(v->data, data, size);
        snprintf(f->log + strlen(f->log), sizeof f->log - strlen(f->log), "set %s;", name);
        return 0;
}

static int fake_del(struct bootcfg_backend *b, const char *name, const pb_guid *g) {
        struct fake *f = b->userdata;
        struct fake_var *v = lookup(f, name, g);
        if (v)
                v->used = false;
        snprintf(f->log + strlen(f->log), sizeof f->log - strlen(f->log), "del %s;", name);
        return 0;
}

static int fake_list(struct bootcfg_backend *b, uint16_t **ret, size_t *n) {
        struct fake *f = b->userdata;
        *ret = calloc(64, sizeof **ret);
        *n = 0;
        for (size_t i = 0; i < 64; i++)
                if (f->vars[i].used && pb_guid_eq(&f->vars[i].guid, &global) &&
                    strncmp(f->vars[i].name, "Boot", 4) == 0 && strlen(f->vars[i].name) == 8 &&
                    strspn(f->vars[i].name + 4, "0123456789ABCDEF") == 4)
                        (*ret)[(*n)++] = (uint16_t) strtoul(f->vars[i].name + 4, NULL, 16);
        return 0;
}

static int fake_commit(struct bootcfg_backend *b) {
        struct fake *f = b->userdata;
        return f->log[0] != 0;
}

static void put(struct fake *f, const char *name, const void *data, size_t size) {
        struct bootcfg_backend b = { .userdata = f };
        fake_set(&b, name, &global, 7, data, size);
        f->log[0] = 0;
}

static void put_entry(struct fake *f, uint16_t num, const char *uri) {
        _cleanup_free_ uint8_t *dp = NULL;
        size_t n;
        const char *reason;
        struct bootcfg c = { .boot_next = -1, .boot_current = -1 };
        uint16_t got;
        bool reused;
        char name[9];

        ASSERT_EQ(bootcfg_uri_device_path(uri, &dp, &n, &reason), 0);
        ASSERT_EQ(bootcfg_add(&c, "old", dp, n, &got, &reused), 0);
        bootcfg_entry_name(num, name);
        put(f, name, c.entries[0].data, c.entries[0].size);
        bootcfg_done(&c);
}

static struct bootcfg_backend backend(struct fake *f) {
        return (struct bootcfg_backend) {
                .name = "fake", .userdata = f, .get = fake_get, .set = fake_set, .del = fake_del,
                .list_boot = fake_list, .commit = fake_commit,
        };
}

static uint16_t add(struct bootcfg *c, const char *title, const char *uri, bool *reused) {
        _cleanup_free_ uint8_t *dp = NULL;
        size_t n;
        const char *reason;
        uint16_t num;
        ASSERT_EQ(bootcfg_uri_device_path(uri, &dp, &n, &reason), 0);
        ASSERT_EQ(bootcfg_add(c, title, dp, n, &num, reused), 0);
        return num;
}

static void assert_order(const struct bootcfg *c, const uint16_t *want, size_t n) {
        ASSERT_EQ(c->n_order, n);
        for (size_t i = 0; i < n; i++)
                ASSERT_EQ(c->order[i], want[i]);
}

static void test_numbering_and_save(void) {
        static struct fake f;
        struct bootcfg_backend b = backend(&f);
        struct bootcfg c;
        bool reused;

        memset(&f, 0, sizeof f);
        put_entry(&f, 0x0000, "http://h/a.efi");
        put_entry(&f, 0x0002, "http://h/b.efi");
        put(&f, "BootOrder", "\x02\x00\x05\x00", 4);
        put(&f, "BootNext", "\x01\x00", 2);
        put(&f, "BootCurrent", "\x03\x00", 2);
        /* Look-alikes that are not entries. */
        put(&f, "Boot00001", "x", 1);
        put(&f, "Bootabcd", "x", 1);

        ASSERT_EQ(bootcfg_load(&c, &b), 0);
        ASSERT_EQ(c.n_entries, 2);
        ASSERT_EQ(c.boot_next, 1);
        ASSERT_EQ(c.boot_current, 3);
        ASSERT_TRUE(!bootcfg_dirty(&c));

        /* 0000, 0002 exist; 0001 is BootNext, 0003 BootCurrent, 0005 in BootOrder. */
        ASSERT_EQ(add(&c, "new", "http://h/new.efi", &reused), 4);
        ASSERT_TRUE(!reused);
        /* Same device path: reused, nothing more to write. */
        ASSERT_EQ(add(&c, "new", "http://h/new.efi", &reused), 4);
        ASSERT_TRUE(reused);
        ASSERT_EQ(add(&c, "old", "http://h/b.efi", &reused), 2);
        ASSERT_TRUE(reused && !bootcfg_find(&c, 2)->dirty);
        ASSERT_EQ(add(&c, "renamed", "http://h/b.efi", &reused), 2);
        ASSERT_TRUE(reused && bootcfg_find(&c, 2)->dirty);

        bootcfg_order_insert(&c, 4, 0);
        assert_order(&c, (const uint16_t[]) { 4, 2, 5 }, 3);
        bootcfg_order_insert(&c, 4, SIZE_MAX);
        assert_order(&c, (const uint16_t[]) { 2, 5, 4 }, 3);
        bootcfg_order_insert(&c, 4, 1);
        assert_order(&c, (const uint16_t[]) { 2, 4, 5 }, 3);
        bootcfg_set_boot_next(&c, 4);

        /* Entries first, then BootOrder, then BootNext. */
        ASSERT_EQ(bootcfg_save(&c, &b), 1);
        ASSERT_STREQ(f.log, "set Boot0002;set Boot0004;set BootOrder;set BootNext;");
        ASSERT_TRUE(!bootcfg_dirty(&c));
        bootcfg_done(&c);

        /* Reloaded, nothing to do: no calls at all. */
        f.log[0] = 0;
        ASSERT_EQ(bootcfg_load(&c, &b), 0);
        ASSERT_EQ(c.n_entries, 3);
        assert_order(&c, (const uint16_t[]) { 2, 4, 5 }, 3);
        ASSERT_EQ(c.boot_next, 4);
        bootcfg_order_insert(&c, 4, 1);   /* already there */
        ASSERT_EQ(add(&c, "new", "http://h/new.efi", &reused), 4);
        ASSERT_TRUE(!bootcfg_dirty(&c));
        ASSERT_EQ(bootcfg_save(&c, &b), 0);
        ASSERT_STREQ(f.log, "");

        /* Removal: unknown, BootCurrent, then the BootNext entry; BootOrder and BootNext follow,
         * the entry itself is deleted last. */
        ASSERT_EQ(bootcfg_remove(&c, 0x42, false), -ENOENT);
        put_entry(&f, 0x0003, "http://h/current.efi");
        bootcfg_done(&c);
        ASSERT_EQ(bootcfg_load(&c, &b), 0);
        ASSERT_EQ(bootcfg_remove(&c, 3, false), -EBUSY);
        ASSERT_TRUE(!bootcfg_dirty(&c));
        ASSERT_EQ(bootcfg_remove(&c, 4, false), 0);
        assert_order(&c, (const uint16_t[]) { 2, 5 }, 2);
        ASSERT_EQ(c.boot_next, -1);
        ASSERT_TRUE(!bootcfg_find(&c, 4));
        /* A number removed in this run is not handed out again before the deletion happened. */
        ASSERT_EQ(add(&c, "x", "http://h/x.efi", &reused), 1);
        ASSERT_EQ(add(&c, "y", "http://h/y.efi", &reused), 6);
        ASSERT_EQ(bootcfg_save(&c, &b), 1);
        ASSERT_STREQ(f.log, "set Boot0001;set Boot0006;set BootOrder;del BootNext;del Boot0004;");
        ASSERT_EQ(bootcfg_remove(&c, 3, true), 0);
        bootcfg_done(&c);
}

static void test_empty_order(void) {
        static struct fake f;
        struct bootcfg_backend b = backend(&f);
        struct bootcfg c;
        bool reused;

        memset(&f, 0, sizeof f);
        put_entry(&f, 0x0007, "http://h/a.efi");
        put(&f, "BootOrder", "\x07\x00", 2);
        ASSERT_EQ(bootcfg_load(&c, &b), 0);
        ASSERT_EQ(add(&c, "a", "http://h/other.efi", &reused), 0);
        ASSERT_EQ(bootcfg_remove(&c, 7, false), 0);
        ASSERT_EQ(c.n_order, 0);
        /* An empty BootOrder is deleted, not written empty. */
        ASSERT_EQ(bootcfg_save(&c, &b), 1);
        ASSERT_STREQ(f.log, "set Boot0000;del BootOrder;del Boot0007;");
        bootcfg_done(&c);
}

static void test_uri_validation(void) {
        static const char *const bad[] = {
                "http://a b/x", "ftp://h/x", "http:///x", "file:///x", "h/x", "http://h:0x/x",
                "http://h/\x01", "http://h/\xc3\xa4",
        };
        _cleanup_free_ uint8_t *dp = NULL;
        const char *reason;
        size_t n;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                reason = NULL;
                uint8_t *p = NULL;
                if (bootcfg_uri_device_path(bad[i], &p, &n, &reason) != -EINVAL || !reason)
                        TEST_FAIL("URI '%s' accepted", bad[i]);
                free(p);
        }
        ASSERT_EQ(bootcfg_uri_device_path("https://[fd00::1]:8443/a/b.efi", &dp, &n, &reason), 0);
        ASSERT_EQ(n, 4 + 30 + 4);
        ASSERT_MEMEQ(dp, "\x03\x18\x22\x00https://[fd00::1]:8443/a/b.efi\x7f\xff\x04\x00", n);
}

/* bootcfg_put, as the UKI actions use it: optional data lands in the load option, an existing
 * number is rewritten in place (dirty only when the bytes change), an unknown one is refused, and
 * bootcfg_find_path finds entries by their device path alone. */
static void test_put_with_optional_data(void) {
        static struct fake f;
        struct bootcfg_backend b = backend(&f);
        struct bootcfg c;
        _cleanup_free_ uint8_t *dp = NULL, *dp2 = NULL;
        const char *reason;
        size_t n, n2;
        uint16_t num, again;
        struct pb_load_option o;
        static const uint8_t opt[] = { 'x', 0, '=', 0, '1', 0, 0, 0 };   /* "x=1" UCS-2 */

        memset(&f, 0, sizeof f);
        put_entry(&f, 0x0000, "http://h/taken.efi");
        ASSERT_EQ(bootcfg_load(&c, &b), 0);
        ASSERT_EQ(bootcfg_uri_device_path("http://h/uki.efi", &dp, &n, &reason), 0);
        ASSERT_EQ(bootcfg_uri_device_path("http://h/other.efi", &dp2, &n2, &reason), 0);

        ASSERT_TRUE(bootcfg_find_path(&c, dp, n) == NULL);
        ASSERT_EQ(bootcfg_put(&c, -1, "uki", dp, n, opt, sizeof opt, &num), 0);
        ASSERT_EQ(num, 1);                                      /* Boot0000 is taken */
        struct bootcfg_entry *e = bootcfg_find_path(&c, dp, n);
        ASSERT_TRUE(e && e->num == 1 && e->dirty);
        ASSERT_EQ(pb_loadopt_parse(e->data, e->size, &o), 0);
        ASSERT_EQ(o.optional_data_size, sizeof opt);
        ASSERT_MEMEQ(o.optional_data, opt, sizeof opt);
        ASSERT_EQ(o.attributes, PB_LOAD_OPTION_ACTIVE);
        ASSERT_TRUE(bootcfg_find_path(&c, dp2, n2) == NULL);

        ASSERT_EQ(bootcfg_save(&c, &b), 1);
        ASSERT_STREQ(f.log, "set Boot0001;");
        f.log[0] = 0;

        /* the same bytes again: nothing to write; other bytes: rewritten in place, same number */
        ASSERT_EQ(bootcfg_put(&c, 1, "uki", dp, n, opt, sizeof opt, &again), 0);
        ASSERT_EQ(again, 1);
        ASSERT_TRUE(!bootcfg_find_path(&c, dp, n)->dirty);
        ASSERT_EQ(bootcfg_put(&c, 1, "uki", dp, n, NULL, 0, &again), 0);
        e = bootcfg_find_path(&c, dp, n);
        ASSERT_TRUE(e && e->num == 1 && e->dirty);
        ASSERT_EQ(pb_loadopt_parse(e->data, e->size, &o), 0);
        ASSERT_EQ(o.optional_data_size, 0);
        ASSERT_EQ(c.n_entries, 2);

        ASSERT_EQ(bootcfg_put(&c, 0x42, "nope", dp, n, NULL, 0, &again), -ENOENT);
        ASSERT_EQ(c.n_entries, 2);
        bootcfg_done(&c);
}

int main(void) {
        test_numbering_and_save();
        test_empty_order();
        test_uri_validation();
        test_put_with_optional_data();
        return 0;
}
