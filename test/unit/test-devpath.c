/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "devpath.h"
#include "test.h"

#define HID_PCIROOT 0x0a0341d0u

static struct pb_span S(const char *s) {
        return pb_span_from_str(s);
}

static const pb_guid initrd_media = PB_GUID_INIT(0x5568e427, 0x68fc, 0x4f3d, 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68);

/* Renders dp and compares with the expected text. */
static void assert_text(const uint8_t *dp, size_t size, const char *expect) {
        char buf[1024];
        int r = pb_dp_to_text(dp, size, buf, sizeof buf);

        if (r != 0)
                TEST_FAIL("pb_dp_to_text() = %d for \"%s\"", r, expect);
        ASSERT_STREQ(buf, expect);
}

static struct pb_dp_node node_at(const uint8_t *dp, size_t size, size_t index) {
        struct pb_dp_node n = {};
        size_t off = 0;

        for (size_t i = 0; i <= index; i++)
                if (pb_dp_next(dp, size, &off, &n) != 1)
                        TEST_FAIL("node %zu missing", index);
        return n;
}

/* Field by field: struct padding is not part of the contract. */
static void assert_ipv4_eq(const struct pb_dp_ipv4 *a, const struct pb_dp_ipv4 *b) {
        ASSERT_MEMEQ(a->local, b->local, 4);
        ASSERT_MEMEQ(a->remote, b->remote, 4);
        ASSERT_EQ(a->local_port, b->local_port);
        ASSERT_EQ(a->remote_port, b->remote_port);
        ASSERT_EQ(a->protocol, b->protocol);
        ASSERT_EQ(a->static_ip, b->static_ip);
        ASSERT_MEMEQ(a->gateway, b->gateway, 4);
        ASSERT_MEMEQ(a->subnet_mask, b->subnet_mask, 4);
}

static void assert_ipv6_eq(const struct pb_dp_ipv6 *a, const struct pb_dp_ipv6 *b) {
        ASSERT_MEMEQ(a->local, b->local, 16);
        ASSERT_MEMEQ(a->remote, b->remote, 16);
        ASSERT_EQ(a->local_port, b->local_port);
        ASSERT_EQ(a->remote_port, b->remote_port);
        ASSERT_EQ(a->protocol, b->protocol);
        ASSERT_EQ(a->origin, b->origin);
        ASSERT_EQ(a->prefix_length, b->prefix_length);
        ASSERT_MEMEQ(a->gateway, b->gateway, 16);
}

static void assert_hd_eq(const struct pb_dp_hd *a, const struct pb_dp_hd *b) {
        ASSERT_EQ(a->partition_number, b->partition_number);
        ASSERT_TRUE(a->start_lba == b->start_lba);
        ASSERT_TRUE(a->size_lba == b->size_lba);
        ASSERT_MEMEQ(a->signature, b->signature, 16);
        ASSERT_EQ(a->mbr_type, b->mbr_type);
        ASSERT_EQ(a->signature_type, b->signature_type);
}

/* virt-fw-vars --set-boot-uri http://192.168.1.10/boot/grubx64.efi (reference/virt-firmware.md). */
static void test_uri_vector(void) {
        static const char url[] = "http://192.168.1.10/boot/grubx64.efi";
        uint8_t expect[4 + 36 + 4] = { 0x03, 0x18, 0x28, 0x00 }, buf[64];
        struct pb_writer w = pb_writer_make(buf, sizeof buf);
        struct pb_dp_node n;
        struct pb_span uri;
        size_t off = 0, len = 0;

        ASSERT_EQ(strlen(url), 36);
        memcpy(expect + 4, url, 36);
        memcpy(expect + 40, "\x7f\xff\x04\x00", 4);

        pb_dp_put_uri(&w, S(url));
        pb_dp_put_end(&w);
        ASSERT_EQ(pb_writer_status(&w), 0);
        ASSERT_EQ(w.len, sizeof expect);
        ASSERT_MEMEQ(buf, expect, sizeof expect);

        ASSERT_EQ(pb_dp_validate(expect, sizeof expect, &len), 0);
        ASSERT_EQ(len, 44);
        ASSERT_EQ(pb_dp_next(expect, sizeof expect, &off, &n), 1);
        ASSERT_EQ(n.type, 3);
        ASSERT_EQ(n.subtype, 0x18);
        ASSERT_EQ(n.length, 40);
        ASSERT_EQ(n.data_len, 36);
        ASSERT_TRUE(n.data == expect + 4);
        ASSERT_EQ(off, 40);
        ASSERT_EQ(pb_dp_get_uri(&n, &uri), 0);
        ASSERT_SPANEQ(uri, url);
        ASSERT_EQ(pb_dp_next(expect, sizeof expect, &off, &n), 0);
        ASSERT_EQ(off, 44);
        assert_text(expect, sizeof expect, "Uri(http://192.168.1.10/boot/grubx64.efi)");
}

