/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `pullboot init`: PID 1 of the initrd. An orchestrator of small steps, each in its own file:
 * API mounts (mounts.c), modules (modules.c), the plan (plan.c, as `pullboot plan` builds it),
 * network (net.c), pulls (pull/), loop devices (attach.c), the root (root.c), switch_root
 * (switch-root.c), and on any failure one clear message and the failure action (failure.c).
 *
 * Run by hand (not PID 1) it takes the same --cmdline/--origin/--credential overrides as
 * `pullboot plan`; --dry-run skips everything that changes the host (mounts, modules, loop
 * devices, switch_root) and --prefix puts the pulled images below a directory.
 *
 * Inside another initrd (initramfs-tools' boot script, dracut's hooks) --sysroot DIR does the
 * steps for real up to the mounted root and leaves switching to that initrd's own init;
 * --no-network leaves the network to it too.
 */
#include <getopt.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "boot-disk.h"
#include "bootvars.h"
#include "boot-record.h"
#include "failure.h"
#include "fileio.h"
#include "init-config.h"
#include "init-pull.h"
#include "initrd-modules.h"
#include "log.h"
#include "modules.h"
#include "mounts.h"
#include "net.h"
#include "plan-inputs.h"
#include "plan.h"
#include "root.h"
#include "store.h"
#include "switch-root.h"
#include "verb-args.h"
#include "verbs.h"
#include "volatile-root.h"

#define SYSROOT "/sysroot"
/* How long a local root disk may take to show up, as root_mount() waits by default. */
#define ROOT_WAIT_MS 10000
/* run_pulls() after a success action that did not end the boot (only without PID 1). */
#define STOPPED_BY_SUCCESS_ACTION 100

struct init_args {
        const char *cmdline, *origin, *credential, *netinfo, *prefix, *resolv_conf;
        const char *sysroot;     /* --sysroot: mount the root here, do not switch into it */
        bool dry_run;
        bool no_network;
        bool pid1;
};

struct init_state {
        struct init_args args;
        struct init_config cfg;
        struct volatile_spec vol;
        struct timespec start;
        struct plan *plan;
        struct store store;
        struct pb_netinfo netinfo;
        struct boot_record boot;        /* read once, after the modules (efivarfs may be one) */
        struct kmod_ctx *kmod;          /* from load_modules() until load_fs_modules(): its indexes read once */
        char *cmdline;
        char **init_argv;
        char lazy_disk[4096];        /* the root pull's device when served lazily (pullboot.lazy=) */
        char lazy_verity[64];        /* ... and its dm-verity device, when verified by a root hash */
        char lazy_url[4096];         /* ... and the URL it is served from */
};

static double elapsed(const struct init_state *s) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double) (now.tv_sec - s->start.tv_sec) + (double) (now.tv_nsec - s->start.tv_nsec) / 1e9;
}

/* The e2e suite parses these: "pullboot: PHASE after S.S s[: DETAIL]". */
static void phase(const struct init_state *s, const char *what, const char *detail) {
        log_info("%s after %.1f s%s%s", what, elapsed(s), detail ? ": " : "", detail ?: "");
}

static void print_uptime(void) {
        _cleanup_free_ char *text = NULL;
        if (read_full_file("/proc/uptime", 256, &text, NULL) == 0)
                log_info("started at uptime %.1f s", strtod(text, NULL));
}

static const char *sysroot(const struct init_state *s) {
        return s->args.sysroot ?: SYSROOT;
}

/* An initramfs is ramfs or tmpfs: --sysroot typed on a running host must not power it off. */
static bool root_is_initramfs(void) {
        struct statfs sfs;
        return statfs("/", &sfs) == 0 && (sfs.f_type == RAMFS_MAGIC || sfs.f_type == TMPFS_MAGIC);
}

/* As PID 1 every action is ours. Under --sysroot in an initramfs the machine-ending ones are too,
 * but a shell is the calling initrd's to offer (initramfs-tools' panic has its own, honouring
 * panic=): we return and it takes over. */
