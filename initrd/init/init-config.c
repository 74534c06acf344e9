/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "boot-record.h"
#include "fileio.h"
#include "init-config.h"
#include "log.h"
#include "size.h"
#include "url.h"

#define CMDLINE_MAX (1024 * 1024)
#define NETINFO_MAX (64 * 1024)

static int get(const char *cmdline, const char *key, char *buf, size_t size) {
        struct pb_cmdline_arg arg;
        int r = pb_cmdline_get(pb_span_from_str(cmdline), key, PB_CMDLINE_IN_INITRD, &arg);
        if (r <= 0)
                return 0;
        if (!arg.has_value || pb_span_copy(arg.value, buf, size) < 0) {
                log_error("kernel command line: %s needs a value of at most %zu bytes", key, size - 1);
                return -EINVAL;
        }
        return 1;
}

static int get_seconds(const char *cmdline, const char *key, unsigned max, unsigned *ret) {
        char v[32], *end;
        int r = get(cmdline, key, v, sizeof v);
        if (r <= 0)
                return r;
        errno = 0;
        unsigned long n = strtoul(v, &end, 10);
        if (!v[0] || *end || errno || n == 0 || n > max) {
                log_error("kernel command line: %s=%s: expected whole seconds, 1..%u", key, v, max);
                return -EINVAL;
        }
        *ret = (unsigned) n;
        return 1;
}

/* pullboot.jitter= (the last wins) and every pullboot.mirror=, in order. */
static int parse_fleet(const char *cmdline, struct init_fleet_config *f) {
        struct pb_cmdline_iter it;
        struct pb_cmdline_arg arg;
        char v[32], *end;
        int r = get(cmdline, "pullboot.jitter", v, sizeof v);
        if (r < 0)
                return r;
        if (r > 0) {
                errno = 0;
                unsigned long n = strtoul(v, &end, 10);
                if (!v[0] || *end || errno || v[0] == '-' || n > 3600) {
                        log_error("kernel command line: pullboot.jitter=%s: expected whole seconds, 0..3600", v);
                        return -EINVAL;
                }
                f->jitter_sec = (unsigned) n;
        }
        pb_cmdline_iter_init(&it, pb_span_from_str(cmdline));
        while (pb_cmdline_next(&it, &arg) > 0) {
                if (!pb_cmdline_key_matches(&arg, "pullboot.mirror", PB_CMDLINE_IN_INITRD))
                        continue;
                if (f->n_mirrors >= INIT_CONFIG_MAX_MIRRORS) {
                        log_error("kernel command line: more than %d pullboot.mirror= options", INIT_CONFIG_MAX_MIRRORS);
                        return -EINVAL;
                }
                char *m = f->mirrors[f->n_mirrors];
                if (!arg.has_value || pb_span_copy(arg.value, m, INIT_CONFIG_URL_MAX) < 0 ||
                    !pb_url_is_valid(pb_span_from_str(m)) || strpbrk(m, "?#")) {
                        log_error("kernel command line: pullboot.mirror=%.*s: expected an http, https or file base URL "
                                  "(at most %d bytes, without ? or #)", (int) arg.value.len, arg.value.ptr ?: "",
                                  INIT_CONFIG_URL_MAX - 1);
                        return -EINVAL;
                }
                f->n_mirrors++;
        }
        return 0;
}

int init_config_parse(const char *cmdline, struct init_config *c) {
        char v[INIT_CONFIG_PATH_MAX];
        unsigned sec;
        int r;

        *c = (struct init_config) {
                .net_mode = NET_MODE_DHCP,
                .dhcp_timeout_sec = NET_DEFAULT_DHCP_TIMEOUT_SEC,
                .link_timeout_ms = NET_DEFAULT_LINK_TIMEOUT_MS,
                .failure = FAILURE_DEFAULT,
        };

        r = get(cmdline, "pullboot.net", v, sizeof v);
        if (r < 0)
                return r;
        if (r > 0 && net_mode_from_string(v, &c->net_mode) < 0) {
                log_error("kernel command line: pullboot.net=%s: expected dhcp, firmware or none", v);
                return -EINVAL;
        }
        r = get_seconds(cmdline, "pullboot.dhcp-timeout", 3600, &c->dhcp_timeout_sec);
        if (r < 0)
                return r;
        r = get_seconds(cmdline, "pullboot.link-timeout", 3600, &sec);
        if (r < 0)
                return r;
        if (r > 0)
                c->link_timeout_ms = sec * 1000;
        r = get(cmdline, "pullboot.iface", c->ifname, sizeof c->ifname);
        if (r < 0)
                return r;
        r = get(cmdline, "pullboot.failure", v, sizeof v);
        if (r < 0)
                return r;
        if (r > 0 && failure_action_from_string(pb_span_from_str(v), &c->failure) < 0) {
                log_error("kernel command line: pullboot.failure=%s: expected shell, reboot, poweroff or halt", v);
                return -EINVAL;
        }
        r = get(cmdline, "pullboot.max-memory", v, sizeof v);
        if (r < 0)
                return r;
        if (r > 0 && (parse_size(v, &c->pull_max_memory) < 0 || c->pull_max_memory < 1024 * 1024)) {
                log_error("kernel command line: pullboot.max-memory=%s: expected at least 1M bytes, optionally "
                          "with K, M, G or T", v);
                return -EINVAL;
        }
        r = get(cmdline, "pullboot.allow-insecure-redirect", v, sizeof v);
        if (r < 0)
                return r;
        if (r > 0) {
                int b = pb_parse_boolean(pb_span_from_str(v));
                if (b < 0) {
                        log_error("kernel command line: pullboot.allow-insecure-redirect=%s: expected yes or no", v);
                        return -EINVAL;
                }
                c->allow_insecure_redirect = b > 0;
        }
        r = parse_fleet(cmdline, &c->fleet);
        if (r < 0)
                return r;
        /* init= is the kernel's own option; it is not rd.-prefixed. */
        struct pb_cmdline_arg arg;
        if (pb_cmdline_get(pb_span_from_str(cmdline), "init", 0, &arg) > 0) {
                if (pb_span_copy(arg.value, c->init, sizeof c->init) < 0 || c->init[0] != '/') {
                        log_error("kernel command line: init= needs an absolute path");
                        return -EINVAL;
                }
        }
        return 0;
}

