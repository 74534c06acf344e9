/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "devpath.h"
#include "utf16.h"

#define DP_HEADER_SIZE 4u
#define DP_MAX_NODE 0xffffu

/* Node lengths including the header, as the UEFI specification lays them out. */
#define DP_PCI_LEN 6u
#define DP_ACPI_LEN 12u
#define DP_MAC_LEN 37u
#define DP_IPV4_LEN 27u
#define DP_IPV4_LEN_V1 19u      /* UEFI 2.0: no gateway and subnet mask */
#define DP_IPV6_LEN 60u
#define DP_IPV6_LEN_V1 43u      /* UEFI 2.0: StaticIpAddress instead of origin, no prefix/gateway */
#define DP_HD_LEN 42u
#define DP_VENDOR_MIN 20u

static struct pb_span bytes_span(const uint8_t *p, size_t n) {
        return pb_span_make((const char *) p, n);
}

int pb_dp_next_diag(const uint8_t *dp, size_t size, size_t *offset, struct pb_dp_node *node,
                    struct pb_diag *diag) {
        size_t off = *offset;
        uint16_t len;

        if (off > size)
                return pb_diag_set(diag, -EBADMSG, "device path offset beyond its buffer", PB_SPAN_NULL);
        if (off == size)
                return pb_diag_set(diag, -EBADMSG, "device path ends without an End node",
                                   dp ? bytes_span(dp + off, 0) : PB_SPAN_NULL);
        if (size - off < DP_HEADER_SIZE)
                return pb_diag_set(diag, -EBADMSG, "device path node header truncated",
                                   bytes_span(dp + off, size - off));
        len = pb_le16(dp + off + 2);
        if (len < DP_HEADER_SIZE)
                return pb_diag_set(diag, -EBADMSG, "device path node shorter than its 4-byte header",
                                   bytes_span(dp + off, DP_HEADER_SIZE));
        if (len > size - off)
                return pb_diag_set(diag, -EBADMSG, "device path node runs past the end of the buffer",
                                   bytes_span(dp + off, size - off));

        *node = (struct pb_dp_node) {
                .type = dp[off],
                .subtype = dp[off + 1],
                .length = len,
                .data = dp + off + DP_HEADER_SIZE,
                .data_len = len - DP_HEADER_SIZE,
        };
        *offset = off + len;
        if (node->type == PB_DP_TYPE_END && node->subtype == PB_DP_END_ENTIRE)
                return 0;
        return 1;
}

int pb_dp_next(const uint8_t *dp, size_t size, size_t *offset, struct pb_dp_node *node) {
        return pb_dp_next_diag(dp, size, offset, node, NULL);
}

int pb_dp_validate_diag(const uint8_t *dp, size_t size, size_t *ret_len, struct pb_diag *diag) {
        struct pb_dp_node n;
        size_t off = 0;
        int r;

        while ((r = pb_dp_next_diag(dp, size, &off, &n, diag)) > 0)
                ;
        if (r < 0)
                return r;
        if (ret_len)
                *ret_len = off;
        return 0;
}

int pb_dp_validate(const uint8_t *dp, size_t size, size_t *ret_len) {
        return pb_dp_validate_diag(dp, size, ret_len, NULL);
}

int pb_dp_validate_list(const uint8_t *dp, size_t size, struct pb_diag *diag) {
        size_t off = 0;

        if (size == 0)
                return pb_diag_set(diag, -EBADMSG, "empty device path list", PB_SPAN_NULL);
        while (off < size) {
                size_t len;
                int r;

                r = pb_dp_validate_diag(dp + off, size - off, &len, diag);
                if (r < 0)
                        return r;
                off += len;
        }
        return 0;
}

int pb_dp_find(const uint8_t *dp, size_t size, uint8_t type, uint8_t subtype, struct pb_dp_node *ret) {
        struct pb_dp_node n;
        size_t off = 0;
        int r;

        /* A node found in front of a broken tail is not trustworthy: check everything first. */
        r = pb_dp_validate(dp, size, NULL);
        if (r < 0)
                return r;

        while ((r = pb_dp_next(dp, size, &off, &n)) > 0)
                if (n.type == type && n.subtype == subtype) {
                        if (ret)
                                *ret = n;
                        return 1;
                }
        return r;
}

