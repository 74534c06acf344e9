/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kernel-bootcfg's UKI actions (--add-uki, --update-uki, --remove-uki) and --boot-ok. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loadopt.h"
#include "log.h"
#include "macro.h"
#include "uki.h"
#include "utf16.h"

int uki_request_resolve(struct uki_request *q, const char *uki, const char *shim) {
        int r;

        r = esp_file_resolve(uki, &q->uki);
        if (r < 0)
                return r;
        if (!shim)
                return 0;
        r = esp_file_resolve(shim, &q->shim);
        if (r < 0)
                return r;
        if (q->shim.dev != q->uki.dev)
                return log_error("shim and UKI are on different file systems (%s, %s); shim loads the UKI from "
                                 "its own partition", shim, uki), -EINVAL;
        return 0;
}

void uki_request_done(struct uki_request *q) {
        esp_file_done(&q->uki);
        esp_file_done(&q->shim);
}

/* The optional data: the command line for the UKI's stub, or for shim the UKI's path followed
 * by the command line (shim starts the first word and passes on the rest). UCS-2, NUL-terminated. */
static int build_optional(const struct uki_request *q, uint8_t **ret, size_t *ret_size) {
        _cleanup_free_ char *text = NULL;
        int r;

        *ret = NULL;
        *ret_size = 0;
        if (q->shim.path)
                r = asprintf(&text, "%s%s%s", q->uki.efi_path, q->cmdline ? " " : "", q->cmdline ? q->cmdline : "");
        else if (q->cmdline)
                r = asprintf(&text, "%s", q->cmdline);
        else
                return 0;
        if (r < 0)
                return -ENOMEM;

        size_t cap = 2 * strlen(text) + 2;
        _cleanup_free_ uint8_t *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        struct pb_writer w = pb_writer_make(buf, cap);
        r = pb_utf8_put_ucs2le(&w, pb_span_from_str(text), true);
        if (r == -EILSEQ)
                return log_error("--cmdline '%s': not valid UTF-8 or outside UCS-2", q->cmdline ? q->cmdline : ""),
                        -EINVAL;
        if (r < 0)
                return r;
        if (w.len > UINT16_MAX)
                return log_error("--cmdline is too long for a boot entry"), -EINVAL;
        *ret_size = w.len;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* The optional data's first word is efi_path (shim's second stage). Only that much is decoded,
 * so a long command line after it does not matter. */
static bool optional_starts_with_path(const struct pb_load_option *o, const char *efi_path) {
        size_t plen = strlen(efi_path), units = plen + 1, len;

        if (o->optional_data_size < 2 * plen)
                return false;
        if (units > o->optional_data_size / 2)
                units = o->optional_data_size / 2;
        _cleanup_free_ char *text = malloc(3 * units + 1);
        if (!text || pb_ucs2le_to_utf8(o->optional_data, 2 * units, text, 3 * units + 1, &len) < 0)
                return false;
        text[strcspn(text, " ")] = 0;
        /* FAT compares names without case; so does shim's lookup of the second stage. */
        return strcasecmp(text, efi_path) == 0;
}

/* The entry starts f: directly (its device path is f's), or through a loader on the same
 * partition whose optional data begins with f's path (a shim entry). */
static bool entry_starts(const struct bootcfg_entry *e, const struct esp_file *f) {
        struct pb_load_option o;

        if (pb_loadopt_parse(e->data, e->size, &o) < 0)
                return false;
        if (o.file_path_size == f->dp_size && memcmp(o.file_path, f->dp, f->dp_size) == 0)
                return true;
        return o.file_path_size > f->hd_size && memcmp(o.file_path, f->dp, f->hd_size) == 0 &&
                optional_starts_with_path(&o, f->efi_path);
}

/* The entry add would reuse: same device path, and for shim entries the same UKI. */
static struct bootcfg_entry *find_same(const struct bootcfg *c, const struct uki_request *q) {
        if (!q->shim.path)
                return bootcfg_find_path(c, q->uki.dp, q->uki.dp_size);
        for (size_t i = 0; i < c->n_entries; i++) {
                struct bootcfg_entry *e = &c->entries[i];
                struct pb_load_option o;

                if (pb_loadopt_parse(e->data, e->size, &o) >= 0 && o.file_path_size == q->shim.dp_size &&
                    memcmp(o.file_path, q->shim.dp, q->shim.dp_size) == 0 &&
                    optional_starts_with_path(&o, q->uki.efi_path))
                        return e;
        }
        return NULL;
}

