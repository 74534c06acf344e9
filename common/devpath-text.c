/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device paths as text, in the shape edk2's DevicePathToText produces with DisplayOnly and
 * AllowShortcuts set, so what we print matches what the firmware shell and boot manager show.
 * Like edk2 (its PrintLib has only upper-case hex digits) hex values are upper case after a
 * lower-case "0x". Nodes whose length does not fit their type are printed generically instead
 * of being read past their end.
 */
#include "devpath.h"
#include "utf16.h"

static void put_hex_value(struct pb_writer *w, uint64_t v) {
        pb_writer_put_str(w, "0x");
        pb_writer_put_uint(w, v, 16, 0, true);
}

static void put_dec(struct pb_writer *w, uint64_t v) {
        pb_writer_put_uint(w, v, 10, 0, false);
}

static void put_ipv4_addr(struct pb_writer *w, const uint8_t a[static 4]) {
        for (unsigned i = 0; i < 4; i++) {
                if (i > 0)
                        pb_writer_put_u8(w, '.');
                put_dec(w, a[i]);
        }
}

static void put_ipv6_addr(struct pb_writer *w, const uint8_t a[static 16]) {
        for (unsigned i = 0; i < 16; i += 2) {
                if (i > 0)
                        pb_writer_put_u8(w, ':');
                pb_writer_put_hex(w, a + i, 2, true);
        }
}

static const char *generic_type_name(uint8_t type) {
        switch (type) {
        case PB_DP_TYPE_HARDWARE:
                return "HardwarePath";
        case PB_DP_TYPE_ACPI:
                return "AcpiPath";
        case PB_DP_TYPE_MESSAGING:
                return "Msg";
        case PB_DP_TYPE_MEDIA:
                return "MediaPath";
        case PB_DP_TYPE_BBS:
                return "BbsPath";
        default:
                return NULL;
        }
}

static void put_generic(struct pb_writer *w, const struct pb_dp_node *n) {
        const char *name = generic_type_name(n->type);

        if (name) {
                pb_writer_put_str(w, name);
                pb_writer_put_u8(w, '(');
        } else {
                pb_writer_put_str(w, "Path(");
                put_dec(w, n->type);
                pb_writer_put_u8(w, ',');
        }
        put_dec(w, n->subtype);
        if (n->data_len > 0) {
                pb_writer_put_u8(w, ',');
                pb_writer_put_hex(w, n->data, n->data_len, true);
        }
        pb_writer_put_u8(w, ')');
}

static bool put_pci(struct pb_writer *w, const struct pb_dp_node *n) {
        uint8_t dev, fn;

        if (pb_dp_get_pci(n, &dev, &fn) < 0)
                return false;
        pb_writer_put_str(w, "Pci(");
        put_hex_value(w, dev);
        pb_writer_put_u8(w, ',');
        put_hex_value(w, fn);
        pb_writer_put_u8(w, ')');
        return true;
}

#define EISA_PNP_ID 0x41d0u

static bool put_acpi(struct pb_writer *w, const struct pb_dp_node *n) {
        static const struct {
                uint16_t pnp;
                const char *name;
        } shortcuts[] = {
                { 0x0a03, "PciRoot(" },
                { 0x0a08, "PcieRoot(" },
                { 0x0604, "Floppy(" },
                { 0x0301, "Keyboard(" },
                { 0x0501, "Serial(" },
                { 0x0401, "ParallelPort(" },
        };
        uint32_t hid, uid;

        if (pb_dp_get_acpi(n, &hid, &uid) < 0)
                return false;

        if ((hid & 0xffff) == EISA_PNP_ID) {
                uint16_t pnp = (uint16_t) (hid >> 16);

                for (size_t i = 0; i < PB_ELEMENTSOF(shortcuts); i++)
                        if (shortcuts[i].pnp == pnp) {
                                pb_writer_put_str(w, shortcuts[i].name);
                                put_hex_value(w, uid);
                                pb_writer_put_u8(w, ')');
                                return true;
                        }
                pb_writer_put_str(w, "Acpi(PNP");
                pb_writer_put_uint(w, pnp, 16, 4, true);
        } else {
                pb_writer_put_str(w, "Acpi(0x");
                pb_writer_put_uint(w, hid, 16, 8, true);
        }
        pb_writer_put_u8(w, ',');
        put_hex_value(w, uid);
        pb_writer_put_u8(w, ')');
        return true;
}