/* The loaded image's device path under OVMF HTTP boot. */
static void test_http_boot_path(void) {
        static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        static const uint8_t expect_head[] = {
                0x02, 0x01, 0x0c, 0x00, 0xd0, 0x41, 0x03, 0x0a, 0x00, 0x00, 0x00, 0x00, /* PciRoot(0x0) */
                0x01, 0x01, 0x06, 0x00, 0x00, 0x02,                                     /* Pci(0x2,0x0) */
                0x03, 0x0b, 0x25, 0x00, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,            /* MAC */
        };
        struct pb_dp_ipv4 ip = { .remote = { 10, 0, 2, 2 }, .local = { 10, 0, 2, 15 }, .protocol = 6,
                                 .static_ip = true, .gateway = { 10, 0, 2, 2 }, .subnet_mask = { 255, 255, 255, 0 },
                                 .local_port = 68, .remote_port = 80 }, ip2;
        struct pb_dp_mac m;
        struct pb_dp_node n;
        struct pb_span uri;
        uint8_t buf[256];
        struct pb_writer w = pb_writer_make(buf, sizeof buf);
        uint32_t hid, uid;
        uint8_t dev, fn;
        size_t len;

        pb_dp_put_acpi(&w, HID_PCIROOT, 0);
        pb_dp_put_pci(&w, 2, 0);
        pb_dp_put_mac(&w, mac, 6, 1);
        pb_dp_put_ipv4(&w, &ip);
        pb_dp_put_uri(&w, S("http://10.0.2.2/x.efi"));
        pb_dp_put_end(&w);
        ASSERT_EQ(pb_writer_status(&w), 0);
        ASSERT_EQ(w.len, 12 + 6 + 37 + 27 + 4 + 21 + 4);
        ASSERT_MEMEQ(buf, expect_head, sizeof expect_head);
        /* MAC padding and IfType, then the IPv4 node byte for byte. */
        for (size_t i = 28; i < 18 + 36; i++)
                ASSERT_EQ(buf[i], 0);
        ASSERT_EQ(buf[54], 1);
        ASSERT_MEMEQ(buf + 55, "\x03\x0c\x1b\x00" "\x0a\x00\x02\x0f" "\x0a\x00\x02\x02" "\x44\x00" "\x50\x00"
                     "\x06\x00" "\x01" "\x0a\x00\x02\x02" "\xff\xff\xff\x00", 27);

        ASSERT_EQ(pb_dp_validate(buf, w.len, &len), 0);
        ASSERT_EQ(len, w.len);
        assert_text(buf, w.len, "PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1)/IPv4(10.0.2.2)/Uri(http://10.0.2.2/x.efi)");

        n = node_at(buf, w.len, 0);
        ASSERT_EQ(pb_dp_get_acpi(&n, &hid, &uid), 0);
        ASSERT_EQ(hid, HID_PCIROOT);
        ASSERT_EQ(uid, 0);
        n = node_at(buf, w.len, 1);
        ASSERT_EQ(pb_dp_get_pci(&n, &dev, &fn), 0);
        ASSERT_EQ(dev, 2);
        ASSERT_EQ(fn, 0);
        n = node_at(buf, w.len, 2);
        ASSERT_EQ(pb_dp_get_mac(&n, &m), 0);
        ASSERT_EQ(m.addr_len, 6);
        ASSERT_EQ(m.if_type, 1);
        ASSERT_MEMEQ(m.addr, mac, 6);
        n = node_at(buf, w.len, 3);
        ASSERT_EQ(pb_dp_get_ipv4(&n, &ip2), 0);
        assert_ipv4_eq(&ip2, &ip);

        ASSERT_EQ(pb_dp_find(buf, w.len, PB_DP_TYPE_MESSAGING, PB_DP_MSG_URI, &n), 1);
        ASSERT_EQ(pb_dp_get_uri(&n, &uri), 0);
        ASSERT_SPANEQ(uri, "http://10.0.2.2/x.efi");
        ASSERT_EQ(pb_dp_find(buf, w.len, PB_DP_TYPE_MESSAGING, PB_DP_MSG_IPV6, &n), 0);
        ASSERT_EQ(pb_dp_find(buf, w.len, PB_DP_TYPE_MESSAGING, PB_DP_MSG_MAC, NULL), 1);

        /* Damage after the wanted node still makes the whole path malformed. */
        buf[w.len - 2] = 3;
        ASSERT_EQ(pb_dp_find(buf, w.len, PB_DP_TYPE_ACPI, PB_DP_ACPI_ACPI, &n), -EBADMSG);
}