static void take_action(const struct init_state *s, enum failure_action a) {
        bool shell = failure_action_resolve(a, FAILURE_SHELL_PATH) == FAILURE_SHELL;

        if (!s->args.pid1 && s->args.sysroot && !s->args.dry_run && shell) {
                log_info("action: shell, left to the calling initrd");
                return;
        }
        failure_execute(a, s->args.pid1 || (s->args.sysroot && !s->args.dry_run && root_is_initramfs()));
}

/* The one place a boot ends in failure: the message, then the action. */
static int fail(struct init_state *s, enum failure_action action, const char *fmt, ...) _printf_(3, 4);
static int fail(struct init_state *s, enum failure_action action, const char *fmt, ...) {
        char msg[2048];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        log_error("boot failed: %s", msg);
        if (action == FAILURE_CONTINUE)
                action = s->cfg.failure;
        take_action(s, action);
        return PB_EXIT_FAILURE;
}

/* Only the kernel's /dev/console is a sensible place for PID 1's output; with no console node in
 * the cpio the kernel leaves fds 0-2 closed until devtmpfs exists. */
static void open_console(void) {
        if (fcntl(STDERR_FILENO, F_GETFD) >= 0)
                return;
        int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return;
        for (int i = 0; i <= 2; i++)
                (void) dup2(fd, i);
        if (fd > 2)
                close(fd);
}

/* From init/modules.txt, the list pullboot-mkinitrd puts in the initrd. */
static const char *const early_modules[] = { PB_MODULES_EARLY };
static const char *const base_modules[] = { PB_MODULES_LOAD };
static const char *const fs_modules[] = { PB_MODULES_ROOTFS };
static const char *const overlay_modules[] = { PB_MODULES_OVERLAY };
static const char *const store_modules[] = { PB_MODULES_STORE };

/* The drivers, efivarfs among them (the boot record is read right after), and the NICs' and
 * firmware's devices (QEMU's fw_cfg holds credentials the plan reads). */
static int load_modules(struct init_state *s) {
        struct kmod_ctx *ctx = NULL;
        struct modules_stats st = {};
        int r;

        r = modules_open(NULL, &ctx);
        s->kmod = r >= 0 ? ctx : NULL;
        if (r < 0) {
                log_warning_errno(r, "no kernel modules in the initrd; relying on built-in drivers");
        } else {
                for (size_t i = 0; i < ELEMENTSOF(early_modules); i++)
                        (void) modules_load(ctx, early_modules[i], false, &st);
                /* Inside another initrd its udev has loaded the drivers of the devices already. */
                if (!s->args.sysroot)
                        (void) modules_coldplug(ctx, NULL, false, &st);
                for (size_t i = 0; i < ELEMENTSOF(base_modules); i++)
                        (void) modules_load(ctx, base_modules[i], false, &st);
        }
        r = mounts_efivarfs();
        if (r < 0 && r != -ENOENT)
                log_warning_errno(r, "cannot mount efivarfs; the boot origin will be unknown");
        phase(s, "modules loaded", NULL);
        log_info("%u module(s) loaded for %u device alias(es), %u failed", st.loaded, st.aliases, st.failed);
        return 0;
}

/* The file systems the plan needs: the root's type from the plan's root= (the image is attached
 * only later, and loading the likely ones now costs less than probing twice), overlayfs for
 * systemd.volatile=overlay, the store's. */
static void load_fs_modules(struct init_state *s) {
        struct kmod_ctx *ctx = TAKE_PTR(s->kmod);
        struct modules_stats st = {};

        if (!ctx)
                return;
        const char *fstype = s->plan->root.spec.fstype;
        if (fstype[0])
                (void) modules_load(ctx, fstype, false, &st);
        else
                for (size_t i = 0; i < ELEMENTSOF(fs_modules); i++)
                        (void) modules_load(ctx, fs_modules[i], false, &st);
        if (s->vol.mode == VOLATILE_OVERLAY)
                for (size_t i = 0; i < ELEMENTSOF(overlay_modules); i++)
                        (void) modules_load(ctx, overlay_modules[i], false, &st);
        /* pullboot.store= on a disk has its own file system, whatever rootfstype= says. */
        struct store_spec store;
        if (store_spec_from_cmdline(pb_span_from_str(s->cmdline), &store, NULL) == 0 && store.kind == STORE_DISK)
                for (size_t i = 0; i < ELEMENTSOF(store_modules); i++)
                        (void) modules_load(ctx, store_modules[i], false, &st);
        modules_close(ctx);
        log_info("%u file system module(s) loaded, %u failed", st.loaded, st.failed);
}

