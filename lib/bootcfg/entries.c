/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The boot entry model: what Boot####/BootOrder/BootNext say, and the edits bootcfg makes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootcfg.h"
#include "bootvars.h"
#include "devpath.h"
#include "loadopt.h"
#include "macro.h"
#include "url.h"

static const pb_guid global_guid = PB_GLOBAL_GUID_INIT;

void bootcfg_backend_free(struct bootcfg_backend *b) {
        if (b)
                b->free(b);
}

void bootcfg_entry_name(uint16_t num, char buf[static 9]) {
        snprintf(buf, 9, "Boot%04X", num);
}

/* A u16 list variable; an odd size is malformed and reads as absent. */
static int load_u16_list(struct bootcfg_backend *b, const char *name, uint16_t **ret, size_t *ret_n) {
        _cleanup_free_ uint8_t *data = NULL;
        size_t size;
        uint32_t attr;
        int r;

        r = b->get(b, name, &global_guid, &attr, &data, &size);
        if (r < 0)
                return r;
        if (size % 2 != 0)
                return -EBADMSG;
        uint16_t *l = calloc(size / 2 + 1, sizeof *l);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < size / 2; i++)
                l[i] = (uint16_t) (data[2 * i] | (data[2 * i + 1] << 8));
        *ret = l;
        *ret_n = size / 2;
        return 0;
}

static int load_u16(struct bootcfg_backend *b, const char *name, int *ret) {
        _cleanup_free_ uint16_t *l = NULL;
        size_t n;
        int r = load_u16_list(b, name, &l, &n);

        if (r == -ENOENT || r == -EBADMSG || (r >= 0 && n != 1)) {
                *ret = -1;
                return 0;
        }
        if (r < 0)
                return r;
        *ret = l[0];
        return 0;
}

static int cmp_u16(const void *a, const void *b) {
        return (int) *(const uint16_t *) a - (int) *(const uint16_t *) b;
}

int bootcfg_load(struct bootcfg *c, struct bootcfg_backend *b) {
        _cleanup_free_ uint16_t *nums = NULL;
        size_t n = 0;
        int r;

        *c = (struct bootcfg) { .boot_next = -1, .boot_current = -1 };

        r = b->list_boot(b, &nums, &n);
        if (r < 0)
                return r;
        if (n)
                qsort(nums, n, sizeof *nums, cmp_u16);
        c->entries = calloc(n ? n : 1, sizeof *c->entries);
        if (!c->entries)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct bootcfg_entry *e = &c->entries[c->n_entries];
                char name[9];

                if (i > 0 && nums[i] == nums[i - 1])
                        continue;
                bootcfg_entry_name(nums[i], name);
                r = b->get(b, name, &global_guid, &e->attr, &e->data, &e->size);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                e->num = nums[i];
                c->n_entries++;
        }

        r = load_u16_list(b, "BootOrder", &c->order, &c->n_order);
        if (r >= 0)
                c->has_order = true;
        else if (r != -ENOENT && r != -EBADMSG)
                return r;
        r = load_u16(b, "BootNext", &c->boot_next);
        if (r < 0)
                return r;
        return load_u16(b, "BootCurrent", &c->boot_current);
}

void bootcfg_done(struct bootcfg *c) {
        for (size_t i = 0; i < c->n_entries; i++)
                free(c->entries[i].data);
        free(c->entries);
        free(c->removed);
        free(c->order);
        *c = (struct bootcfg) {};
}

struct bootcfg_entry *bootcfg_find(const struct bootcfg *c, uint16_t num) {
        for (size_t i = 0; i < c->n_entries; i++)
                if (c->entries[i].num == num)
                        return &c->entries[i];
        return NULL;
}

bool bootcfg_dirty(const struct bootcfg *c) {
        for (size_t i = 0; i < c->n_entries; i++)
                if (c->entries[i].dirty)
                        return true;
        return c->n_removed > 0 || c->order_dirty || c->boot_next_dirty;
}