static bool node_is(const struct pb_dp_node *n, uint8_t type, uint8_t subtype) {
        return n->type == type && n->subtype == subtype;
}

int pb_dp_get_pci(const struct pb_dp_node *n, uint8_t *ret_device, uint8_t *ret_function) {
        if (!node_is(n, PB_DP_TYPE_HARDWARE, PB_DP_HW_PCI))
                return -EINVAL;
        if (n->data_len != DP_PCI_LEN - DP_HEADER_SIZE)
                return -EBADMSG;
        if (ret_function)
                *ret_function = n->data[0];
        if (ret_device)
                *ret_device = n->data[1];
        return 0;
}

int pb_dp_get_acpi(const struct pb_dp_node *n, uint32_t *ret_hid, uint32_t *ret_uid) {
        if (!node_is(n, PB_DP_TYPE_ACPI, PB_DP_ACPI_ACPI))
                return -EINVAL;
        if (n->data_len != DP_ACPI_LEN - DP_HEADER_SIZE)
                return -EBADMSG;
        if (ret_hid)
                *ret_hid = pb_le32(n->data);
        if (ret_uid)
                *ret_uid = pb_le32(n->data + 4);
        return 0;
}

int pb_dp_get_mac(const struct pb_dp_node *n, struct pb_dp_mac *ret) {
        if (!node_is(n, PB_DP_TYPE_MESSAGING, PB_DP_MSG_MAC))
                return -EINVAL;
        if (n->data_len != DP_MAC_LEN - DP_HEADER_SIZE)
                return -EBADMSG;
        pb_memcpy(ret->addr, n->data, 32);
        ret->if_type = n->data[32];
        ret->addr_len = pb_dp_mac_addr_len(ret->if_type);
        return 0;
}

size_t pb_dp_mac_addr_len(uint8_t if_type) {
        /* edk2 treats IfType 0 like Ethernet (1); other hardware types use the whole field. */
        return if_type <= 1 ? 6 : 32;
}

int pb_dp_get_ipv4(const struct pb_dp_node *n, struct pb_dp_ipv4 *ret) {
        const uint8_t *d = n->data;

        if (!node_is(n, PB_DP_TYPE_MESSAGING, PB_DP_MSG_IPV4))
                return -EINVAL;
        if (n->data_len != DP_IPV4_LEN - DP_HEADER_SIZE && n->data_len != DP_IPV4_LEN_V1 - DP_HEADER_SIZE)
                return -EBADMSG;

        *ret = (struct pb_dp_ipv4) {
                .local_port = pb_le16(d + 8),
                .remote_port = pb_le16(d + 10),
                .protocol = pb_le16(d + 12),
                .static_ip = d[14] != 0,
        };
        pb_memcpy(ret->local, d, 4);
        pb_memcpy(ret->remote, d + 4, 4);
        if (n->data_len == DP_IPV4_LEN - DP_HEADER_SIZE) {
                pb_memcpy(ret->gateway, d + 15, 4);
                pb_memcpy(ret->subnet_mask, d + 19, 4);
        }
        return 0;
}

int pb_dp_get_ipv6(const struct pb_dp_node *n, struct pb_dp_ipv6 *ret) {
        const uint8_t *d = n->data;

        if (!node_is(n, PB_DP_TYPE_MESSAGING, PB_DP_MSG_IPV6))
                return -EINVAL;
        if (n->data_len != DP_IPV6_LEN - DP_HEADER_SIZE && n->data_len != DP_IPV6_LEN_V1 - DP_HEADER_SIZE)
                return -EBADMSG;

        *ret = (struct pb_dp_ipv6) {
                .local_port = pb_le16(d + 32),
                .remote_port = pb_le16(d + 34),
                .protocol = pb_le16(d + 36),
                .origin = d[38],
        };
        pb_memcpy(ret->local, d, 16);
        pb_memcpy(ret->remote, d + 16, 16);
        if (n->data_len == DP_IPV6_LEN - DP_HEADER_SIZE) {
                ret->prefix_length = d[39];
                pb_memcpy(ret->gateway, d + 40, 16);
        }
        return 0;
}