static int read_cmdline(struct init_state *s) {
        struct pb_diag diag = {};
        int r = init_config_read_cmdline(s->args.cmdline, s->args.pid1 ? INIT_CONFIG_CMDLINE_D : NULL, &s->cmdline);
        if (r < 0)
                return r;
        r = init_config_parse(s->cmdline, &s->cfg);
        if (r < 0)
                return r;
        r = volatile_spec_from_cmdline(pb_span_from_str(s->cmdline), &s->vol, &diag);
        if (r < 0)
                return log_error_errno(r, "'%.*s': %s", (int) diag.where.len, diag.where.ptr, diag.reason);
        /* As systemd: a volatile mode it does not know is logged and the root stays as it is. */
        if (s->vol.ignored[0])
                log_warning("ignoring systemd.volatile=: %s (yes, no, state or overlay); the root is not volatile",
                            s->vol.ignored);
        return 0;
}

static int build_plan(struct init_state *s) {
        _cleanup_(plan_inputs_done) struct plan_inputs in = {};
        int r;

        r = plan_inputs_read(s->cmdline, &s->boot, s->args.credential, "/sys", &in);
        if (r < 0)
                return r;
        if (in.origin)
                log_info("boot origin %s (from %s)", in.origin, in.origin_source);
        else
                log_info("no boot origin: not an HTTP boot through the pullboot stub");
        if (in.credential)
                log_info("import.pull credential from %s", in.credential_source);

        r = plan_build(s->cmdline, in.origin, in.credential, PLAN_MODE_INITRD, &s->plan);
        if (r < 0)
                return log_error_errno(r, "cannot build the plan");
        s->plan->origin_source = in.origin_source;
        return 0;
}

/* Reports what the plan refused. Bad pull expressions are skipped, as systemd does; other errors
 * (root=, actions) stop the boot. */
static int check_plan(struct init_state *s) {
        const struct plan *p = s->plan;

        for (size_t i = 0; i < p->n_warnings; i++)
                log_warning("%s", p->warnings[i]);
        for (size_t i = 0; i < p->n_pulls; i++) {
                const struct plan_pull *pull = &p->pulls[i];
                plan_log_pull_status(pull);
                for (size_t j = 0; j < pull->n_warnings; j++)
                        log_warning("%s=%s: %s", pull->key, pull->expression, pull->warnings[j]);
        }
        if (p->n_errors > 0)
                return fail(s, FAILURE_CONTINUE, "%s (fix the kernel command line)", p->errors[0]);
        if (p->root.kind == PLAN_ROOT_NONE)
                return fail(s, FAILURE_CONTINUE, "no root= on the kernel command line, nothing to mount "
                            "(add e.g. root=gpt-auto with rd.systemd.pull=...:rootdisk:...)");
        return 0;
}

static bool plan_needs_network(const struct plan *p) {
        for (size_t i = 0; i < p->n_pulls; i++) {
                const struct plan_pull *pull = &p->pulls[i];
                if (pull->status != PLAN_PULL_READY)
                        continue;
                for (size_t j = 0; j < pull->n_urls; j++)
                        if (strncmp(pull->urls[j], "file:", 5) != 0)
                                return true;
        }
        return false;
}

