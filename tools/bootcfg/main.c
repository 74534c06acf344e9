/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pullboot-bootcfg: firmware boot entries on the running system (efivarfs) or in a VARS file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootcfg.h"
#include "bootvars.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "show.h"
#include "size.h"
#include "tls-ca.h"
#include "uki.h"
#include "url.h"

enum action {
        ACTION_SHOW,
        ACTION_ADD_URI,
        ACTION_SET_BOOT_URI,
        ACTION_REMOVE,
        ACTION_ENROLL_TLS_CA,
        ACTION_ADD_UKI,
        ACTION_UPDATE_UKI,
        ACTION_REMOVE_UKI,
        ACTION_BOOT_OK,
};

struct args {
        enum action action;
        const char *uri;
        const char *title;
        const char *vars;
        const char *pem;
        const char *uki, *shim, *cmdline;
        uint16_t remove;
        bool has_order;
        size_t order_pos;
        bool once, dry_run, json, verbose, force;
};

static void help(void) {
        printf("Usage: pullboot-bootcfg [OPTIONS...]\n"
               "\n"
               "Show and edit firmware boot entries: on the running system (efivarfs) or, with\n"
               "--vars, in an edk2 VARS file such as OVMF_VARS_4M.fd.\n"
               "\n"
               "Actions (one per call):\n"
               "     --show                 list BootCurrent, BootNext, BootOrder, Boot#### (default)\n"
               "     --add-uri URI          add (or reuse) an HTTP boot entry for URI; needs --title\n"
               "     --set-boot-uri URI     add (or reuse) an entry for URI and boot it once (BootNext)\n"
               "     --remove-entry NNNN    remove Boot#### (hex), clean BootOrder and BootNext\n"
               "     --enroll-tls-ca PEM    set TlsCaCertificate from PEM certificates (--vars only)\n"
               "     --add-uki FILE         add (or reuse) an entry for FILE, a UKI on a mounted ESP;\n"
               "                            needs --title\n"
               "     --update-uki FILE      apply --once/--boot-order to the entry for FILE\n"
               "     --remove-uki FILE      remove the entry for FILE, clean BootOrder and BootNext\n"
               "     --boot-ok, --boot-successful\n"
               "                            put BootCurrent into BootOrder (first) if it is missing\n"
               "\n"
               "Options:\n"
               "     --title TITLE          entry title\n"
               "     --cmdline CMDLINE      --add-uki: kernel command line as the entry's load options\n"
               "     --shim SHIM            --add-uki: start FILE through SHIM (same file system)\n"
               "     --boot-order POS|last  put the entry at POS in BootOrder (0 = first)\n"
               "     --once, --boot-next    set BootNext to the entry\n"
               "     --force                allow removing the entry that is BootCurrent\n"
               "     --vars FILE            edit an edk2 VARS file instead of the running system\n"
               "     --dry-run              print the result, write nothing\n"
               "     --json                 print the entries as JSON\n"
               "  -v --verbose              show device paths and optional data\n"
               "  -h --help                 show this help\n"
               "     --version              show the version\n"
               "\n"
               "Exit status: 0 success, 1 failure, 2 invalid usage or input (also: FILE is not a\n"
               "VARS file or is damaged; it is then left untouched), 3 no such entry, 4 entry is\n"
               "BootCurrent, 5 variable store full.\n"
               "See pullboot-bootcfg(8).\n");
}

static int parse_entry_number(const char *s, uint16_t *ret) {
        char *end;
        unsigned long v;

        if (strncasecmp(s, "Boot", 4) == 0)
                s += 4;
        if (!*s || strlen(s) > 4)
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 16);
        if (errno || *end || v > 0xffff || s[0] == '-' || s[0] == '+' || s[0] == ' ')
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

static int set_action(struct args *a, enum action act, const char *opt) {
        if (a->action != ACTION_SHOW && a->action != act) {
                log_error("%s cannot be combined with another action; run one action per call", opt);
                return -EINVAL;
        }
        a->action = act;
        return 0;
}

