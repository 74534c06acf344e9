/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "escape.h"
#include "fileio.h"
#include "json.h"
#include "log.h"
#include "pe.h"
#include "ukify.h"

#define PRETTY_NAME_MAX 1024

static const char *machine_name(uint16_t m, char *buf, size_t size) {
        switch (m) {
        case PB_PE_MACHINE_X86_64:
                return "x86-64";
        case PB_PE_MACHINE_I386:
                return "i386";
        case PB_PE_MACHINE_ARM64:
                return "arm64";
        case 0x01c2:
                return "arm";
        case 0x5064:
                return "riscv64";
        case 0x6264:
                return "loongarch64";
        default:
                snprintf(buf, size, "0x%04x", m);
                return buf;
        }
}

/* Text sections are shown without the trailing NULs and newlines some builders add. */
static struct pb_span text_trim(struct pb_span s) {
        while (s.len > 0 && (s.ptr[s.len - 1] == 0 || s.ptr[s.len - 1] == '\n'))
                s.len--;
        return s;
}

struct uki_view {
        const uint8_t *buf;
        size_t size;
        struct pb_pe_info pe;
};

/* The payload of a section, or false if there is none. */
static bool section_text(const struct uki_view *v, const char *name, struct pb_span *ret) {
        struct pb_pe_section s;
        if (pb_pe_find_section(v->buf, v->size, &v->pe, name, &s) < 0 ||
            pb_pe_section_data(v->buf, v->size, &v->pe, &s, ret) < 0)
                return false;
        *ret = text_trim(*ret);
        return true;
}

static bool pretty_name(const struct uki_view *v, char *buf, size_t size) {
        struct pb_span osrel;
        if (!section_text(v, ".osrel", &osrel))
                return false;
        return ukify_osrel_value(osrel, "PRETTY_NAME", buf, size) >= 0 ||
               ukify_osrel_value(osrel, "NAME", buf, size) >= 0;
}

static void print_text_line(const char *label, struct pb_span value) {
        fputs(label, stdout);
        fput_escaped(stdout, value.ptr, value.len);
        putchar('\n');
}

/* Section i and its bytes in the file (empty where they lie outside it); false for a header that
 * cannot be read, which the listings pass over. */
static bool section_at(const struct uki_view *v, unsigned i, struct pb_pe_section *s, struct pb_span *data) {
        if (pb_pe_section_get(v->buf, v->size, &v->pe, i, s) < 0)
                return false;
        *data = PB_SPAN_NULL;
        (void) pb_pe_section_data(v->buf, v->size, &v->pe, s, data);
        return true;
}

static void print_text(const struct uki_view *v, const char *path) {
        char mbuf[8], name[PRETTY_NAME_MAX];
        struct pb_span t;

        printf("%s: %s %s, subsystem %u, %u sections, SizeOfImage 0x%" PRIx32 "%s\n", path,
               v->pe.magic == PB_PE_MAGIC_PE32 ? "PE32" : "PE32+", machine_name(v->pe.machine, mbuf, sizeof mbuf),
               v->pe.subsystem, v->pe.n_sections, v->pe.size_of_image, v->pe.cert_offset ? ", signed" : "");
        printf("%-8s  %10s  %10s  %10s  %10s\n", "Name", "Size", "VMA", "RawSize", "FileOff");
        for (unsigned i = 0; i < v->pe.n_sections; i++) {
                struct pb_pe_section s;
                struct pb_span data;
                if (!section_at(v, i, &s, &data))
                        continue;
                _cleanup_free_ char *sname = escape_control(s.name);
                printf("%-8s  0x%08zx  0x%08" PRIx32 "  0x%08" PRIx32 "  0x%08" PRIx32 "\n", sname ?: "?",
                       data.len, s.virtual_address, s.raw_size, s.raw_offset);
        }
        /* The texts come from the image, which may be anyone's: escape what would drive the terminal. */
        if (section_text(v, ".cmdline", &t))
                print_text_line("cmdline: ", t);
        if (pretty_name(v, name, sizeof name))
                print_text_line("os-release: ", pb_span_from_str(name));
        if (section_text(v, ".uname", &t))
                print_text_line("uname: ", t);
}