/* Terminal types of console device paths: edk2's shortcuts for vendor messaging nodes. */
static const struct {
        pb_guid guid;
        const char *text;
} terminal_shortcuts[] = {
        { PB_GUID_INIT(0xe0c14753, 0xf9be, 0x11d2, 0x9a, 0x0c, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d), "VenPcAnsi()" },
        { PB_GUID_INIT(0xdfa66065, 0xb419, 0x11d3, 0x9a, 0x2d, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d), "VenVt100()" },
        { PB_GUID_INIT(0x7baec70b, 0x57e0, 0x4c76, 0x8e, 0x87, 0x2f, 0x9e, 0x28, 0x08, 0x83, 0x43), "VenVt100Plus()" },
        { PB_GUID_INIT(0xad15a0d6, 0x8bec, 0x4acf, 0xa0, 0x73, 0xd0, 0x1d, 0xe7, 0x7e, 0x2d, 0x88), "VenUtf8()" },
};

static bool put_vendor(struct pb_writer *w, const struct pb_dp_node *n) {
        const uint8_t *data;
        size_t len;
        pb_guid g;

        if (pb_dp_get_vendor(n, &g, &data, &len) < 0)
                return false;

        if (n->type == PB_DP_TYPE_MESSAGING)
                for (size_t i = 0; i < PB_ELEMENTSOF(terminal_shortcuts); i++)
                        if (pb_guid_eq(&g, &terminal_shortcuts[i].guid)) {
                                pb_writer_put_str(w, terminal_shortcuts[i].text);
                                return true;
                        }

        pb_writer_put_str(w, n->type == PB_DP_TYPE_HARDWARE ? "VenHw(" :
                             n->type == PB_DP_TYPE_MESSAGING ? "VenMsg(" : "VenMedia(");
        pb_guid_put(w, &g, true);
        if (len > 0) {
                pb_writer_put_u8(w, ',');
                pb_writer_put_hex(w, data, len, true);
        }
        pb_writer_put_u8(w, ')');
        return true;
}

static bool put_mac(struct pb_writer *w, const struct pb_dp_node *n) {
        struct pb_dp_mac mac;

        if (pb_dp_get_mac(n, &mac) < 0)
                return false;
        pb_writer_put_str(w, "MAC(");
        pb_writer_put_hex(w, mac.addr, mac.addr_len, true);
        pb_writer_put_u8(w, ',');
        put_hex_value(w, mac.if_type);
        pb_writer_put_u8(w, ')');
        return true;
}

static bool put_ipv4(struct pb_writer *w, const struct pb_dp_node *n) {
        struct pb_dp_ipv4 ip;

        if (pb_dp_get_ipv4(n, &ip) < 0)
                return false;
        /* Display-only form: the remote address alone. */
        pb_writer_put_str(w, "IPv4(");
        put_ipv4_addr(w, ip.remote);
        pb_writer_put_u8(w, ')');
        return true;
}

static bool put_ipv6(struct pb_writer *w, const struct pb_dp_node *n) {
        struct pb_dp_ipv6 ip;

        if (pb_dp_get_ipv6(n, &ip) < 0)
                return false;
        pb_writer_put_str(w, "IPv6(");
        put_ipv6_addr(w, ip.remote);
        pb_writer_put_u8(w, ')');
        return true;
}

static bool put_uri(struct pb_writer *w, const struct pb_dp_node *n) {
        size_t len = n->data_len;

        if (n->type != PB_DP_TYPE_MESSAGING || n->subtype != PB_DP_MSG_URI)
                return false;

        /* edk2 prints up to the first NUL. Bytes that are not printable ASCII have no business
         * in a URI; they are percent-escaped so a hostile variable cannot drive a terminal. */
        for (size_t i = 0; i < n->data_len; i++)
                if (n->data[i] == 0) {
                        len = i;
                        break;
                }
        pb_writer_put_str(w, "Uri(");
        for (size_t i = 0; i < len; i++) {
                uint8_t c = n->data[i];

                if (c > 0x20 && c < 0x7f)
                        pb_writer_put_u8(w, c);
                else {
                        pb_writer_put_u8(w, '%');
                        pb_writer_put_hex(w, &c, 1, true);
                }
        }
        pb_writer_put_u8(w, ')');
        return true;
}

static bool put_hd(struct pb_writer *w, const struct pb_dp_node *n) {
        struct pb_dp_hd hd;

        if (pb_dp_get_hd(n, &hd) < 0)
                return false;

        pb_writer_put_str(w, "HD(");
        put_dec(w, hd.partition_number);
        switch (hd.signature_type) {
        case 1:
                pb_writer_put_str(w, ",MBR,0x");
                pb_writer_put_uint(w, pb_le32(hd.signature), 16, 8, true);
                break;
        case 2: {
                pb_guid g;

                pb_memcpy(g.b, hd.signature, 16);
                pb_writer_put_str(w, ",GPT,");
                pb_guid_put(w, &g, true);
                break;
        }
        default:
                pb_writer_put_u8(w, ',');
                put_dec(w, hd.signature_type);
                pb_writer_put_str(w, ",0");
                break;
        }
        pb_writer_put_u8(w, ',');
        put_hex_value(w, hd.start_lba);
        pb_writer_put_u8(w, ',');
        put_hex_value(w, hd.size_lba);
        pb_writer_put_u8(w, ')');
        return true;
}

