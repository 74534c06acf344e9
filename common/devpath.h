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
        PB_DP_MSG_VENDOR = 0x0a,
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
 * Walks nodes: *offset starts at 0 and moves past each node returned, and past End-Entire.
 * Returns 1 with *node filled, 0 when End-Entire is reached (End-Instance is returned as a node),
 * -EBADMSG for a node shorter than 4 bytes or running past size, or a path that ends without
 * End (*offset then stays at the bad node). Bytes after End-Entire are not looked at.
 */
int pb_dp_next(const uint8_t *dp, size_t size, size_t *offset, struct pb_dp_node *node);
/* Same, saying which node is wrong and why (diag->where points into dp). */
int pb_dp_next_diag(const uint8_t *dp, size_t size, size_t *offset, struct pb_dp_node *node,
                    struct pb_diag *diag);

/* Validates a whole path; *ret_len = bytes up to and including End-Entire. */
int pb_dp_validate(const uint8_t *dp, size_t size, size_t *ret_len);
int pb_dp_validate_diag(const uint8_t *dp, size_t size, size_t *ret_len, struct pb_diag *diag);

/* Validates a packed list of one or more whole paths filling exactly size bytes (an
 * EFI_LOAD_OPTION's FilePathList). -EBADMSG otherwise, including size 0. */
int pb_dp_validate_list(const uint8_t *dp, size_t size, struct pb_diag *diag);

/* First node of type/subtype; 1 found, 0 not found, <0 malformed. */
int pb_dp_find(const uint8_t *dp, size_t size, uint8_t type, uint8_t subtype, struct pb_dp_node *ret);

/* Typed decoders: -EINVAL for a node of another type/subtype, -EBADMSG if the node's length
 * does not fit its type. They never read beyond n->data_len. */
int pb_dp_get_pci(const struct pb_dp_node *n, uint8_t *ret_device, uint8_t *ret_function);
int pb_dp_get_acpi(const struct pb_dp_node *n, uint32_t *ret_hid, uint32_t *ret_uid);

struct pb_dp_mac {
        uint8_t addr[32];
        uint8_t if_type;
        size_t addr_len;          /* 6 for Ethernet (if_type 1, and 0 as edk2 does), else 32 */
};
int pb_dp_get_mac(const struct pb_dp_node *n, struct pb_dp_mac *ret);
size_t pb_dp_mac_addr_len(uint8_t if_type);

struct pb_dp_ipv4 {
        uint8_t local[4], remote[4];
        uint16_t local_port, remote_port, protocol;
        bool static_ip;
        uint8_t gateway[4], subnet_mask[4];
};
/* 27-byte nodes, and the 19-byte UEFI 2.0 form (gateway and mask read as zero). */
int pb_dp_get_ipv4(const struct pb_dp_node *n, struct pb_dp_ipv4 *ret);

struct pb_dp_ipv6 {
        uint8_t local[16], remote[16];
        uint16_t local_port, remote_port, protocol;
        uint8_t origin;           /* 0 manual, 1 stateless, 2 stateful */
        uint8_t prefix_length;
        uint8_t gateway[16];
};
/* 60-byte nodes, and the 43-byte UEFI 2.0 form (prefix and gateway read as zero). */
int pb_dp_get_ipv6(const struct pb_dp_node *n, struct pb_dp_ipv6 *ret);

/* URI payload without any trailing NUL bytes (edk2 adds one; the spec does not require it).
 * -EBADMSG for a NUL followed by more text (readers would disagree on the URI). */
int pb_dp_get_uri(const struct pb_dp_node *n, struct pb_span *ret);

struct pb_dp_hd {
        uint32_t partition_number;
        uint64_t start_lba, size_lba;
        uint8_t signature[16];
        uint8_t mbr_type;         /* 1 MBR, 2 GPT */
        uint8_t signature_type;   /* 0 none, 1 MBR u32, 2 GUID */
};
int pb_dp_get_hd(const struct pb_dp_node *n, struct pb_dp_hd *ret);

/* Vendor nodes (01/04, 03/0a, 04/03): GUID plus opaque data. */
int pb_dp_get_vendor(const struct pb_dp_node *n, pb_guid *ret_guid, const uint8_t **ret_data, size_t *ret_len);

/* FilePath (04/04): UCS-2LE payload rendered as UTF-8, up to the NUL (or the node's end).
 * -EBADMSG for an odd payload, -EILSEQ for surrogates, -ENOBUFS. */
int pb_dp_get_filepath(const struct pb_dp_node *n, char *buf, size_t size);

/* Encoders append one node to w. Errors (a node over 64 KiB, a MAC over 32 bytes) surface as
 * the writer's overflow status. */
void pb_dp_put_pci(struct pb_writer *w, uint8_t device, uint8_t function);
void pb_dp_put_acpi(struct pb_writer *w, uint32_t hid, uint32_t uid);    /* PciRoot(0): hid 0x0a0341d0 */
void pb_dp_put_uri(struct pb_writer *w, struct pb_span uri);                     /* no NUL, as kernel-bootcfg */
void pb_dp_put_mac(struct pb_writer *w, const uint8_t *addr, size_t len, uint8_t if_type); /* zero-padded to 32 */
void pb_dp_put_ipv4(struct pb_writer *w, const struct pb_dp_ipv4 *ip);
void pb_dp_put_ipv6(struct pb_writer *w, const struct pb_dp_ipv6 *ip);
void pb_dp_put_hd(struct pb_writer *w, const struct pb_dp_hd *hd);
int pb_dp_put_filepath(struct pb_writer *w, struct pb_span utf8_path);            /* -EILSEQ on bad UTF-8 */
void pb_dp_put_vendor(struct pb_writer *w, uint8_t type, uint8_t subtype, const pb_guid *g,
                      const uint8_t *data, size_t len);
void pb_dp_put_end_instance(struct pb_writer *w);
void pb_dp_put_end(struct pb_writer *w);

/*
 * Text like edk2's DevicePathToText (display only, shortcuts on):
 * PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1)/IPv4(0.0.0.0)/Uri(http://...)
 * Hex is upper case as in edk2; End-Instance renders as ','. Unknown subtypes of known types
 * render as edk2's generic HardwarePath/AcpiPath/Msg/MediaPath/BbsPath(subtype,hexdata), unknown
 * types as Path(type,subtype,hexdata); so do known nodes whose length does not fit their type.
 * Uri() text stops at a NUL like edk2's, and percent-escapes bytes that are not printable ASCII
 * (a variable must not be able to send escape sequences to a terminal).
 * NUL-terminated; -ENOBUFS if truncated, -EBADMSG if the path is malformed (buf then holds the
 * nodes before the damage).
 */
int pb_dp_to_text(const uint8_t *dp, size_t size, char *buf, size_t bufsize);
