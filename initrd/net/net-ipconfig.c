/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DHCP through klibc's ipconfig, the client initramfs-tools uses: small, static-ish, and it
 * configures the interface itself and leaves its lease in /run/net-IFACE.conf. We bound its run
 * time twice: with its own -t and with a kill after that, so a stuck client cannot hang the boot. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "net.h"
#include "time-util.h"

#define CONF_MAX (64 * 1024)
/* Grace after ipconfig's own timeout before we kill it. */
#define KILL_GRACE_MS 2000

static int parse_ip(const char *s, uint8_t ret[4]) {
        return pb_parse_ipv4(pb_span_from_str(s), ret);
}

static bool ip_is_zero(const uint8_t ip[4]) {
        return (ip[0] | ip[1] | ip[2] | ip[3]) == 0;
}

static int netmask_to_prefix(const uint8_t m[4], uint8_t *ret) {
        uint32_t v = (uint32_t) m[0] << 24 | (uint32_t) m[1] << 16 | (uint32_t) m[2] << 8 | m[3];
        uint8_t n = 0;

        while (n < 32 && (v & (UINT32_C(1) << (31 - n))))
                n++;
        if (n < 32 && (v << n) != 0)
                return -EINVAL;   /* not contiguous */
        *ret = n;
        return 0;
}

/* One KEY='value' (or KEY=value) line: value copied without the quotes. */
static bool conf_value(const char *line, const char *key, char *buf, size_t size) {
        size_t k = strlen(key), n;

        if (strncmp(line, key, k) != 0 || line[k] != '=')
                return false;
        line += k + 1;
        n = strcspn(line, "\n");
        if (n >= 2 && line[0] == '\'' && line[n - 1] == '\'') {
                line++;
                n -= 2;
        }
        if (n >= size)
                n = size - 1;
        memcpy(buf, line, n);
        buf[n] = '\0';
        return true;
}

int net_ipconfig_parse(const char *text, struct net_result *ret) {
        bool have_addr = false;
        uint8_t mask[4] = { 255, 255, 255, 0 };
        char v[256];

        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                uint8_t ip[4];

                if (conf_value(line, "IPV4ADDR", v, sizeof v)) {
                        if (parse_ip(v, ret->addr.ipv4) < 0)
                                return -EBADMSG;
                        have_addr = true;
                } else if (conf_value(line, "IPV4NETMASK", v, sizeof v)) {
                        if (parse_ip(v, mask) < 0)
                                return -EBADMSG;
                } else if (conf_value(line, "IPV4GATEWAY", v, sizeof v)) {
                        if (parse_ip(v, ip) == 0 && !ip_is_zero(ip)) {
                                memcpy(ret->addr.gateway, ip, 4);
                                ret->addr.has_gateway = true;
                        }
                } else if (conf_value(line, "IPV4DNS0", v, sizeof v) || conf_value(line, "IPV4DNS1", v, sizeof v)) {
                        if (parse_ip(v, ip) == 0 && !ip_is_zero(ip) && ret->addr.n_dns < PB_NETINFO_MAX_DNS)
                                memcpy(ret->addr.dns[ret->addr.n_dns++], ip, 4);
                } else if (conf_value(line, "DNSDOMAIN", v, sizeof v)) {
                        snprintf(ret->domain, sizeof ret->domain, "%s", v);
                }
        }
        if (!have_addr || ip_is_zero(ret->addr.ipv4))
                return -EBADMSG;
        if (netmask_to_prefix(mask, &ret->addr.prefix_len) < 0)
                return -EBADMSG;
        ret->addr.has_ipv4 = true;
        return 0;
}

static int wait_bounded(pid_t pid, uint64_t deadline_ms, int *ret_status) {
        for (;;) {
                pid_t w = waitpid(pid, ret_status, WNOHANG);
                if (w == pid)
                        return 0;
                if (w < 0 && errno != EINTR)
                        return -errno;
                if (now_ms() >= deadline_ms) {
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, ret_status, 0);
                        return -ETIMEDOUT;
                }
                (void) usleep(20 * 1000);
        }
}

int net_ipconfig_run(const char *ipconfig, const char *ifname, unsigned timeout_sec, const char *run_dir,
                     struct net_result *ret) {
        char timeout[16], conf[4096];
        _cleanup_free_ char *text = NULL;
        int status = 0, r;

        snprintf(timeout, sizeof timeout, "%u", timeout_sec);
        snprintf(conf, sizeof conf, "%s/net-%s.conf", run_dir, ifname);
        /* A lease file from an earlier attempt must not pass for this one's result. */
        (void) unlink(conf);

        if (access(ipconfig, X_OK) < 0)
                return log_error_errno(-errno, "cannot run the DHCP client %s (pullboot-mkinitrd includes it; "
                                       "or boot with pullboot.net=firmware)", ipconfig);

        pid_t pid = fork();
        if (pid < 0)
                return log_error_errno(-errno, "cannot start %s", ipconfig);
        if (pid == 0) {
                /* Its chatter goes with our messages; our stdout may be a verb's result. */
                (void) dup2(STDERR_FILENO, STDOUT_FILENO);
                execl(ipconfig, ipconfig, "-t", timeout, "-c", "dhcp", "-d", ifname, (char *) NULL);
                _exit(127);
        }

        r = wait_bounded(pid, now_ms() + (uint64_t) timeout_sec * 1000 + KILL_GRACE_MS, &status);
        if (r == -ETIMEDOUT)
                return log_error_errno(r, "no DHCP answer on %s within %u s (check the DHCP server and the "
                                       "cable, or raise pullboot.dhcp-timeout=)", ifname, timeout_sec);
        if (r < 0)
                return log_error_errno(r, "cannot wait for %s", ipconfig);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                        return log_error_errno(-ENOEXEC, "cannot execute %s", ipconfig);
                return log_error_errno(-ETIMEDOUT, "no DHCP lease on %s within %u s (check that a DHCP server "
                                       "answers on that network, or raise pullboot.dhcp-timeout=)",
                                       ifname, timeout_sec);
        }

        r = read_full_file(conf, CONF_MAX, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "DHCP client finished but left no %s", conf);
        r = net_ipconfig_parse(text, ret);
        if (r < 0)
                return log_error_errno(r, "cannot understand the lease in %s", conf);
        return 0;
}
