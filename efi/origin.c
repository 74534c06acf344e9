/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "devpath.h"
#include "stub.h"

/*
 * Where did the firmware load us from? Everything comes from the device path of the loaded
 * image's DeviceHandle. For HTTP boot edk2 builds it as
 *   PciRoot(0x0)/Pci(0x3,0x0)/MAC(525400123456,0x1)/IPv4(10.0.2.15,...)/Uri(http://...)
 * and for a disk as .../HD(1,GPT,<partuuid>,...). The firmware's IPv4 configuration of the NIC
 * (address, gateway, DNS) lives in EFI_IP4_CONFIG2_PROTOCOL on the NIC's handle, the closest
 * ancestor of DeviceHandle that carries it.
 */

#define IP4_CONFIG2_PROTOCOL_GUID \
        { 0x5b446ed1, 0xe30b, 0x4faa, { 0x87, 0x1a, 0x36, 0x54, 0xec, 0xa3, 0x60, 0x80 } }

enum {
        IP4_CONFIG2_INTERFACE_INFO = 0,
        IP4_CONFIG2_POLICY = 1,
        IP4_CONFIG2_MANUAL_ADDRESS = 2,
        IP4_CONFIG2_GATEWAY = 3,
        IP4_CONFIG2_DNS_SERVER = 4,
};

struct ip4_config2_protocol;
typedef EFI_STATUS (EFIAPI *ip4_config2_get_data)(struct ip4_config2_protocol *this, UINT32 data_type,
                                                  UINTN *data_size, void *data);
struct ip4_config2_protocol {
        void *set_data;
        ip4_config2_get_data get_data;
        void *register_notify;
        void *unregister_notify;
};

struct ip4_route {
        uint8_t subnet[4], mask[4], gateway[4];
};

struct ip4_interface_info {
        CHAR16 name[32];
        uint8_t if_type;
        uint32_t hw_address_size;
        uint8_t hw_address[32];
        uint8_t station[4];
        uint8_t subnet_mask[4];
        uint32_t route_table_size;
        struct ip4_route *route_table;
};

/* Device paths are bounded by the firmware, but a sane upper limit keeps the walk finite even if
 * a path is missing its End node. */
#define DEVICE_PATH_MAX (64u * 1024u)

static bool ip_is_zero(const uint8_t ip[4]) {
        return (ip[0] | ip[1] | ip[2] | ip[3]) == 0;
}

static uint8_t mask_to_prefix(const uint8_t mask[4]) {
        uint8_t n = 0;
        for (unsigned i = 0; i < 4; i++)
                for (int b = 7; b >= 0 && (mask[i] >> b) & 1; b--)
                        n++;
        return n;
}

/* Asks the firmware's IPv4 configuration of the NIC; fills only what it knows. */
static void read_ip4_config2(EFI_DEVICE_PATH *dp, struct pb_netinfo *ni) {
        EFI_GUID guid = IP4_CONFIG2_PROTOCOL_GUID;
        struct ip4_config2_protocol *cfg = NULL;
        struct ip4_interface_info *info = NULL;
        EFI_DEVICE_PATH *rest = dp;
        EFI_HANDLE nic = NULL;
        uint8_t addrs[16][4];
        UINTN size = 0;

        if (PB_BS->LocateDevicePath(&guid, &rest, &nic) != EFI_SUCCESS ||
            PB_BS->HandleProtocol(nic, &guid, (void **) &cfg) != EFI_SUCCESS || !cfg)
                return;

        /* InterfaceInfo is followed by its route table in the same buffer, so ask for the size. */
        if (cfg->get_data(cfg, IP4_CONFIG2_INTERFACE_INFO, &size, NULL) == EFI_BUFFER_TOO_SMALL &&
            size >= sizeof *info && (info = stub_alloc(size))) {
                if (cfg->get_data(cfg, IP4_CONFIG2_INTERFACE_INFO, &size, info) == EFI_SUCCESS) {
                        if (!ni->has_mac && info->hw_address_size == 6) {
                                ni->has_mac = true;
                                pb_memcpy(ni->mac, info->hw_address, 6);
                        }
                        if (!ip_is_zero(info->station)) {
                                ni->has_ipv4 = true;
                                pb_memcpy(ni->ipv4, info->station, 4);
                                ni->prefix_len = mask_to_prefix(info->subnet_mask);
                        }
                        for (uint32_t i = 0; info->route_table && i < info->route_table_size; i++) {
                                const struct ip4_route *r = &info->route_table[i];
                                if (ip_is_zero(r->subnet) && ip_is_zero(r->mask) && !ip_is_zero(r->gateway)) {
                                        ni->has_gateway = true;
                                        pb_memcpy(ni->gateway, r->gateway, 4);
                                        break;
                                }
                        }
                }
                stub_free(info);
        }

        size = sizeof addrs;
        if (!ni->has_gateway &&
            cfg->get_data(cfg, IP4_CONFIG2_GATEWAY, &size, addrs) == EFI_SUCCESS && size >= 4 &&
            !ip_is_zero(addrs[0])) {
                ni->has_gateway = true;
                pb_memcpy(ni->gateway, addrs[0], 4);
        }

        size = sizeof addrs;
        if (cfg->get_data(cfg, IP4_CONFIG2_DNS_SERVER, &size, addrs) == EFI_SUCCESS)
                for (size_t i = 0; i < size / 4 && ni->n_dns < PB_NETINFO_MAX_DNS; i++)
                        if (!ip_is_zero(addrs[i]))
                                pb_memcpy(ni->dns[ni->n_dns++], addrs[i], 4);
}

