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
 * vendor GUID: the same name under two GUIDs is two variables.
 *
 * Damage is refused, never repaired: pb_varstore_open() accepts only a store that parses strictly
 * from the volume header to the last erased byte, so the edit functions never see one (and never
 * "clean up" what a damaged store holds, which would turn damage into lost variables).
 *
 * Names and data handed to the set functions must not point into the store's own buffer: a
 * reclaim moves records.
 */

enum {
        PB_VAR_STATE_HEADER_VALID_ONLY = 0x7f,
        PB_VAR_STATE_ADDED = 0x3f,
        PB_VAR_STATE_IN_DELETED_TRANSITION = 0x3e,   /* VAR_ADDED & VAR_IN_DELETED_TRANSITION */
        PB_VAR_STATE_DELETED = 0x3c,                 /* ... & VAR_DELETED */
        PB_VAR_STATE_ADDED_DELETED = 0x3d,           /* VAR_ADDED & VAR_DELETED: a plain delete */
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
 * Parses the whole file strictly before anything may change it:
 *  - firmware volume header: signature, GUID, FvLength <= size, header length, zero vector,
 *    no extended header, revision 2, a block map that adds up to FvLength, checksum;
 *  - variable store header: GUID, Format 0x5a, State 0xfe, zero reserved bytes, a size that ends
 *    on a block boundary and leaves room in the volume for the fault-tolerant-write working block
 *    and a spare as large as the store; an FTW working block found there must keep its write
 *    queue inside its bounds;
 *  - every record: start marker 0x55aa, a state edk2 writes, zero reserved byte, non-volatile
 *    and only defined attributes, name and data inside the store, a NUL-terminated UCS-2 name
 *    (except on header-only records), erased alignment padding; no two VAR_ADDED records of
 *    one variable;
 *  - the free area after the last record: all 0xff.
 * -EBADMSG with diag (reason, and where pointing into buf) on the first violation; vs is then
 * unusable. buf must stay valid as long as vs is used.
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