static struct bootcfg_entry *find_uki(const struct bootcfg *c, const struct esp_file *f) {
        for (size_t i = 0; i < c->n_entries; i++)
                if (entry_starts(&c->entries[i], f))
                        return &c->entries[i];
        return NULL;
}

int uki_add(struct bootcfg *c, const struct uki_request *q, bool secure_boot, uint16_t *ret_num) {
        _cleanup_free_ uint8_t *optional = NULL;
        const struct esp_file *target = q->shim.path ? &q->shim : &q->uki;
        struct bootcfg_entry *e;
        size_t optional_size;
        uint16_t num;
        int r;

        r = build_optional(q, &optional, &optional_size);
        if (r < 0)
                return r;
        e = find_same(c, q);
        if (e)
                log_info("Entry exists (Boot%04X)", e->num);
        r = bootcfg_put(c, e ? e->num : -1, q->title, target->dp, target->dp_size, optional, optional_size, &num);
        if (r == -EILSEQ)
                return log_error("--title '%s': not valid UTF-8 or outside UCS-2", q->title), -EINVAL;
        if (r == -ENOSPC)
                return log_error("all 65536 Boot#### numbers are taken"), -ENOSPC;
        if (r < 0)
                return log_error_errno(r, "Cannot build the boot entry");
        if (!e)
                log_info("Adding Boot%04X \"%s\" for %s%s%s", num, q->title, q->uki.efi_path,
                         q->shim.path ? " via " : "", q->shim.path ? q->shim.efi_path : "");
        if (q->cmdline && secure_boot)
                log_warning("Secure Boot is on: a UKI's stub ignores the command line of its boot entry "
                            "(use the UKI's .cmdline section)");
        *ret_num = num;
        return 0;
}

int uki_update(struct bootcfg *c, const struct uki_request *q, uint16_t *ret_num) {
        struct bootcfg_entry *e = find_uki(c, &q->uki);

        if (!e)
                return log_error("No boot entry starts %s; add one with --add-uki", q->uki.path), -ENOENT;
        log_info("Updating Boot%04X for %s", e->num, q->uki.efi_path);
        *ret_num = e->num;
        return 0;
}

int uki_remove(struct bootcfg *c, const struct uki_request *q) {
        struct bootcfg_entry *e;
        unsigned removed = 0;
        int r;

        /* Every entry that starts the UKI goes; refuse before removing any if one is BootCurrent. */
        for (size_t i = 0; i < c->n_entries; i++)
                if (entry_starts(&c->entries[i], &q->uki) && c->entries[i].num == c->boot_current && !q->force)
                        return log_error("Boot%04X is BootCurrent, the entry this system booted from; use --force "
                                         "to remove it anyway", c->entries[i].num), -EBUSY;
        while ((e = find_uki(c, &q->uki))) {
                uint16_t num = e->num;

                r = bootcfg_remove(c, num, q->force);
                if (r < 0)
                        return log_error_errno(r, "Cannot remove Boot%04X", num);
                log_info("Removing Boot%04X for %s", num, q->uki.efi_path);
                removed++;
        }
        if (removed == 0)
                log_warning("No boot entry starts %s; nothing to remove", q->uki.path);
        return 0;
}

int boot_ok(struct bootcfg *c) {
        if (c->boot_current < 0)
                return log_error("BootCurrent is not set: the firmware did not say which entry it booted"), -ENODATA;
        for (size_t i = 0; i < c->n_order; i++)
                if (c->order[i] == c->boot_current) {
                        log_info("BootCurrent is already in BootOrder");
                        return 0;
                }
        if (bootcfg_order_insert(c, (uint16_t) c->boot_current, 0) < 0)
                return log_error_errno(-ENOMEM, "Cannot update BootOrder");
        log_info("Adding BootCurrent (Boot%04X) to BootOrder at position 0", c->boot_current);
        return 0;
}
