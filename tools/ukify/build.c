/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fileio.h"
#include "log.h"
#include "pe.h"
#include "ukify.h"

#define INITRDS_MAX 32
#define UNAME_MAX 256

struct build_args {
        const char *stub;
        const char *linux_path;
        const char *initrds[INITRDS_MAX];
        unsigned n_initrds;
        const char *cmdline;
        const char *os_release;
        const char *uname;
        const char *splash;
        const char *output;
};

/* One payload: what goes into a section and where it came from (for messages). */
struct payload {
        const char *section;
        const char *origin;
        char *data;
        size_t size;
};

static void payloads_free(struct payload *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(p[i].data);
}

static void build_help(void) {
        printf("Usage: pullboot-ukify build --stub FILE --linux FILE [OPTIONS...] --output FILE\n"
               "\n"
               "  --stub FILE            EFI stub to wrap (pullbootx64.efi.stub or linuxx64.efi.stub)\n"
               "  --linux FILE           kernel image (.linux)\n"
               "  --initrd FILE          initrd (.initrd); repeat to concatenate several\n"
               "  --cmdline TEXT|@FILE   kernel command line (.cmdline); trailing newlines are dropped\n"
               "  --os-release TEXT|@FILE  os-release contents (.osrel)\n"
               "  --uname STR            kernel release (.uname); default: read from the kernel image\n"
               "  --splash FILE          boot splash BMP (.splash)\n"
               "  --output FILE          UKI to write (replaced atomically)\n"
               "  -h --help              show this help\n"
               "  --version              show the version\n");
}

static int parse_build_args(int argc, char **argv, struct build_args *a) {
        enum { ARG_VERSION = 0x100, ARG_STUB, ARG_LINUX, ARG_INITRD, ARG_CMDLINE, ARG_OSREL, ARG_UNAME, ARG_SPLASH, ARG_OUTPUT };
        static const struct option options[] = {
                { "stub", required_argument, NULL, ARG_STUB },
                { "linux", required_argument, NULL, ARG_LINUX },
                { "initrd", required_argument, NULL, ARG_INITRD },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "os-release", required_argument, NULL, ARG_OSREL },
                { "uname", required_argument, NULL, ARG_UNAME },
                { "splash", required_argument, NULL, ARG_SPLASH },
                { "output", required_argument, NULL, ARG_OUTPUT },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        int c;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        build_help();
                        return 0;
                case ARG_VERSION:
                        printf("pullboot-ukify %s\n", PULLBOOT_VERSION);
                        return 0;
                case ':':
                        return log_error("option '%s' needs an argument (see 'build --help')", argv[optind - 1]),
                               -EINVAL;
                case '?':
                        return log_error("unknown option '%s' (see 'build --help')", argv[optind - 1]), -EINVAL;
                case ARG_STUB:
                        a->stub = optarg;
                        break;
                case ARG_LINUX:
                        a->linux_path = optarg;
                        break;
                case ARG_INITRD:
                        if (a->n_initrds >= INITRDS_MAX)
                                return log_error("too many --initrd options (at most %d)", INITRDS_MAX), -E2BIG;
                        a->initrds[a->n_initrds++] = optarg;
                        break;
                case ARG_CMDLINE:
                        a->cmdline = optarg;
                        break;
                case ARG_OSREL:
                        a->os_release = optarg;
                        break;
                case ARG_UNAME:
                        a->uname = optarg;
                        break;
                case ARG_SPLASH:
                        a->splash = optarg;
                        break;
                case ARG_OUTPUT:
                        a->output = optarg;
                        break;
                }
        }
        if (optind < argc)
                return log_error("unexpected argument '%s' (see 'build --help')", argv[optind]), -EINVAL;
        if (!a->stub || !a->linux_path || !a->output)
                return log_error("build needs --stub, --linux and --output (see 'build --help')"), -EINVAL;
        return 1;
}

static int log_oom(void) {
        log_error("out of memory");
        return -ENOMEM;
}

static int read_input(const char *what, const char *path, char **ret, size_t *ret_size) {
        int r = read_full_file(path, UKIFY_FILE_MAX, ret, ret_size);
        if (r == -EFBIG)
                return log_error("%s %s: larger than 2 GiB, which no UKI can hold", what, path), r;
        if (r < 0)
                return log_error_errno(r, "%s %s: cannot read it", what, path);
        return 0;
}