int pb_dp_get_uri(const struct pb_dp_node *n, struct pb_span *ret) {
        size_t len;

        if (!node_is(n, PB_DP_TYPE_MESSAGING, PB_DP_MSG_URI))
                return -EINVAL;

        len = n->data_len;
        while (len > 0 && n->data[len - 1] == 0)
                len--;
        /* Text after a NUL is invisible to firmware that treats the URI as a C string, so
         * such a node means different things to different readers: refuse it. */
        for (size_t i = 0; i < len; i++)
                if (n->data[i] == 0)
                        return -EBADMSG;

        *ret = bytes_span(n->data, len);
        return 0;
}

int pb_dp_get_hd(const struct pb_dp_node *n, struct pb_dp_hd *ret) {
        const uint8_t *d = n->data;

        if (!node_is(n, PB_DP_TYPE_MEDIA, PB_DP_MEDIA_HD))
                return -EINVAL;
        if (n->data_len != DP_HD_LEN - DP_HEADER_SIZE)
                return -EBADMSG;

        *ret = (struct pb_dp_hd) {
                .partition_number = pb_le32(d),
                .start_lba = pb_le64(d + 4),
                .size_lba = pb_le64(d + 12),
                .mbr_type = d[36],
                .signature_type = d[37],
        };
        pb_memcpy(ret->signature, d + 20, 16);
        return 0;
}

static bool is_vendor_node(const struct pb_dp_node *n) {
        return node_is(n, PB_DP_TYPE_HARDWARE, PB_DP_HW_VENDOR) ||
                node_is(n, PB_DP_TYPE_MESSAGING, PB_DP_MSG_VENDOR) ||
                node_is(n, PB_DP_TYPE_MEDIA, PB_DP_MEDIA_VENDOR);
}

int pb_dp_get_vendor(const struct pb_dp_node *n, pb_guid *ret_guid, const uint8_t **ret_data, size_t *ret_len) {
        if (!is_vendor_node(n))
                return -EINVAL;
        if (n->data_len < DP_VENDOR_MIN - DP_HEADER_SIZE)
                return -EBADMSG;
        if (ret_guid)
                pb_memcpy(ret_guid->b, n->data, 16);
        if (ret_data)
                *ret_data = n->data + 16;
        if (ret_len)
                *ret_len = n->data_len - 16;
        return 0;
}

int pb_dp_get_filepath(const struct pb_dp_node *n, char *buf, size_t size) {
        if (!node_is(n, PB_DP_TYPE_MEDIA, PB_DP_MEDIA_FILEPATH))
                return -EINVAL;
        if (n->data_len % 2 != 0)
                return -EBADMSG;
        /* The NUL terminator is required by the specification but not needed to read it. */
        return pb_ucs2le_to_utf8(n->data, n->data_len, buf, size, NULL);
}

/* Encoders. A node longer than its u16 length field can express is an error the writer
 * reports as overflow, so callers still check a single status at the end. */

static bool put_header(struct pb_writer *w, uint8_t type, uint8_t subtype, size_t data_len) {
        if (data_len > DP_MAX_NODE - DP_HEADER_SIZE) {
                w->overflow = true;
                return false;
        }
        pb_writer_put_u8(w, type);
        pb_writer_put_u8(w, subtype);
        pb_writer_put_le16(w, (uint16_t) (data_len + DP_HEADER_SIZE));
        return true;
}

void pb_dp_put_pci(struct pb_writer *w, uint8_t device, uint8_t function) {
        if (!put_header(w, PB_DP_TYPE_HARDWARE, PB_DP_HW_PCI, DP_PCI_LEN - DP_HEADER_SIZE))
                return;
        pb_writer_put_u8(w, function);
        pb_writer_put_u8(w, device);
}

void pb_dp_put_acpi(struct pb_writer *w, uint32_t hid, uint32_t uid) {
        if (!put_header(w, PB_DP_TYPE_ACPI, PB_DP_ACPI_ACPI, DP_ACPI_LEN - DP_HEADER_SIZE))
                return;
        pb_writer_put_le32(w, hid);
        pb_writer_put_le32(w, uid);
}

void pb_dp_put_uri(struct pb_writer *w, struct pb_span uri) {
        if (!put_header(w, PB_DP_TYPE_MESSAGING, PB_DP_MSG_URI, uri.len))
                return;
        pb_writer_put_span(w, uri);
}