static void test_hd_filepath(void) {
        struct pb_dp_hd hd = {
                .partition_number = 1, .start_lba = 0x800, .size_lba = 0x100000, .mbr_type = 2, .signature_type = 2,
                .signature = { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b },
        }, hd2;
        uint8_t buf[256];
        struct pb_writer w = pb_writer_make(buf, sizeof buf);
        struct pb_dp_node n;
        char path[64];

        pb_dp_put_hd(&w, &hd);
        ASSERT_EQ(pb_dp_put_filepath(&w, S("\\EFI\\BOOT\\BOOTX64.EFI")), 0);
        pb_dp_put_end(&w);
        ASSERT_EQ(pb_writer_status(&w), 0);
        ASSERT_EQ(w.len, 42 + 4 + 2 * 22 + 4);
        ASSERT_MEMEQ(buf, "\x04\x01\x2a\x00\x01\x00\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"
                     "\x00\x00\x10\x00\x00\x00\x00\x00", 24);
        ASSERT_MEMEQ(buf + 42, "\x04\x04\x30\x00\\\0E\0F\0I\0\\\0", 14);
        ASSERT_MEMEQ(buf + 42 + 46, "\0\0\x7f\xff\x04\x00", 6);
        assert_text(buf, w.len, "HD(1,GPT,C12A7328-F81F-11D2-BA4B-00A0C93EC93B,0x800,0x100000)/\\EFI\\BOOT\\BOOTX64.EFI");

        n = node_at(buf, w.len, 0);
        ASSERT_EQ(pb_dp_get_hd(&n, &hd2), 0);
        assert_hd_eq(&hd2, &hd);
        n = node_at(buf, w.len, 1);
        ASSERT_EQ(pb_dp_get_filepath(&n, path, sizeof path), 0);
        ASSERT_STREQ(path, "\\EFI\\BOOT\\BOOTX64.EFI");
        ASSERT_EQ(pb_dp_get_filepath(&n, path, 21), -ENOBUFS);
        ASSERT_EQ(pb_dp_get_filepath(&n, path, 22), 0);

        /* MBR and unknown signature types. */
        w = pb_writer_make(buf, sizeof buf);
        hd = (struct pb_dp_hd) { .partition_number = 2, .start_lba = 63, .size_lba = 0xffffffffffULL, .mbr_type = 1,
                                 .signature_type = 1, .signature = { 0x78, 0x56, 0x34, 0x12 } };
        pb_dp_put_hd(&w, &hd);
        hd.signature_type = 0;
        pb_dp_put_hd(&w, &hd);
        pb_dp_put_end(&w);
        assert_text(buf, w.len, "HD(2,MBR,0x12345678,0x3F,0xFFFFFFFFFF)/HD(2,0,0,0x3F,0xFFFFFFFFFF)");

        /* Non-ASCII file names are UTF-8 in text. */
        w = pb_writer_make(buf, sizeof buf);
        ASSERT_EQ(pb_dp_put_filepath(&w, S("\\caf\xc3\xa9")), 0);
        pb_dp_put_end(&w);
        assert_text(buf, w.len, "\\caf\xc3\xa9");
}

static void test_vendor(void) {
        static const uint8_t data[] = { 0xde, 0xad, 0xbe, 0xef };
        const pb_guid g = PB_GUID_INIT(0x11223344, 0x5566, 0x7788, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00);
        uint8_t buf[128];
        struct pb_writer w = pb_writer_make(buf, sizeof buf);
        struct pb_dp_node n;
        const uint8_t *d;
        size_t len;
        pb_guid g2;

        /* The kernel's initrd LoadFile2 path: VenMedia(LINUX_EFI_INITRD_MEDIA_GUID) + End. */
        pb_dp_put_vendor(&w, PB_DP_TYPE_MEDIA, PB_DP_MEDIA_VENDOR, &initrd_media, NULL, 0);
        pb_dp_put_end(&w);
        ASSERT_EQ(w.len, 24);
        ASSERT_MEMEQ(buf, "\x04\x03\x14\x00\x27\xe4\x68\x55\xfc\x68\x3d\x4f\xac\x74\xca\x55\x52\x31\xcc\x68"
                     "\x7f\xff\x04\x00", 24);
        assert_text(buf, w.len, "VenMedia(5568E427-68FC-4F3D-AC74-CA555231CC68)");
        n = node_at(buf, w.len, 0);
        ASSERT_EQ(pb_dp_get_vendor(&n, &g2, &d, &len), 0);
        ASSERT_TRUE(pb_guid_eq(&g2, &initrd_media));
        ASSERT_EQ(len, 0);

        w = pb_writer_make(buf, sizeof buf);
        pb_dp_put_vendor(&w, PB_DP_TYPE_HARDWARE, PB_DP_HW_VENDOR, &g, data, sizeof data);
        pb_dp_put_vendor(&w, PB_DP_TYPE_MESSAGING, PB_DP_MSG_VENDOR, &g, data, 1);
        pb_dp_put_end(&w);
        assert_text(buf, w.len, "VenHw(11223344-5566-7788-99AA-BBCCDDEEFF00,DEADBEEF)/"
                                "VenMsg(11223344-5566-7788-99AA-BBCCDDEEFF00,DE)");
        n = node_at(buf, w.len, 0);
        ASSERT_EQ(pb_dp_get_vendor(&n, &g2, &d, &len), 0);
        ASSERT_TRUE(pb_guid_eq(&g2, &g));
        ASSERT_EQ(len, 4);
        ASSERT_MEMEQ(d, data, 4);
}