int init_config_load_netinfo(const char *file, const struct boot_record *boot, struct pb_netinfo *ret) {
        _cleanup_free_ char *text = NULL;
        struct pb_diag d = {};
        size_t size = 0;
        int r;

        *ret = (struct pb_netinfo) {};
        if (file) {
                r = read_full_file(file, NETINFO_MAX, &text, &size);
                if (r < 0)
                        return log_error_errno(r, "cannot read the firmware's network record from %s", file);
        } else if (!boot || !boot->netinfo)
                return 0;

        r = pb_netinfo_parse(file ? pb_span_make(text, size) : pb_span_make(boot->netinfo, boot->netinfo_size), ret, &d);
        if (r < 0) {
                log_error("%s: '%.*s': %s", file ?: "PullbootNetInfo", (int) d.where.len,
                          d.where.ptr ? d.where.ptr : "", d.reason ?: "malformed");
                *ret = (struct pb_netinfo) {};
                return -EINVAL;
        }
        return 0;
}

/* Appends the *.conf files of dir (sorted, '#' lines dropped) to the options of cmdline, before
 * a "--" that starts init's arguments. */
static int append_confd(const char *dir, char **cmdline) {
        _cleanup_free_ char *extra = NULL, *joined = NULL;
        size_t n_extra = 0;
        glob_t g;
        char pattern[4096];

        snprintf(pattern, sizeof pattern, "%s/*.conf", dir);
        if (glob(pattern, 0, NULL, &g) != 0)
                return 0;
        for (size_t i = 0; i < g.gl_pathc; i++) {
                _cleanup_free_ char *text = NULL;
                if (read_full_file(g.gl_pathv[i], CMDLINE_MAX, &text, NULL) < 0) {
                        log_warning("cannot read %s, ignoring it", g.gl_pathv[i]);
                        continue;
                }
                for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                        if (line[0] == '#')
                                continue;
                        char *m = realloc(extra, n_extra + strlen(line) + 2);
                        if (!m) {
                                globfree(&g);
                                return -ENOMEM;
                        }
                        extra = m;
                        n_extra += (size_t) sprintf(extra + n_extra, " %s", line);
                }
        }
        globfree(&g);
        if (!extra)
                return 0;

        /* Kernel options end at a bare "--"; what follows is init's. Insert before it. */
        struct pb_cmdline_iter it;
        const char *end = *cmdline + strlen(*cmdline), *split;
        pb_cmdline_iter_init(&it, pb_span_make(*cmdline, (size_t) (end - *cmdline)));
        for (;;) {
                split = it.pos ? it.pos : end;
                if (pb_cmdline_next(&it, NULL) <= 0)
                        break;
        }
        const char *prefix_end = split;
        while (prefix_end > *cmdline && (prefix_end[-1] == ' ' || prefix_end[-1] == '\t' || prefix_end[-1] == '\n'))
                prefix_end--;
        /* Without "--" only the trailing whitespace (/proc/cmdline's newline) follows the options. */
        if (split >= end)
                split = prefix_end;
        if (asprintf(&joined, "%.*s%s%s%s", (int) (prefix_end - *cmdline), *cmdline, extra,
                     *split && *split != '\n' ? " " : "", split) < 0)
                return -ENOMEM;
        free(*cmdline);
        *cmdline = TAKE_PTR(joined);
        return 0;
}

int init_config_read_cmdline(const char *arg, const char *confd, char **ret) {
        int r;

        if (arg)
                r = read_string_or_at_file(arg, CMDLINE_MAX, ret);
        else
                r = read_full_file("/proc/cmdline", CMDLINE_MAX, ret, NULL);
        if (r < 0)
                return log_error_errno(r, "cannot read the kernel command line from %s",
                                       arg ? (arg[0] == '@' ? arg + 1 : "--cmdline") : "/proc/cmdline");
        if (confd) {
                r = append_confd(confd, ret);
                if (r < 0)
                        return log_error_errno(r, "cannot add the options of %s", confd);
        }
        return 0;
}