static int bring_up_network(struct init_state *s) {
        struct net_options o = {
                .mode = s->cfg.net_mode,
                .netinfo = &s->netinfo,
                .dhcp_timeout_sec = s->cfg.dhcp_timeout_sec,
                .link_timeout_ms = s->cfg.link_timeout_ms,
                .ifname = s->cfg.ifname[0] ? s->cfg.ifname : NULL,
                .resolv_conf = s->args.resolv_conf,
        };
        int r;

        if (s->cfg.net_mode == NET_MODE_NONE) {
                log_info("network: skipped (pullboot.net=none)");
                return 0;
        }
        if (s->args.no_network) {
                log_info("network: left to the calling initrd (--no-network)");
                return 0;
        }
        if (!plan_needs_network(s->plan)) {
                log_info("network: not needed, no image to download");
                return 0;
        }
        r = init_config_load_netinfo(s->args.netinfo, &s->boot, &s->netinfo);
        if (r < 0)
                log_warning("ignoring the firmware's network record");
        /* A dry run happens on a working host: configuring its interfaces and writing its
         * /etc/resolv.conf would cut it off the network (it did once). */
        if (s->args.dry_run) {
                log_info("network: would bring it up with pullboot.net=%s (dry run: the host's interfaces and "
                         "resolv.conf are left alone)", net_mode_to_string(s->cfg.net_mode));
                return 0;
        }
        r = net_setup(&o, NULL);
        /* The pulls cannot happen without it: systemd's pull failure action applies. */
        if (r < 0)
                return fail(s, failure_action_from_emergency(s->plan->failure_action),
                            "network bring-up (pullboot.net=%s) failed: %s; check the message above",
                            net_mode_to_string(s->cfg.net_mode), strerror(-r));
        phase(s, "network up", NULL);
        return 0;
}

static int pull_one(struct init_state *s, const struct plan_pull *pull, enum failure_action on_failure) {
        struct init_pull_result res;
        char detail[4096 + 64];
        bool is_root = plan_is_root_pull(s->plan, pull);
        /* Under an overlay or a tmpfs root the image is only read: the device refuses writes. */
        bool read_only = pull->spec.read_only || (volatile_mode_protects_image(s->vol.mode) && is_root);

        if (pull->lazy != PLAN_LAZY_NO && !s->args.dry_run) {
                int l = init_pull_lazy(pull, read_only, s->cfg.allow_insecure_redirect, s->plan->lazy_default,
                                       s->init_argv[0], &res);
                if (l == 0) {
                        snprintf(detail, sizeof detail, "%s as %s", pull->urls[res.used], res.target);
                        phase(s, "lazy device ready", detail);
                        if (is_root) {
                                snprintf(s->lazy_disk, sizeof s->lazy_disk, "%s", res.target);
                                snprintf(s->lazy_verity, sizeof s->lazy_verity, "%s", res.verity);
                                snprintf(s->lazy_url, sizeof s->lazy_url, "%s", pull->urls[res.used]);
                        }
                        return 0;
                }
                /* Unasked, an image that is not seekable is the usual case, not a problem: the
                 * server said why at info level. */
                if (s->plan->lazy_default)
                        log_msg(l == -EMEDIUMTYPE ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING,
                                "lazy root (the default for seekable images): %s is not served lazily (see above); "
                                "downloading the whole image instead", pull->local);
                else
                        log_warning("pullboot.lazy=%s: %s is not served lazily (see above); downloading the whole "
                                    "image instead", plan_lazy_to_string(pull->lazy), pull->local);
        }

        int r = init_pull_download(pull, s->args.prefix, s->cfg.pull_max_memory, s->cfg.allow_insecure_redirect,
                                   &s->store, &s->cfg.fleet, &res);
        s->cfg.fleet.jitter_sec = 0; /* the fleet's spread is made before the first request only */
        if (r < 0)
                return fail(s, on_failure, "cannot pull %s%s (%s): %s", pull->urls[0],
                            pull->n_urls > 1 ? " or the other candidates" : "", pull->key, init_pull_failure_hint(r));
        snprintf(detail, sizeof detail, "%s (%.1f MiB)", pull->urls[res.used], (double) res.size / (1024.0 * 1024.0));
        phase(s, "download finished", detail);

        if (!pull->spec.blockdev)
                return 0;
        if (s->args.dry_run) {
                log_info("would attach %s to a loop device (dry run)", res.target);
                return 0;
        }
        r = init_pull_attach(pull, res.target, read_only);
        if (r < 0)
                return fail(s, on_failure, "cannot attach %s (%s) to a loop device: %s", res.target, pull->key,
                            strerror(-r));
        return 0;
}

