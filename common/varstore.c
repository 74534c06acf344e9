/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "varstore.h"
#include "utf16.h"

/* Layout facts (edk2 PiFirmwareVolume.h, VariableFormat.h); offsets are relative to their header. */
#define FV_GUID_OFFSET 0x10
#define FV_LENGTH_OFFSET 0x20
#define FV_SIGNATURE_OFFSET 0x28
#define FV_HEADER_LENGTH_OFFSET 0x30
#define FV_EXT_HEADER_OFFSET 0x34
#define FV_RESERVED_OFFSET 0x36
#define FV_REVISION_OFFSET 0x37
#define FV_BLOCK_MAP_OFFSET 0x38
#define FV_MIN_HEADER 0x48                 /* fixed part 0x38 + one block map entry + terminator */
#define FV_REVISION 2

/* EFI_FAULT_TOLERANT_WORKING_BLOCK_HEADER: signature, CRC, flags, WriteQueueSize at 24. */
#define FTW_HEADER_SIZE 32
#define FTW_QUEUE_SIZE_OFFSET 24

/* Longest run of 0xff a last record's data may end with (see check_last_record()). */
#define ERASED_RUN_MAX 64

#define STORE_HEADER_SIZE 28
#define STORE_SIZE_OFFSET 16
#define STORE_FORMAT_OFFSET 20
#define STORE_STATE_OFFSET 21
#define STORE_FORMATTED 0x5a
#define STORE_HEALTHY 0xfe

#define VAR_START_ID 0x55aa
#define AUTH_HEADER_SIZE 60
#define PLAIN_HEADER_SIZE 32

#define EFI_VARIABLE_NON_VOLATILE 0x01u
#define EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS 0x10u
#define EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS 0x20u
/* NV, BS, RT, HR, the two authenticated-write kinds, APPEND, ENHANCED_AUTHENTICATED_ACCESS */
#define VALID_ATTRIBUTES 0xffu

static const pb_guid nv_data_fv_guid =
        PB_GUID_INIT(0xfff12b8d, 0x7696, 0x4c8b, 0xa9, 0x85, 0x27, 0x47, 0x07, 0x5b, 0x4f, 0x50);
static const pb_guid auth_store_guid =
        PB_GUID_INIT(0xaaf32c78, 0x947b, 0x439a, 0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92);
static const pb_guid plain_store_guid =
        PB_GUID_INIT(0xddcf3616, 0x3275, 0x4164, 0x98, 0xb6, 0xfe, 0x85, 0x70, 0x7f, 0xfe, 0x7d);

static const pb_guid ftw_working_guid =
        PB_GUID_INIT(0x9e58292b, 0x7c68, 0x497d, 0xa0, 0xce, 0x65, 0x00, 0xfd, 0x9f, 0x1b, 0x95);

static size_t align4(size_t v) {
        return (v + 3) & ~(size_t) 3;
}

static bool guid_at(const uint8_t *p, const pb_guid *g) {
        return pb_memcmp(p, g->b, 16) == 0;
}

/*
 * Decodes the record at off. Like edk2's NameSizeOfVariable()/DataSizeOfVariable(), a header with
 * any all-ones field (an erased or half-written header) has empty name and data. Returns 1, 0 when
 * there is no record at off (edk2's IsValidVariableHeader), -EBADMSG if it runs past the store.
 */
static int parse_record(const struct pb_varstore *vs, size_t off, struct pb_varstore_var *ret) {
        const uint8_t *h;
        uint32_t name_size, data_size;
        size_t o_name, o_data, o_guid;

        if (off >= vs->end_offset || vs->end_offset - off < vs->header_size)
                return 0;
        h = vs->buf + off;
        if (pb_le16(h) != VAR_START_ID)
                return 0;

        pb_memset(ret, 0, sizeof *ret);
        ret->offset = off;
        ret->state = h[2];
        ret->attributes = pb_le32(h + 4);
        if (vs->authenticated) {
                ret->monotonic_count = pb_le64(h + 8);
                pb_memcpy(ret->timestamp, h + 16, 16);
                ret->pubkey_index = pb_le32(h + 32);
                o_name = 36, o_data = 40, o_guid = 44;
        } else {
                o_name = 8, o_data = 12, o_guid = 16;
        }
        name_size = pb_le32(h + o_name);
        data_size = pb_le32(h + o_data);
        pb_memcpy(ret->guid.b, h + o_guid, 16);
        if (ret->state == 0xff || name_size == UINT32_MAX || data_size == UINT32_MAX ||
            ret->attributes == UINT32_MAX)
                name_size = data_size = 0;

        if ((uint64_t) name_size + data_size > vs->end_offset - off - vs->header_size)
                return -EBADMSG;
        ret->name = h + vs->header_size;
        ret->name_size = name_size;
        ret->data = ret->name + name_size;
        ret->data_size = data_size;
        ret->record_size = vs->header_size + name_size + data_size;
        return 1;
}

