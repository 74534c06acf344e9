/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "net.h"
#include "time-util.h"

#define POLL_MS 50

static const char *const mode_names[] = {
        [NET_MODE_DHCP] = "dhcp",
        [NET_MODE_FIRMWARE] = "firmware",
        [NET_MODE_NONE] = "none",
};

int net_mode_from_string(const char *s, enum net_mode *ret) {
        for (size_t i = 0; i < ELEMENTSOF(mode_names); i++)
                if (strcmp(s, mode_names[i]) == 0) {
                        *ret = (enum net_mode) i;
                        return 0;
                }
        return -EINVAL;
}

const char *net_mode_to_string(enum net_mode m) {
        return (unsigned) m < ELEMENTSOF(mode_names) ? mode_names[m] : "invalid";
}

static void format_ip(char *buf, size_t size, const uint8_t ip[4]) {
        snprintf(buf, size, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

static void format_mac(char *buf, size_t size, const uint8_t m[6]) {
        snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

int net_pick_link(const struct net_link *links, unsigned n, const uint8_t *mac) {
        for (unsigned i = 0; i < n; i++) {
                if (!links[i].ether)
                        continue;
                if (mac ? memcmp(links[i].mac, mac, 6) == 0 : links[i].carrier)
                        return (int) i;
        }
        return -ENOENT;
}

static int find_by_name(const struct net_link *links, unsigned n, const char *name) {
        for (unsigned i = 0; i < n; i++)
                if (strcmp(links[i].ifname, name) == 0)
                        return (int) i;
        return -ENOENT;
}

/* Links without carrier detection report no carrier while down, so to choose by carrier all
 * Ethernet links have to be up first. */
static void up_all(const struct net_link *links, unsigned n) {
        for (unsigned i = 0; i < n; i++)
                if ((links[i].ether || strcmp(links[i].ifname, "lo") == 0) && !links[i].up)
                        (void) net_rtnl_link_up(links[i].ifindex);
}

/* Waits until the wanted link exists (and, with need_carrier, has carrier) or the deadline passes.
 * The wanted link is named (ifname), has the MAC, or is the first Ethernet link with carrier. */
static int wait_link(const char *ifname, const uint8_t *mac, bool need_carrier, uint64_t deadline,
                     struct net_link *ret) {
        struct net_link links[NET_MAX_LINKS];
        unsigned n;
        bool upped = false;
        int r, i;

        for (;;) {
                r = net_rtnl_list_links(links, NET_MAX_LINKS, &n);
                if (r < 0)
                        return log_error_errno(r, "cannot list network interfaces over rtnetlink");
                if (!upped && !ifname && !mac) {
                        up_all(links, n);
                        upped = true;
                        continue;
                }
                i = ifname ? find_by_name(links, n, ifname) : net_pick_link(links, n, mac);
                if (i >= 0) {
                        if (!links[i].up) {
                                r = net_rtnl_link_up(links[i].ifindex);
                                if (r < 0)
                                        return log_error_errno(r, "cannot bring %s up", links[i].ifname);
                        }
                        if (!need_carrier || links[i].carrier) {
                                *ret = links[i];
                                return 0;
                        }
                }
                if (now_ms() >= deadline) {
                        if (i >= 0) {
                                *ret = links[i];
                                return -ENOLINK;
                        }
                        return -ENODEV;
                }
                (void) usleep(POLL_MS * 1000);
        }
}

static int choose_link(const struct net_options *o, struct net_link *ret) {
        unsigned timeout = o->link_timeout_ms ?: NET_DEFAULT_LINK_TIMEOUT_MS;
        uint64_t deadline = now_ms() + timeout;
        const uint8_t *mac = o->netinfo && o->netinfo->has_mac ? o->netinfo->mac : NULL;
        char m[32];
        int r;

        if (o->ifname) {
                r = wait_link(o->ifname, NULL, true, deadline, ret);
                if (r == -ENODEV)
                        return log_error_errno(r, "network interface %s (pullboot.iface=) did not appear within "
                                               "%u ms", o->ifname, timeout);
        } else if (mac) {
                format_mac(m, sizeof m, mac);
                r = wait_link(NULL, mac, true, deadline, ret);
                if (r == -ENODEV) {
                        /* The firmware's NIC may have no Linux driver in this initrd, or the MAC
                         * was rewritten; any cable that works is better than none. */
                        log_warning("no interface has the MAC %s the firmware booted from (is its driver "
                                    "in the initrd?); using the first interface with carrier", m);
                        r = wait_link(NULL, NULL, true, now_ms() + timeout, ret);
                }
        } else
                r = wait_link(NULL, NULL, true, deadline, ret);

        if (r == -ENOLINK)
                return log_error_errno(-ETIMEDOUT, "network interface %s has no carrier after %u ms "
                                       "(check the cable or the virtual switch)", ret->ifname, timeout);
        if (r == -ENODEV)
                return log_error_errno(r, "no Ethernet interface with carrier within %u ms (is the NIC "
                                       "driver in the initrd? check 'pullboot: modules loaded')", timeout);
        return r;
}

static int apply_firmware(const struct net_options *o, const struct net_link *l, struct net_result *res) {
        const struct pb_netinfo *ni = o->netinfo;
        char ip[32];
        int r;

        if (!ni || !ni->has_ipv4)
                return log_error_errno(-ENODATA, "pullboot.net=firmware, but the firmware recorded no IPv4 "
                                       "address (PullbootNetInfo); use pullboot.net=dhcp");
        /* The firmware's address, gateway and DNS servers; the MAC stays the link's. */
        res->addr = *ni;
        res->addr.has_mac = true;
        memcpy(res->addr.mac, l->mac, 6);

        format_ip(ip, sizeof ip, res->addr.ipv4);
        r = net_rtnl_add_address(l->ifindex, res->addr.ipv4, res->addr.prefix_len);
        if (r < 0)
                return log_error_errno(r, "cannot add address %s/%u to %s", ip, res->addr.prefix_len, l->ifname);
        if (res->addr.has_gateway) {
                format_ip(ip, sizeof ip, res->addr.gateway);
                r = net_rtnl_add_default_route(l->ifindex, res->addr.gateway);
                if (r < 0)
                        return log_error_errno(r, "cannot add default route via %s on %s", ip, l->ifname);
        }
        return 0;
}

int net_write_resolv_conf(const char *path, const struct net_result *r) {
        char buf[1024];
        size_t n = 0;

        n += (size_t) snprintf(buf + n, sizeof buf - n, "# written by pullboot from %s\n", r->ifname);
        if (r->domain[0])
                n += (size_t) snprintf(buf + n, sizeof buf - n, "search %s\n", r->domain);
        for (unsigned i = 0; i < r->addr.n_dns && n < sizeof buf; i++)
                n += (size_t) snprintf(buf + n, sizeof buf - n, "nameserver %u.%u.%u.%u\n",
                                       r->addr.dns[i][0], r->addr.dns[i][1], r->addr.dns[i][2], r->addr.dns[i][3]);
        if (n >= sizeof buf)
                return -ENOBUFS;
        return write_file_atomic(path, buf, n, 0644);
}

int net_setup(const struct net_options *o, struct net_result *ret) {
        struct net_link link;
        struct net_result res = {};
        const char *resolv = o->resolv_conf ?: NET_RESOLV_CONF;
        char ip[32], m[32];
        int r;

        if (o->mode == NET_MODE_NONE)
                return 0;

        /* Some clients and servers expect loopback; it costs one request. */
        if (if_nametoindex("lo") > 0)
                (void) net_rtnl_link_up((int) if_nametoindex("lo"));

        r = choose_link(o, &link);
        if (r < 0)
                return r;
        snprintf(res.ifname, sizeof res.ifname, "%s", link.ifname);
        res.ifindex = link.ifindex;
        res.addr.has_mac = true;
        memcpy(res.addr.mac, link.mac, 6);

        if (o->mode == NET_MODE_FIRMWARE)
                r = apply_firmware(o, &link, &res);
        else
                r = net_ipconfig_run(o->ipconfig ?: NET_IPCONFIG_PATH, link.ifname,
                                     o->dhcp_timeout_sec ?: NET_DEFAULT_DHCP_TIMEOUT_SEC, o->run_dir ?: "/run", &res);
        if (r < 0)
                return r;

        r = net_write_resolv_conf(resolv, &res);
        if (r < 0)
                log_warning_errno(r, "cannot write %s; name resolution may fail", resolv);

        format_ip(ip, sizeof ip, res.addr.ipv4);
        format_mac(m, sizeof m, res.addr.mac);
        log_info("%s (%s): %s/%u by %s, %u DNS server(s)", res.ifname, m, ip, res.addr.prefix_len,
                 o->mode == NET_MODE_FIRMWARE ? "firmware record" : "DHCP", res.addr.n_dns);
        if (ret)
                *ret = res;
        return 0;
}
