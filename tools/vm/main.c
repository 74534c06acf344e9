/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel.h"
#include "config.h"
#include "firmware.h"
#include "httpd.h"
#include "log.h"
#include "qemu.h"
#include "size.h"
#include "supervise.h"
#include "tls.h"
#include "vm.h"

static void help(void) {
        printf("Usage: pullboot-vm [OPTIONS...] [--serve DIR | --url-base URL] --boot NAME.efi\n"
               "       pullboot-vm [OPTIONS...] --disk FILE\n"
               "\n"
               "Boot a UKI over UEFI HTTP boot in QEMU+OVMF and report whether the guest's console\n"
               "showed what was expected.\n"
               "\n"
               "  --serve DIR          serve DIR over HTTP on 127.0.0.1 (the guest sees 10.0.2.2)\n"
               "  --url-base URL       use an existing server instead (as the guest reaches it)\n"
               "  --boot NAME          file to HTTP-boot, relative to the served directory/URL base\n"
               "  --expect REGEX       success once the console matched it (repeatable: all must match)\n"
               "  --fail REGEX         failure as soon as the console matches it (repeatable)\n"
               "  --timeout SEC        give up after SEC seconds (default 300; exit 124)\n"
               "  --secure-boot        OVMF with Secure Boot and Debian's snakeoil keys\n"
               "  --memory MiB         guest memory (default 2048)\n"
               "  --nics N             number of NICs (default 1)\n"
               "  --boot-nic K         the NIC (1-based) the firmware may boot from; the others are\n"
               "                       invisible to the firmware but visible to the OS\n"
               "  --disk FILE          attach FILE as a raw virtio disk (repeatable, in order: vda, vdb,\n"
               "                       ...); without --boot the firmware boots from the first one\n"
               "  --data-disk FILE     a --disk that is never booted from (outside the boot order)\n"
               "  --vars FILE          persistent variable store (created from the template if absent)\n"
               "  --log FILE           write the console and events to FILE instead of stdout\n"
               "  --timestamps         prefix every line with the seconds since start\n"
               "  --accel auto|kvm|tcg accelerator (auto: KVM if it really works here, else TCG)\n"
               "  --reboots N          guest reboots allowed before the run ends (default 0)\n"
               "  --port PORT          with --serve: listen on PORT (default: a free one)\n"
               "  --drop-after BYTES[:COUNT]\n"
               "                       with --serve: cut the first COUNT (default 1) responses larger\n"
               "                       than BYTES after BYTES bytes (tests resume)\n"
               "  --tls                with --serve: serve HTTPS with a throwaway CA and a server\n"
               "                       certificate for 10.0.2.2 made now; the CA is enrolled in the\n"
               "                       firmware (TlsCaCertificate)\n"
               "  --tls-ca-out FILE    with --tls: also write the throwaway CA certificate to FILE\n"
               "  --tls-cert PEM       with --serve: serve HTTPS with this certificate (chain) ...\n"
               "  --tls-key PEM        ... and this key\n"
               "  --tls-ca PEM         enroll these CA certificates in the firmware's TlsCaCertificate\n"
               "                       (default with --tls-cert: the --tls-cert file)\n"
               "  --qemu-arg ARG       extra QEMU argument (repeatable)\n"
               "  -h --help            show this help\n"
               "     --version         show the version\n"
               "\n"
               "Exit status: 0 all --expect matched (or the guest powered off, without --expect),\n"
               "1 a --fail pattern matched, the guest stopped without a match, or QEMU failed,\n"
               "2 invalid usage, 124 timeout. See pullboot-vm(1).\n");
}

/* A number option from min to max; logs "OPT takes UNITmin to max" otherwise (unit: "" or, say,
 * "seconds from "). */
static int parse_range(const char *opt, const char *arg, const char *unit, uint64_t min, uint64_t max, uint64_t *ret) {
        if (parse_decimal(arg, max, ret) < 0 || *ret < min)
                return log_error("%s takes %s%" PRIu64 " to %" PRIu64 ", not '%s'", opt, unit, min, max, arg), -EINVAL;
        return 0;
}