static int parse_args(int argc, char **argv, struct args *a) {
        enum {
                ARG_VERSION = 0x100, ARG_SHOW, ARG_ADD_URI, ARG_SET_BOOT_URI, ARG_REMOVE, ARG_TLS,
                ARG_TITLE, ARG_ORDER, ARG_ONCE, ARG_FORCE, ARG_VARS, ARG_DRY_RUN, ARG_JSON,
                ARG_ADD_UKI, ARG_UPDATE_UKI, ARG_REMOVE_UKI, ARG_BOOT_OK, ARG_CMDLINE, ARG_SHIM,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "verbose", no_argument, NULL, 'v' },
                { "show", no_argument, NULL, ARG_SHOW },
                { "add-uri", required_argument, NULL, ARG_ADD_URI },
                { "set-boot-uri", required_argument, NULL, ARG_SET_BOOT_URI },
                { "remove-entry", required_argument, NULL, ARG_REMOVE },
                { "enroll-tls-ca", required_argument, NULL, ARG_TLS },
                { "add-uki", required_argument, NULL, ARG_ADD_UKI },
                { "update-uki", required_argument, NULL, ARG_UPDATE_UKI },
                { "remove-uki", required_argument, NULL, ARG_REMOVE_UKI },
                { "boot-ok", no_argument, NULL, ARG_BOOT_OK },
                { "boot-successful", no_argument, NULL, ARG_BOOT_OK },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "shim", required_argument, NULL, ARG_SHIM },
                { "title", required_argument, NULL, ARG_TITLE },
                { "boot-order", required_argument, NULL, ARG_ORDER },
                { "once", no_argument, NULL, ARG_ONCE },
                { "boot-next", no_argument, NULL, ARG_ONCE },
                { "force", no_argument, NULL, ARG_FORCE },
                { "vars", required_argument, NULL, ARG_VARS },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                { "json", no_argument, NULL, ARG_JSON },
                {}
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "hv", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("pullboot-bootcfg %s\n", PULLBOOT_VERSION);
                        return 0;
                case 'v':
                        a->verbose = true;
                        break;
                case ARG_SHOW:
                        break;
                case ARG_ADD_URI:
                case ARG_SET_BOOT_URI:
                        r = set_action(a, c == ARG_ADD_URI ? ACTION_ADD_URI : ACTION_SET_BOOT_URI, argv[optind - 1]);
                        if (r < 0)
                                return r;
                        a->uri = optarg;
                        break;
                case ARG_REMOVE:
                        r = set_action(a, ACTION_REMOVE, "--remove-entry");
                        if (r < 0)
                                return r;
                        if (parse_entry_number(optarg, &a->remove) < 0) {
                                log_error("--remove-entry '%s': expected a hex entry number like 0003", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_TLS:
                        r = set_action(a, ACTION_ENROLL_TLS_CA, "--enroll-tls-ca");
                        if (r < 0)
                                return r;
                        a->pem = optarg;
                        break;
                case ARG_ADD_UKI:
                case ARG_UPDATE_UKI:
                case ARG_REMOVE_UKI:
                        r = set_action(a, c == ARG_ADD_UKI ? ACTION_ADD_UKI :
                                       c == ARG_UPDATE_UKI ? ACTION_UPDATE_UKI : ACTION_REMOVE_UKI,
                                       argv[optind - 1]);
                        if (r < 0)
                                return r;
                        a->uki = optarg;
                        break;
                case ARG_BOOT_OK:
                        r = set_action(a, ACTION_BOOT_OK, argv[optind - 1]);
                        if (r < 0)
                                return r;
                        break;
                case ARG_CMDLINE:
                        a->cmdline = optarg;
                        break;
                case ARG_SHIM:
                        a->shim = optarg;
                        break;
                case ARG_TITLE:
                        a->title = optarg;
                        break;
                case ARG_ORDER:
                        a->has_order = true;
                        if (strcmp(optarg, "last") == 0)
                                a->order_pos = SIZE_MAX;
                        else {
                                uint64_t v;
                                if (parse_decimal(optarg, 0xffff, &v) < 0) {
                                        log_error("--boot-order '%s': expected a position (0 = first) or 'last'",
                                                  optarg);
                                        return -EINVAL;
                                }
                                a->order_pos = v;
                        }
                        break;
                case ARG_ONCE:
                        a->once = true;
                        break;
                case ARG_FORCE:
                        a->force = true;
                        break;
                case ARG_VARS:
                        a->vars = optarg;
                        break;
                case ARG_DRY_RUN:
                        a->dry_run = true;
                        break;
                case ARG_JSON:
                        a->json = true;
                        break;
                default:
                        log_error("run 'pullboot-bootcfg --help' for the options");
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        if ((a->action == ACTION_ADD_URI || a->action == ACTION_ADD_UKI) && !a->title) {
                log_error("%s needs --title TITLE", a->action == ACTION_ADD_URI ? "--add-uri" : "--add-uki");
                return -EINVAL;
        }
        if (a->title && !*a->title) {
                log_error("--title must not be empty; firmware menus show it");
                return -EINVAL;
        }
        if ((a->has_order || a->once) && a->action != ACTION_ADD_URI && a->action != ACTION_SET_BOOT_URI &&
            a->action != ACTION_ADD_UKI && a->action != ACTION_UPDATE_UKI) {
                log_error("--boot-order and --once go with --add-uri, --set-boot-uri, --add-uki or --update-uki");
                return -EINVAL;
        }
        if (a->title && a->action != ACTION_ADD_URI && a->action != ACTION_SET_BOOT_URI &&
            a->action != ACTION_ADD_UKI) {
                log_error("--title goes with --add-uri, --set-boot-uri or --add-uki");
                return -EINVAL;
        }
        if ((a->cmdline || a->shim) && a->action != ACTION_ADD_UKI) {
                log_error("--cmdline and --shim go with --add-uki");
                return -EINVAL;
        }
        if (a->force && a->action != ACTION_REMOVE && a->action != ACTION_REMOVE_UKI) {
                log_error("--force goes with --remove-entry or --remove-uki");
                return -EINVAL;
        }
        if (a->action == ACTION_BOOT_OK && a->vars) {
                log_error("--boot-ok needs BootCurrent, which only the running system has (a VARS file has "
                          "none); run it on the booted system without --vars");
                return -EINVAL;
        }
        return 1;
}

/* -ENOENT and -EBUSY mean "no such entry" and "entry in use" only for --remove-entry and the UKI
 * actions (whose file errors are -EINVAL or -EIO by then); from any other step (a file that
 * cannot be opened, a busy variable) they are plain failures. */
static int exit_status(int r, enum action action) {
        switch (r) {
        case 0:
                return PB_EXIT_OK;
        case -EINVAL:
        case -EBADMSG:
                return PB_EXIT_USAGE;
        case -ENOENT:
                return action == ACTION_REMOVE || action == ACTION_UPDATE_UKI ? BOOTCFG_EXIT_NO_ENTRY :
                        PB_EXIT_FAILURE;
        case -EBUSY:
                return action == ACTION_REMOVE || action == ACTION_REMOVE_UKI ? BOOTCFG_EXIT_IN_USE :
                        PB_EXIT_FAILURE;
        case -ENOSPC:
                return BOOTCFG_EXIT_NO_SPACE;
        default:
                return PB_EXIT_FAILURE;
        }
}

/* --boot-order and --once (always BootNext for --set-boot-uri) on the entry an action added or
 * found: the same for URI and UKI entries. */
static int place_entry(struct bootcfg *c, const struct args *a, uint16_t num) {
        if (a->has_order && bootcfg_order_insert(c, num, a->order_pos) < 0)
                return log_error_errno(-ENOMEM, "Cannot update BootOrder");
        if (a->once || a->action == ACTION_SET_BOOT_URI)
                bootcfg_set_boot_next(c, num);
        return 0;
}

static int do_add(struct bootcfg *c, const struct args *a) {
        _cleanup_free_ uint8_t *dp = NULL;
        _cleanup_free_ char *default_title = NULL;
        const char *reason = NULL, *title = a->title;
        size_t dp_size;
        uint16_t num;
        bool reused;
        int r;

        r = bootcfg_uri_device_path(a->uri, &dp, &dp_size, &reason);
        if (r == -EINVAL)
                return log_error("'%s' is not usable as a boot URI: %s", a->uri, reason), -EINVAL;
        if (r < 0)
                return log_error_errno(r, "Cannot build the device path for '%s'", a->uri);

        if (!title) {
                /* As virt-fw-vars --set-boot-uri: "netboot <last path component>". */
                struct pb_span last;
                if (pb_url_last_component(pb_span_from_str(a->uri), &last) < 0)
                        last = pb_span_from_str(a->uri);
                if (asprintf(&default_title, "netboot %.*s", (int) last.len, last.ptr) < 0)
                        return -ENOMEM;
                title = default_title;
        }

        r = bootcfg_add(c, title, dp, dp_size, &num, &reused);
        if (r == -EILSEQ)
                return log_error("--title '%s': not valid UTF-8 or outside UCS-2", title), -EINVAL;
        if (r == -ENOSPC)
                return log_error("all 65536 Boot#### numbers are taken"), -ENOSPC;
        if (r < 0)
                return log_error_errno(r, "Cannot build the boot entry");
        r = place_entry(c, a, num);
        if (r < 0)
                return r;
        log_info("%s Boot%04X \"%s\" for %s", reused ? "Reusing" : "Adding", num, title, a->uri);
        return 0;
}

static int do_remove(struct bootcfg *c, const struct args *a) {
        int r = bootcfg_remove(c, a->remove, a->force);
        if (r == -ENOENT)
                return log_error("Boot%04X does not exist; see --show for the entries", a->remove), r;
        if (r == -EBUSY)
                return log_error("Boot%04X is BootCurrent, the entry this system booted from; "
                                 "use --force to remove it anyway", a->remove), r;
        return r;
}

static int do_tls(struct bootcfg_backend *b, const struct args *a) {
        static const pb_guid g = PB_TLS_CA_GUID_INIT;
        _cleanup_free_ uint8_t *data = NULL;
        size_t size;
        unsigned n;
        int r;

        if (!a->vars) {
                log_error("TlsCaCertificate is a boot-services-only variable the running system cannot "
                          "write; enroll it offline with --vars FILE");
                return -EINVAL;
        }
        r = tls_ca_build(a->pem, &data, &size, &n);
        if (r < 0)
                return r;
        if (a->dry_run) {
                printf("Would write %s (%u certificate%s, %zu bytes)\n", TLS_CA_VARIABLE, n, n == 1 ? "" : "s", size);
                return 0;
        }
        r = b->set(b, TLS_CA_VARIABLE, &g, TLS_CA_ATTRIBUTES, data, size);
        if (r < 0)
                return r;
        r = b->commit(b);
        if (r < 0)
                return r;
        log_info("%s %s with %u certificate%s", r > 0 ? "Wrote" : "Unchanged:", TLS_CA_VARIABLE, n,
                 n == 1 ? "" : "s");
        return 0;
}

/* SecureBoot as the backend has it; a VARS file normally has none (the firmware sets it at boot). */
static bool secure_boot_on(struct bootcfg_backend *b) {
        static const pb_guid g = PB_GLOBAL_GUID_INIT;
        _cleanup_free_ uint8_t *data = NULL;
        uint32_t attr;
        size_t size;

        return b->get(b, "SecureBoot", &g, &attr, &data, &size) >= 0 && size == 1 && data[0] == 1;
}

static int run(const struct args *a) {
        struct bootcfg_backend *b = NULL;
        struct bootcfg c = {};
        _cleanup_(uki_request_done) struct uki_request q = {
                .cmdline = a->cmdline,
                .title = a->title,
                .force = a->force,
        };
        uint16_t num;
        int r;

        /* The files, like URIs, are checked before any backend is touched. */
        if (a->uki) {
                r = uki_request_resolve(&q, a->uki, a->shim);
                if (r < 0)
                        return r;
        }

        /* Validate the URI before touching any backend. */
        if (a->action == ACTION_ADD_URI || a->action == ACTION_SET_BOOT_URI) {
                _cleanup_free_ uint8_t *dp = NULL;
                size_t n;
                const char *reason = NULL;
                if (bootcfg_uri_device_path(a->uri, &dp, &n, &reason) == -EINVAL) {
                        log_error("'%s' is not usable as a boot URI: %s", a->uri, reason);
                        return -EINVAL;
                }
        }

        if (a->vars) {
                r = bootcfg_backend_varstore_new(a->vars, &b);
                if (r < 0 && r != -EBADMSG)
                        return -EIO;    /* logged; a file we cannot read is a failure, not bad input */
        } else {
                r = bootcfg_backend_efivarfs_new(&b);
                if (r == -EOPNOTSUPP)
                        return log_error("No EFI variables here (not booted with UEFI, or efivarfs not "
                                         "mounted at /sys/firmware/efi/efivars); use --vars FILE to edit a "
                                         "VARS file"), -EOPNOTSUPP;
        }
        if (r < 0)
                return r;

        if (a->action == ACTION_ENROLL_TLS_CA) {
                r = do_tls(b, a);
                bootcfg_backend_free(b);
                return r;
        }

        r = bootcfg_load(&c, b);
        if (r < 0) {
                log_error_errno(r, "Reading the boot entries failed");
                goto out;
        }

        switch (a->action) {
        case ACTION_ADD_URI:
        case ACTION_SET_BOOT_URI:
                r = do_add(&c, a);
                break;
        case ACTION_REMOVE:
                r = do_remove(&c, a);
                break;
        case ACTION_ADD_UKI:
                r = uki_add(&c, &q, a->cmdline && secure_boot_on(b), &num);
                if (r >= 0)
                        r = place_entry(&c, a, num);
                break;
        case ACTION_UPDATE_UKI:
                r = uki_update(&c, &q, &num);
                if (r >= 0)
                        r = place_entry(&c, a, num);
                break;
        case ACTION_REMOVE_UKI:
                r = uki_remove(&c, &q);
                break;
        case ACTION_BOOT_OK:
                r = boot_ok(&c);
                break;
        default:
                r = 0;
        }
        if (r < 0)
                goto out;

        if (a->action != ACTION_SHOW && !a->dry_run) {
                r = bootcfg_save(&c, b);
                if (r < 0) {
                        if (r != -ENOSPC)
                                log_error_errno(r, "Writing the boot entries failed");
                        goto out;
                }
                if (r == 0)
                        log_info("Nothing to change");
                r = 0;
        }
        if (a->action == ACTION_SHOW || a->dry_run || a->json) {
                if (a->dry_run && !a->json)
                        printf("# dry run, nothing written: %s\n",
                               bootcfg_dirty(&c) ? "the result would be" : "nothing would change");
                if (a->json)
                        bootcfg_print_json(&c, b->name, stdout);
                else
                        bootcfg_print(&c, a->verbose, stdout);
        }
out:
        bootcfg_done(&c);
        bootcfg_backend_free(b);
        return r;
}

int main(int argc, char **argv) {
        struct args a = { .action = ACTION_SHOW };
        int r;

        log_set_program("pullboot-bootcfg");
        r = parse_args(argc, argv, &a);
        if (r < 0)
                return PB_EXIT_USAGE;
        if (r == 0)
                return PB_EXIT_OK;
        r = run(&a);
        if (fflush(stdout) != 0 && r == 0)
                r = -EIO;
        return exit_status(r, a.action);
}
