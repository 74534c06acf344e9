/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An edk2 VARS file (OVMF_VARS*.fd) edited offline. The whole file is read into memory, edited with
 * common/varstore and written back atomically (temporary file + rename) only if a byte changed,
 * so a run that changes nothing leaves the file byte-identical, and a failed run leaves it alone.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bootcfg.h"
#include "bootvars.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "utf16.h"
#include "varstore.h"

/* VARS files are a few hundred KiB; anything far larger is not one. */
#define VARS_FILE_MAX (64u << 20)
/* Left free for the firmware's own writes at the next boot (ConOut, MTC, ...). */
#define VARS_RESERVE 0x1000

struct varsfile {
        char *path;
        uint8_t *orig;
        uint8_t *buf;
        size_t size;
        struct pb_varstore vs;
};

static int vars_get(struct bootcfg_backend *b, const char *name, const pb_guid *g, uint32_t *ret_attr,
                    uint8_t **ret_data, size_t *ret_size) {
        struct varsfile *f = b->userdata;
        struct pb_varstore_var v;
        int r = pb_varstore_find(&f->vs, name, g, &v);

        if (r < 0)
                return r;
        if (r == 0)
                return -ENOENT;
        uint8_t *d = malloc(v.data_size ? v.data_size : 1);
        if (!d)
                return -ENOMEM;
        memcpy(d, v.data, v.data_size);
        *ret_attr = v.attributes;
        *ret_data = d;
        *ret_size = v.data_size;
        return 0;
}

static int vars_set(struct bootcfg_backend *b, const char *name, const pb_guid *g, uint32_t attr,
                    const uint8_t *data, size_t size) {
        struct varsfile *f = b->userdata;
        int r = pb_varstore_set(&f->vs, name, g, attr, data, size);

        if (r == -ENOSPC)
                return log_error_errno(r, "%s: no room for %s (%zu bytes) in the variable store, even after "
                                       "reclaiming deleted records; the file was not changed. Remove unused "
                                       "entries or start from a fresh VARS template", f->path, name, size);
        if (r < 0)
                return log_error_errno(r, "%s: cannot write %s", f->path, name);
        return 0;
}

static int vars_del(struct bootcfg_backend *b, const char *name, const pb_guid *g) {
        struct varsfile *f = b->userdata;
        int r = pb_varstore_delete(&f->vs, name, g);
        return r < 0 ? r : 0;
}

static int vars_list_boot(struct bootcfg_backend *b, uint16_t **ret, size_t *ret_n) {
        static const pb_guid global = PB_GLOBAL_GUID_INIT;
        struct varsfile *f = b->userdata;
        struct pb_varstore_var v;
        _cleanup_free_ uint16_t *nums = NULL;
        size_t c = 0, n = 0, cap = 0;

        while (pb_varstore_next_live(&f->vs, &c, &v) > 0) {
                char name[16];
                bool ok = true;

                if (!pb_guid_eq(&v.guid, &global) || v.name_size != 18)
                        continue;
                if (pb_ucs2le_to_utf8(v.name, v.name_size, name, sizeof name, NULL) < 0)
                        continue;
                if (strncmp(name, "Boot", 4) != 0 || strlen(name) != 8)
                        continue;
                for (int i = 4; i < 8; i++)
                        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'A' && name[i] <= 'F')))
                                ok = false;
                if (!ok)
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        uint16_t *p = realloc(nums, cap * sizeof *p);
                        if (!p)
                                return -ENOMEM;
                        nums = p;
                }
                nums[n++] = (uint16_t) strtoul(name + 4, NULL, 16);
        }
        *ret = TAKE_PTR(nums);
        *ret_n = n;
        return 0;
}

static int vars_commit(struct bootcfg_backend *b) {
        struct varsfile *f = b->userdata;
        int r;

        if (memcmp(f->orig, f->buf, f->size) == 0)
                return 0;
        r = write_file_replace(f->path, f->buf, f->size);
        if (r < 0)
                return log_error_errno(r, "%s: writing the new VARS file failed; the old file is unchanged",
                                       f->path);
        memcpy(f->orig, f->buf, f->size);
        return 1;
}

static void vars_free(struct bootcfg_backend *b) {
        struct varsfile *f = b->userdata;
        if (f) {
                free(f->path);
                free(f->orig);
                free(f->buf);
        }
        free(f);
        free(b);
}

int bootcfg_backend_varstore_new(const char *path, struct bootcfg_backend **ret) {
        _cleanup_free_ struct varsfile *f = calloc(1, sizeof *f);
        _cleanup_free_ struct bootcfg_backend *b = calloc(1, sizeof *b);
        _cleanup_free_ char *data = NULL;
        struct pb_diag d = {};
        size_t size;
        int r;

        if (!f || !b)
                return -ENOMEM;
        r = read_full_file(path, VARS_FILE_MAX, &data, &size);
        if (r == -EFBIG) {
                log_error("%s: too large for a VARS file (more than %u MiB); not an edk2 varstore", path,
                          VARS_FILE_MAX >> 20);
                return -EBADMSG;
        }
        if (r < 0)
                return log_error_errno(r, "Cannot read %s", path);
        /* Replace the file a symlink points to (libvirt keeps nvram files behind links), not the link. */
        f->path = realpath(path, NULL);
        if (!f->path)
                f->path = strdup(path);
        f->orig = malloc(size ? size : 1);
        if (!f->path || !f->orig) {
                free(f->path);
                free(f->orig);
                return -ENOMEM;
        }
        memcpy(f->orig, data, size);
        f->buf = (uint8_t *) TAKE_PTR(data);
        f->size = size;
        r = pb_varstore_open(&f->vs, f->buf, size, &d);
        if (r < 0) {
                /* Refused whole: editing a store that does not parse would lose what it still holds. */
                if (d.where.ptr)
                        log_error("%s: damaged or not an edk2 variable store: %s (offset 0x%zx); refusing to "
                                  "use it, the file was not changed. Restore it from a backup or a fresh "
                                  "VARS template", path, d.reason,
                                  (size_t) ((const uint8_t *) d.where.ptr - f->buf));
                else
                        log_error("%s: not an edk2 variable store: %s; the file was not changed", path,
                                  d.reason ? d.reason : "malformed");
                free(f->path);
                free(f->orig);
                free(f->buf);
                return -EBADMSG;
        }
        f->vs.reserve = VARS_RESERVE;

        *b = (struct bootcfg_backend) {
                .name = "varstore",
                .userdata = TAKE_PTR(f),
                .get = vars_get,
                .set = vars_set,
                .del = vars_del,
                .list_boot = vars_list_boot,
                .commit = vars_commit,
                .free = vars_free,
        };
        *ret = TAKE_PTR(b);
        return 0;
}