static size_t next_offset(const struct pb_varstore *vs, const struct pb_varstore_var *v) {
        size_t n = align4(v->offset + v->record_size);
        return n > vs->end_offset ? vs->end_offset : n;
}

static bool same_variable(const struct pb_varstore_var *a, const uint8_t *name, size_t name_size,
                          const pb_guid *guid) {
        return a->name_size == name_size && pb_guid_eq(&a->guid, guid) &&
                pb_memcmp(a->name, name, name_size) == 0;
}

static int bad(struct pb_diag *diag, const uint8_t *buf, size_t off, size_t len, const char *reason) {
        return pb_diag_set(diag, -EBADMSG, reason, pb_span_make((const char *) buf + off, len));
}

static bool all_erased(const uint8_t *p, size_t n, size_t *ret_first) {
        for (size_t i = 0; i < n; i++)
                if (p[i] != 0xff) {
                        if (ret_first)
                                *ret_first = i;
                        return false;
                }
        return true;
}

/* Whether off is where a block of the volume's block map starts (or the volume ends). */
static bool on_block_boundary(const uint8_t *buf, size_t hlen, uint64_t off) {
        uint64_t at = 0;

        for (size_t e = FV_BLOCK_MAP_OFFSET; e + 8 <= hlen; e += 8) {
                uint32_t n = pb_le32(buf + e), len = pb_le32(buf + e + 4);
                if (len == 0)
                        break;
                if (off >= at && off - at <= (uint64_t) n * len)
                        return (off - at) % len == 0;
                at += (uint64_t) n * len;
        }
        return off == at;
}

/*
 * The firmware volume header, field by field, before the checksum (so a damaged field is named,
 * not just "checksum"). The block map must add up to FvLength, which ties the length down.
 */
static int check_volume(const uint8_t *buf, size_t size, size_t *ret_hlen, struct pb_diag *diag) {
        uint64_t fv_length, total = 0;
        uint16_t hlen, sum = 0;
        size_t e;

        if (size < FV_MIN_HEADER + STORE_HEADER_SIZE)
                return pb_diag_set(diag, -EBADMSG, "too small for a firmware volume with a variable store",
                                   PB_SPAN_NULL);
        if (pb_memcmp(buf + FV_SIGNATURE_OFFSET, "_FVH", 4) != 0)
                return bad(diag, buf, FV_SIGNATURE_OFFSET, 4, "no firmware volume signature '_FVH'");
        if (!guid_at(buf + FV_GUID_OFFSET, &nv_data_fv_guid))
                return bad(diag, buf, FV_GUID_OFFSET, 16,
                           "firmware volume is not an NV data volume (gEfiSystemNvDataFvGuid)");
        fv_length = pb_le64(buf + FV_LENGTH_OFFSET);
        /* AAVMF pads its VARS file beyond the volume; nothing is ever written there. */
        if (fv_length > size)
                return bad(diag, buf, FV_LENGTH_OFFSET, 8, "firmware volume length exceeds the file");
        hlen = pb_le16(buf + FV_HEADER_LENGTH_OFFSET);
        if (hlen < FV_MIN_HEADER || (hlen - FV_BLOCK_MAP_OFFSET) % 8 != 0 ||
            (uint64_t) hlen + STORE_HEADER_SIZE > fv_length)
                return bad(diag, buf, FV_HEADER_LENGTH_OFFSET, 2, "bad firmware volume header length");
        if (pb_memcmp(buf, (const uint8_t[16]) {}, 16) != 0)
                return bad(diag, buf, 0, 16, "firmware volume zero vector is not zero");
        if (pb_le16(buf + FV_EXT_HEADER_OFFSET) != 0 || buf[FV_RESERVED_OFFSET] != 0)
                return bad(diag, buf, FV_EXT_HEADER_OFFSET, 3,
                           "firmware volume has an extended header or a non-zero reserved byte");
        if (buf[FV_REVISION_OFFSET] != FV_REVISION)
                return bad(diag, buf, FV_REVISION_OFFSET, 1, "firmware volume revision is not 2");
        /* Block map: (count, length) pairs up to a (0, 0) terminator that ends the header. */
        for (e = FV_BLOCK_MAP_OFFSET; e + 8 < hlen; e += 8) {
                uint32_t n = pb_le32(buf + e), len = pb_le32(buf + e + 4);
                if (n == 0 || len == 0)
                        return bad(diag, buf, e, 8, "firmware volume block map entry is empty");
                total += (uint64_t) n * len;
        }
        if (pb_le32(buf + e) != 0 || pb_le32(buf + e + 4) != 0)
                return bad(diag, buf, e, 8, "firmware volume block map does not end where the header ends");
        if (total != fv_length)
                return bad(diag, buf, FV_BLOCK_MAP_OFFSET, hlen - FV_BLOCK_MAP_OFFSET,
                           "firmware volume block map does not add up to the volume length");
        for (size_t i = 0; i < hlen; i += 2)
                sum = (uint16_t) (sum + pb_le16(buf + i));
        if (sum != 0)
                return bad(diag, buf, 0, hlen, "firmware volume header checksum mismatch");
        *ret_hlen = hlen;
        return 0;
}