static void test_text_misc(void) {
        static const uint8_t acpi[] = {
                0x02, 0x01, 0x0c, 0x00, 0xd0, 0x41, 0x06, 0x0a, 0x00, 0x00, 0x00, 0x00,
                0x02, 0x01, 0x0c, 0x00, 0x78, 0x56, 0x34, 0x12, 0x01, 0x00, 0x00, 0x00,
                0x02, 0x01, 0x0c, 0x00, 0xd0, 0x41, 0x08, 0x0a, 0x1f, 0x00, 0x00, 0x00,
                0x01, 0x01, 0x06, 0x00, 0x07, 0x1f,
                0x7f, 0xff, 0x04, 0x00,
        };
        static const uint8_t generic[] = {
                0x09, 0x01, 0x06, 0x00, 0xaa, 0xbb,      /* unknown type */
                0x03, 0x1e, 0x04, 0x00,                  /* unknown messaging subtype, no data */
                0x01, 0x01, 0x07, 0x00, 0x00, 0x02, 0x03, /* PCI with the wrong length */
                0x04, 0x01, 0x05, 0x00, 0x01,            /* HD with the wrong length */
                0x7f, 0x02, 0x04, 0x00,                  /* odd End subtype */
                0x05, 0x01, 0x04, 0x00,
                0x02, 0x02, 0x05, 0x00, 0x42,
                0x7f, 0xff, 0x04, 0x00,
        };
        static const uint8_t instances[] = {
                0x01, 0x01, 0x06, 0x00, 0x00, 0x01,
                0x7f, 0x01, 0x04, 0x00,
                0x01, 0x01, 0x06, 0x00, 0x01, 0x02,
                0x7f, 0x01, 0x04, 0x00,
                0x7f, 0xff, 0x04, 0x00,
        };
        static const uint8_t uris[] = {
                0x03, 0x18, 0x0b, 0x00, 'h', 't', 't', 'p', ':', '/', '/',
                0x03, 0x18, 0x0b, 0x00, 'a', 0x00, 'b', 0x00, 0x00, 0x00, 0x00,
                0x03, 0x18, 0x09, 0x00, 'a', ' ', 0x1b, 0xc3, 0xa9,
                0x03, 0x18, 0x04, 0x00,
                0x7f, 0xff, 0x04, 0x00,
        };
        static const uint8_t end_only[] = { 0x7f, 0xff, 0x04, 0x00 };
        static const uint8_t storage[] = {
                0x01, 0x05, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00,                         /* Ctrl */
                0x03, 0x01, 0x08, 0x00, 0x01, 0x00, 0x05, 0x00,                         /* Ata */
                0x03, 0x02, 0x08, 0x00, 0x03, 0x00, 0x11, 0x00,                         /* Scsi */
                0x03, 0x05, 0x06, 0x00, 0x04, 0x01,                                     /* USB */
                0x03, 0x12, 0x0a, 0x00, 0x02, 0x00, 0xff, 0xff, 0x00, 0x00,             /* Sata */
                0x03, 0x14, 0x06, 0x00, 0x64, 0x00,                                     /* Vlan */
                0x03, 0x17, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00,
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,                         /* NVMe */
                0x04, 0x02, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
                0x00, 0x02, 0, 0, 0, 0, 0, 0,                                           /* CDROM */
                0x04, 0x07, 0x14, 0x00, 0xc9, 0xbd, 0xb8, 0x7c, 0xeb, 0xf8, 0x34, 0x4f,
                0xaa, 0xea, 0x3e, 0xe4, 0xaf, 0x65, 0x16, 0xa1,                         /* Fv */
                0x04, 0x06, 0x14, 0x00, 0x83, 0xa5, 0x04, 0x7c, 0x3e, 0x9e, 0x1c, 0x4f,
                0xad, 0x65, 0xe0, 0x52, 0x68, 0xd0, 0xb4, 0xd1,                         /* FvFile */
                0x03, 0x0e, 0x13, 0x00, 0, 0, 0, 0, 0x00, 0xc2, 0x01, 0, 0, 0, 0, 0,
                0x08, 0x01, 0x01,                                                       /* Uart */
                0x03, 0x0e, 0x13, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0x00, 0x09, 0x07,                                                       /* Uart */
                0x03, 0x0a, 0x14, 0x00, 0x65, 0x60, 0xa6, 0xdf, 0x19, 0xb4, 0xd3, 0x11,
                0x9a, 0x2d, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d,                         /* VenVt100 */
                0x03, 0x05, 0x07, 0x00, 0x04, 0x01, 0x00,                               /* USB, too long */
                0x7f, 0xff, 0x04, 0x00,
        };

        assert_text(acpi, sizeof acpi, "Acpi(PNP0A06,0x0)/Acpi(0x12345678,0x1)/PcieRoot(0x1F)/Pci(0x1F,0x7)");
        assert_text(generic, sizeof generic,
                    "Path(9,1,AABB)/Msg(30)/HardwarePath(1,000203)/MediaPath(1,01)/Path(127,2)/BbsPath(1)/AcpiPath(2,42)");
        assert_text(instances, sizeof instances, "Pci(0x1,0x0),Pci(0x2,0x1),");
        assert_text(uris, sizeof uris, "Uri(http://)/Uri(a)/Uri(a%20%1B%C3%A9)/Uri()");
        assert_text(end_only, sizeof end_only, "");
        assert_text(storage, sizeof storage,
                    "Ctrl(0x2)/Ata(0x5)/Scsi(0x3,0x11)/USB(0x4,0x1)/Sata(0x2,0xFFFF,0x0)/Vlan(100)/"
                    "NVMe(0x1,08-07-06-05-04-03-02-01)/CDROM(0x1)/Fv(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)/"
                    "FvFile(7C04A583-9E3E-4F1C-AD65-E05268D0B4D1)/Uart(115200,8,N,1)/Uart(DEFAULT,DEFAULT,x,x)/"
                    "VenVt100()/Msg(5,040100)");
}

