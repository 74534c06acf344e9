/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "failure.h"
#include "net.h"
#include "netinfo.h"

/*
 * pullboot's own kernel command line options (the rd.-prefixed forms count too):
 *   pullboot.net=dhcp|firmware|none     how to configure the network (default dhcp)
 *   pullboot.dhcp-timeout=SECONDS        bound for DHCP (default 30)
 *   pullboot.link-timeout=SECONDS        bound for the NIC and its carrier to appear (default 10)
 *   pullboot.iface=NAME                  use this interface instead of choosing one
 *   pullboot.failure=shell|reboot|poweroff|halt
 *   pullboot.max-memory=SIZE             what decompressing a pulled image may use (K, M, G, T)
 *   pullboot.allow-insecure-redirect=BOOL let https image URLs redirect to plain http (default no)
 *   pullboot.jitter=SECONDS              wait a random 0..SECONDS before the first request (fleets)
 *   pullboot.mirror=BASEURL              another server with the images at the same paths (repeatable)
 *   init=PATH                            the system's init in the new root
 * Invalid values are errors: a typo must not silently pick another behaviour.
 */

#define INIT_CONFIG_PATH_MAX 4096
#define INIT_CONFIG_MAX_MIRRORS 15
#define INIT_CONFIG_URL_MAX 1024

/* Fleet-scale pulls (docs/fleet.md). */
struct init_fleet_config {
        unsigned jitter_sec;             /* 0 when not given */
        char mirrors[INIT_CONFIG_MAX_MIRRORS][INIT_CONFIG_URL_MAX]; /* in command line order */
        size_t n_mirrors;
};

struct init_config {
        enum net_mode net_mode;
        unsigned dhcp_timeout_sec;
        unsigned link_timeout_ms;
        char ifname[IF_NAMESIZE];        /* "" when not given */
        enum failure_action failure;     /* FAILURE_DEFAULT when not given */
        uint64_t pull_max_memory;        /* 0 when not given: the pull engine's default */
        char init[INIT_CONFIG_PATH_MAX]; /* "" when not given */
        bool allow_insecure_redirect;
        struct init_fleet_config fleet;
};

/* 0, or -EINVAL after logging which option was wrong. */
int init_config_parse(const char *cmdline, struct init_config *ret);

struct boot_record;

/* The stub's NIC record, from file (text, as in the variable) or, when file is NULL, from the
 * boot record's PullbootNetInfo (boot may be NULL: none). 0 and *ret filled; 0 and *ret zeroed
 * when there is none; -EINVAL (logged) when the record is malformed. */
int init_config_load_netinfo(const char *file, const struct boot_record *boot, struct pb_netinfo *ret);

/* Reads the kernel command line from arg (STRING or @FILE) or /proc/cmdline. With confd (PID 1:
 * INIT_CONFIG_CMDLINE_D), the options in confd/\*.conf are added, as dracut does: a way to build
 * options into the initrd (sorted by name; '#' lines are comments; later options win). Logs errors. */
#define INIT_CONFIG_CMDLINE_D "/etc/cmdline.d"
int init_config_read_cmdline(const char *arg, const char *confd, char **ret);