static void json_field_text(const char *key, bool present, struct pb_span value) {
        printf(",\"%s\":", key);
        if (present)
                json_write_string(stdout, value.ptr, value.len);
        else
                fputs("null", stdout);
}

static void print_json(const struct uki_view *v) {
        char mbuf[8], name[PRETTY_NAME_MAX];
        struct pb_span t;
        bool have;

        printf("{\"format\":\"%s\",\"machine\":\"%s\",\"subsystem\":%u,\"size_of_image\":%" PRIu32
               ",\"signed\":%s,\"sections\":[",
               v->pe.magic == PB_PE_MAGIC_PE32 ? "PE32" : "PE32+", machine_name(v->pe.machine, mbuf, sizeof mbuf),
               v->pe.subsystem, v->pe.size_of_image, v->pe.cert_offset ? "true" : "false");
        for (unsigned i = 0; i < v->pe.n_sections; i++) {
                struct pb_pe_section s;
                struct pb_span data;
                if (!section_at(v, i, &s, &data))
                        continue;
                printf("%s{\"name\":", i ? "," : "");
                json_write_cstring(stdout, s.name);
                printf(",\"size\":%zu,\"virtual_address\":%" PRIu32 ",\"virtual_size\":%" PRIu32
                       ",\"raw_offset\":%" PRIu32 ",\"raw_size\":%" PRIu32 ",\"characteristics\":%" PRIu32 "}",
                       data.len, s.virtual_address, s.virtual_size, s.raw_offset, s.raw_size, s.characteristics);
        }
        putchar(']');
        have = section_text(v, ".cmdline", &t);
        json_field_text("cmdline", have, t);
        have = pretty_name(v, name, sizeof name);
        json_field_text("pretty_name", have, pb_span_from_str(name));
        have = section_text(v, ".uname", &t);
        json_field_text("uname", have, t);
        have = section_text(v, ".sbat", &t);
        json_field_text("sbat", have, t);
        printf("}\n");
}

static void inspect_help(void) {
        printf("Usage: pullboot-ukify inspect [--json] FILE\n"
               "\n"
               "Show the sections of a PE image or UKI, its command line, os-release PRETTY_NAME and\n"
               "kernel release.\n"
               "\n"
               "  --json      one JSON object (see pullboot-ukify(1) for its fields)\n"
               "  -h --help   show this help\n"
               "  --version   show the version\n");
}

int verb_inspect(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        _cleanup_free_ char *buf = NULL;
        struct uki_view v = {};
        struct pb_diag d = {};
        bool json = false;
        int c, r;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        inspect_help();
                        return UKIFY_EXIT_OK;
                case 'V':
                        printf("pullboot-ukify %s\n", PULLBOOT_VERSION);
                        return UKIFY_EXIT_OK;
                case 'j':
                        json = true;
                        break;
                default:
                        log_error("unknown option '%s' (see 'inspect --help')", argv[optind - 1]);
                        return UKIFY_EXIT_USAGE;
                }
        }
        if (argc - optind != 1) {
                log_error("inspect takes exactly one FILE (see 'inspect --help')");
                return UKIFY_EXIT_USAGE;
        }
        const char *path = argv[optind];
        r = read_full_file(path, UKIFY_FILE_MAX, &buf, &v.size);
        if (r < 0) {
                log_error_errno(r, "%s: cannot read it", path);
                return UKIFY_EXIT_USAGE;
        }
        v.buf = (const uint8_t *) buf;
        r = pb_pe_parse(v.buf, v.size, PB_PE_FILE, &v.pe, &d);
        if (r < 0) {
                const uint8_t *w = (const uint8_t *) d.where.ptr;
                if (d.where.len > 0 && w >= v.buf && w < v.buf + v.size)
                        log_error("%s: not a usable PE image: %s (at offset 0x%zx)", path, d.reason,
                                  (size_t) (w - v.buf));
                else
                        log_error("%s: not a usable PE image: %s", path, d.reason);
                return UKIFY_EXIT_USAGE;
        }
        if (json)
                print_json(&v);
        else
                print_text(&v, path);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                log_error("cannot write to standard output");
                return UKIFY_EXIT_FAILURE;
        }
        return UKIFY_EXIT_OK;
}
