/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * libbootcfg: firmware boot entries (Boot####, BootOrder, BootNext) as a model that is loaded from
 * a backend, edited in memory by pure functions and written back as the minimal set of variable
 * changes. Backends: the running system (efivarfs, via libefivar) and edk2 VARS files.
 * pullboot-vm links this to pre-seed boot entries into a VARS copy.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guid.h"

/* Exit codes specific to pullboot-bootcfg (0, 1, 2 as every pullboot program). */
#define BOOTCFG_EXIT_NO_ENTRY 3     /* --remove-entry: no such Boot#### */
#define BOOTCFG_EXIT_IN_USE 4       /* --remove-entry of BootCurrent without --force */
#define BOOTCFG_EXIT_NO_SPACE 5     /* the variable store is full */

struct bootcfg_backend {
        const char *name;           /* "efivarfs" or "varstore" */
        void *userdata;
        /* -ENOENT if the variable does not exist; *ret_data is malloc'd. */
        int (*get)(struct bootcfg_backend *b, const char *name, const pb_guid *guid, uint32_t *ret_attr,
                   uint8_t **ret_data, size_t *ret_size);
        int (*set)(struct bootcfg_backend *b, const char *name, const pb_guid *guid, uint32_t attr,
                   const uint8_t *data, size_t size);
        /* 0 also when it did not exist. */
        int (*del)(struct bootcfg_backend *b, const char *name, const pb_guid *guid);
        /* Numbers of all Boot#### variables (global GUID, exactly four upper-case hex digits). */
        int (*list_boot)(struct bootcfg_backend *b, uint16_t **ret_nums, size_t *ret_n);
        /* Makes the changes durable (varstore: writes the file if it changed). 1 written, 0 unchanged. */
        int (*commit)(struct bootcfg_backend *b);
        void (*free)(struct bootcfg_backend *b);
};

/* backend-efivarfs.c: the running system; honours $EFIVARFS_PATH like libefivar. -EOPNOTSUPP if
 * there are no EFI variables. */
int bootcfg_backend_efivarfs_new(struct bootcfg_backend **ret);
/* backend-varstore.c: an edk2 VARS file, read whole, written atomically on commit. -EBADMSG (and a
 * logged reason) if it is not an edk2 varstore. */
int bootcfg_backend_varstore_new(const char *path, struct bootcfg_backend **ret);
void bootcfg_backend_free(struct bootcfg_backend *b);

struct bootcfg_entry {
        uint16_t num;
        uint32_t attr;              /* variable attributes */
        uint8_t *data;              /* EFI_LOAD_OPTION */
        size_t size;
        bool dirty;                 /* to be written */
};

struct bootcfg {
        struct bootcfg_entry *entries;  /* sorted by num */
        size_t n_entries;
        uint16_t *removed;              /* entries to delete */
        size_t n_removed;
        uint16_t *order;
        size_t n_order;
        bool has_order, order_dirty;
        int boot_next;                  /* -1: none */
        bool boot_next_dirty;
        int boot_current;               /* -1: unknown (always so for VARS files) */
};

int bootcfg_load(struct bootcfg *c, struct bootcfg_backend *b);
void bootcfg_done(struct bootcfg *c);
struct bootcfg_entry *bootcfg_find(const struct bootcfg *c, uint16_t num);
bool bootcfg_dirty(const struct bootcfg *c);

/* Device path URI + End for uri, after validating it (http/https, host, no spaces).
 * -EINVAL with *ret_reason set. *ret is malloc'd. */
int bootcfg_uri_device_path(const char *uri, uint8_t **ret, size_t *ret_size, const char **ret_reason);

/*
 * Adds (or reuses) the entry for a device path: an entry whose device path is byte-identical is
 * reused (its title is updated if it differs), else the lowest number not used by any Boot####
 * and not referenced by BootOrder, BootNext or BootCurrent. *ret_reused tells which.
 */
int bootcfg_add(struct bootcfg *c, const char *title, const uint8_t *dp, size_t dp_size, uint16_t *ret_num,
                bool *ret_reused);
/* An entry with a byte-identical device path (FilePathList), or NULL. */
struct bootcfg_entry *bootcfg_find_path(const struct bootcfg *c, const uint8_t *dp, size_t dp_size);
/* Sets entry num (num >= 0: it must exist, else -ENOENT) or a new entry (num < 0: lowest free
 * number, as bootcfg_add) to an active load option with optional data. Unchanged bytes stay clean. */
int bootcfg_put(struct bootcfg *c, int num, const char *title, const uint8_t *dp, size_t dp_size,
                const uint8_t *optional, size_t optional_size, uint16_t *ret_num);
/* Moves num to pos in BootOrder (pos >= length or SIZE_MAX: last). -ENOMEM, else 0. */
int bootcfg_order_insert(struct bootcfg *c, uint16_t num, size_t pos);
void bootcfg_set_boot_next(struct bootcfg *c, uint16_t num);
/* -ENOENT unknown entry, -EBUSY if it is BootCurrent and !force. Cleans BootOrder and BootNext. */
int bootcfg_remove(struct bootcfg *c, uint16_t num, bool force);

/* Writes the changes: entries, BootOrder, BootNext, then deletions; then commit. 1 written, 0 nothing. */
int bootcfg_save(struct bootcfg *c, struct bootcfg_backend *b);

/* "Boot0003" */
void bootcfg_entry_name(uint16_t num, char buf[static 9]);