static bool put_filepath(struct pb_writer *w, const struct pb_dp_node *n) {
        size_t i, end;

        if (n->type != PB_DP_TYPE_MEDIA || n->subtype != PB_DP_MEDIA_FILEPATH || n->data_len % 2 != 0)
                return false;

        /* Convert unit by unit straight into the writer: a path has no length limit of its own
         * short of the node's 64 KiB. Refused units fall back to the generic rendering. */
        for (end = 0; end < n->data_len; end += 2) {
                uint16_t c = pb_le16(n->data + end);

                if (c == 0)
                        break;
                if ((c >= 0xd800 && c <= 0xdfff) || c < 0x20 || c == 0x7f)
                        return false;
        }
        for (i = 0; i < end; i += 2) {
                uint16_t c = pb_le16(n->data + i);
                char enc[3];
                size_t k = pb_ucs2_encode_utf8(c, enc);

                pb_writer_put(w, enc, k);
        }
        return true;
}

/* Nodes that print a few fixed fields: edk2's format for each, display-only form. */
enum {
        FIELD_HEX8,
        FIELD_HEX16,
        FIELD_HEX32,
        FIELD_DEC16,
        FIELD_GUID,
        FIELD_EUI64,    /* NVMe: bytes printed last to first, dash-separated */
};

struct simple_node {
        uint8_t type, subtype;
        uint16_t length;
        const char *name;
        uint8_t n_fields;
        struct {
                uint8_t offset, kind;
        } fields[3];
};

static const struct simple_node simple_nodes[] = {
        { PB_DP_TYPE_HARDWARE, 0x05, 8, "Ctrl", 1, { { 0, FIELD_HEX32 } } },
        { PB_DP_TYPE_MESSAGING, 0x01, 8, "Ata", 1, { { 2, FIELD_HEX16 } } },
        { PB_DP_TYPE_MESSAGING, 0x02, 8, "Scsi", 2, { { 0, FIELD_HEX16 }, { 2, FIELD_HEX16 } } },
        { PB_DP_TYPE_MESSAGING, 0x05, 6, "USB", 2, { { 0, FIELD_HEX8 }, { 1, FIELD_HEX8 } } },
        { PB_DP_TYPE_MESSAGING, 0x12, 10, "Sata", 3, { { 0, FIELD_HEX16 }, { 2, FIELD_HEX16 }, { 4, FIELD_HEX16 } } },
        { PB_DP_TYPE_MESSAGING, 0x14, 6, "Vlan", 1, { { 0, FIELD_DEC16 } } },
        { PB_DP_TYPE_MESSAGING, 0x17, 16, "NVMe", 2, { { 0, FIELD_HEX32 }, { 4, FIELD_EUI64 } } },
        { PB_DP_TYPE_MEDIA, 0x02, 24, "CDROM", 1, { { 0, FIELD_HEX32 } } },
        { PB_DP_TYPE_MEDIA, 0x05, 20, "Media", 1, { { 0, FIELD_GUID } } },
        { PB_DP_TYPE_MEDIA, 0x06, 20, "FvFile", 1, { { 0, FIELD_GUID } } },
        { PB_DP_TYPE_MEDIA, 0x07, 20, "Fv", 1, { { 0, FIELD_GUID } } },
};

static bool put_simple(struct pb_writer *w, const struct pb_dp_node *n) {
        const struct simple_node *s = NULL;

        for (size_t i = 0; i < PB_ELEMENTSOF(simple_nodes); i++)
                if (simple_nodes[i].type == n->type && simple_nodes[i].subtype == n->subtype) {
                        s = &simple_nodes[i];
                        break;
                }
        if (!s || n->length != s->length)
                return false;

        pb_writer_put_str(w, s->name);
        pb_writer_put_u8(w, '(');
        for (unsigned i = 0; i < s->n_fields; i++) {
                const uint8_t *p = n->data + s->fields[i].offset;

                if (i > 0)
                        pb_writer_put_u8(w, ',');
                switch (s->fields[i].kind) {
                case FIELD_HEX8:
                        put_hex_value(w, p[0]);
                        break;
                case FIELD_HEX16:
                        put_hex_value(w, pb_le16(p));
                        break;
                case FIELD_HEX32:
                        put_hex_value(w, pb_le32(p));
                        break;
                case FIELD_DEC16:
                        put_dec(w, pb_le16(p));
                        break;
                case FIELD_GUID: {
                        pb_guid g;

                        pb_memcpy(g.b, p, 16);
                        pb_guid_put(w, &g, true);
                        break;
                }
                case FIELD_EUI64:
                        for (unsigned k = 8; k > 0; k--) {
                                pb_writer_put_hex(w, p + k - 1, 1, true);
                                if (k > 1)
                                        pb_writer_put_u8(w, '-');
                        }
                        break;
                }
        }
        pb_writer_put_u8(w, ')');
        return true;
}