/*
 * What follows the store in the volume: OVMF puts an event log block, the fault-tolerant-write
 * working block and the spare area there; the spare must be able to hold a copy of the whole
 * store. A store size that reaches into that space, or a working block whose write queue leaves
 * its bounds, means the store size (or the volume) is damaged: editing would overwrite FTW state.
 */
static int check_tail(const uint8_t *buf, size_t hlen, size_t store_end, size_t store_size, size_t fv_length,
                      struct pb_diag *diag) {
        size_t tail = fv_length - store_end, spare;

        if (tail < store_size + FTW_HEADER_SIZE)
                return bad(diag, buf, hlen + STORE_SIZE_OFFSET, 4,
                           "variable store size leaves no room for the fault-tolerant-write blocks after it");
        spare = fv_length - store_size;
        for (size_t at = store_end; at + FTW_HEADER_SIZE <= spare; at += 4) {
                uint64_t queue;

                if (!guid_at(buf + at, &ftw_working_guid) && !guid_at(buf + at, &nv_data_fv_guid))
                        continue;
                if (!on_block_boundary(buf, hlen, at))
                        continue;
                queue = pb_le64(buf + at + FTW_QUEUE_SIZE_OFFSET);
                if (queue > spare - at - FTW_HEADER_SIZE)
                        return bad(diag, buf, at + FTW_QUEUE_SIZE_OFFSET, 8,
                                   "fault-tolerant-write working block reaches into the spare area");
                break;
        }
        return 0;
}

static bool known_state(uint8_t s) {
        return s == PB_VAR_STATE_HEADER_VALID_ONLY || s == PB_VAR_STATE_ADDED ||
                s == PB_VAR_STATE_IN_DELETED_TRANSITION || s == PB_VAR_STATE_DELETED ||
                s == PB_VAR_STATE_ADDED_DELETED;
}

/* A complete UCS-2 name: at least one character, NUL-terminated, no NUL before the end. */
static bool good_name(const uint8_t *n, size_t size) {
        if (size < 4 || (size & 1) || n[size - 1] != 0 || n[size - 2] != 0)
                return false;
        for (size_t i = 0; i + 2 < size; i += 2)
                if (n[i] == 0 && n[i + 1] == 0)
                        return false;
        return true;
}