static int add_pattern(regex_t *re, const char **src, unsigned *n, const char *opt, const char *s) {
        if (*n >= VM_MAX_PATTERNS) {
                log_error("too many %s patterns (at most %d)", opt, VM_MAX_PATTERNS);
                return -E2BIG;
        }
        int r = regcomp(&re[*n], s, REG_EXTENDED | REG_NOSUB);
        if (r != 0) {
                char msg[256];
                regerror(r, &re[*n], msg, sizeof msg);
                log_error("%s '%s' is not a valid extended regular expression: %s", opt, s, msg);
                return -EINVAL;
        }
        src[(*n)++] = s;
        return 0;
}

enum {
        ARG_SERVE = 0x100, ARG_URL_BASE, ARG_BOOT, ARG_EXPECT, ARG_FAIL, ARG_TIMEOUT, ARG_SECURE_BOOT,
        ARG_MEMORY, ARG_NICS, ARG_BOOT_NIC, ARG_DISK, ARG_DATA_DISK, ARG_VARS, ARG_LOG, ARG_TIMESTAMPS, ARG_ACCEL,
        ARG_REBOOTS, ARG_DROP_AFTER, ARG_QEMU_ARG, ARG_PORT, ARG_VERSION, ARG_TLS, ARG_TLS_CA_OUT,
        ARG_TLS_CERT, ARG_TLS_KEY, ARG_TLS_CA,
};