/* The images' own store (store.h), before the first pull. */
static int setup_store(struct init_state *s) {
        _cleanup_free_ char **targets = calloc(s->plan->n_pulls + 1, sizeof(char *));
        size_t n = 0;

        if (!targets)
                return fail(s, FAILURE_CONTINUE, "out of memory");
        for (size_t i = 0; i < s->plan->n_pulls; i++)
                if (s->plan->pulls[i].status == PLAN_PULL_READY)
                        targets[n++] = s->plan->pulls[i].target;
        if (n == 0)
                return 0;
        if (store_setup(&s->plan->store, targets, n, s->args.prefix, s->args.dry_run, 0, &s->store) < 0)
                return fail(s, failure_action_from_emergency(s->plan->failure_action),
                            "cannot set up the image store (pullboot.store=): see the message above");
        return 0;
}

static int run_pulls(struct init_state *s) {
        enum failure_action on_failure = failure_action_from_emergency(s->plan->failure_action);
        enum failure_action on_success = failure_action_from_emergency(s->plan->success_action);
        unsigned n = 0;
        int r;

        for (size_t i = 0; i < s->plan->n_pulls; i++) {
                if (s->plan->pulls[i].status != PLAN_PULL_READY)
                        continue;
                r = pull_one(s, &s->plan->pulls[i], on_failure);
                if (r != 0)
                        return r;
                n++;
        }
        /* systemd.pull.success_action=reboot and friends: an installer pulls and is done. */
        if (n > 0 && on_success != FAILURE_CONTINUE) {
                log_info("all images pulled; success action %s", s->plan->success_action_spec);
                take_action(s, on_success);
                return STOPPED_BY_SUCCESS_ACTION;   /* not PID 1: stop here, as the machine would */
        }
        return 0;
}

/* root=gpt-auto without a pulled "rootdisk" (a local boot, or bootorigin without an origin):
 * like systemd-gpt-auto-generator, search the disk the UKI was loaded from. */
static const char *local_gpt_auto_disk(struct init_state *s, char *buf, size_t size) {
        const char *uuid = s->boot.part_uuid;

        if (s->plan->root.kind != PLAN_ROOT_GPT_AUTO || s->plan->root.pull >= 0 || !uuid)
                return NULL;
        if (boot_disk_from_partuuid(uuid, ROOT_WAIT_MS, buf, size) < 0) {
                log_warning("no disk has the boot partition %s (LoaderDevicePartUUID); looking for the "
                            "'rootdisk' loop device instead", uuid);
                return NULL;
        }
        log_info("root=gpt-auto: searching the boot disk %s (partition %s)", buf, uuid);
        return buf;
}

static int mount_root(struct init_state *s) {
        struct root_mount_options o = { .where = sysroot(s) };
        struct root_spec spec = s->plan->root.spec;
        struct root_resolved res;
        char what[ROOT_WHAT_MAX], disk[64];
        int r;

        (void) root_spec_format_what(&s->plan->root.spec, what, sizeof what);
        if (s->args.dry_run) {
                log_info("would mount root=%s on %s (dry run)", what, sysroot(s));
                if (s->vol.mode != VOLATILE_NO)
                        log_info("would apply systemd.volatile=%s to %s (dry run)", volatile_mode_to_string(s->vol.mode),
                                 sysroot(s));
                phase(s, "root mounted", NULL);
                return 0;
        }
        o.gpt_auto_disk = s->lazy_disk[0] ? s->lazy_disk : local_gpt_auto_disk(s, disk, sizeof disk);
        volatile_root_adjust(&s->vol, &spec);
        if (s->lazy_verity[0]) {
                /* The verified view of the lazily served root partition, never the partition itself;
                 * read-only (writes go to the volatile layer). */
                spec.kind = ROOT_DEVICE;
                snprintf(spec.what, sizeof spec.what, "%s", s->lazy_verity);
                spec.rw = 0;
        }
        r = root_mount(&spec, &o, &res);
        if (r < 0 && s->lazy_verity[0])
                return fail(s, FAILURE_CONTINUE, "cannot mount the dm-verity root %s of %s: %s; if the kernel "
                            "logged 'device-mapper: verity: ... corrupted', the image on the server does not match "
                            "its root hash", s->lazy_verity, s->lazy_url, strerror(-r));
        if (r < 0)
                return fail(s, FAILURE_CONTINUE, "cannot mount root=%s on %s: %s; check root=, rootfstype= "
                            "and that the image holds that file system", what, sysroot(s), strerror(-r));
        log_info("root %s (%s, %s) mounted on %s", res.device, res.fstype[0] ? res.fstype : "bind",
                 res.read_only ? "ro" : "rw", sysroot(s));
        r = volatile_root_apply(&s->vol, &spec, sysroot(s));
        if (r < 0)
                return fail(s, FAILURE_CONTINUE, "systemd.volatile=%s on %s failed: %s; see the message above",
                            volatile_mode_to_string(s->vol.mode), sysroot(s), strerror(-r));
        phase(s, "root mounted", NULL);
        return 0;
}