static void test_text_errors(void) {
        static const uint8_t dp[] = {
                0x01, 0x01, 0x06, 0x00, 0x00, 0x01,
                0x01, 0x01, 0x06, 0x00, 0x00, 0x01,
                0x7f, 0xff, 0x04, 0x00,
        };
        char buf[64];

        /* "Pci(0x1,0x0)/Pci(0x1,0x0)" is 25 characters. */
        ASSERT_EQ(pb_dp_to_text(dp, sizeof dp, buf, 26), 0);
        ASSERT_STREQ(buf, "Pci(0x1,0x0)/Pci(0x1,0x0)");
        ASSERT_EQ(pb_dp_to_text(dp, sizeof dp, buf, 25), -ENOBUFS);
        ASSERT_EQ(strlen(buf), 24);
        ASSERT_EQ(pb_dp_to_text(dp, sizeof dp, buf, 0), -ENOBUFS);
        /* Malformed: what came before the damage is still shown. */
        ASSERT_EQ(pb_dp_to_text(dp, sizeof dp - 4, buf, sizeof buf), -EBADMSG);
        ASSERT_STREQ(buf, "Pci(0x1,0x0)/Pci(0x1,0x0)");
        ASSERT_EQ(pb_dp_to_text(dp, 0, buf, sizeof buf), -EBADMSG);
        ASSERT_STREQ(buf, "");
}

static void test_walk_errors(void) {
        struct pb_dp_node n;
        struct pb_diag diag = {};
        size_t off, len;

        /* Zero and short lengths must not loop or read backwards. */
        for (unsigned l = 0; l < 4; l++) {
                uint8_t dp[8] = { 0x01, 0x01, (uint8_t) l, 0x00, 0x7f, 0xff, 0x04, 0x00 };

                off = 0;
                ASSERT_EQ(pb_dp_next(dp, sizeof dp, &off, &n), -EBADMSG);
                ASSERT_EQ(off, 0);
                ASSERT_EQ(pb_dp_validate_diag(dp, sizeof dp, &len, &diag), -EBADMSG);
                ASSERT_STREQ(diag.reason, "device path node shorter than its 4-byte header");
                ASSERT_TRUE(diag.where.ptr == (const char *) dp && diag.where.len == 4);
                ASSERT_EQ(pb_dp_find(dp, sizeof dp, 1, 1, &n), -EBADMSG);
        }

        /* Length pointing beyond the buffer, by one and by a lot. */
        {
                uint8_t dp[] = { 0x01, 0x01, 0x07, 0x00, 0x00, 0x01, 0x7f, 0xff, 0x04, 0x00 };

                ASSERT_EQ(pb_dp_validate(dp, 6, NULL), -EBADMSG);
                dp[2] = 0xff;
                dp[3] = 0xff;
                ASSERT_EQ(pb_dp_validate_diag(dp, sizeof dp, NULL, &diag), -EBADMSG);
                ASSERT_STREQ(diag.reason, "device path node runs past the end of the buffer");
                /* The End node itself running past the end. */
                dp[2] = 6;
                dp[3] = 0;
                ASSERT_EQ(pb_dp_validate(dp, sizeof dp - 1, NULL), -EBADMSG);
                dp[8] = 5;
                ASSERT_EQ(pb_dp_validate(dp, sizeof dp, NULL), -EBADMSG);
        }

        /* Missing End, truncated header, empty buffer. */
        {
                static const uint8_t dp[] = { 0x01, 0x01, 0x06, 0x00, 0x00, 0x01, 0x7f, 0xff };

                ASSERT_EQ(pb_dp_validate_diag(dp, 6, NULL, &diag), -EBADMSG);
                ASSERT_STREQ(diag.reason, "device path ends without an End node");
                ASSERT_EQ(pb_dp_validate_diag(dp, sizeof dp, NULL, &diag), -EBADMSG);
                ASSERT_STREQ(diag.reason, "device path node header truncated");
                ASSERT_EQ(pb_dp_validate(dp, 0, NULL), -EBADMSG);
                ASSERT_EQ(pb_dp_validate(NULL, 0, NULL), -EBADMSG);
                off = 9;
                ASSERT_EQ(pb_dp_next(dp, sizeof dp, &off, &n), -EBADMSG);
        }

        /* End-Instance is a node; only End-Entire ends the walk. Trailing bytes are not part of it. */
        {
                static const uint8_t dp[] = { 0x7f, 0x01, 0x04, 0x00, 0x7f, 0xff, 0x04, 0x00, 0xee, 0xee };

                off = 0;
                ASSERT_EQ(pb_dp_next(dp, sizeof dp, &off, &n), 1);
                ASSERT_EQ(n.type, PB_DP_TYPE_END);
                ASSERT_EQ(n.subtype, PB_DP_END_INSTANCE);
                ASSERT_EQ(pb_dp_next(dp, sizeof dp, &off, &n), 0);
                ASSERT_EQ(off, 8);
                ASSERT_EQ(pb_dp_validate(dp, sizeof dp, &len), 0);
                ASSERT_EQ(len, 8);
                ASSERT_EQ(pb_dp_validate(dp, 4, &len), -EBADMSG);
                ASSERT_EQ(pb_dp_find(dp, sizeof dp, PB_DP_TYPE_END, PB_DP_END_ENTIRE, &n), 0);
        }
}

