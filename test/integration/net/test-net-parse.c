/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure parts of network bring-up and init's configuration: ipconfig's lease file, the choice
 * of interface, the kernel command line options, and the mapping of failure actions. */
#include <errno.h>
#include <stdlib.h>

#include "failure.h"
#include "init-config.h"
#include "net.h"
#include "test.h"

static void test_ipconfig_parse(void) {
        /* As klibc ipconfig writes /run/net-eth0.conf. */
        static const char conf[] =
                "DEVICE='eth0'\n"
                "PROTO='dhcp'\n"
                "IPV4ADDR='10.0.2.15'\n"
                "IPV4BROADCAST='10.0.2.255'\n"
                "IPV4NETMASK='255.255.254.0'\n"
                "IPV4GATEWAY='10.0.2.2'\n"
                "IPV4DNS0='10.0.2.3'\n"
                "IPV4DNS1='0.0.0.0'\n"
                "HOSTNAME=''\n"
                "DNSDOMAIN='example.test'\n"
                "ROOTSERVER='10.0.2.2'\n";
        struct net_result r = {};

        ASSERT_EQ(net_ipconfig_parse(conf, &r), 0);
        ASSERT_MEMEQ(r.addr.ipv4, ((uint8_t[]) { 10, 0, 2, 15 }), 4);
        ASSERT_EQ(r.addr.prefix_len, 23);
        ASSERT_TRUE(r.addr.has_gateway);
        ASSERT_MEMEQ(r.addr.gateway, ((uint8_t[]) { 10, 0, 2, 2 }), 4);
        ASSERT_EQ(r.addr.n_dns, 1);   /* 0.0.0.0 means "none" */
        ASSERT_MEMEQ(r.addr.dns[0], ((uint8_t[]) { 10, 0, 2, 3 }), 4);
        ASSERT_STREQ(r.domain, "example.test");

        /* Unquoted values, no gateway, no netmask (a /24 is assumed). */
        r = (struct net_result) {};
        ASSERT_EQ(net_ipconfig_parse("IPV4ADDR=192.168.1.9\nIPV4GATEWAY=0.0.0.0\n", &r), 0);
        ASSERT_EQ(r.addr.prefix_len, 24);
        ASSERT_TRUE(!r.addr.has_gateway);
        ASSERT_EQ(r.addr.n_dns, 0);

        r = (struct net_result) {};
        ASSERT_EQ(net_ipconfig_parse("DEVICE='eth0'\n", &r), -EBADMSG);            /* no address */
        ASSERT_EQ(net_ipconfig_parse("IPV4ADDR='0.0.0.0'\n", &r), -EBADMSG);
        ASSERT_EQ(net_ipconfig_parse("IPV4ADDR='10.0.0.300'\n", &r), -EBADMSG);
        ASSERT_EQ(net_ipconfig_parse("IPV4ADDR='10.0.0.3'\nIPV4NETMASK='255.0.255.0'\n", &r), -EBADMSG);
        ASSERT_EQ(net_ipconfig_parse("", &r), -EBADMSG);
}

static void test_pick_link(void) {
        struct net_link links[] = {
                { .ifindex = 1, .ifname = "lo", .up = true, .carrier = true },
                { .ifindex = 2, .ifname = "eth0", .ether = true, .mac = { 2, 0, 0, 0, 0, 1 } },
                { .ifindex = 3, .ifname = "eth1", .ether = true, .carrier = true, .mac = { 2, 0, 0, 0, 0, 2 } },
                { .ifindex = 4, .ifname = "eth2", .ether = true, .carrier = true, .mac = { 2, 0, 0, 0, 0, 3 } },
        };
        uint8_t want[6] = { 2, 0, 0, 0, 0, 3 }, none[6] = { 2, 0, 0, 0, 0, 9 }, first[6] = { 2, 0, 0, 0, 0, 1 };

        ASSERT_EQ(net_pick_link(links, 4, NULL), 2);     /* first Ethernet link with carrier */
        ASSERT_EQ(net_pick_link(links, 4, want), 3);     /* the recorded MAC wins */
        ASSERT_EQ(net_pick_link(links, 4, first), 1);    /* ...even without carrier yet */
        ASSERT_EQ(net_pick_link(links, 4, none), -ENOENT);
        ASSERT_EQ(net_pick_link(links, 2, NULL), -ENOENT);
}