static int parse_argv(int argc, char **argv, struct vm_config *cfg) {
        static const struct option options[] = {
                { "serve", required_argument, NULL, ARG_SERVE },
                { "url-base", required_argument, NULL, ARG_URL_BASE },
                { "boot", required_argument, NULL, ARG_BOOT },
                { "expect", required_argument, NULL, ARG_EXPECT },
                { "fail", required_argument, NULL, ARG_FAIL },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "secure-boot", no_argument, NULL, ARG_SECURE_BOOT },
                { "memory", required_argument, NULL, ARG_MEMORY },
                { "nics", required_argument, NULL, ARG_NICS },
                { "boot-nic", required_argument, NULL, ARG_BOOT_NIC },
                { "disk", required_argument, NULL, ARG_DISK },
                { "data-disk", required_argument, NULL, ARG_DATA_DISK },
                { "vars", required_argument, NULL, ARG_VARS },
                { "log", required_argument, NULL, ARG_LOG },
                { "timestamps", no_argument, NULL, ARG_TIMESTAMPS },
                { "accel", required_argument, NULL, ARG_ACCEL },
                { "reboots", required_argument, NULL, ARG_REBOOTS },
                { "drop-after", required_argument, NULL, ARG_DROP_AFTER },
                { "qemu-arg", required_argument, NULL, ARG_QEMU_ARG },
                { "port", required_argument, NULL, ARG_PORT },
                { "tls", no_argument, NULL, ARG_TLS },
                { "tls-ca-out", required_argument, NULL, ARG_TLS_CA_OUT },
                { "tls-cert", required_argument, NULL, ARG_TLS_CERT },
                { "tls-key", required_argument, NULL, ARG_TLS_KEY },
                { "tls-ca", required_argument, NULL, ARG_TLS_CA },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        uint64_t v;
        int c;

        *cfg = (struct vm_config) { .timeout_sec = 300, .memory_mib = 2048, .nics = 1 };
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("pullboot-vm %s\n", PULLBOOT_VERSION);
                        return 0;
                case ARG_SERVE:
                        cfg->serve_dir = optarg;
                        break;
                case ARG_URL_BASE:
                        cfg->url_base = optarg;
                        break;
                case ARG_BOOT:
                        cfg->boot = optarg;
                        break;
                case ARG_EXPECT:
                        if (add_pattern(cfg->expect, cfg->expect_src, &cfg->n_expect, "--expect", optarg) < 0)
                                return -EINVAL;
                        break;
                case ARG_FAIL:
                        if (add_pattern(cfg->fail, cfg->fail_src, &cfg->n_fail, "--fail", optarg) < 0)
                                return -EINVAL;
                        break;
                case ARG_TIMEOUT:
                        if (parse_range("--timeout", optarg, "seconds from ", 1, 86400, &v) < 0)
                                return -EINVAL;
                        cfg->timeout_sec = (unsigned) v;
                        break;
                case ARG_SECURE_BOOT:
                        cfg->secure_boot = true;
                        break;
                case ARG_MEMORY:
                        if (parse_range("--memory", optarg, "MiB from ", 128, 65536, &v) < 0)
                                return -EINVAL;
                        cfg->memory_mib = (unsigned) v;
                        break;
                case ARG_NICS:
                        if (parse_range("--nics", optarg, "", 0, VM_MAX_NICS, &v) < 0)
                                return -EINVAL;
                        cfg->nics = (unsigned) v;
                        break;
                case ARG_BOOT_NIC:
                        if (parse_range("--boot-nic", optarg, "", 1, VM_MAX_NICS, &v) < 0)
                                return -EINVAL;
                        cfg->boot_nic = (unsigned) v;
                        break;
                case ARG_DISK:
                case ARG_DATA_DISK:
                        if (cfg->n_disks >= VM_MAX_DISKS)
                                return log_error("too many --disk/--data-disk options (at most %d)", VM_MAX_DISKS),
                                       -E2BIG;
                        cfg->disk_bootable[cfg->n_disks] = c == ARG_DISK;
                        cfg->disks[cfg->n_disks++] = optarg;
                        break;
                case ARG_VARS:
                        cfg->vars_template = optarg;
                        cfg->keep_vars = true;
                        break;
                case ARG_LOG:
                        cfg->log_path = optarg;
                        break;
                case ARG_TIMESTAMPS:
                        cfg->timestamps = true;
                        break;
                case ARG_ACCEL:
                        if (strcmp(optarg, "auto") == 0)
                                cfg->accel = VM_ACCEL_AUTO;
                        else if (strcmp(optarg, "kvm") == 0)
                                cfg->accel = VM_ACCEL_KVM;
                        else if (strcmp(optarg, "tcg") == 0)
                                cfg->accel = VM_ACCEL_TCG;
                        else
                                return log_error("--accel takes auto, kvm or tcg, not '%s'", optarg), -EINVAL;
                        break;
                case ARG_REBOOTS:
                        if (parse_range("--reboots", optarg, "", 0, 100, &v) < 0)
                                return -EINVAL;
                        cfg->reboots = (unsigned) v;
                        break;
                case ARG_DROP_AFTER: {
                        char *colon = strchr(optarg, ':');
                        uint64_t count = 1;
                        if (colon) {
                                *colon = 0;
                                if (parse_decimal(colon + 1, 1000, &count) < 0)
                                        return log_error("--drop-after: COUNT must be 0 to 1000"), -EINVAL;
                        }
                        if (parse_decimal(optarg, UINT64_MAX, &v) < 0 || v == 0)
                                return log_error("--drop-after takes BYTES[:COUNT] with BYTES > 0"), -EINVAL;
                        cfg->drop_after = v;
                        cfg->drop_count = (unsigned) count;
                        break;
                }
                case ARG_PORT:
                        if (parse_range("--port", optarg, "", 1, 65535, &v) < 0)
                                return -EINVAL;
                        cfg->port = (uint16_t) v;
                        break;
                case ARG_TLS:
                        cfg->tls = true;
                        break;
                case ARG_TLS_CA_OUT:
                        cfg->tls_ca_out = optarg;
                        break;
                case ARG_TLS_CERT:
                        cfg->tls_cert = optarg;
                        break;
                case ARG_TLS_KEY:
                        cfg->tls_key = optarg;
                        break;
                case ARG_TLS_CA:
                        cfg->tls_ca = optarg;
                        break;
                case ARG_QEMU_ARG:
                        if (cfg->n_extra_args >= ELEMENTSOF(cfg->extra_args))
                                return log_error("too many --qemu-arg options"), -E2BIG;
                        cfg->extra_args[cfg->n_extra_args++] = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        }
        if (optind < argc)
                return log_error("unexpected argument '%s'; see --help", argv[optind]), -EINVAL;
        if (cfg->serve_dir && cfg->url_base)
                return log_error("--serve and --url-base exclude each other: serve a directory or use a server"), -EINVAL;
        if (cfg->boot && !cfg->serve_dir && !cfg->url_base)
                return log_error("--boot needs --serve DIR or --url-base URL to say where NAME comes from"), -EINVAL;
        bool boot_disk = false;
        for (unsigned i = 0; i < cfg->n_disks; i++)
                boot_disk = boot_disk || cfg->disk_bootable[i];
        if (!cfg->boot && !boot_disk && !cfg->keep_vars)
                return log_error("nothing to boot: give --boot NAME.efi (with --serve or --url-base), --disk FILE, "
                                 "or a --vars FILE with boot entries"), -EINVAL;
        if (cfg->port && !cfg->serve_dir)
                return log_error("--port only applies to the embedded server (--serve)"), -EINVAL;
        if (cfg->boot && cfg->nics == 0)
                return log_error("--boot needs at least one NIC (--nics)"), -EINVAL;
        if (cfg->boot_nic > cfg->nics)
                return log_error("--boot-nic %u, but there are only %u NICs", cfg->boot_nic, cfg->nics), -EINVAL;
        if (cfg->drop_after && !cfg->serve_dir)
                return log_error("--drop-after only applies to the embedded server (--serve)"), -EINVAL;
        if (!cfg->tls_cert != !cfg->tls_key)
                return log_error("--tls-cert and --tls-key go together: the server needs its certificate and "
                                 "its key"), -EINVAL;
        if ((cfg->tls || cfg->tls_cert) && !cfg->serve_dir)
                return log_error("--tls and --tls-cert apply to the embedded server (--serve); for another "
                                 "server, enroll its CA with --tls-ca"), -EINVAL;
        if (cfg->tls && cfg->tls_cert)
                return log_error("--tls makes its own certificate; leave out --tls-cert/--tls-key, or --tls"), -EINVAL;
        if (cfg->tls && cfg->tls_ca)
                return log_error("--tls enrolls its throwaway CA; --tls-ca only goes with --tls-cert or "
                                 "--url-base"), -EINVAL;
        if (cfg->tls_ca_out && !cfg->tls)
                return log_error("--tls-ca-out writes the CA --tls makes; it needs --tls"), -EINVAL;
        if (cfg->tls_cert && !cfg->tls_ca)
                cfg->tls_ca = cfg->tls_cert;
        return 1;
}