int bootcfg_uri_device_path(const char *uri, uint8_t **ret, size_t *ret_size, const char **ret_reason) {
        struct pb_url u;
        struct pb_diag d = {};
        struct pb_span s = pb_span_from_str(uri);
        size_t cap;
        int r;

        r = pb_url_parse(s, &u, &d);
        if (r < 0) {
                *ret_reason = d.reason ? d.reason : "not a valid URL";
                return -EINVAL;
        }
        if (u.scheme != PB_URL_HTTP && u.scheme != PB_URL_HTTPS) {
                *ret_reason = "firmware boot entries need an http:// or https:// URL";
                return -EINVAL;
        }
        if (u.host.len == 0) {
                *ret_reason = "URL has no host";
                return -EINVAL;
        }
        for (const char *p = uri; *p; p++)
                if ((unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7f) {
                        *ret_reason = "URL contains spaces, control or non-ASCII characters";
                        return -EINVAL;
                }
        if (s.len > UINT16_MAX - 16) {
                *ret_reason = "URL too long for a device path node";
                return -EINVAL;
        }

        cap = s.len + 16;
        _cleanup_free_ uint8_t *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        struct pb_writer w = pb_writer_make(buf, cap);
        pb_dp_put_uri(&w, s);
        pb_dp_put_end(&w);
        if (pb_writer_status(&w) < 0)
                return -ENOBUFS;
        *ret_size = w.len;
        *ret = TAKE_PTR(buf);
        return 0;
}

static bool number_in_use(const struct bootcfg *c, uint16_t num) {
        if (bootcfg_find(c, num) || c->boot_next == num || c->boot_current == num)
                return true;
        for (size_t i = 0; i < c->n_order; i++)
                if (c->order[i] == num)
                        return true;
        /* Removed in this run: do not hand the number out again before it is deleted. */
        for (size_t i = 0; i < c->n_removed; i++)
                if (c->removed[i] == num)
                        return true;
        return false;
}

static bool entry_has_path(const struct bootcfg_entry *e, const uint8_t *dp, size_t dp_size) {
        struct pb_load_option o;

        if (pb_loadopt_parse(e->data, e->size, &o) < 0)
                return false;
        return o.file_path_size == dp_size && memcmp(o.file_path, dp, dp_size) == 0;
}

static int build_option(const char *title, const uint8_t *dp, size_t dp_size, const uint8_t *optional,
                        size_t optional_size, uint8_t **ret, size_t *ret_size) {
        size_t cap = 6 + 2 * (strlen(title) + 1) + dp_size + optional_size + 16;
        _cleanup_free_ uint8_t *buf = malloc(cap);
        int r;

        if (!buf)
                return -ENOMEM;
        struct pb_writer w = pb_writer_make(buf, cap);
        r = pb_loadopt_build(&w, PB_LOAD_OPTION_ACTIVE, pb_span_from_str(title), dp, dp_size, optional,
                             optional_size);
        if (r < 0)
                return r;
        *ret_size = w.len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int bootcfg_put(struct bootcfg *c, int num, const char *title, const uint8_t *dp, size_t dp_size,
                const uint8_t *optional, size_t optional_size, uint16_t *ret_num) {
        _cleanup_free_ uint8_t *opt = NULL;
        size_t opt_size;
        int r;

        r = build_option(title, dp, dp_size, optional, optional_size, &opt, &opt_size);
        if (r < 0)
                return r;

        if (num >= 0) {
                struct bootcfg_entry *e = bootcfg_find(c, (uint16_t) num);
                if (!e)
                        return -ENOENT;
                if (e->size != opt_size || memcmp(e->data, opt, opt_size) != 0 || e->attr != PB_VAR_ATTR_NV) {
                        free(e->data);
                        e->data = TAKE_PTR(opt);
                        e->size = opt_size;
                        e->attr = PB_VAR_ATTR_NV;
                        e->dirty = true;
                }
                *ret_num = e->num;
                return 0;
        }

        uint32_t n;
        for (n = 0; n <= 0xffff; n++)
                if (!number_in_use(c, (uint16_t) n))
                        break;
        if (n > 0xffff)
                return -ENOSPC;

        struct bootcfg_entry *l = realloc(c->entries, (c->n_entries + 1) * sizeof *l);
        if (!l)
                return -ENOMEM;
        c->entries = l;
        size_t at = 0;
        while (at < c->n_entries && c->entries[at].num < n)
                at++;
        memmove(&c->entries[at + 1], &c->entries[at], (c->n_entries - at) * sizeof *l);
        c->entries[at] = (struct bootcfg_entry) {
                .num = (uint16_t) n,
                .attr = PB_VAR_ATTR_NV,
                .data = TAKE_PTR(opt),
                .size = opt_size,
                .dirty = true,
        };
        c->n_entries++;
        *ret_num = (uint16_t) n;
        return 0;
}

struct bootcfg_entry *bootcfg_find_path(const struct bootcfg *c, const uint8_t *dp, size_t dp_size) {
        for (size_t i = 0; i < c->n_entries; i++)
                if (entry_has_path(&c->entries[i], dp, dp_size))
                        return &c->entries[i];
        return NULL;
}

int bootcfg_add(struct bootcfg *c, const char *title, const uint8_t *dp, size_t dp_size, uint16_t *ret_num,
                bool *ret_reused) {
        struct bootcfg_entry *e = bootcfg_find_path(c, dp, dp_size);

        *ret_reused = e != NULL;
        return bootcfg_put(c, e ? e->num : -1, title, dp, dp_size, NULL, 0, ret_num);
}

static void order_drop(struct bootcfg *c, uint16_t num) {
        size_t w = 0;
        for (size_t i = 0; i < c->n_order; i++)
                if (c->order[i] != num)
                        c->order[w++] = c->order[i];
        if (w != c->n_order)
                c->order_dirty = true;
        c->n_order = w;
}

int bootcfg_order_insert(struct bootcfg *c, uint16_t num, size_t pos) {
        _cleanup_free_ uint16_t *old = malloc((c->n_order + 1) * sizeof *old);
        size_t old_n = c->n_order;
        bool was_dirty = c->order_dirty;
        uint16_t *n;

        n = realloc(c->order, (c->n_order + 1) * sizeof *n);
        if (!old || !n) {
                if (n)
                        c->order = n;
                return -ENOMEM;
        }
        c->order = n;
        if (old_n)
                memcpy(old, c->order, old_n * sizeof *old);

        order_drop(c, num);
        if (pos > c->n_order)
                pos = c->n_order;
        memmove(&c->order[pos + 1], &c->order[pos], (c->n_order - pos) * sizeof *n);
        c->order[pos] = num;
        c->n_order++;
        /* Dirty only if the list really changed (moving an entry to where it is changes nothing). */
        c->order_dirty = was_dirty || !c->has_order || old_n != c->n_order ||
                memcmp(old, c->order, old_n * sizeof *old) != 0;
        c->has_order = true;
        return 0;
}

void bootcfg_set_boot_next(struct bootcfg *c, uint16_t num) {
        if (c->boot_next != num)
                c->boot_next_dirty = true;
        c->boot_next = num;
}

int bootcfg_remove(struct bootcfg *c, uint16_t num, bool force) {
        size_t i;

        for (i = 0; i < c->n_entries; i++)
                if (c->entries[i].num == num)
                        break;
        if (i == c->n_entries)
                return -ENOENT;
        if (c->boot_current == num && !force)
                return -EBUSY;

        uint16_t *r = realloc(c->removed, (c->n_removed + 1) * sizeof *r);
        if (!r)
                return -ENOMEM;
        c->removed = r;
        c->removed[c->n_removed++] = num;
        free(c->entries[i].data);
        memmove(&c->entries[i], &c->entries[i + 1], (c->n_entries - i - 1) * sizeof *c->entries);
        c->n_entries--;

        order_drop(c, num);
        if (c->boot_next == num) {
                c->boot_next = -1;
                c->boot_next_dirty = true;
        }
        return 0;
}

int bootcfg_save(struct bootcfg *c, struct bootcfg_backend *b) {
        char name[9];
        int r;

        /* Entries first and deletions last, so BootOrder/BootNext never name a missing entry
         * longer than necessary, whatever step fails. */
        for (size_t i = 0; i < c->n_entries; i++) {
                struct bootcfg_entry *e = &c->entries[i];
                if (!e->dirty)
                        continue;
                bootcfg_entry_name(e->num, name);
                r = b->set(b, name, &global_guid, e->attr, e->data, e->size);
                if (r < 0)
                        return r;
                e->dirty = false;
        }
        if (c->order_dirty) {
                if (c->n_order == 0)
                        r = b->del(b, "BootOrder", &global_guid);
                else {
                        _cleanup_free_ uint8_t *d = malloc(2 * c->n_order);
                        if (!d)
                                return -ENOMEM;
                        for (size_t i = 0; i < c->n_order; i++) {
                                d[2 * i] = (uint8_t) c->order[i];
                                d[2 * i + 1] = (uint8_t) (c->order[i] >> 8);
                        }
                        r = b->set(b, "BootOrder", &global_guid, PB_VAR_ATTR_NV, d, 2 * c->n_order);
                }
                if (r < 0)
                        return r;
                c->order_dirty = false;
        }
        if (c->boot_next_dirty) {
                if (c->boot_next < 0)
                        r = b->del(b, "BootNext", &global_guid);
                else {
                        uint8_t d[2] = { (uint8_t) c->boot_next, (uint8_t) (c->boot_next >> 8) };
                        r = b->set(b, "BootNext", &global_guid, PB_VAR_ATTR_NV, d, 2);
                }
                if (r < 0)
                        return r;
                c->boot_next_dirty = false;
        }
        for (size_t i = 0; i < c->n_removed; i++) {
                bootcfg_entry_name(c->removed[i], name);
                r = b->del(b, name, &global_guid);
                if (r < 0)
                        return r;
        }
        c->n_removed = 0;
        return b->commit(b);
}