static void test_validate_list(void) {
        static const uint8_t two[] = {
                0x03, 0x18, 0x05, 0x00, 'x', 0x7f, 0xff, 0x04, 0x00,
                0x04, 0x03, 0x14, 0x00, 0x27, 0xe4, 0x68, 0x55, 0xfc, 0x68, 0x3d, 0x4f, 0xac, 0x74,
                0xca, 0x55, 0x52, 0x31, 0xcc, 0x68, 0x7f, 0xff, 0x04, 0x00,
        };
        struct pb_diag diag = {};

        ASSERT_EQ(pb_dp_validate_list(two, sizeof two, NULL), 0);
        ASSERT_EQ(pb_dp_validate_list(two, 9, NULL), 0);
        ASSERT_EQ(pb_dp_validate_list(two, 10, &diag), -EBADMSG);
        ASSERT_EQ(pb_dp_validate_list(two, sizeof two - 1, &diag), -EBADMSG);
        ASSERT_EQ(pb_dp_validate_list(two, 0, &diag), -EBADMSG);
        ASSERT_STREQ(diag.reason, "empty device path list");
}

/* Builds a node of the given type with a payload of data_len bytes of 0x5a. */
static struct pb_dp_node fake(uint8_t type, uint8_t subtype, size_t data_len) {
        static uint8_t storage[128];

        memset(storage, 0x5a, sizeof storage);
        return (struct pb_dp_node) { .type = type, .subtype = subtype, .length = (uint16_t) (data_len + 4),
                                     .data = storage, .data_len = data_len };
}

static void test_decoder_lengths(void) {
        struct pb_dp_node n;
        struct pb_dp_mac mac;
        struct pb_dp_ipv4 v4;
        struct pb_dp_ipv6 v6;
        struct pb_dp_hd hd;
        struct pb_span uri;
        uint32_t hid, uid;
        uint8_t dev, fn;
        char path[64];
        pb_guid g;

        for (size_t l = 0; l < 100; l++) {
                n = fake(1, 1, l);
                ASSERT_EQ(pb_dp_get_pci(&n, &dev, &fn), l == 2 ? 0 : -EBADMSG);
                n = fake(2, 1, l);
                ASSERT_EQ(pb_dp_get_acpi(&n, &hid, &uid), l == 8 ? 0 : -EBADMSG);
                n = fake(3, 0x0b, l);
                ASSERT_EQ(pb_dp_get_mac(&n, &mac), l == 33 ? 0 : -EBADMSG);
                n = fake(3, 0x0c, l);
                ASSERT_EQ(pb_dp_get_ipv4(&n, &v4), l == 23 || l == 15 ? 0 : -EBADMSG);
                n = fake(3, 0x0d, l);
                ASSERT_EQ(pb_dp_get_ipv6(&n, &v6), l == 56 || l == 39 ? 0 : -EBADMSG);
                n = fake(4, 1, l);
                ASSERT_EQ(pb_dp_get_hd(&n, &hd), l == 38 ? 0 : -EBADMSG);
                n = fake(4, 3, l);
                ASSERT_EQ(pb_dp_get_vendor(&n, &g, NULL, NULL), l >= 16 ? 0 : -EBADMSG);
                n = fake(1, 4, l);
                ASSERT_EQ(pb_dp_get_vendor(&n, NULL, NULL, NULL), l >= 16 ? 0 : -EBADMSG);
                n = fake(3, 0x18, l);
                ASSERT_EQ(pb_dp_get_uri(&n, &uri), 0);
                ASSERT_EQ(uri.len, l);
                n = fake(4, 4, l);
                ASSERT_EQ(pb_dp_get_filepath(&n, path, sizeof path), l % 2 ? -EBADMSG : l / 2 * 3 < sizeof path ? 0 : -ENOBUFS);
        }

        /* Wrong node type for the decoder. */
        n = fake(3, 0x0b, 33);
        ASSERT_EQ(pb_dp_get_ipv4(&n, &v4), -EINVAL);
        ASSERT_EQ(pb_dp_get_hd(&n, &hd), -EINVAL);
        ASSERT_EQ(pb_dp_get_uri(&n, &uri), -EINVAL);
        ASSERT_EQ(pb_dp_get_vendor(&n, &g, NULL, NULL), -EINVAL);
        ASSERT_EQ(pb_dp_get_filepath(&n, path, sizeof path), -EINVAL);
        ASSERT_EQ(pb_dp_get_pci(&n, &dev, &fn), -EINVAL);
        ASSERT_EQ(pb_dp_get_acpi(&n, &hid, &uid), -EINVAL);
        n = fake(3, 0x0c, 23);
        ASSERT_EQ(pb_dp_get_mac(&n, &mac), -EINVAL);
        ASSERT_EQ(pb_dp_get_ipv6(&n, &v6), -EINVAL);
}