static const char *outcome_text(enum vm_outcome o) {
        switch (o) {
        case VM_OUTCOME_MATCHED:
                return "the expected output appeared";
        case VM_OUTCOME_FAIL_PATTERN:
                return "a failure pattern matched";
        case VM_OUTCOME_POWERED_OFF:
                return "the guest powered off";
        case VM_OUTCOME_REBOOTED:
                return "the guest rebooted";
        case VM_OUTCOME_TIMEOUT:
                return "timed out";
        case VM_OUTCOME_INTERRUPTED:
                return "interrupted";
        default:
                return "QEMU failed";
        }
}

/* The server's certificate and key for --tls or --tls-cert; sets *ca_path to the CA to enroll. */
static int prepare_tls(struct vm_config *cfg, struct console *con, const char *rundir, struct tls_material *m,
                       char *ca_buf, size_t ca_size) {
        int r;

        if (cfg->tls_cert)
                return tls_material_load(cfg->tls_cert, cfg->tls_key, m);
        if (!cfg->tls)
                return 0;
        if (cfg->tls_ca_out)
                snprintf(ca_buf, ca_size, "%s", cfg->tls_ca_out);
        else
                snprintf(ca_buf, ca_size, "%s/tls-ca.pem", rundir);
        r = tls_material_make_throwaway(ca_buf, m);
        if (r < 0)
                return r;
        cfg->tls_ca = ca_buf;
        console_printf(con, "made a throwaway CA (%s) and a server certificate for 10.0.2.2", ca_buf);
        return 0;
}

