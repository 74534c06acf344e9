/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The few rtnetlink requests the initrd needs, over libmnl: list links, set one up, add an IPv4
 * address and a default route. Each call opens its own socket: they run a handful of times per
 * boot, and no state outlives a call. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if_arp.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "cleanup-mnl.h"
#include "macro.h"
#include "net.h"
#include "netlink.h"

/* linux/if.h has it but clashes with net/if.h, which net.h needs. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
/* RFC 2863 operational states as IFLA_OPERSTATE reports them (linux/if.h, same reason). */
enum { OPER_UNKNOWN = 0, OPER_UP = 6 };

/* One request on a route netlink socket of its own: replies until the ack (or, for dumps,
 * NLMSG_DONE) go to cb. */
static int transact(struct nlmsghdr *nlh, mnl_cb_t cb, void *data) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        int r = netlink_open(NETLINK_ROUTE, &nl);
        if (r < 0)
                return r;
        return netlink_transact(nl, nlh, cb, data);
}

struct link_list {
        struct net_link *links;
        unsigned max, n;
};

static int link_attr_cb(const struct nlattr *attr, void *data) {
        const struct nlattr **tb = data;
        int type = mnl_attr_get_type(attr);

        if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
                return MNL_CB_OK;
        tb[type] = attr;
        return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data) {
        struct link_list *list = data;
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *tb[IFLA_MAX + 1] = {};

        if (list->n >= list->max)
                return MNL_CB_OK;
        mnl_attr_parse(nlh, sizeof *ifi, link_attr_cb, tb);

        struct net_link *l = &list->links[list->n];
        *l = (struct net_link) {
                .ifindex = ifi->ifi_index,
                .up = ifi->ifi_flags & IFF_UP,
        };
        /* Carrier counts once the kernel's link watch has also made the link operational
         * (OPER_UP): before that its queue discipline drops what we send, and the DHCP
         * client's first packet would be lost, costing it a retransmission second. Drivers
         * without operstate support report OPER_UNKNOWN; then the flag decides. */
        uint8_t oper = tb[IFLA_OPERSTATE] ? mnl_attr_get_u8(tb[IFLA_OPERSTATE]) : OPER_UNKNOWN;
        l->carrier = (ifi->ifi_flags & IFF_LOWER_UP) && (oper == OPER_UP || oper == OPER_UNKNOWN);
        if (tb[IFLA_IFNAME]) {
                const char *name = mnl_attr_get_str(tb[IFLA_IFNAME]);
                size_t len = strnlen(name, IF_NAMESIZE - 1);
                memcpy(l->ifname, name, len);
                l->ifname[len] = '\0';
        }
        if (ifi->ifi_type == ARPHRD_ETHER && tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
                memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
                l->ether = true;
        }
        list->n++;
        return MNL_CB_OK;
}

int net_rtnl_list_links(struct net_link *links, unsigned max, unsigned *ret_n) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct link_list list = { .links = links, .max = max };
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        int r;

        nlh->nlmsg_type = RTM_GETLINK;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        struct rtgenmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof *rt);
        rt->rtgen_family = AF_PACKET;

        r = transact(nlh, link_cb, &list);
        if (r < 0)
                return r;
        *ret_n = list.n;
        return 0;
}

int net_rtnl_link_up(int ifindex) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

        nlh->nlmsg_type = RTM_NEWLINK;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        ifi->ifi_flags = IFF_UP;
        ifi->ifi_change = IFF_UP;
        return transact(nlh, NULL, NULL);
}

int net_rtnl_add_address(int ifindex, const uint8_t ip[4], uint8_t prefix_len) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        uint32_t addr, bcast;

        if (prefix_len > 32)
                return -EINVAL;
        memcpy(&addr, ip, 4);
        bcast = addr | htonl(prefix_len == 32 ? 0 : (UINT32_MAX >> prefix_len));

        nlh->nlmsg_type = RTM_NEWADDR;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
        ifa->ifa_family = AF_INET;
        ifa->ifa_prefixlen = prefix_len;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = (unsigned) ifindex;
        mnl_attr_put_u32(nlh, IFA_LOCAL, addr);
        mnl_attr_put_u32(nlh, IFA_ADDRESS, addr);
        if (prefix_len < 31)
                mnl_attr_put_u32(nlh, IFA_BROADCAST, bcast);
        return transact(nlh, NULL, NULL);
}

int net_rtnl_add_default_route(int ifindex, const uint8_t gateway[4]) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        uint32_t gw;

        memcpy(&gw, gateway, 4);
        nlh->nlmsg_type = RTM_NEWROUTE;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
        rtm->rtm_family = AF_INET;
        rtm->rtm_dst_len = 0;
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_STATIC;
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
        rtm->rtm_type = RTN_UNICAST;
        mnl_attr_put_u32(nlh, RTA_GATEWAY, gw);
        mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t) ifindex);
        return transact(nlh, NULL, NULL);
}
