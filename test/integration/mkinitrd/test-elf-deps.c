/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ELF reader of pullboot-mkinitrd on this host's own binaries and on crafted images. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf-deps.h"
#include "test.h"

static bool has_needed(const struct elf_deps *d, const char *name) {
        for (size_t i = 0; i < d->n_needed; i++)
                if (strcmp(d->needed[i], name) == 0)
                        return true;
        return false;
}

/* The libc this very process runs with, from its memory map. */
static void mapped_libc(char *buf, size_t size) {
        FILE *f = fopen("/proc/self/maps", "re");
        char line[1024];
        buf[0] = 0;
        ASSERT_TRUE(f);
        while (fgets(line, sizeof line, f)) {
                char *p = strchr(line, '/');
                if (p && strstr(p, "/libc.so.6")) {
                        p[strcspn(p, "\n")] = 0;
                        snprintf(buf, size, "%s", p);
                        break;
                }
        }
        fclose(f);
        ASSERT_TRUE(buf[0]);
}

static void test_self(void) {
        struct elf_deps d;
        ASSERT_EQ(elf_deps_read("/proc/self/exe", &d), 0);
        ASSERT_EQ(d.elf_class, ELFCLASS64);
        ASSERT_EQ(d.machine, EM_X86_64);
        ASSERT_TRUE(d.dynamic);
        ASSERT_STREQ(d.interp, "/lib64/ld-linux-x86-64.so.2");
        ASSERT_TRUE(has_needed(&d, "libc.so.6"));

        /* The library found must be the one the loader picked for us. */
        char *lib = NULL, want[PATH_MAX], got[PATH_MAX];
        ASSERT_EQ(elf_find_library("libc.so.6", "/proc/self/exe", &d, &lib), 0);
        mapped_libc(want, sizeof want);
        ASSERT_TRUE(realpath(lib, got));
        char want_real[PATH_MAX];
        ASSERT_TRUE(realpath(want, want_real));
        ASSERT_STREQ(got, want_real);
        free(lib);

        ASSERT_EQ(elf_find_library("libdoes-not-exist.so.9", "/proc/self/exe", &d, &lib), -ENOENT);
        elf_deps_done(&d);
}

static void test_libc(void) {
        char path[PATH_MAX];
        struct elf_deps d;
        mapped_libc(path, sizeof path);
        ASSERT_EQ(elf_deps_read(path, &d), 0);
        ASSERT_TRUE(d.dynamic);
        ASSERT_TRUE(has_needed(&d, "ld-linux-x86-64.so.2"));
        elf_deps_done(&d);
}

static void test_klibc_ipconfig(void) {
        struct elf_deps d;
        int r = elf_deps_read("/usr/lib/klibc/bin/ipconfig", &d);
        if (r == -ENOENT) {
                printf("klibc-utils not installed, ipconfig case skipped\n");
                return;
        }
        ASSERT_EQ(r, 0);
        /* klibc programs are "static" executables whose interpreter is the klibc shared object. */
        ASSERT_TRUE(d.interp);
        ASSERT_TRUE(strncmp(d.interp, "/lib/klibc-", 11) == 0);
        ASSERT_EQ(d.n_needed, 0);
        elf_deps_done(&d);
}

static void test_static_busybox(void) {
        struct elf_deps d;
        int r = elf_deps_read("/bin/busybox", &d);
        if (r == -ENOENT) {
                printf("busybox not installed, static case skipped\n");
                return;
        }
        ASSERT_EQ(r, 0);
        ASSERT_TRUE(!d.interp);
        ASSERT_EQ(d.n_needed, 0);
        elf_deps_done(&d);
}

static void test_not_elf(void) {
        struct elf_deps d;
        static const char script[] = "#!/bin/sh\necho hello\n";
        ASSERT_EQ(elf_deps_parse(script, sizeof script - 1, &d), -ENOEXEC);
        ASSERT_EQ(elf_deps_parse("\177EL", 3, &d), -ENOEXEC);
        ASSERT_EQ(elf_deps_parse("", 0, &d), -ENOEXEC);
}

/* A minimal ELF64 shared object: one PT_LOAD at vaddr 0x1000, PT_DYNAMIC, a string table. */
struct crafted {
        Elf64_Ehdr eh;
        Elf64_Phdr ph[3];
        Elf64_Dyn dyn[6];
        char strtab[64];
};