static int run(struct vm_config *cfg, struct console *con, const char *rundir, int sigfd) {
        struct firmware fw;
        struct httpd *httpd = NULL;
        _cleanup_(tls_material_done) struct tls_material tls = {};
        char url_base[256], url[512], vars[PATH_MAX], ca_path[PATH_MAX];
        bool kvm = false;
        int r;

        r = firmware_find(cfg->secure_boot, &fw);
        if (r < 0)
                return VM_EXIT_FAILED;
        if (cfg->secure_boot)
                console_printf(con, "Secure Boot firmware %s with variables from %s", fw.code, fw.vars_template);

        if (cfg->accel != VM_ACCEL_TCG) {
                const char *why = NULL;
                kvm = kvm_usable(&why);
                if (!kvm && cfg->accel == VM_ACCEL_KVM) {
                        log_error("--accel kvm: KVM does not work here (%s); use --accel tcg or auto", why);
                        return VM_EXIT_FAILED;
                }
                if (!kvm)
                        console_printf(con, "KVM unusable (%s), using TCG", why);
        }

        if (prepare_tls(cfg, con, rundir, &tls, ca_path, sizeof ca_path) < 0)
                return VM_EXIT_FAILED;

        if (cfg->serve_dir) {
                char never_cut[512];
                snprintf(never_cut, sizeof never_cut, "/%s", cfg->boot ?: "");
                struct httpd_options ho = {
                        .root = cfg->serve_dir,
                        .drop_after = cfg->drop_after,
                        .drop_count = cfg->drop_count,
                        .port = cfg->port,
                        .never_cut = never_cut,
                        .tls_cert_pem = tls.cert_pem,
                        .tls_key_pem = tls.key_pem,
                };
                r = httpd_start(&ho, con, &httpd);
                if (r < 0) {
                        if (r == -EPROTO)
                                log_error("cannot serve '%s' over HTTPS on 127.0.0.1: the TLS library refused "
                                          "the certificate or key (do --tls-cert and --tls-key belong together?), "
                                          "or the port is in use", cfg->serve_dir);
                        else if (r == -EADDRINUSE && cfg->port)
                                log_error("cannot serve '%s': 127.0.0.1:%u is in use; pick another --port or "
                                          "leave it out for a free one", cfg->serve_dir, cfg->port);
                        else
                                log_error_errno(r, "cannot serve '%s' on 127.0.0.1", cfg->serve_dir);
                        return VM_EXIT_FAILED;
                }
                snprintf(url_base, sizeof url_base, "%s://10.0.2.2:%u", tls.cert_pem ? "https" : "http",
                         httpd_port(httpd));
                cfg->url_base = url_base;
                console_printf(con, "serving %s on 127.0.0.1:%u%s (guest: %s)", cfg->serve_dir, httpd_port(httpd),
                               tls.cert_pem ? " over HTTPS" : "", url_base);
        }
        url[0] = 0;
        if (cfg->boot) {
                const char *base = cfg->url_base;
                size_t n = strlen(base);
                snprintf(url, sizeof url, "%s%s%s", base, n > 0 && base[n - 1] == '/' ? "" : "/", cfg->boot);
                console_printf(con, "boot URL %s", url);
        }

        if (cfg->keep_vars) {
                struct stat st;
                snprintf(vars, sizeof vars, "%s", cfg->vars_template);
                if (stat(vars, &st) < 0)
                        r = firmware_prepare_vars(fw.vars_template, vars, url[0] ? url : NULL);
                else
                        r = firmware_prepare_vars(vars, vars, url[0] ? url : NULL);
        } else {
                snprintf(vars, sizeof vars, "%s/vars.fd", rundir);
                r = firmware_prepare_vars(fw.vars_template, vars, url[0] ? url : NULL);
        }
        if (r >= 0 && cfg->tls_ca) {
                r = tls_enroll_ca(vars, cfg->tls_ca);
                if (r >= 0)
                        console_printf(con, "enrolled %d CA certificate%s from %s as TlsCaCertificate", r,
                                       r == 1 ? "" : "s", cfg->tls_ca);
        }
        if (r < 0) {
                httpd_stop(httpd);
                return VM_EXIT_FAILED;
        }

        struct vm_matches matches = {};
        double deadline = console_elapsed(con) + cfg->timeout_sec;
        enum vm_outcome o = VM_OUTCOME_ERROR;
        for (unsigned boot = 0;; boot++) {
                struct qemu q;
                r = qemu_start(cfg, &fw, vars, kvm, rundir, &q);
                if (r < 0) {
                        log_error_errno(r, "cannot start QEMU (see its message above)");
                        o = VM_OUTCOME_ERROR;
                        break;
                }
                console_printf(con, "QEMU started (%s)%s", kvm ? "KVM" : "TCG", boot > 0 ? " after a guest reboot" : "");
                o = vm_supervise(cfg, con, &q, sigfd, deadline, &matches);
                qemu_stop(&q);
                if (o != VM_OUTCOME_REBOOTED || boot >= cfg->reboots)
                        break;
        }
        httpd_stop(httpd);

        console_printf(con, "%s after %.1f s", outcome_text(o), console_elapsed(con));
        switch (o) {
        case VM_OUTCOME_MATCHED:
                return VM_EXIT_MATCHED;
        case VM_OUTCOME_POWERED_OFF:
                if (cfg->n_expect == 0)
                        return VM_EXIT_MATCHED;
                for (unsigned i = 0; i < cfg->n_expect; i++)
                        if (!matches.seen[i])
                                console_printf(con, "never seen: '%s'", cfg->expect_src[i]);
                return VM_EXIT_FAILED;
        case VM_OUTCOME_TIMEOUT:
                return VM_EXIT_TIMEOUT;
        default:
                return VM_EXIT_FAILED;
        }
}