/* One record at off, strictly; *ret_next is where the next one starts. */
static int check_record(const struct pb_varstore *vs, size_t off, size_t *ret_next, struct pb_diag *diag) {
        const uint8_t *h = vs->buf + off;
        size_t o_name = vs->authenticated ? 36 : 8, o_data = o_name + 4;
        uint32_t attributes = pb_le32(h + 4);
        uint64_t name_size = pb_le32(h + o_name), data_size = pb_le32(h + o_data), end;
        size_t first;

        if (!known_state(h[2]))
                return bad(diag, vs->buf, off + 2, 1, "variable record has an unknown state");
        if (h[3] != 0)
                return bad(diag, vs->buf, off + 3, 1, "variable record reserved byte is not zero");
        if (!(attributes & EFI_VARIABLE_NON_VOLATILE) || (attributes & ~VALID_ATTRIBUTES))
                return bad(diag, vs->buf, off + 4, 4, "variable record has impossible attributes");
        if (name_size + data_size > vs->end_offset - off - vs->header_size)
                return bad(diag, vs->buf, off + o_name, 8, "variable record runs past the end of the store");
        /* A header-only record is an interrupted write: its name and data were never completed. */
        if (h[2] != PB_VAR_STATE_HEADER_VALID_ONLY && !good_name(h + vs->header_size, name_size))
                return bad(diag, vs->buf, off + o_name, 4,
                           "variable record name is not a NUL-terminated UCS-2 string");
        end = off + vs->header_size + name_size + data_size;
        *ret_next = align4(end);
        if (*ret_next > vs->end_offset)
                *ret_next = vs->end_offset;
        if (!all_erased(vs->buf + end, *ret_next - end, &first))
                return bad(diag, vs->buf, end + first, 1, "padding after a variable record is not erased (0xff)");
        return 0;
}

/*
 * A data size that grew by damage makes the record swallow the records after it and end in the
 * erased free area: the rest of the store then still looks healthy, holding nothing. Real data
 * does not end in a long run of erased bytes, so a last record that does is taken as damaged.
 */
static int check_last_record(const struct pb_varstore *vs, size_t off, struct pb_diag *diag) {
        struct pb_varstore_var v;
        size_t run = 0;

        if (off == SIZE_MAX || parse_record(vs, off, &v) <= 0)
                return 0;
        while (run < v.data_size && v.data[v.data_size - 1 - run] == 0xff)
                run++;
        if (run > ERASED_RUN_MAX)
                return bad(diag, vs->buf, off + (vs->authenticated ? 40 : 12), 4,
                           "last variable record's data ends in erased space (its data size looks damaged)");
        return 0;
}

/* edk2 never leaves two VAR_ADDED records of one variable; a store that has them is damaged. */
static int check_duplicates(const struct pb_varstore *vs, struct pb_diag *diag) {
        struct pb_varstore_var a, b;
        size_t c = 0;

        while (pb_varstore_next(vs, &c, &a) > 0) {
                size_t d = c;
                if (a.state != PB_VAR_STATE_ADDED)
                        continue;
                while (pb_varstore_next(vs, &d, &b) > 0)
                        if (b.state == PB_VAR_STATE_ADDED && same_variable(&b, a.name, a.name_size, &a.guid))
                                return bad(diag, vs->buf, b.offset, vs->header_size,
                                           "second live record for the same variable name and GUID");
        }
        return 0;
}

/* Records up to the first offset without a start marker; everything after must be erased. */
static int check_records(struct pb_varstore *vs, struct pb_diag *diag) {
        size_t off = vs->vars_offset, last = SIZE_MAX, first;
        int r;

        while (vs->end_offset - off >= vs->header_size && pb_le16(vs->buf + off) == VAR_START_ID) {
                last = off;
                r = check_record(vs, off, &off, diag);
                if (r < 0)
                        return r;
        }
        vs->free_offset = off;
        r = check_last_record(vs, last, diag);
        if (r < 0)
                return r;
        if (!all_erased(vs->buf + off, vs->end_offset - off, &first)) {
                if (first < 2)
                        return bad(diag, vs->buf, off, 2, "variable record start marker is not 0x55aa, "
                                   "nor is the rest of the store erased");
                return bad(diag, vs->buf, off + first, 1, "free area of the variable store is not erased (0xff)");
        }
        return check_duplicates(vs, diag);
}

