/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"
#include "guid.h"

/*
 * EFI device paths: a sequence of nodes (Type u8, SubType u8, Length u16 LE including the 4-byte
 * header) ending with End (7f ff 04 00). Every read is bounded by both the buffer and the node's
 * own length; nothing here trusts a length it has not checked.
 */

enum {
        PB_DP_TYPE_HARDWARE = 0x01,
        PB_DP_TYPE_ACPI = 0x02,
        PB_DP_TYPE_MESSAGING = 0x03,
        PB_DP_TYPE_MEDIA = 0x04,
        PB_DP_TYPE_BBS = 0x05,
        PB_DP_TYPE_END = 0x7f,

        PB_DP_HW_PCI = 0x01,
        PB_DP_HW_VENDOR = 0x04,
        PB_DP_ACPI_ACPI = 0x01,
        PB_DP_MSG_MAC = 0x0b,
        PB_DP_MSG_IPV4 = 0x0c,
        PB_DP_MSG_IPV6 = 0x0d,
        PB_DP_MSG_URI = 0x18,
        PB_DP_MEDIA_HD = 0x01,
        PB_DP_MEDIA_VENDOR = 0x03,
        PB_DP_MEDIA_FILEPATH = 0x04,
        PB_DP_END_INSTANCE = 0x01,
        PB_DP_END_ENTIRE = 0xff,
};

struct pb_dp_node {
        uint8_t type, subtype;
        uint16_t length;          /* including the header */
        const uint8_t *data;      /* payload, length - 4 bytes */
        size_t data_len;
};

/*
 * Walks nodes: *offset starts at 0. Returns 1 with *node filled, 0 when End-Entire is reached
 * (End-Instance is returned as a node), -EBADMSG for a node shorter than 4 bytes or running past
 * size, or a path that ends without End.
 */
int pb_dp_next(const uint8_t *dp, size_t size, size_t *offset, struct pb_dp_node *node);

/* Validates a whole path; *ret_len = bytes up to and including End-Entire. */
int pb_dp_validate(const uint8_t *dp, size_t size, size_t *ret_len);

/* First node of type/subtype; 1 found, 0 not found, <0 malformed. */
int pb_dp_find(const uint8_t *dp, size_t size, uint8_t type, uint8_t subtype, struct pb_dp_node *ret);

/* Typed decoders: -EBADMSG if the node's length does not fit its type. */
struct pb_dp_mac {
        uint8_t addr[32];
        uint8_t if_type;
        size_t addr_len;          /* 6 for Ethernet (if_type 1), else 32 */
};
int pb_dp_get_mac(const struct pb_dp_node *n, struct pb_dp_mac *ret);

struct pb_dp_ipv4 {
        uint8_t local[4], remote[4];
        uint16_t local_port, remote_port, protocol;
        bool static_ip;
        uint8_t gateway[4], subnet_mask[4];
};
int pb_dp_get_ipv4(const struct pb_dp_node *n, struct pb_dp_ipv4 *ret);

struct pb_dp_ipv6 {
        uint8_t local[16], remote[16];
        uint16_t local_port, remote_port, protocol;
        uint8_t origin;           /* 0 manual, 1 stateless, 2 stateful */
        uint8_t prefix_length;
        uint8_t gateway[16];
};
int pb_dp_get_ipv6(const struct pb_dp_node *n, struct pb_dp_ipv6 *ret);

/* URI payload without any trailing NUL bytes (edk2 adds one; the spec does not require it). */
int pb_dp_get_uri(const struct pb_dp_node *n, struct pb_span *ret);

struct pb_dp_hd {
        uint32_t partition_number;
        uint64_t start_lba, size_lba;
        uint8_t signature[16];
        uint8_t mbr_type;         /* 1 MBR, 2 GPT */
        uint8_t signature_type;   /* 0 none, 1 MBR u32, 2 GUID */
};
int pb_dp_get_hd(const struct pb_dp_node *n, struct pb_dp_hd *ret);

/* Vendor nodes (01/04, 04/03): GUID plus opaque data. */
int pb_dp_get_vendor(const struct pb_dp_node *n, pb_guid *ret_guid, const uint8_t **ret_data, size_t *ret_len);

/* FilePath (04/04): UCS-2LE payload rendered as UTF-8. */
int pb_dp_get_filepath(const struct pb_dp_node *n, char *buf, size_t size);

/* Encoders append one node to w. */
void pb_dp_put_uri(struct pb_writer *w, struct pb_span uri);                     /* no NUL, as kernel-bootcfg */
void pb_dp_put_mac(struct pb_writer *w, const uint8_t *addr, size_t len, uint8_t if_type);
void pb_dp_put_ipv4(struct pb_writer *w, const struct pb_dp_ipv4 *ip);
void pb_dp_put_ipv6(struct pb_writer *w, const struct pb_dp_ipv6 *ip);
void pb_dp_put_hd(struct pb_writer *w, const struct pb_dp_hd *hd);
int pb_dp_put_filepath(struct pb_writer *w, struct pb_span utf8_path);            /* -EILSEQ on bad UTF-8 */
void pb_dp_put_vendor(struct pb_writer *w, uint8_t type, uint8_t subtype, const pb_guid *g,
                      const uint8_t *data, size_t len);
void pb_dp_put_end(struct pb_writer *w);

/*
 * Text like edk2's DevicePathToText (display only, shortcuts on):
 * PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1)/IPv4(0.0.0.0)/Uri(http://...)
 * Unknown nodes render as Path(type,subtype,hexdata). NUL-terminated; -ENOBUFS if truncated.
 */
int pb_dp_to_text(const uint8_t *dp, size_t size, char *buf, size_t bufsize);