static void test_ip_old_forms(void) {
        static const uint8_t v4[] = { 0x03, 0x0c, 0x13, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 0x10, 0x00, 0x20, 0x00,
                                      0x11, 0x00, 0x00, 0x7f, 0xff, 0x04, 0x00 };
        uint8_t v6[43 + 4] = { 0x03, 0x0d, 0x2b, 0x00 };
        struct pb_dp_ipv4 ip4;
        struct pb_dp_ipv6 ip6;
        struct pb_dp_node n;

        n = node_at(v4, sizeof v4, 0);
        ASSERT_EQ(pb_dp_get_ipv4(&n, &ip4), 0);
        ASSERT_MEMEQ(ip4.remote, "\x05\x06\x07\x08", 4);
        ASSERT_EQ(ip4.remote_port, 0x20);
        ASSERT_EQ(ip4.protocol, 17);
        ASSERT_TRUE(!ip4.static_ip);
        ASSERT_MEMEQ(ip4.gateway, "\0\0\0\0", 4);
        assert_text(v4, sizeof v4, "IPv4(5.6.7.8)");

        for (int i = 0; i < 16; i++)
                v6[4 + 16 + i] = (uint8_t) (0xf0 + i);
        v6[4 + 38] = 1;
        memcpy(v6 + 43, "\x7f\xff\x04\x00", 4);
        n = node_at(v6, sizeof v6, 0);
        ASSERT_EQ(pb_dp_get_ipv6(&n, &ip6), 0);
        ASSERT_EQ(ip6.origin, 1);
        ASSERT_EQ(ip6.prefix_length, 0);
        assert_text(v6, sizeof v6, "IPv6(F0F1:F2F3:F4F5:F6F7:F8F9:FAFB:FCFD:FEFF)");
}

static void test_ipv6_roundtrip(void) {
        struct pb_dp_ipv6 ip = { .local = { 0xfe, 0x80, [15] = 1 }, .remote = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 },
                                 .local_port = 546, .remote_port = 80, .protocol = 6, .origin = 2,
                                 .prefix_length = 64, .gateway = { 0xfe, 0x80, [15] = 0xfe } }, ip2;
        uint8_t buf[128];
        struct pb_writer w = pb_writer_make(buf, sizeof buf);
        struct pb_dp_node n;

        pb_dp_put_ipv6(&w, &ip);
        pb_dp_put_end(&w);
        ASSERT_EQ(w.len, 64);
        ASSERT_MEMEQ(buf, "\x03\x0d\x3c\x00\xfe\x80", 6);
        ASSERT_MEMEQ(buf + 34, "\x00\x10\x22\x02\x50\x00\x06\x00\x02\x40\xfe\x80", 12);
        n = node_at(buf, w.len, 0);
        ASSERT_EQ(pb_dp_get_ipv6(&n, &ip2), 0);
        assert_ipv6_eq(&ip2, &ip);
        assert_text(buf, w.len, "IPv6(2001:0DB8:0000:0000:0000:0000:0000:0010)");
}

static void test_uri_decoding(void) {
        static const uint8_t dp[] = {
                0x03, 0x18, 0x08, 0x00, 'a', 'b', 0x00, 0x00,
                0x03, 0x18, 0x08, 0x00, 'a', 0x00, 'b', 0x00,
                0x03, 0x18, 0x06, 0x00, 0x00, 0x00,
                0x7f, 0xff, 0x04, 0x00,
        };
        struct pb_dp_node n;
        struct pb_span uri;

        n = node_at(dp, sizeof dp, 0);
        ASSERT_EQ(pb_dp_get_uri(&n, &uri), 0);
        ASSERT_SPANEQ(uri, "ab");
        n = node_at(dp, sizeof dp, 1);
        ASSERT_EQ(pb_dp_get_uri(&n, &uri), -EBADMSG);
        n = node_at(dp, sizeof dp, 2);
        ASSERT_EQ(pb_dp_get_uri(&n, &uri), 0);
        ASSERT_EQ(uri.len, 0);
}