int pb_varstore_open(struct pb_varstore *vs, uint8_t *buf, size_t size, struct pb_diag *diag) {
        uint32_t store_size;
        size_t hlen;
        const uint8_t *s;
        int r;

        if (!vs || !buf)
                return -EINVAL;
        pb_memset(vs, 0, sizeof *vs);

        r = check_volume(buf, size, &hlen, diag);
        if (r < 0)
                return r;

        s = buf + hlen;
        if (guid_at(s, &auth_store_guid)) {
                vs->authenticated = true;
                vs->header_size = AUTH_HEADER_SIZE;
        } else if (guid_at(s, &plain_store_guid)) {
                vs->header_size = PLAIN_HEADER_SIZE;
        } else
                return bad(diag, buf, hlen, 16, "no edk2 variable store header after the volume header");
        store_size = pb_le32(s + STORE_SIZE_OFFSET);
        if (store_size < STORE_HEADER_SIZE + vs->header_size ||
            store_size > pb_le64(buf + FV_LENGTH_OFFSET) - hlen ||
            !on_block_boundary(buf, hlen, (uint64_t) hlen + store_size))
                return bad(diag, buf, hlen + STORE_SIZE_OFFSET, 4,
                           "variable store size is impossible or does not end on a block of the volume");
        if (s[STORE_FORMAT_OFFSET] != STORE_FORMATTED || s[STORE_STATE_OFFSET] != STORE_HEALTHY)
                return bad(diag, buf, hlen + STORE_FORMAT_OFFSET, 2, "variable store is not formatted and healthy");
        if (pb_memcmp(s + STORE_FORMAT_OFFSET + 2, (const uint8_t[6]) {}, 6) != 0)
                return bad(diag, buf, hlen + STORE_FORMAT_OFFSET + 2, 6,
                           "variable store header reserved bytes are not zero");
        r = check_tail(buf, hlen, hlen + store_size, store_size, pb_le64(buf + FV_LENGTH_OFFSET), diag);
        if (r < 0)
                return r;

        vs->buf = buf;
        vs->size = size;
        vs->store_offset = hlen;
        vs->vars_offset = align4(hlen + STORE_HEADER_SIZE);
        vs->end_offset = hlen + store_size;

        r = check_records(vs, diag);
        if (r < 0)
                vs->buf = NULL;    /* unusable, whatever was set up */
        return r;
}

int pb_varstore_next(const struct pb_varstore *vs, size_t *cursor, struct pb_varstore_var *ret) {
        size_t off = *cursor ? *cursor : vs->vars_offset;
        int r;

        if (!vs->buf || off >= vs->free_offset)
                return 0;
        r = parse_record(vs, off, ret);
        if (r <= 0)
                return r;
        *cursor = next_offset(vs, ret);
        return 1;
}

/*
 * edk2's FindVariableEx(): the first VAR_ADDED match wins; otherwise the last in-deleted-transition
 * match. Non-negative return: 1/0 found.
 */
static int find_record(const struct pb_varstore *vs, const uint8_t *name, size_t name_size, const pb_guid *guid,
                       struct pb_varstore_var *ret) {
        struct pb_varstore_var v, transition;
        bool have_transition = false;
        size_t c = 0;

        while (pb_varstore_next(vs, &c, &v) > 0) {
                if (!same_variable(&v, name, name_size, guid))
                        continue;
                if (v.state == PB_VAR_STATE_ADDED) {
                        if (ret)
                                *ret = v;
                        return 1;
                }
                if (v.state == PB_VAR_STATE_IN_DELETED_TRANSITION) {
                        transition = v;
                        have_transition = true;
                }
        }
        if (have_transition && ret)
                *ret = transition;
        return have_transition;
}

/* The one record pb_varstore_find() would return for its name and GUID: of an in-transition copy
 * and an added one (an interrupted update), only the added one is live, as in edk2's lookup. */
static bool record_is_live(const struct pb_varstore *vs, const struct pb_varstore_var *v) {
        struct pb_varstore_var found;

        if (v->state != PB_VAR_STATE_ADDED && v->state != PB_VAR_STATE_IN_DELETED_TRANSITION)
                return false;
        return find_record(vs, v->name, v->name_size, &v->guid, &found) > 0 && found.offset == v->offset;
}

int pb_varstore_next_live(const struct pb_varstore *vs, size_t *cursor, struct pb_varstore_var *ret) {
        int r;

        while ((r = pb_varstore_next(vs, cursor, ret)) > 0)
                if (record_is_live(vs, ret))
                        return 1;
        return r;
}

static bool valid_ucs2_name(const uint8_t *name, size_t name_size) {
        return name && name_size >= 2 && (name_size & 1) == 0 &&
                name[name_size - 1] == 0 && name[name_size - 2] == 0;
}

int pb_varstore_find_ucs2(const struct pb_varstore *vs, const uint8_t *name, size_t name_size,
                          const pb_guid *guid, struct pb_varstore_var *ret) {
        if (!vs->buf || !valid_ucs2_name(name, name_size) || !guid)
                return -EINVAL;
        return find_record(vs, name, name_size, guid, ret);
}