static void craft(struct crafted *c, const char *runpath) {
        memset(c, 0, sizeof *c);
        memcpy(c->eh.e_ident, ELFMAG, SELFMAG);
        c->eh.e_ident[EI_CLASS] = ELFCLASS64;
        c->eh.e_ident[EI_DATA] = ELFDATA2LSB;
        c->eh.e_ident[EI_VERSION] = EV_CURRENT;
        c->eh.e_type = ET_DYN;
        c->eh.e_machine = EM_X86_64;
        c->eh.e_version = EV_CURRENT;
        c->eh.e_phoff = offsetof(struct crafted, ph);
        c->eh.e_ehsize = sizeof(Elf64_Ehdr);
        c->eh.e_phentsize = sizeof(Elf64_Phdr);
        c->eh.e_phnum = 3;

        /* strtab: "\0libfoo.so.1\0/opt/x\0" + runpath */
        size_t o = 1;
        size_t needed_off = o;
        o += (size_t) sprintf(c->strtab + o, "libfoo.so.1") + 1;
        size_t interp_off = offsetof(struct crafted, strtab) + o;
        o += (size_t) sprintf(c->strtab + o, "/opt/x") + 1;
        size_t runpath_off = o;
        o += (size_t) sprintf(c->strtab + o, "%s", runpath) + 1;

        c->ph[0] = (Elf64_Phdr) { .p_type = PT_LOAD, .p_offset = 0, .p_vaddr = 0x1000, .p_filesz = sizeof *c };
        c->ph[1] = (Elf64_Phdr) { .p_type = PT_DYNAMIC, .p_offset = offsetof(struct crafted, dyn),
                                  .p_vaddr = 0x1000 + offsetof(struct crafted, dyn), .p_filesz = sizeof c->dyn };
        c->ph[2] = (Elf64_Phdr) { .p_type = PT_INTERP, .p_offset = interp_off, .p_filesz = 7 };
        c->dyn[0] = (Elf64_Dyn) { .d_tag = DT_STRTAB, .d_un.d_val = 0x1000 + offsetof(struct crafted, strtab) };
        c->dyn[1] = (Elf64_Dyn) { .d_tag = DT_STRSZ, .d_un.d_val = sizeof c->strtab };
        c->dyn[2] = (Elf64_Dyn) { .d_tag = DT_NEEDED, .d_un.d_val = needed_off };
        c->dyn[3] = (Elf64_Dyn) { .d_tag = DT_RUNPATH, .d_un.d_val = runpath_off };
        c->dyn[4] = (Elf64_Dyn) { .d_tag = DT_NULL };
}

static void write_file(const char *path, const void *data, size_t size) {
        FILE *f = fopen(path, "we");
        ASSERT_TRUE(f);
        ASSERT_EQ(fwrite(data, 1, size, f), size);
        ASSERT_EQ(fclose(f), 0);
}

static void test_crafted(void) {
        struct crafted c;
        struct elf_deps d;

        craft(&c, "/nowhere:$ORIGIN/../lib");
        ASSERT_EQ(elf_deps_parse(&c, sizeof c, &d), 0);
        ASSERT_STREQ(d.interp, "/opt/x");
        ASSERT_EQ(d.n_needed, 1);
        ASSERT_STREQ(d.needed[0], "libfoo.so.1");
        ASSERT_STREQ(d.runpath, "/nowhere:$ORIGIN/../lib");
        ASSERT_TRUE(!d.rpath);

        /* $ORIGIN is the directory of the object, after symlinks. */
        char dir[] = "/tmp/test-elf-deps.XXXXXX", path[PATH_MAX], lib[PATH_MAX];
        ASSERT_TRUE(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/bin", dir);
        ASSERT_EQ(mkdir(path, 0755), 0);
        snprintf(path, sizeof path, "%s/lib", dir);
        ASSERT_EQ(mkdir(path, 0755), 0);
        snprintf(lib, sizeof lib, "%s/lib/libfoo.so.1", dir);
        write_file(lib, &c, sizeof c);
        snprintf(path, sizeof path, "%s/bin/prog", dir);
        write_file(path, &c, sizeof c);

        char *found = NULL;
        ASSERT_EQ(elf_find_library("libfoo.so.1", path, &d, &found), 0);
        char want[PATH_MAX];
        snprintf(want, sizeof want, "%s/bin/../lib/libfoo.so.1", dir);
        ASSERT_STREQ(found, want);
        free(found);

        /* A library of another machine is not a match. */
        struct crafted other = c;
        other.eh.e_machine = EM_AARCH64;
        write_file(lib, &other, sizeof other);
        ASSERT_EQ(elf_find_library("libfoo.so.1", path, &d, &found), -ENOENT);
        elf_deps_done(&d);

        unlink(lib);
        unlink(path);
        snprintf(path, sizeof path, "%s/bin", dir);
        rmdir(path);
        snprintf(path, sizeof path, "%s/lib", dir);
        rmdir(path);
        rmdir(dir);

        /* Malformed: a string offset past the table, an unterminated interpreter, a strtab
         * address outside every segment, program headers past the end. */
        struct crafted bad;
        craft(&bad, "/x");
        bad.dyn[2].d_un.d_val = 4096;
        ASSERT_EQ(elf_deps_parse(&bad, sizeof bad, &d), -EBADMSG);
        craft(&bad, "/x");
        bad.ph[2].p_filesz = 3;
        ASSERT_EQ(elf_deps_parse(&bad, sizeof bad, &d), -EBADMSG);
        craft(&bad, "/x");
        bad.dyn[0].d_un.d_val = 0x900000;
        ASSERT_EQ(elf_deps_parse(&bad, sizeof bad, &d), -EBADMSG);
        craft(&bad, "/x");
        bad.eh.e_phnum = 200;
        ASSERT_EQ(elf_deps_parse(&bad, sizeof bad, &d), -EBADMSG);

        /* Every truncation of a valid file is rejected or parsed, never read past its end
         * (each prefix is an exact-size heap copy, so a sanitizer catches any overread). */
        craft(&c, "$ORIGIN");
        for (size_t n = 0; n <= sizeof c; n++) {
                void *copy = malloc(n ? n : 1);
                ASSERT_TRUE(copy);
                memcpy(copy, &c, n);
                int r = elf_deps_parse(copy, n, &d);
                ASSERT_TRUE(r == 0 || r == -EBADMSG || r == -ENOEXEC);
                if (r == 0)
                        elf_deps_done(&d);
                free(copy);
        }
}

int main(void) {
        test_self();
        test_libc();
        test_klibc_ipconfig();
        test_static_busybox();
        test_not_elf();
        test_crafted();
        printf("elf-deps: all passed\n");
        return 0;
}