static void test_filepath_decoding(void) {
        static const uint8_t dp[] = {
                0x04, 0x04, 0x08, 0x00, 'a', 0x00, 'b', 0x00,           /* no NUL */
                0x04, 0x04, 0x0a, 0x00, 'a', 0x00, 0x00, 0xd8, 0x00, 0x00,  /* surrogate */
                0x04, 0x04, 0x07, 0x00, 'a', 0x00, 'b',                 /* odd */
                0x04, 0x04, 0x0a, 0x00, 'a', 0x00, 0x00, 0x00, 'b', 0x00,   /* text after the NUL */
                0x7f, 0xff, 0x04, 0x00,
        };
        struct pb_dp_node n;
        char path[16];

        n = node_at(dp, sizeof dp, 0);
        ASSERT_EQ(pb_dp_get_filepath(&n, path, sizeof path), 0);
        ASSERT_STREQ(path, "ab");
        n = node_at(dp, sizeof dp, 1);
        ASSERT_EQ(pb_dp_get_filepath(&n, path, sizeof path), -EILSEQ);
        n = node_at(dp, sizeof dp, 2);
        ASSERT_EQ(pb_dp_get_filepath(&n, path, sizeof path), -EBADMSG);
        n = node_at(dp, sizeof dp, 3);
        ASSERT_EQ(pb_dp_get_filepath(&n, path, sizeof path), 0);
        ASSERT_STREQ(path, "a");
        assert_text(dp, sizeof dp, "ab/MediaPath(4,610000D80000)/MediaPath(4,610062)/a");
}

static void test_encoder_limits(void) {
        static char big[70000];
        uint8_t buf[70000 + 64];
        uint8_t mac[33] = {};
        struct pb_writer w;
        struct pb_dp_mac m;
        struct pb_dp_node n;

        memset(big, 'a', sizeof big);

        /* The largest URI a u16 length can carry, then one more byte. */
        w = pb_writer_make(buf, sizeof buf);
        pb_dp_put_uri(&w, pb_span_make(big, 0xffff - 4));
        pb_dp_put_end(&w);
        ASSERT_EQ(pb_writer_status(&w), 0);
        ASSERT_EQ(pb_dp_validate(buf, w.len, NULL), 0);
        ASSERT_EQ(buf[2], 0xff);
        ASSERT_EQ(buf[3], 0xff);
        w = pb_writer_make(buf, sizeof buf);
        pb_dp_put_uri(&w, pb_span_make(big, 0xffff - 3));
        ASSERT_EQ(pb_writer_status(&w), -ENOBUFS);
        ASSERT_EQ(w.len, 0);

        w = pb_writer_make(buf, sizeof buf);
        pb_dp_put_vendor(&w, 1, 4, &initrd_media, (const uint8_t *) big, 0xffff - 20);
        ASSERT_EQ(pb_writer_status(&w), 0);
        pb_dp_put_vendor(&w, 1, 4, &initrd_media, (const uint8_t *) big, 0xffff - 19);
        ASSERT_EQ(pb_writer_status(&w), -ENOBUFS);

        w = pb_writer_make(buf, sizeof buf);
        /* 32764 characters + NUL = 65530 bytes + header: the largest that fits. */
        ASSERT_EQ(pb_dp_put_filepath(&w, pb_span_make(big, 32764)), 0);
        ASSERT_EQ(pb_dp_put_filepath(&w, pb_span_make(big, 32765)), -ENOBUFS);
        w = pb_writer_make(buf, sizeof buf);
        ASSERT_EQ(pb_dp_put_filepath(&w, S("a\xff")), -EILSEQ);
        ASSERT_EQ(w.len, 0);
        ASSERT_EQ(pb_writer_status(&w), 0);

        w = pb_writer_make(buf, sizeof buf);
        pb_dp_put_mac(&w, mac, 33, 1);
        ASSERT_EQ(pb_writer_status(&w), -ENOBUFS);
        w = pb_writer_make(buf, sizeof buf);
        memset(mac, 0xab, sizeof mac);
        pb_dp_put_mac(&w, mac, 32, 6);
        pb_dp_put_end(&w);
        n = node_at(buf, w.len, 0);
        ASSERT_EQ(pb_dp_get_mac(&n, &m), 0);
        ASSERT_EQ(m.addr_len, 32);
        ASSERT_EQ(m.if_type, 6);
        assert_text(buf, w.len, "MAC(ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB,0x6)");

        /* IfType 0 is shown as Ethernet, as edk2 does. */
        ASSERT_EQ(pb_dp_mac_addr_len(0), 6);
        ASSERT_EQ(pb_dp_mac_addr_len(1), 6);
        ASSERT_EQ(pb_dp_mac_addr_len(2), 32);
        w = pb_writer_make(buf, sizeof buf);
        pb_dp_put_mac(&w, mac, 6, 0);
        pb_dp_put_end(&w);
        assert_text(buf, w.len, "MAC(ABABABABABAB,0x0)");

        /* Writer too small: nothing beyond its size, status says so. */
        w = pb_writer_make(buf, 40);
        pb_dp_put_uri(&w, S("http://192.168.1.10/boot/grubx64.efi"));
        pb_dp_put_end(&w);
        ASSERT_EQ(pb_writer_status(&w), -ENOBUFS);
}

int main(void) {
        test_uri_vector();
        test_http_boot_path();
        test_hd_filepath();
        test_vendor();
        test_text_misc();
        test_text_errors();
        test_walk_errors();
        test_validate_list();
        test_decoder_lengths();
        test_ip_old_forms();
        test_ipv6_roundtrip();
        test_uri_decoding();
        test_filepath_decoding();
        test_encoder_limits();
        return 0;
}
