/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"
#include "guid.h"

/*
 * edk2 variable stores as found in raw VARS firmware volumes (OVMF_VARS*.fd): a firmware volume
 * header (gEfiSystemNvDataFvGuid, "_FVH"), then a VARIABLE_STORE_HEADER (authenticated or plain
 * format), then variable records, each starting on a 4-byte boundary. Everything works in place
 * on a caller-owned buffer holding the whole file; nothing is allocated.
 *
 * Record states follow edk2 bit for bit: a record is live when it is VAR_ADDED (0x3f), or when it
 * is "added + in deleted transition" (0x3e) and no VAR_ADDED record with the same name and GUID
 * exists (edk2 then still returns it and promotes it on reclaim). Replacing a variable marks the
 * old record in-deleted-transition, appends the new one, then marks the old one deleted (0x3c),
 * the sequence edk2's UpdateVariable() uses. Names are compared as UCS-2 bytes together with the
 * vendor GUID: the same name under two GUIDs is two variables. A damaged store may hold several
 * VAR_ADDED copies of one variable; like edk2's lookup, the first one counts and the others are
 * shadowed (not live); set and delete retire the shadowed copies too.
 *
 * Names and data handed to the set functions must not point into the store's own buffer: a
 * reclaim moves records.
 */

enum {
        PB_VAR_STATE_HEADER_VALID_ONLY = 0x7f,
        PB_VAR_STATE_ADDED = 0x3f,
        PB_VAR_STATE_IN_DELETED_TRANSITION = 0x3e,   /* VAR_ADDED & VAR_IN_DELETED_TRANSITION */
        PB_VAR_STATE_DELETED = 0x3c,                 /* ... & VAR_DELETED */
};

/* Largest variable name accepted by the UTF-8 convenience functions (UCS-2 units, without NUL). */
#define PB_VARSTORE_NAME_MAX 256

struct pb_varstore {
        uint8_t *buf;             /* the whole VARS file */
        size_t size;
        bool authenticated;       /* gEfiAuthenticatedVariableGuid store (60-byte headers) */
        size_t header_size;       /* variable header size: 60 or 32 */
        size_t store_offset;      /* VARIABLE_STORE_HEADER */
        size_t vars_offset;       /* first record */
        size_t end_offset;        /* store_offset + store Size */
        size_t free_offset;       /* first byte after the last record */
        bool free_dirty;          /* bytes after free_offset are not all 0xff: reclaim before appending */
        size_t reserve;           /* bytes pb_varstore_set() keeps free (caller policy; 0 by default) */
};

struct pb_varstore_var {
        size_t offset;            /* of the record header within buf */
        size_t record_size;       /* header + name + data, without alignment padding */
        uint8_t state;
        uint32_t attributes;
        uint64_t monotonic_count; /* authenticated format only, else 0 */
        uint8_t timestamp[16];    /* EFI_TIME, authenticated format only */
        uint32_t pubkey_index;
        pb_guid guid;
        const uint8_t *name;      /* UCS-2LE, name_size bytes, normally including the NUL */
        size_t name_size;
        const uint8_t *data;
        size_t data_size;
};

/*
 * Validates the firmware volume header (signature, GUID, length, header checksum) and the variable
 * store header (GUID, Format 0x5a, State 0xfe, size within the volume), then walks every record
 * to find the end. -EBADMSG with diag for anything that is not a healthy edk2 varstore, or a
 * record that runs past the store. buf must stay valid as long as vs is used.
 */
int pb_varstore_open(struct pb_varstore *vs, uint8_t *buf, size_t size, struct pb_diag *diag);

/*
 * Walks records in storage order: *cursor starts at 0. Returns 1 with *ret filled, 0 at the end.
 * pb_varstore_next() returns every record (any state); pb_varstore_next_live() only the live ones
 * as defined above.
 */
int pb_varstore_next(const struct pb_varstore *vs, size_t *cursor, struct pb_varstore_var *ret);
int pb_varstore_next_live(const struct pb_varstore *vs, size_t *cursor, struct pb_varstore_var *ret);

/* Finds the live record for name (UCS-2LE including NUL) + guid. 1 found, 0 not found. */
int pb_varstore_find_ucs2(const struct pb_varstore *vs, const uint8_t *name, size_t name_size,
                          const pb_guid *guid, struct pb_varstore_var *ret);
/* Same with a UTF-8 name; -EILSEQ / -ENAMETOOLONG for unusable names. */
int pb_varstore_find(const struct pb_varstore *vs, const char *name, const pb_guid *guid,
                     struct pb_varstore_var *ret);

/*
 * Creates or replaces a variable (not time-based authenticated ones: -EOPNOTSUPP). Returns 0 if
 * the live variable already had exactly these attributes and data (nothing is written, as edk2
 * does), 1 if the store changed. Reclaims deleted records when the new record does not fit
 * otherwise; -ENOSPC (buffer unchanged) if it still does not fit, keeping vs->reserve bytes free.
 */
int pb_varstore_set(struct pb_varstore *vs, const char *name, const pb_guid *guid, uint32_t attributes,
                    const void *data, size_t data_size);
int pb_varstore_set_ucs2(struct pb_varstore *vs, const uint8_t *name, size_t name_size, const pb_guid *guid,
                         uint32_t attributes, const void *data, size_t data_size);

/* Marks the live variable deleted. 1 deleted, 0 it did not exist. */
int pb_varstore_delete(struct pb_varstore *vs, const char *name, const pb_guid *guid);
int pb_varstore_delete_ucs2(struct pb_varstore *vs, const uint8_t *name, size_t name_size, const pb_guid *guid);

/*
 * Compacts the store in place like edk2's Reclaim(): keeps live records (promoting a surviving
 * in-deleted-transition record to VAR_ADDED), drops everything else, erases the tail to 0xff.
 * Storage order of the kept records is preserved.
 */
void pb_varstore_reclaim(struct pb_varstore *vs);

/* Bytes available for new records at the end of the store (without reclaiming). */
size_t pb_varstore_free_space(const struct pb_varstore *vs);
/* Bytes a reclaim would give back (records that are not live). */
size_t pb_varstore_reclaimable(const struct pb_varstore *vs);