/* TEXT or @FILE; with strip, a file's trailing newlines are not part of the value (a command line
 * written with an editor ends in one; os-release is a file format and is kept as it is). */
static int read_text(const char *what, const char *arg, bool strip, char **ret, size_t *ret_size) {
        size_t len;

        if (arg[0] == '@') {
                int r = read_input(what, arg + 1, ret, &len);
                if (r < 0)
                        return r;
                if (strip)
                        len = ukify_strip_trailing_newlines(*ret, len);
        } else {
                *ret = strdup(arg);
                if (!*ret)
                        return log_oom();
                len = strlen(arg);
        }
        if (memchr(*ret, 0, len)) {
                free(*ret);
                *ret = NULL;
                return log_error("%s %s: contains a NUL byte, which no text section may", what, arg), -EINVAL;
        }
        *ret_size = len;
        return 0;
}

static void describe_diag(char *buf, size_t size, const uint8_t *base, size_t base_size, const struct pb_diag *d) {
        const char *reason = d->reason ? d->reason : "malformed";
        const uint8_t *w = (const uint8_t *) d->where.ptr;
        if (d->where.len > 0 && w >= base && w < base + base_size)
                snprintf(buf, size, "%s (at offset 0x%zx)", reason, (size_t) (w - base));
        else
                snprintf(buf, size, "%s", reason);
}

static int collect_payloads(const struct build_args *a, const char *kernel, size_t kernel_size,
                            struct payload *p, size_t *n) {
        char *s;
        size_t len;
        int r;

        if (a->os_release) {
                r = read_text("--os-release", a->os_release, false, &s, &len);
                if (r < 0)
                        return r;
                p[(*n)++] = (struct payload) { ".osrel", "--os-release", s, len };
        }
        if (a->cmdline) {
                r = read_text("--cmdline", a->cmdline, true, &s, &len);
                if (r < 0)
                        return r;
                p[(*n)++] = (struct payload) { ".cmdline", "--cmdline", s, len };
        }
        if (a->uname) {
                s = strdup(a->uname);
                if (!s)
                        return log_oom();
                p[(*n)++] = (struct payload) { ".uname", "--uname", s, strlen(s) };
        } else {
                char release[UNAME_MAX];
                if (ukify_kernel_release((const uint8_t *) kernel, kernel_size, release, sizeof release) == 0) {
                        s = strdup(release);
                        if (!s)
                                return log_oom();
                        p[(*n)++] = (struct payload) { ".uname", "kernel_version of --linux", s, strlen(s) };
                } else
                        log_info("--linux %s: no kernel version string found, .uname omitted (use --uname)",
                                 a->linux_path);
        }
        if (a->splash) {
                r = read_input("--splash", a->splash, &s, &len);
                if (r < 0)
                        return r;
                p[(*n)++] = (struct payload) { ".splash", "--splash", s, len };
        }
        if (a->n_initrds > 0) {
                char *cat = NULL;
                size_t cat_len = 0;
                for (unsigned i = 0; i < a->n_initrds; i++) {
                        r = read_input("--initrd", a->initrds[i], &s, &len);
                        if (r < 0) {
                                free(cat);
                                return r;
                        }
                        r = ukify_append_initrd(&cat, &cat_len, s, len);
                        free(s);
                        if (r < 0) {
                                free(cat);
                                return log_error_errno(r, "--initrd %s: cannot append it", a->initrds[i]);
                        }
                }
                p[(*n)++] = (struct payload) { ".initrd", "--initrd", cat, cat_len };
        }
        /* .linux goes last, at the highest address, as systemd's ukify does. */
        s = malloc(kernel_size ? kernel_size : 1);
        if (!s)
                return log_oom();
        memcpy(s, kernel, kernel_size);
        p[(*n)++] = (struct payload) { ".linux", "--linux", s, kernel_size };

        for (size_t i = 0; i < *n; i++) {
                if (p[i].size == 0)
                        return log_error("%s is empty: a %s section cannot be empty, leave the option out",
                                         p[i].origin, p[i].section), -EINVAL;
                if (p[i].size > UINT32_MAX)
                        return log_error("%s is larger than 4 GiB, which no PE image can hold", p[i].origin),
                               -EFBIG;
        }
        return 0;
}