static void test_init_config(void) {
        struct init_config c;

        ASSERT_EQ(init_config_parse("root=gpt-auto quiet", &c), 0);
        ASSERT_EQ(c.net_mode, NET_MODE_DHCP);
        ASSERT_EQ(c.dhcp_timeout_sec, NET_DEFAULT_DHCP_TIMEOUT_SEC);
        ASSERT_EQ(c.link_timeout_ms, NET_DEFAULT_LINK_TIMEOUT_MS);
        ASSERT_EQ(c.failure, FAILURE_DEFAULT);
        ASSERT_STREQ(c.ifname, "");
        ASSERT_STREQ(c.init, "");

        ASSERT_EQ(init_config_parse("pullboot.net=firmware pullboot.dhcp-timeout=7 pullboot.link-timeout=3 "
                                    "pullboot.iface=enp1s0 pullboot.failure=poweroff init=/usr/lib/systemd/systemd",
                                    &c), 0);
        ASSERT_EQ(c.net_mode, NET_MODE_FIRMWARE);
        ASSERT_EQ(c.dhcp_timeout_sec, 7);
        ASSERT_EQ(c.link_timeout_ms, 3000);
        ASSERT_STREQ(c.ifname, "enp1s0");
        ASSERT_EQ(c.failure, FAILURE_POWEROFF);
        ASSERT_STREQ(c.init, "/usr/lib/systemd/systemd");

        /* rd. forms count; the last one wins; arguments after "--" belong to init. */
        ASSERT_EQ(init_config_parse("pullboot.net=dhcp rd.pullboot.net=none -- pullboot.net=firmware", &c), 0);
        ASSERT_EQ(c.net_mode, NET_MODE_NONE);
        ASSERT_EQ(init_config_parse("pullboot.dhcp_timeout=5", &c), 0);   /* '_' and '-' are equal */
        ASSERT_EQ(c.dhcp_timeout_sec, 5);

        ASSERT_EQ(init_config_parse("pullboot.net=wifi", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.net", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.dhcp-timeout=0", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.dhcp-timeout=5s", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.dhcp-timeout=99999", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.failure=panic", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.iface=averyveryverylongname", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("init=sbin/init", &c), -EINVAL);
}

static void test_failure_actions(void) {
        enum failure_action a;

        ASSERT_EQ(failure_action_from_string(pb_span_from_str("shell"), &a), 0);
        ASSERT_EQ(a, FAILURE_SHELL);
        ASSERT_EQ(failure_action_from_string(pb_span_from_str("halt"), &a), 0);
        ASSERT_EQ(a, FAILURE_HALT);
        ASSERT_EQ(failure_action_from_string(pb_span_from_str("continue"), &a), -EINVAL);
        ASSERT_EQ(failure_action_from_string(pb_span_from_str("default"), &a), -EINVAL);

        ASSERT_EQ(failure_action_from_emergency(PB_ACTION_NONE), FAILURE_CONTINUE);
        ASSERT_EQ(failure_action_from_emergency(PB_ACTION_EXIT), FAILURE_CONTINUE);
        ASSERT_EQ(failure_action_from_emergency(PB_ACTION_INVALID), FAILURE_CONTINUE);
        ASSERT_EQ(failure_action_from_emergency(PB_ACTION_REBOOT_FORCE), FAILURE_REBOOT);
        ASSERT_EQ(failure_action_from_emergency(PB_ACTION_SOFT_REBOOT), FAILURE_REBOOT);
        ASSERT_EQ(failure_action_from_emergency(PB_ACTION_POWEROFF_IMMEDIATE), FAILURE_POWEROFF);
        ASSERT_EQ(failure_action_from_emergency(PB_ACTION_HALT), FAILURE_HALT);

        ASSERT_EQ(failure_action_resolve(FAILURE_DEFAULT, "/bin/sh"), FAILURE_SHELL);
        ASSERT_EQ(failure_action_resolve(FAILURE_DEFAULT, "/nonexistent/sh"), FAILURE_HALT);
        ASSERT_EQ(failure_action_resolve(FAILURE_REBOOT, "/bin/sh"), FAILURE_REBOOT);
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        ASSERT_TRUE(f);
        fputs(text, f);
        ASSERT_EQ(fclose(f), 0);
}

/* dracut's /etc/cmdline.d: options built into the initrd, inserted before init's "--". */
static void test_cmdline_d(void) {
        char dir[] = "/tmp/test-cmdline-d-XXXXXX", p[256];
        char *c = NULL;

        ASSERT_TRUE(mkdtemp(dir));
        ASSERT_EQ(init_config_read_cmdline("root=gpt-auto -- single", dir, &c), 0);
        ASSERT_STREQ(c, "root=gpt-auto -- single");     /* no .conf files: unchanged */
        free(c);

        snprintf(p, sizeof p, "%s/20-net.conf", dir);
        write_file(p, "# a comment\npullboot.net=none\n");
        snprintf(p, sizeof p, "%s/10-root.conf", dir);
        write_file(p, "root=tmpfs pullboot.failure=halt\n");
        snprintf(p, sizeof p, "%s/ignored.txt", dir);
        write_file(p, "pullboot.net=dhcp\n");

        ASSERT_EQ(init_config_read_cmdline("root=gpt-auto quiet -- single x=1", dir, &c), 0);
        ASSERT_STREQ(c, "root=gpt-auto quiet root=tmpfs pullboot.failure=halt pullboot.net=none -- single x=1");
        free(c);
        ASSERT_EQ(init_config_read_cmdline("root=gpt-auto quiet\n", dir, &c), 0);
        ASSERT_STREQ(c, "root=gpt-auto quiet root=tmpfs pullboot.failure=halt pullboot.net=none\n");
        struct init_config cfg;
        ASSERT_EQ(init_config_parse(c, &cfg), 0);
        ASSERT_EQ(cfg.net_mode, NET_MODE_NONE);
        ASSERT_EQ(cfg.failure, FAILURE_HALT);
        free(c);
        /* A "--" inside a value is not the separator. */
        ASSERT_EQ(init_config_read_cmdline("a=b-- c", dir, &c), 0);
        ASSERT_STREQ(c, "a=b-- c root=tmpfs pullboot.failure=halt pullboot.net=none");
        free(c);

        snprintf(p, sizeof p, "rm -rf '%s'", dir);
        ASSERT_EQ(system(p), 0);
}

int main(void) {
        test_cmdline_d();
        test_ipconfig_parse();
        test_pick_link();
        test_init_config();
        test_failure_actions();
        return 0;
}