static int switch_into_root(struct init_state *s) {
        char init[INIT_CONFIG_PATH_MAX];
        int r;

        /* The calling initrd checks init= and switches itself. */
        if (s->args.sysroot)
                return 0;
        if (s->args.dry_run) {
                log_info("would switch root to %s and run %s (dry run)", SYSROOT,
                         s->cfg.init[0] ? s->cfg.init : "/sbin/init");
                phase(s, "switching root", NULL);
                return 0;
        }
        r = switch_root_find_init(SYSROOT, s->cfg.init[0] ? s->cfg.init : NULL, init, sizeof init);
        if (r < 0)
                return fail(s, FAILURE_CONTINUE, "no init in the root file system (%s): %s; check init= and "
                            "the image", s->cfg.init[0] ? s->cfg.init : "/sbin/init", strerror(-r));
        phase(s, "switching root", NULL);
        r = switch_root(SYSROOT, init, s->init_argv);
        return fail(s, FAILURE_CONTINUE, "switch_root into %s failed: %s", SYSROOT, strerror(-r));
}

static int run(struct init_state *s) {
        int r;

        if (s->args.pid1) {
                (void) setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
                r = mounts_api_filesystems();
                open_console();
                if (r < 0)
                        return fail(s, FAILURE_DEFAULT, "cannot mount the API file systems: %s", strerror(-r));
        }
        print_uptime();   /* needs /proc */

        r = read_cmdline(s);
        if (r < 0)
                return fail(s, FAILURE_CONTINUE, "invalid kernel command line: %s", strerror(-r));

        /* Modules first: efivarfs (for the boot record) may be one of them. */
        if (s->args.dry_run)
                phase(s, "modules loaded", NULL);
        else
                load_modules(s);
        r = boot_record_read(s->args.origin, &s->boot);
        if (r < 0)
                return fail(s, FAILURE_CONTINUE, "cannot read the boot record: %s", strerror(-r));

        r = build_plan(s);
        if (r < 0)
                return fail(s, FAILURE_CONTINUE, "cannot read the boot inputs: %s", strerror(-r));
        r = check_plan(s);
        if (r != 0)
                return r;
        if (!s->args.dry_run)
                load_fs_modules(s);
        r = bring_up_network(s);
        if (r != 0)
                return r;
        r = setup_store(s);
        if (r != 0)
                return r;
        r = run_pulls(s);
        if (r == STOPPED_BY_SUCCESS_ACTION)
                return PB_EXIT_OK;
        if (r != 0)
                return r;
        r = mount_root(s);
        if (r != 0)
                return r;
        return switch_into_root(s);
}

static void help(void) {
        printf("Usage: pullboot init [OPTIONS...]\n"
               "\n"
               "Run as PID 1 of the initrd: mount /proc /sys /dev /run, load kernel modules, bring up\n"
               "the network, pull the images the kernel command line names, attach them, mount the\n"
               "root on /sysroot and switch into it. On failure: one message, then the action of\n"
               "pullboot.failure=. Run by hand, it does the same steps against the given inputs.\n"
               "\n"
               "Options:\n"
               "  -h --help              show this help\n"
               "     --version           show the version\n"
               "     --cmdline STRING|@FILE\n"
               "                         kernel command line (default /proc/cmdline)\n"
               "     --origin URL        boot origin URL; \"\" for none (default: StubDeviceURL)\n"
               "     --credential FILE   import.pull credential (default: as systemd imports it:\n"
               "                         QEMU fw_cfg, SMBIOS type 11, systemd.set_credential=)\n"
               "     --netinfo FILE      the firmware's network record (default: PullbootNetInfo)\n"
               "     --resolv-conf PATH  where to write resolv.conf (default /etc/resolv.conf)\n"
               "     --dry-run           no mounts, modules, loop devices or switch_root: pull and\n"
               "                         report only\n"
               "     --prefix DIR        put pulled images below DIR (with --dry-run)\n"
               "     --sysroot DIR       inside another initrd (initramfs-tools, dracut): do the steps\n"
               "                         for real, mount the root on DIR and exit 0, leaving\n"
               "                         switch_root to that initrd; on failure take a reboot,\n"
               "                         poweroff or halt action (only in an initramfs), leave\n"
               "                         a shell to the caller\n"
               "     --no-network        the calling initrd has brought the network up\n"
               "\n"
               "Exit status (not as PID 1): 0 success (root mounted with --sysroot), 1 boot failed,\n"
               "2 invalid usage.\n");
}