void stub_origin_discover(EFI_HANDLE device, struct stub_origin *ret) {
        EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
        EFI_DEVICE_PATH *dp = NULL;
        struct pb_dp_node node;
        const uint8_t *p;
        size_t size;

        pb_memset(ret, 0, sizeof *ret);
        if (!device || PB_BS->HandleProtocol(device, &dp_guid, (void **) &dp) != EFI_SUCCESS || !dp)
                return;
        size = stub_device_path_size(dp, DEVICE_PATH_MAX);
        if (size == 0) {
                log_info("boot device path is malformed; not recording the boot origin");
                return;
        }
        p = (const uint8_t *) dp;

        if (pb_dp_find(p, size, PB_DP_TYPE_MESSAGING, PB_DP_MSG_URI, &node) > 0) {
                struct pb_span uri;
                /* The spec does not require a NUL (edk2 adds one): cut at the first NUL if any,
                 * else take the whole node payload. */
                if (pb_dp_get_uri(&node, &uri) == 0 && uri.len > 0) {
                        size_t n = pb_strnlen(uri.ptr, uri.len);
                        if (n > 0) {
                                ret->has_url = true;
                                ret->url = pb_span_make(uri.ptr, n);
                        }
                }
        }

        if (pb_dp_find(p, size, PB_DP_TYPE_MEDIA, PB_DP_MEDIA_HD, &node) > 0) {
                struct pb_dp_hd hd;
                if (pb_dp_get_hd(&node, &hd) == 0 && hd.mbr_type == 2 && hd.signature_type == 2) {
                        ret->has_part_uuid = true;
                        pb_memcpy(ret->part_uuid, hd.signature, 16);
                }
        }

        /* The NIC: only meaningful when we came over the network. */
        if (pb_dp_find(p, size, PB_DP_TYPE_MESSAGING, PB_DP_MSG_MAC, &node) > 0) {
                struct pb_netinfo *ni = &ret->net;
                struct pb_dp_mac mac;
                struct pb_dp_ipv4 ip;

                if (pb_dp_get_mac(&node, &mac) == 0 && mac.addr_len == 6) {
                        ni->has_mac = true;
                        pb_memcpy(ni->mac, mac.addr, 6);
                }

                read_ip4_config2(dp, ni);

                /* The IPv4 node edk2 adds for HTTP boot says how the address was obtained, and
                 * fills in what the NIC's configuration protocol did not tell us. */
                if (pb_dp_find(p, size, PB_DP_TYPE_MESSAGING, PB_DP_MSG_IPV4, &node) > 0 &&
                    pb_dp_get_ipv4(&node, &ip) == 0) {
                        ni->ipv4_static = ip.static_ip;
                        if (!ni->has_ipv4 && !ip_is_zero(ip.local)) {
                                ni->has_ipv4 = true;
                                pb_memcpy(ni->ipv4, ip.local, 4);
                                ni->prefix_len = mask_to_prefix(ip.subnet_mask);
                        }
                        if (!ni->has_gateway && !ip_is_zero(ip.gateway)) {
                                ni->has_gateway = true;
                                pb_memcpy(ni->gateway, ip.gateway, 4);
                        }
                }
                ret->has_net = ni->has_mac;
        }
}