int main(int argc, char **argv) {
        struct vm_config cfg;
        char rundir[] = "/tmp/pullboot-vm.XXXXXX";

        log_set_program("pullboot-vm");
        int r = parse_argv(argc, argv, &cfg);
        if (r <= 0)
                return r < 0 ? VM_EXIT_USAGE : VM_EXIT_MATCHED;

        _cleanup_fclose_ FILE *logf = NULL;
        if (cfg.log_path) {
                logf = fopen(cfg.log_path, "we");
                if (!logf) {
                        log_error("cannot write the log '%s': %m", cfg.log_path);
                        return VM_EXIT_USAGE;
                }
        }
        struct console con;
        console_init(&con, logf ? logf : stdout, cfg.timestamps);

        /* Signals arrive through a signalfd, so cleanup (QEMU, temp files) runs in one place. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        _cleanup_close_ int sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sigfd < 0)
                return log_error("signalfd: %m"), VM_EXIT_FAILED;
        signal(SIGPIPE, SIG_IGN);

        if (!mkdtemp(rundir))
                return log_error("cannot create a temporary directory: %m"), VM_EXIT_FAILED;
        int ret = run(&cfg, &con, rundir, sigfd);

        char path[sizeof rundir + 32];
        snprintf(path, sizeof path, "%s/vars.fd", rundir);
        unlink(path);
        snprintf(path, sizeof path, "%s/tls-ca.pem", rundir);
        unlink(path);
        rmdir(rundir);
        for (unsigned i = 0; i < cfg.n_expect; i++)
                regfree(&cfg.expect[i]);
        for (unsigned i = 0; i < cfg.n_fail; i++)
                regfree(&cfg.fail[i]);
        return ret;
}
