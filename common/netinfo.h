/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"

/*
 * The boot NIC record the stub writes (PullbootNetInfo) and the initrd reads: UTF-8 text,
 * one "key=value" per line, unknown keys ignored by readers so the format can grow:
 *   mac=52:54:00:12:34:56
 *   ipv4=10.0.2.15/24
 *   gateway=10.0.2.2
 *   dns=10.0.2.3            (repeatable, up to PB_NETINFO_MAX_DNS)
 *   origin=dhcp|static      (how the firmware configured the address)
 */

#define PB_NETINFO_MAX_DNS 4

struct pb_netinfo {
        bool has_mac;
        uint8_t mac[6];
        bool has_ipv4;
        uint8_t ipv4[4];
        uint8_t prefix_len;
        bool has_gateway;
        uint8_t gateway[4];
        unsigned n_dns;
        uint8_t dns[PB_NETINFO_MAX_DNS][4];
        bool ipv4_static;         /* origin=static */
};

/* Serializes to text (NUL-terminated). */
int pb_netinfo_format(const struct pb_netinfo *ni, char *buf, size_t size);
/* Parses text; malformed values of known keys are -EINVAL with diag; unknown keys are skipped. */
int pb_netinfo_parse(struct pb_span text, struct pb_netinfo *ret, struct pb_diag *diag);

/* Helpers shared with the URL and plan code. */
int pb_parse_ipv4(struct pb_span s, uint8_t ret[4]);
int pb_parse_mac(struct pb_span s, uint8_t ret[6]);   /* aa:bb:cc:dd:ee:ff */
void pb_format_ipv4(struct pb_writer *w, const uint8_t ip[4]);
void pb_format_mac(struct pb_writer *w, const uint8_t mac[6]);