void pb_dp_put_mac(struct pb_writer *w, const uint8_t *addr, size_t len, uint8_t if_type) {
        uint8_t field[32] = {};

        if (len > sizeof field) {
                w->overflow = true;
                return;
        }
        if (len > 0)
                pb_memcpy(field, addr, len);
        if (!put_header(w, PB_DP_TYPE_MESSAGING, PB_DP_MSG_MAC, DP_MAC_LEN - DP_HEADER_SIZE))
                return;
        pb_writer_put(w, field, sizeof field);
        pb_writer_put_u8(w, if_type);
}

void pb_dp_put_ipv4(struct pb_writer *w, const struct pb_dp_ipv4 *ip) {
        if (!put_header(w, PB_DP_TYPE_MESSAGING, PB_DP_MSG_IPV4, DP_IPV4_LEN - DP_HEADER_SIZE))
                return;
        pb_writer_put(w, ip->local, 4);
        pb_writer_put(w, ip->remote, 4);
        pb_writer_put_le16(w, ip->local_port);
        pb_writer_put_le16(w, ip->remote_port);
        pb_writer_put_le16(w, ip->protocol);
        pb_writer_put_u8(w, ip->static_ip ? 1 : 0);
        pb_writer_put(w, ip->gateway, 4);
        pb_writer_put(w, ip->subnet_mask, 4);
}

void pb_dp_put_ipv6(struct pb_writer *w, const struct pb_dp_ipv6 *ip) {
        if (!put_header(w, PB_DP_TYPE_MESSAGING, PB_DP_MSG_IPV6, DP_IPV6_LEN - DP_HEADER_SIZE))
                return;
        pb_writer_put(w, ip->local, 16);
        pb_writer_put(w, ip->remote, 16);
        pb_writer_put_le16(w, ip->local_port);
        pb_writer_put_le16(w, ip->remote_port);
        pb_writer_put_le16(w, ip->protocol);
        pb_writer_put_u8(w, ip->origin);
        pb_writer_put_u8(w, ip->prefix_length);
        pb_writer_put(w, ip->gateway, 16);
}

void pb_dp_put_hd(struct pb_writer *w, const struct pb_dp_hd *hd) {
        if (!put_header(w, PB_DP_TYPE_MEDIA, PB_DP_MEDIA_HD, DP_HD_LEN - DP_HEADER_SIZE))
                return;
        pb_writer_put_le32(w, hd->partition_number);
        pb_writer_put_le64(w, hd->start_lba);
        pb_writer_put_le64(w, hd->size_lba);
        pb_writer_put(w, hd->signature, 16);
        pb_writer_put_u8(w, hd->mbr_type);
        pb_writer_put_u8(w, hd->signature_type);
}

int pb_dp_put_filepath(struct pb_writer *w, struct pb_span utf8_path) {
        size_t i = 0, units = 1; /* the NUL */
        uint16_t c;
        int r;

        /* Validate and measure first, so a bad path leaves nothing half-written. */
        while ((r = pb_utf8_next_ucs2(utf8_path, &i, &c)) > 0)
                units++;
        if (r < 0)
                return r;
        if (!put_header(w, PB_DP_TYPE_MEDIA, PB_DP_MEDIA_FILEPATH, units * 2))
                return -ENOBUFS;
        return pb_utf8_put_ucs2le(w, utf8_path, true);
}

void pb_dp_put_vendor(struct pb_writer *w, uint8_t type, uint8_t subtype, const pb_guid *g,
                      const uint8_t *data, size_t len) {
        if (len > DP_MAX_NODE - DP_VENDOR_MIN) {
                w->overflow = true;
                return;
        }
        if (!put_header(w, type, subtype, 16 + len))
                return;
        pb_writer_put(w, g->b, 16);
        pb_writer_put(w, data, len);
}

void pb_dp_put_end_instance(struct pb_writer *w) {
        put_header(w, PB_DP_TYPE_END, PB_DP_END_INSTANCE, 0);
}

void pb_dp_put_end(struct pb_writer *w) {
        put_header(w, PB_DP_TYPE_END, PB_DP_END_ENTIRE, 0);
}
