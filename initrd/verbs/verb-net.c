/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pullboot net`: the network step of `pullboot init` on its own, so it can be run and tested on
 * an ordinary host (in a network namespace). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-record.h"
#include "init-config.h"
#include "log.h"
#include "net.h"
#include "verb-args.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: pullboot net [OPTIONS...]\n"
               "\n"
               "Bring up the network as 'pullboot init' does: choose the interface the firmware\n"
               "booted from, then DHCP (klibc ipconfig) or the firmware's own address\n"
               "(pullboot.net=firmware), and write resolv.conf. Prints the result as\n"
               "'KEY=VALUE' lines: IFNAME, MAC, ADDRESS, GATEWAY, DNS.\n"
               "\n"
               "Options:\n"
               "  -h --help              show this help\n"
               "     --version           show the version\n"
               "     --cmdline STRING|@FILE\n"
               "                         kernel command line (default /proc/cmdline); reads\n"
               "                         pullboot.net=, pullboot.dhcp-timeout=, pullboot.link-timeout=,\n"
               "                         pullboot.iface=\n"
               "     --origin URL        accepted for symmetry with 'pullboot plan' (unused here)\n"
               "     --netinfo FILE      the firmware's network record as text (default: the\n"
               "                         PullbootNetInfo EFI variable)\n"
               "     --resolv-conf PATH  where to write resolv.conf (default /etc/resolv.conf)\n"
               "     --ipconfig PATH     DHCP client (default " NET_IPCONFIG_PATH ")\n"
               "\n"
               "Exit status: 0 network up (or pullboot.net=none), 1 failure, 2 invalid usage or\n"
               "invalid command line options.\n");
}

static void print_ip(const char *key, const uint8_t ip[4]) {
        printf("%s=%u.%u.%u.%u", key, ip[0], ip[1], ip[2], ip[3]);
}

int verb_net(int argc, char **argv) {
        enum { ARG_VERSION = VERB_ARG_VERSION, ARG_CMDLINE, ARG_ORIGIN, ARG_NETINFO, ARG_RESOLV, ARG_IPCONFIG };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "origin", required_argument, NULL, ARG_ORIGIN },
                { "netinfo", required_argument, NULL, ARG_NETINFO },
                { "resolv-conf", required_argument, NULL, ARG_RESOLV },
                { "ipconfig", required_argument, NULL, ARG_IPCONFIG },
                {}
        };
        const char *arg_cmdline = NULL, *arg_netinfo = NULL;
        _cleanup_free_ char *cmdline = NULL;
        struct net_options o = {};
        struct init_config cfg;
        struct pb_netinfo ni;
        _cleanup_(boot_record_done) struct boot_record boot = {};
        struct net_result res;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_CMDLINE:
                        arg_cmdline = optarg;
                        break;
                case ARG_ORIGIN:
                        break;
                case ARG_NETINFO:
                        arg_netinfo = optarg;
                        break;
                case ARG_RESOLV:
                        o.resolv_conf = optarg;
                        break;
                case ARG_IPCONFIG:
                        o.ipconfig = optarg;
                        break;
                default:
                        return verb_other_option(c, "net", help);
                }
        r = verb_no_arguments("net", argc, argv, optind);
        if (r != PB_EXIT_OK)
                return r;

        r = verb_read_cmdline(arg_cmdline, &cmdline);
        if (r != PB_EXIT_OK)
                return r;
        if (init_config_parse(cmdline, &cfg) < 0)
                return PB_EXIT_USAGE;
        if (!arg_netinfo && boot_record_read("", &boot) < 0)
                return PB_EXIT_FAILURE;
        r = init_config_load_netinfo(arg_netinfo, &boot, &ni);
        if (r < 0)
                return r == -EINVAL || arg_netinfo ? PB_EXIT_USAGE : PB_EXIT_FAILURE;

        o.mode = cfg.net_mode;
        o.netinfo = &ni;
        o.dhcp_timeout_sec = cfg.dhcp_timeout_sec;
        o.link_timeout_ms = cfg.link_timeout_ms;
        o.ifname = cfg.ifname[0] ? cfg.ifname : NULL;

        if (cfg.net_mode == NET_MODE_NONE) {
                printf("IFNAME=\n");
                return PB_EXIT_OK;
        }
        r = net_setup(&o, &res);
        if (r < 0)
                return PB_EXIT_FAILURE;

        printf("IFNAME=%s\nMAC=%02x:%02x:%02x:%02x:%02x:%02x\n", res.ifname, res.addr.mac[0], res.addr.mac[1], res.addr.mac[2],
               res.addr.mac[3], res.addr.mac[4], res.addr.mac[5]);
        print_ip("ADDRESS", res.addr.ipv4);
        printf("/%u\n", res.addr.prefix_len);
        if (res.addr.has_gateway) {
                print_ip("GATEWAY", res.addr.gateway);
                printf("\n");
        }
        for (unsigned i = 0; i < res.addr.n_dns; i++) {
                print_ip("DNS", res.addr.dns[i]);
                printf("\n");
        }
        return fflush(stdout) == 0 ? PB_EXIT_OK : PB_EXIT_FAILURE;
}
