/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "netinfo.h"

/*
 * Network bring-up in the initrd: pick the interface the firmware booted from (the MAC the stub
 * recorded in PullbootNetInfo, else the first Ethernet link with carrier), bring it up, and
 * configure IPv4 either with DHCP (klibc's ipconfig, bounded in time, on that interface only) or
 * with the address, route and DNS servers the firmware used (rtnetlink, no DHCP round trip).
 * Then /etc/resolv.conf is written.
 */

enum net_mode {
        NET_MODE_DHCP,      /* pullboot.net=dhcp (default) */
        NET_MODE_FIRMWARE,  /* pullboot.net=firmware */
        NET_MODE_NONE,      /* pullboot.net=none */
};

#define NET_IPCONFIG_PATH "/usr/lib/klibc/bin/ipconfig"
#define NET_RESOLV_CONF "/etc/resolv.conf"
#define NET_DEFAULT_DHCP_TIMEOUT_SEC 30
#define NET_DEFAULT_LINK_TIMEOUT_MS 10000

struct net_options {
        enum net_mode mode;
        const struct pb_netinfo *netinfo;  /* the stub's record, NULL if none */
        unsigned dhcp_timeout_sec;         /* 0: NET_DEFAULT_DHCP_TIMEOUT_SEC */
        unsigned link_timeout_ms;          /* wait for the interface and its carrier; 0: default */
        const char *ifname;                /* use this interface, no choice (tests, pullboot.iface=) */
        const char *ipconfig;              /* NULL: NET_IPCONFIG_PATH */
        const char *run_dir;               /* where ipconfig writes net-IFACE.conf; NULL: "/run" */
        const char *resolv_conf;           /* NULL: NET_RESOLV_CONF */
};

struct net_result {
        char ifname[IF_NAMESIZE];
        int ifindex;
        struct pb_netinfo addr;            /* the link's MAC, the IPv4 settings it got */
        char domain[256];                  /* DNS search domain from DHCP, "" if none */
};

/* "dhcp", "firmware", "none". 0 or -EINVAL. */
int net_mode_from_string(const char *s, enum net_mode *ret);
const char *net_mode_to_string(enum net_mode m);

/* The whole bring-up. Logs its own errors (what failed and what to check). -ETIMEDOUT when no
 * interface came up or DHCP got no answer in time, -ENODEV when no usable interface exists,
 * -ENODATA for pullboot.net=firmware without a firmware address. */
int net_setup(const struct net_options *o, struct net_result *ret);

/* Pieces, exposed for tests. */

struct net_link {
        int ifindex;
        char ifname[IF_NAMESIZE];
        uint8_t mac[6];
        bool ether;          /* ARPHRD_ETHER with a 6-byte address */
        bool up;             /* IFF_UP */
        bool carrier;        /* IFF_LOWER_UP and operational (IFLA_OPERSTATE up or unknown) */
};

#define NET_MAX_LINKS 64

/* rtnetlink (net-rtnl.c). */
int net_rtnl_list_links(struct net_link *links, unsigned max, unsigned *ret_n);
int net_rtnl_link_up(int ifindex);
int net_rtnl_add_address(int ifindex, const uint8_t ip[4], uint8_t prefix_len);
int net_rtnl_add_default_route(int ifindex, const uint8_t gateway[4]);

/* The candidate among links (net.c): the one with mac if given (NULL: none), else the first
 * Ethernet link with carrier. Returns the index into links, or -ENOENT. */
int net_pick_link(const struct net_link *links, unsigned n, const uint8_t *mac);

/* klibc ipconfig (net-ipconfig.c): runs it on ifname for at most timeout_sec and parses the
 * net-IFNAME.conf it writes below run_dir into ret (address, gateway, DNS, domain). */
int net_ipconfig_run(const char *ipconfig, const char *ifname, unsigned timeout_sec, const char *run_dir,
                     struct net_result *ret);
/* Parses ipconfig's shell-style conf text (IPV4ADDR='…' lines). -EBADMSG without an address. */
int net_ipconfig_parse(const char *text, struct net_result *ret);

/* resolv.conf content for the result; written atomically to path. */
int net_write_resolv_conf(const char *path, const struct net_result *r);