static int name_to_ucs2(const char *name, uint8_t *buf, size_t size, size_t *ret_size) {
        int r;

        if (!name || !*name)
                return -EINVAL;
        r = pb_utf8_to_ucs2le(pb_span_from_str(name), buf, size, ret_size);
        return r == -ENOBUFS ? -ENAMETOOLONG : r;
}

int pb_varstore_find(const struct pb_varstore *vs, const char *name, const pb_guid *guid,
                     struct pb_varstore_var *ret) {
        uint8_t n[(PB_VARSTORE_NAME_MAX + 1) * 2];
        size_t ns;
        int r = name_to_ucs2(name, n, sizeof n, &ns);
        if (r < 0)
                return r;
        return pb_varstore_find_ucs2(vs, n, ns, guid, ret);
}

size_t pb_varstore_free_space(const struct pb_varstore *vs) {
        if (!vs->buf)
                return 0;
        return vs->end_offset - vs->free_offset;
}

/* Bytes the live records occupy (aligned), not counting the record at skip. */
static size_t live_bytes(const struct pb_varstore *vs, size_t skip) {
        struct pb_varstore_var v;
        size_t c = 0, total = 0;

        while (pb_varstore_next_live(vs, &c, &v) > 0)
                if (v.offset != skip)
                        total += align4(v.record_size);
        return total;
}

size_t pb_varstore_reclaimable(const struct pb_varstore *vs) {
        if (!vs->buf)
                return 0;
        return vs->free_offset - vs->vars_offset - live_bytes(vs, SIZE_MAX);
}

/*
 * Reclaim, dropping the record at skip (edk2 drops the variable being updated, whose new
 * version is written right after). First every record is settled: the live one of each variable
 * becomes VAR_ADDED (a lone in-deleted-transition copy is promoted, as edk2's second pass does),
 * shadowed copies become deleted. Then the live records are moved down in storage order. Records only ever move
 * towards the start, so nothing is overwritten before it is copied.
 */
static void reclaim_except(struct pb_varstore *vs, size_t skip) {
        struct pb_varstore_var v;
        size_t c = 0, w = vs->vars_offset;

        while (pb_varstore_next(vs, &c, &v) > 0)
                if (v.state == PB_VAR_STATE_ADDED || v.state == PB_VAR_STATE_IN_DELETED_TRANSITION)
                        vs->buf[v.offset + 2] = record_is_live(vs, &v) ? PB_VAR_STATE_ADDED : PB_VAR_STATE_DELETED;

        c = 0;
        while (pb_varstore_next(vs, &c, &v) > 0) {
                size_t n;

                if (v.state != PB_VAR_STATE_ADDED || v.offset == skip)
                        continue;
                n = align4(v.record_size);
                if (n > vs->end_offset - w)
                        n = vs->end_offset - w;
                if (w != v.offset)
                        pb_memmove(vs->buf + w, vs->buf + v.offset, n);
                w += n;
        }
        pb_memset(vs->buf + w, 0xff, vs->end_offset - w);
        vs->free_offset = w;
}

void pb_varstore_reclaim(struct pb_varstore *vs) {
        if (vs->buf)
                reclaim_except(vs, SIZE_MAX);
}

static void mark(struct pb_varstore *vs, size_t off, uint8_t state_mask) {
        vs->buf[off + 2] &= state_mask;
}

int pb_varstore_delete_ucs2(struct pb_varstore *vs, const uint8_t *name, size_t name_size, const pb_guid *guid) {
        struct pb_varstore_var v;
        int r, deleted = 0;

        if (!vs->buf || !valid_ucs2_name(name, name_size) || !guid)
                return -EINVAL;
        /* A deleted variable must stay deleted: older in-transition copies would otherwise surface. */
        while ((r = find_record(vs, name, name_size, guid, &v)) > 0) {
                mark(vs, v.offset, PB_VAR_STATE_DELETED);
                deleted = 1;
        }
        return r < 0 ? r : deleted;
}

int pb_varstore_delete(struct pb_varstore *vs, const char *name, const pb_guid *guid) {
        uint8_t n[(PB_VARSTORE_NAME_MAX + 1) * 2];
        size_t ns;
        int r = name_to_ucs2(name, n, sizeof n, &ns);
        if (r < 0)
                return r;
        return pb_varstore_delete_ucs2(vs, n, ns, guid);
}