static int assemble(const struct build_args *a, const uint8_t *stub, size_t stub_size, struct payload *p,
                    size_t n, uint8_t **ret, size_t *ret_size) {
        struct pb_pe_info pe;
        struct pb_pe_new_section add[8];
        struct pb_pe_section added[8];
        struct pb_pe_plan plan;
        struct pb_diag d = {};
        char why[256];
        int r;

        r = pb_pe_parse(stub, stub_size, PB_PE_FILE, &pe, &d);
        if (r < 0) {
                describe_diag(why, sizeof why, stub, stub_size, &d);
                return log_error("--stub %s: not a usable PE image: %s", a->stub, why), r;
        }
        if (pb_pe_find_section(stub, stub_size, &pe, ".linux", NULL) == 0)
                return log_error("--stub %s: already has a .linux section: it is a UKI, not a bare stub", a->stub),
                       -EEXIST;
        if (pe.subsystem != 10)
                log_warning("--stub %s: subsystem %u is not an EFI application (10)", a->stub, pe.subsystem);
        if (pe.cert_offset != 0)
                log_warning("--stub %s: its signature is dropped, sign the UKI instead", a->stub);

        for (size_t i = 0; i < n; i++)
                add[i] = (struct pb_pe_new_section) { p[i].section, (uint32_t) p[i].size, PB_PE_SCN_UKI_DATA };
        r = pb_pe_plan_append(stub, stub_size, &pe, add, n, added, &plan, &d);
        if (r == -EEXIST)
                return log_error("--stub %s: already has a %.*s section; use a stub without it",
                                 a->stub, (int) d.where.len, d.where.ptr), r;
        if (r == -E2BIG)
                return log_error("--stub %s: cannot append %zu sections: %s; the stub needs %zu bytes of free "
                                 "header space after its section table (relink it with a larger header area)",
                                 a->stub, n, d.reason, n * 40), r;
        if (r < 0) {
                describe_diag(why, sizeof why, stub, stub_size, &d);
                return log_error("--stub %s: cannot append %zu sections: %s", a->stub, n, why), r;
        }

        uint8_t *out = calloc(1, plan.output_size);
        if (!out)
                return log_oom();
        memcpy(out, stub, plan.keep_size);
        r = pb_pe_apply_plan(out, plan.output_size, &pe, added, n, &plan);
        if (r < 0) {
                free(out);
                return log_error_errno(r, "internal error: the section layout does not apply");
        }
        for (size_t i = 0; i < n; i++)
                memcpy(out + added[i].raw_offset, p[i].data, p[i].size);

        /* What we wrote must read back as what we meant to write. */
        r = pb_pe_parse(out, plan.output_size, PB_PE_FILE, &pe, &d);
        if (r < 0) {
                free(out);
                return log_error("internal error: the result does not parse: %s", d.reason), -EPROTO;
        }
        *ret = out;
        *ret_size = plan.output_size;
        return 0;
}

int verb_build(int argc, char **argv) {
        struct build_args a = {};
        struct payload p[8] = {};
        size_t n = 0;
        _cleanup_free_ char *stub = NULL, *kernel = NULL;
        _cleanup_free_ uint8_t *out = NULL;
        size_t stub_size = 0, kernel_size = 0, out_size = 0;
        int r;

        r = parse_build_args(argc, argv, &a);
        if (r <= 0)
                return r < 0 ? UKIFY_EXIT_USAGE : UKIFY_EXIT_OK;

        if (read_input("--stub", a.stub, &stub, &stub_size) < 0 ||
            read_input("--linux", a.linux_path, &kernel, &kernel_size) < 0)
                return UKIFY_EXIT_USAGE;
        if (kernel_size < 2 || kernel[0] != 'M' || kernel[1] != 'Z')
                log_warning("--linux %s: not a PE image; the stub can only start an EFI-stub kernel",
                            a.linux_path);

        r = collect_payloads(&a, kernel, kernel_size, p, &n);
        if (r < 0) {
                payloads_free(p, n);
                return r == -ENOMEM ? UKIFY_EXIT_FAILURE : UKIFY_EXIT_USAGE;
        }
        r = assemble(&a, (const uint8_t *) stub, stub_size, p, n, &out, &out_size);
        payloads_free(p, n);
        if (r < 0)
                return r == -ENOMEM ? UKIFY_EXIT_FAILURE : UKIFY_EXIT_USAGE;

        r = write_file_atomic(a.output, out, out_size, 0644);
        if (r < 0) {
                log_error_errno(r, "--output %s: cannot write it", a.output);
                return UKIFY_EXIT_FAILURE;
        }
        return UKIFY_EXIT_OK;
}
