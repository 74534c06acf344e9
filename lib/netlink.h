/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>

/* A netlink socket of bus (NETLINK_ROUTE, NETLINK_GENERIC, ...), bound to a port the kernel picks. */
int netlink_open(int bus, struct mnl_socket **ret);

/* Sends nlh as it is (NLM_F_ACK or NLM_F_DUMP are the caller's), with a fresh sequence number,
 * and reads the replies until the ack or NLMSG_DONE, handing data messages to cb (may be NULL).
 * Negative errno, also for an error the kernel acks with. */
int netlink_transact(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