static int parse_args(int argc, char **argv, struct init_args *a) {
        enum { ARG_VERSION = VERB_ARG_VERSION, ARG_CMDLINE, ARG_ORIGIN, ARG_CREDENTIAL, ARG_NETINFO, ARG_RESOLV,
               ARG_DRY_RUN, ARG_PREFIX, ARG_SYSROOT, ARG_NO_NETWORK };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "origin", required_argument, NULL, ARG_ORIGIN },
                { "credential", required_argument, NULL, ARG_CREDENTIAL },
                { "netinfo", required_argument, NULL, ARG_NETINFO },
                { "resolv-conf", required_argument, NULL, ARG_RESOLV },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                { "prefix", required_argument, NULL, ARG_PREFIX },
                { "sysroot", required_argument, NULL, ARG_SYSROOT },
                { "no-network", no_argument, NULL, ARG_NO_NETWORK },
                {}
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_CMDLINE:
                        a->cmdline = optarg;
                        break;
                case ARG_ORIGIN:
                        a->origin = optarg;
                        break;
                case ARG_CREDENTIAL:
                        a->credential = optarg;
                        break;
                case ARG_NETINFO:
                        a->netinfo = optarg;
                        break;
                case ARG_RESOLV:
                        a->resolv_conf = optarg;
                        break;
                case ARG_DRY_RUN:
                        a->dry_run = true;
                        break;
                case ARG_PREFIX:
                        if (optarg[0] != '/') {
                                log_error("--prefix needs an absolute directory, got '%s'", optarg);
                                return -EINVAL;
                        }
                        a->prefix = optarg;
                        break;
                case ARG_SYSROOT:
                        if (optarg[0] != '/') {
                                log_error("--sysroot needs an absolute directory, got '%s'", optarg);
                                return -EINVAL;
                        }
                        a->sysroot = optarg;
                        break;
                case ARG_NO_NETWORK:
                        a->no_network = true;
                        break;
                default:
                        /* 0: stop here with success (help, version) */
                        return verb_other_option(c, "init", help) == PB_EXIT_OK ? 0 : -EINVAL;
                }
        if (verb_no_arguments("init", argc, argv, optind) != PB_EXIT_OK)
                return -EINVAL;
        if (!a->dry_run && !a->sysroot) {
                log_error("outside PID 1, 'pullboot init' only runs with --dry-run or --sysroot DIR");
                return -EINVAL;
        }
        return 1;
}

int verb_init(int argc, char **argv) {
        struct init_state s = { .init_argv = argv };
        int r;

        clock_gettime(CLOCK_MONOTONIC, &s.start);

        if (getpid() == 1) {
                /* The kernel's arguments for init (e.g. "single") are not ours: pass them on. */
                s.args.pid1 = true;
        } else {
                r = parse_args(argc, argv, &s.args);
                if (r <= 0)
                        return r == 0 ? PB_EXIT_OK : PB_EXIT_USAGE;
        }

        r = run(&s);
        store_done(&s.store);
        plan_free(s.plan);
        boot_record_done(&s.boot);
        if (s.kmod)
                modules_close(s.kmod);
        free(s.cmdline);

        /* PID 1 must never return: the kernel would panic. */
        if (s.args.pid1) {
                failure_execute(s.cfg.failure, true);
                for (;;)
                        pause();
        }
        return r;
}
