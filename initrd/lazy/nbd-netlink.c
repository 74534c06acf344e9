/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NBD_CMD_CONNECT over libmnl: resolve the family id (CTRL_CMD_GETFAMILY), then one request
 * whose reply names the device. One socket per call: it runs once per served image. */
#include "nbd-netlink.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/nbd-netlink.h>
#include <linux/nbd.h>
#include <string.h>

#include "cleanup-mnl.h"
#include "macro.h"
#include "netlink.h"

/* The GPT of a raw image is written for 512-byte sectors (as nbd-kernel.c). */
#define NBD_BLOCK_SIZE 512

/* Sends nlh and feeds replies to cb until the kernel's ack. */
static int transact(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data) {
        nlh->nlmsg_flags |= NLM_F_ACK;
        return netlink_transact(nl, nlh, cb, data);
}

static struct nlmsghdr *put_genl_header(char *buf, uint16_t type, uint8_t cmd, uint8_t version) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST;
        struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof *g);
        g->cmd = cmd;
        g->version = version;
        return nlh;
}

/* Finds the attribute of type want among a genetlink reply's top-level attributes. */
struct find_attr {
        uint16_t want;
        const struct nlattr *found;
};

static int find_attr_cb(const struct nlattr *attr, void *data) {
        struct find_attr *f = data;
        if (mnl_attr_get_type(attr) == f->want)
                f->found = attr;
        return MNL_CB_OK;
}

static int family_id_cb(const struct nlmsghdr *nlh, void *data) {
        struct find_attr f = { .want = CTRL_ATTR_FAMILY_ID };
        mnl_attr_parse(nlh, sizeof(struct genlmsghdr), find_attr_cb, &f);
        if (f.found && mnl_attr_validate(f.found, MNL_TYPE_U16) >= 0)
                *(int *) data = mnl_attr_get_u16(f.found);
        return MNL_CB_OK;
}

static int family_id(struct mnl_socket *nl) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = put_genl_header(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
        int id = -1, r;

        mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NBD_GENL_FAMILY_NAME);
        r = transact(nl, nlh, family_id_cb, &id);
        if (r < 0)
                return r;
        return id < 0 ? -ENOENT : id;
}

static int index_cb(const struct nlmsghdr *nlh, void *data) {
        struct find_attr f = { .want = NBD_ATTR_INDEX };
        mnl_attr_parse(nlh, sizeof(struct genlmsghdr), find_attr_cb, &f);
        if (f.found && mnl_attr_validate(f.found, MNL_TYPE_U32) >= 0)
                *(int64_t *) data = mnl_attr_get_u32(f.found);
        return MNL_CB_OK;
}

/* Opens a generic-netlink socket and resolves the nbd family: *ret_id. */
static int open_nbd_family(struct mnl_socket **ret, int *ret_id) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        int r = netlink_open(NETLINK_GENERIC, &nl);
        if (r < 0)
                return r;
        r = family_id(nl);
        if (r < 0)
                return r;
        *ret_id = r;
        *ret = TAKE_PTR(nl);
        return 0;
}

int nbd_netlink_connect(int sock, uint64_t size, bool read_only) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        char buf[MNL_SOCKET_BUFFER_SIZE];
        int64_t index = -1;
        int id, r;

        r = open_nbd_family(&nl, &id);
        if (r < 0)
                return r;

        struct nlmsghdr *nlh = put_genl_header(buf, (uint16_t) id, NBD_CMD_CONNECT, NBD_GENL_VERSION);
        /* No NBD_ATTR_INDEX: the kernel picks an unused device under its own lock (or adds one),
         * where a scan of ours could race with udev's probe opening it. */
        mnl_attr_put_u64(nlh, NBD_ATTR_SIZE_BYTES, size);
        mnl_attr_put_u64(nlh, NBD_ATTR_BLOCK_SIZE_BYTES, NBD_BLOCK_SIZE);
        mnl_attr_put_u64(nlh, NBD_ATTR_SERVER_FLAGS,
                         NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH | (read_only ? NBD_FLAG_READ_ONLY : 0));
        struct nlattr *socks = mnl_attr_nest_start(nlh, NBD_ATTR_SOCKETS);
        struct nlattr *item = mnl_attr_nest_start(nlh, NBD_SOCK_ITEM);
        mnl_attr_put_u32(nlh, NBD_SOCK_FD, (uint32_t) sock);
        mnl_attr_nest_end(nlh, item);
        mnl_attr_nest_end(nlh, socks);

        r = transact(nl, nlh, index_cb, &index);
        if (r < 0)
                return r;
        return index < 0 || index > INT32_MAX ? -EPROTO : (int) index;
}

int nbd_netlink_disconnect(int index) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        char buf[MNL_SOCKET_BUFFER_SIZE];
        int id, r;

        r = open_nbd_family(&nl, &id);
        if (r < 0)
                return r;
        struct nlmsghdr *nlh = put_genl_header(buf, (uint16_t) id, NBD_CMD_DISCONNECT, NBD_GENL_VERSION);
        mnl_attr_put_u32(nlh, NBD_ATTR_INDEX, (uint32_t) index);
        return transact(nl, nlh, NULL, NULL);
}