static void write_record(struct pb_varstore *vs, size_t off, const uint8_t *name, size_t name_size,
                         const pb_guid *guid, uint32_t attributes, const void *data, size_t data_size) {
        uint8_t *h = vs->buf + off;
        size_t o_name, o_data, o_guid;

        /* Like edk2: erased bytes (0xff) underneath, header fields zeroed, state valid-only until
         * name and data are in place. */
        pb_memset(h, 0, vs->header_size);
        pb_put_le16(h, VAR_START_ID);
        h[2] = PB_VAR_STATE_HEADER_VALID_ONLY;
        pb_put_le32(h + 4, attributes);
        if (vs->authenticated)
                o_name = 36, o_data = 40, o_guid = 44;
        else
                o_name = 8, o_data = 12, o_guid = 16;
        pb_put_le32(h + o_name, (uint32_t) name_size);
        pb_put_le32(h + o_data, (uint32_t) data_size);
        pb_memcpy(h + o_guid, guid->b, 16);
        pb_memcpy(h + vs->header_size, name, name_size);
        if (data_size)
                pb_memcpy(h + vs->header_size + name_size, data, data_size);
        h[2] = PB_VAR_STATE_ADDED;
}

int pb_varstore_set_ucs2(struct pb_varstore *vs, const uint8_t *name, size_t name_size, const pb_guid *guid,
                         uint32_t attributes, const void *data, size_t data_size) {
        struct pb_varstore_var old;
        bool have_old;
        size_t need, avail;
        int r;

        if (!vs->buf || !valid_ucs2_name(name, name_size) || !guid || (data_size && !data))
                return -EINVAL;
        if (!(attributes & EFI_VARIABLE_NON_VOLATILE))
                return -EINVAL;    /* a volatile variable has no place in the NV store */
        if (attributes & (EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS))
                return -EOPNOTSUPP;
        if (data_size == 0)        /* SetVariable() with no data deletes */
                return pb_varstore_delete_ucs2(vs, name, name_size, guid);

        r = find_record(vs, name, name_size, guid, &old);
        if (r < 0)
                return r;
        have_old = r > 0;
        if (have_old) {
                if (old.attributes & (EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS |
                                      EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS))
                        return -EOPNOTSUPP;
                if (old.attributes == attributes && old.data_size == data_size &&
                    pb_memcmp(old.data, data, data_size) == 0)
                        return 0;
        }

        if ((uint64_t) name_size + data_size > UINT32_MAX)
                return -ENOSPC;
        need = align4(vs->header_size + name_size + data_size);
        avail = pb_varstore_free_space(vs);
        if (need + vs->reserve > avail || need + vs->reserve < need) {
                size_t capacity = vs->end_offset - vs->vars_offset;
                size_t used = live_bytes(vs, have_old ? old.offset : SIZE_MAX);

                if (used > capacity || need > capacity - used || vs->reserve > capacity - used - need)
                        return -ENOSPC;
                reclaim_except(vs, have_old ? old.offset : SIZE_MAX);
                have_old = false;
        }

        if (have_old)
                mark(vs, old.offset, PB_VAR_STATE_IN_DELETED_TRANSITION);
        size_t at = vs->free_offset;
        write_record(vs, at, name, name_size, guid, attributes, data, data_size);
        vs->free_offset += need;
        if (vs->free_offset > vs->end_offset)
                vs->free_offset = vs->end_offset;
        if (have_old)
                mark(vs, old.offset, PB_VAR_STATE_DELETED);
        /* Older in-deleted-transition copies (an interrupted update) must not resurface later. */
        struct pb_varstore_var v;
        size_t c = 0;
        while (pb_varstore_next(vs, &c, &v) > 0)
                if (v.offset != at && same_variable(&v, name, name_size, guid) &&
                    (v.state == PB_VAR_STATE_ADDED || v.state == PB_VAR_STATE_IN_DELETED_TRANSITION))
                        mark(vs, v.offset, PB_VAR_STATE_DELETED);
        return 1;
}

int pb_varstore_set(struct pb_varstore *vs, const char *name, const pb_guid *guid, uint32_t attributes,
                    const void *data, size_t data_size) {
        uint8_t n[(PB_VARSTORE_NAME_MAX + 1) * 2];
        size_t ns;
        int r = name_to_ucs2(name, n, sizeof n, &ns);
        if (r < 0)
                return r;
        return pb_varstore_set_ucs2(vs, n, ns, guid, attributes, data, data_size);
}
