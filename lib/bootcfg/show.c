/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printing the boot entry model: the text listing (efibootmgr-like) and JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devpath.h"
#include "escape.h"
#include "json.h"
#include "loadopt.h"
#include "show.h"

struct entry_view {
        bool valid;
        uint32_t attributes;
        char title[512];
        char path[4096];
        char uri[4096];
        const uint8_t *optional;
        size_t optional_size;
};

static void view_entry(const struct bootcfg_entry *e, struct entry_view *v) {
        struct pb_load_option o;
        struct pb_dp_node n;

        memset(v, 0, sizeof *v);
        if (pb_loadopt_parse(e->data, e->size, &o) < 0) {
                snprintf(v->title, sizeof v->title, "(malformed load option, %zu bytes)", e->size);
                return;
        }
        v->valid = true;
        v->attributes = o.attributes;
        if (pb_loadopt_description(&o, v->title, sizeof v->title) < 0)
                snprintf(v->title, sizeof v->title, "(undecodable title)");
        if (pb_dp_to_text(o.file_path, o.file_path_size, v->path, sizeof v->path) < 0 && !v->path[0])
                snprintf(v->path, sizeof v->path, "(malformed device path)");
        if (pb_dp_find(o.file_path, o.file_path_size, PB_DP_TYPE_MESSAGING, PB_DP_MSG_URI, &n) > 0) {
                struct pb_span s;
                if (pb_dp_get_uri(&n, &s) >= 0 && s.len < sizeof v->uri) {
                        memcpy(v->uri, s.ptr, s.len);
                        v->uri[s.len] = 0;
                }
        }
        v->optional = o.optional_data;
        v->optional_size = o.optional_data_size;
}

static void print_num_list(FILE *f, const uint16_t *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s%04X", i ? "," : "", l[i]);
}

void bootcfg_print(const struct bootcfg *c, bool verbose, FILE *f) {
        if (c->boot_current >= 0)
                fprintf(f, "BootCurrent: %04X\n", c->boot_current);
        if (c->boot_next >= 0)
                fprintf(f, "BootNext: %04X\n", c->boot_next);
        fprintf(f, "BootOrder: ");
        /* An empty BootOrder cannot exist as a variable: writing it empty deletes it. */
        if (c->has_order && c->n_order > 0)
                print_num_list(f, c->order, c->n_order);
        else
                fprintf(f, "(none)");
        fputc('\n', f);

        for (size_t i = 0; i < c->n_entries; i++) {
                struct entry_view *v = malloc(sizeof *v);
                if (!v)
                        return;
                view_entry(&c->entries[i], v);
                /* Titles come from the firmware store, where anything may have written them. */
                fprintf(f, "Boot%04X%s ", c->entries[i].num,
                        v->valid && (v->attributes & PB_LOAD_OPTION_ACTIVE) ? "*" : " ");
                fput_escaped(f, v->title, strlen(v->title));
                if (verbose && v->valid) {
                        fputc('\t', f);
                        fput_escaped(f, v->path, strlen(v->path));
                        if (v->optional_size) {
                                fputs("\tdata:", f);
                                for (size_t k = 0; k < v->optional_size; k++)
                                        fprintf(f, "%02x", v->optional[k]);
                        }
                }
                fputc('\n', f);
                free(v);
        }
}

static void json_num_or_null(FILE *f, int n) {
        if (n < 0)
                fputs("null", f);
        else
                fprintf(f, "\"%04X\"", n);
}

void bootcfg_print_json(const struct bootcfg *c, const char *backend, FILE *f) {
        fputs("{\"backend\":", f);
        json_write_cstring(f, backend);
        fputs(",\"boot_current\":", f);
        json_num_or_null(f, c->boot_current);
        fputs(",\"boot_next\":", f);
        json_num_or_null(f, c->boot_next);
        fputs(",\"boot_order\":", f);
        if (c->has_order && c->n_order > 0) {
                fputc('[', f);
                for (size_t i = 0; i < c->n_order; i++)
                        fprintf(f, "%s\"%04X\"", i ? "," : "", c->order[i]);
                fputc(']', f);
        } else
                fputs("null", f);
        fputs(",\"entries\":[", f);
        for (size_t i = 0; i < c->n_entries; i++) {
                struct entry_view *v = malloc(sizeof *v);
                if (!v)
                        break;
                view_entry(&c->entries[i], v);
                fprintf(f, "%s{\"number\":\"%04X\",\"valid\":%s", i ? "," : "", c->entries[i].num,
                        v->valid ? "true" : "false");
                if (v->valid) {
                        fprintf(f, ",\"active\":%s,\"attributes\":%u,\"title\":",
                                (v->attributes & PB_LOAD_OPTION_ACTIVE) ? "true" : "false", v->attributes);
                        json_write_cstring(f, v->title);
                        fputs(",\"device_path\":", f);
                        json_write_cstring(f, v->path);
                        fputs(",\"uri\":", f);
                        if (v->uri[0])
                                json_write_cstring(f, v->uri);
                        else
                                fputs("null", f);
                        fputs(",\"optional_data\":\"", f);
                        for (size_t k = 0; k < v->optional_size; k++)
                                fprintf(f, "%02x", v->optional[k]);
                        fputc('"', f);
                }
                fputc('}', f);
                free(v);
        }
        fputs("]}\n", f);
}