#define UART_LEN 19u

static bool put_uart(struct pb_writer *w, const struct pb_dp_node *n) {
        static const char parity[] = "DNEOMS";
        uint64_t baud;
        uint8_t data_bits, par, stop;

        if (n->type != PB_DP_TYPE_MESSAGING || n->subtype != 0x0e || n->length != UART_LEN)
                return false;
        /* Reserved u32, BaudRate u64, DataBits u8, Parity u8, StopBits u8. */
        baud = pb_le64(n->data + 4);
        data_bits = n->data[12];
        par = n->data[13];
        stop = n->data[14];

        pb_writer_put_str(w, "Uart(");
        if (baud == 0)
                pb_writer_put_str(w, "DEFAULT");
        else
                put_dec(w, baud);
        pb_writer_put_u8(w, ',');
        if (data_bits == 0)
                pb_writer_put_str(w, "DEFAULT");
        else
                put_dec(w, data_bits);
        pb_writer_put_u8(w, ',');
        pb_writer_put_u8(w, par < sizeof parity - 1 ? parity[par] : 'x');
        pb_writer_put_u8(w, ',');
        pb_writer_put_str(w, stop == 0 ? "D)" : stop == 1 ? "1)" : stop == 2 ? "1.5)" : stop == 3 ? "2)" : "x)");
        return true;
}

static void put_node(struct pb_writer *w, const struct pb_dp_node *n) {
        bool done = false;

        switch (n->type) {
        case PB_DP_TYPE_HARDWARE:
                if (n->subtype == PB_DP_HW_PCI)
                        done = put_pci(w, n);
                else if (n->subtype == PB_DP_HW_VENDOR)
                        done = put_vendor(w, n);
                break;
        case PB_DP_TYPE_ACPI:
                if (n->subtype == PB_DP_ACPI_ACPI)
                        done = put_acpi(w, n);
                break;
        case PB_DP_TYPE_MESSAGING:
                switch (n->subtype) {
                case PB_DP_MSG_MAC:
                        done = put_mac(w, n);
                        break;
                case PB_DP_MSG_IPV4:
                        done = put_ipv4(w, n);
                        break;
                case PB_DP_MSG_IPV6:
                        done = put_ipv6(w, n);
                        break;
                case PB_DP_MSG_URI:
                        done = put_uri(w, n);
                        break;
                case PB_DP_MSG_VENDOR:
                        done = put_vendor(w, n);
                        break;
                }
                break;
        case PB_DP_TYPE_MEDIA:
                if (n->subtype == PB_DP_MEDIA_HD)
                        done = put_hd(w, n);
                else if (n->subtype == PB_DP_MEDIA_VENDOR)
                        done = put_vendor(w, n);
                else if (n->subtype == PB_DP_MEDIA_FILEPATH)
                        done = put_filepath(w, n);
                break;
        }
        if (!done)
                done = put_uart(w, n) || put_simple(w, n);
        if (!done)
                put_generic(w, n);
}

int pb_dp_to_text(const uint8_t *dp, size_t size, char *buf, size_t bufsize) {
        struct pb_writer w = pb_writer_make(buf, bufsize);
        struct pb_dp_node n;
        bool after_instance = false;
        size_t off = 0;
        int r, k;

        while ((r = pb_dp_next(dp, size, &off, &n)) > 0) {
                if (n.type == PB_DP_TYPE_END && n.subtype == PB_DP_END_INSTANCE) {
                        pb_writer_put_u8(&w, ',');
                        after_instance = true;
                        continue;
                }
                /* edk2 means to start each instance without a '/' but compares the wrong
                 * character and prints ",/"; we print what it means to. */
                if (w.len > 0 && !after_instance)
                        pb_writer_put_u8(&w, '/');
                after_instance = false;
                put_node(&w, &n);
        }

        k = pb_writer_finish_str(&w);
        return r < 0 ? r : k;
}
