/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "elf-deps.h"
#include "macro.h"

/* Class-independent views of the few header fields we read. */
struct phdr {
        uint32_t type;
        uint64_t offset, vaddr, filesz;
};

#define MAX_LOADS 64

struct elf_view {
        const uint8_t *data;
        size_t size;
        uint8_t cls;
};

static bool range_ok(size_t size, uint64_t offset, uint64_t len) {
        return offset <= size && len <= size - offset;
}

static uint8_t native_data(void) {
        const uint16_t one = 1;
        return *(const uint8_t *) &one == 1 ? ELFDATA2LSB : ELFDATA2MSB;
}

bool elf_is_elf(const void *data, size_t size) {
        return size >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0;
}

/* The size bytes at off, copied out (the file's data need not be aligned for the header types);
 * -EBADMSG where they are not all inside the file. */
static int copy_out(const struct elf_view *v, uint64_t off, void *buf, size_t size) {
        if (!range_ok(v->size, off, size))
                return -EBADMSG;
        memcpy(buf, v->data + off, size);
        return 0;
}

static int read_phdr(const struct elf_view *v, uint64_t off, struct phdr *ret) {
        if (v->cls == ELFCLASS64) {
                Elf64_Phdr p;
                if (copy_out(v, off, &p, sizeof p) < 0)
                        return -EBADMSG;
                *ret = (struct phdr) { p.p_type, p.p_offset, p.p_vaddr, p.p_filesz };
        } else {
                Elf32_Phdr p;
                if (copy_out(v, off, &p, sizeof p) < 0)
                        return -EBADMSG;
                *ret = (struct phdr) { p.p_type, p.p_offset, p.p_vaddr, p.p_filesz };
        }
        return 0;
}

/* Reads dynamic entry i of the segment at dyn_off (dyn_size bytes): 1 for an entry, 0 at the end
 * of the table (DT_NULL, or the end of the segment). */
static int read_dyn(const struct elf_view *v, uint64_t dyn_off, uint64_t dyn_size, uint64_t i,
                    int64_t *tag, uint64_t *val) {
        size_t esz = v->cls == ELFCLASS64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
        if (i >= dyn_size / esz)
                return 0;
        uint64_t off = dyn_off + i * esz;
        if (!range_ok(v->size, off, esz))
                return -EBADMSG;
        if (v->cls == ELFCLASS64) {
                Elf64_Dyn d;
                memcpy(&d, v->data + off, sizeof d);
                *tag = d.d_tag;
                *val = d.d_un.d_val;
        } else {
                Elf32_Dyn d;
                memcpy(&d, v->data + off, sizeof d);
                *tag = d.d_tag;
                *val = d.d_un.d_val;
        }
        return *tag != DT_NULL;
}

/* Copies a NUL-terminated string that must end within [off, off + max). */
static int copy_string(const struct elf_view *v, uint64_t off, uint64_t max, char **ret) {
        if (!range_ok(v->size, off, 0))
                return -EBADMSG;
        if (max > v->size - off)
                max = v->size - off;
        const char *s = (const char *) v->data + off;
        const char *end = memchr(s, 0, max);
        if (!end)
                return -EBADMSG;
        char *c = strndup(s, (size_t) (end - s));
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

void elf_deps_done(struct elf_deps *d) {
        if (!d)
                return;
        free(d->interp);
        free(d->rpath);
        free(d->runpath);
        for (size_t i = 0; i < d->n_needed; i++)
                free(d->needed[i]);
        free(d->needed);
        *d = (struct elf_deps) {};
}

static int parse(const struct elf_view *v, struct elf_deps *d) {
        uint64_t phoff, phentsize, phnum;
        int r;

        if (v->cls == ELFCLASS64) {
                Elf64_Ehdr e;
                if (copy_out(v, 0, &e, sizeof e) < 0)
                        return -EBADMSG;
                phoff = e.e_phoff, phentsize = e.e_phentsize, phnum = e.e_phnum, d->machine = e.e_machine;
        } else {
                Elf32_Ehdr e;
                if (copy_out(v, 0, &e, sizeof e) < 0)
                        return -EBADMSG;
                phoff = e.e_phoff, phentsize = e.e_phentsize, phnum = e.e_phnum, d->machine = e.e_machine;
        }
        if (phnum > 0 && phentsize < (v->cls == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
                return -EBADMSG;
        if (!range_ok(v->size, phoff, phentsize * phnum))
                return -EBADMSG;

        struct phdr loads[MAX_LOADS], dyn = {};
        size_t n_loads = 0;
        for (uint64_t i = 0; i < phnum; i++) {
                struct phdr p;
                r = read_phdr(v, phoff + i * phentsize, &p);
                if (r < 0)
                        return r;
                switch (p.type) {
                case PT_INTERP:
                        if (d->interp || !range_ok(v->size, p.offset, p.filesz))
                                return -EBADMSG;
                        r = copy_string(v, p.offset, p.filesz, &d->interp);
                        if (r < 0)
                                return r;
                        break;
                case PT_DYNAMIC:
                        if (d->dynamic || !range_ok(v->size, p.offset, p.filesz))
                                return -EBADMSG;
                        dyn = p;
                        d->dynamic = true;
                        break;
                case PT_LOAD:
                        if (n_loads >= MAX_LOADS)
                                return -EBADMSG;
                        loads[n_loads++] = p;
                        break;
                }
        }
        if (!d->dynamic)
                return 0;

        /* First pass: where the string table is; the string offsets come with the entries. */
        uint64_t strtab = 0, strsz = 0;
        bool have_strtab = false;
        size_t n_needed = 0;
        int64_t tag;
        uint64_t val;
        for (uint64_t i = 0; (r = read_dyn(v, dyn.offset, dyn.filesz, i, &tag, &val)) > 0; i++) {
                if (tag == DT_STRTAB)
                        strtab = val, have_strtab = true;
                else if (tag == DT_STRSZ)
                        strsz = val;
                else if (tag == DT_NEEDED)
                        n_needed++;
        }
        if (r < 0)
                return r;
        if (n_needed > ELF_DEPS_MAX_NEEDED)
                return -E2BIG;
        if (!have_strtab)
                return n_needed > 0 ? -EBADMSG : 0;

        /* DT_STRTAB is an address: find the loaded segment that holds it. */
        uint64_t str_off = UINT64_MAX;
        for (size_t i = 0; i < n_loads; i++)
                if (strtab >= loads[i].vaddr && strtab - loads[i].vaddr < loads[i].filesz) {
                        str_off = loads[i].offset + (strtab - loads[i].vaddr);
                        break;
                }
        if (str_off == UINT64_MAX || !range_ok(v->size, str_off, 0))
                return -EBADMSG;
        if (strsz == 0 || strsz > v->size - str_off)
                strsz = v->size - str_off;

        d->needed = calloc(n_needed ? n_needed : 1, sizeof(char *));
        if (!d->needed)
                return -ENOMEM;
        for (uint64_t i = 0; (r = read_dyn(v, dyn.offset, dyn.filesz, i, &tag, &val)) > 0; i++) {
                if (tag != DT_NEEDED && tag != DT_RPATH && tag != DT_RUNPATH)
                        continue;
                if (val >= strsz)
                        return -EBADMSG;
                char *s;
                r = copy_string(v, str_off + val, strsz - val, &s);
                if (r < 0)
                        return r;
                if (tag == DT_NEEDED)
                        d->needed[d->n_needed++] = s;
                else {
                        char **slot = tag == DT_RPATH ? &d->rpath : &d->runpath;
                        free(*slot);
                        *slot = s;
                }
        }
        return r < 0 ? r : 0;
}

int elf_deps_parse(const void *data, size_t size, struct elf_deps *ret) {
        const uint8_t *b = data;

        if (size < EI_NIDENT || !elf_is_elf(data, size))
                return -ENOEXEC;
        if ((b[EI_CLASS] != ELFCLASS32 && b[EI_CLASS] != ELFCLASS64) || b[EI_DATA] != native_data())
                return -ENOEXEC;

        struct elf_view v = { .data = b, .size = size, .cls = b[EI_CLASS] };
        struct elf_deps d = { .elf_class = v.cls };
        int r = parse(&v, &d);
        if (r < 0) {
                elf_deps_done(&d);
                return r;
        }
        *ret = d;
        return 0;
}

int elf_deps_read(const char *path, struct elf_deps *ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_size < EI_NIDENT)
                return -ENOEXEC;

        void *m = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED)
                return -errno;
        int r = elf_deps_parse(m, (size_t) st.st_size, ret);
        munmap(m, (size_t) st.st_size);
        return r;
}

static const char *multiarch_triplet(uint16_t machine) {
        switch (machine) {
        case EM_X86_64:
                return "x86_64-linux-gnu";
        case EM_AARCH64:
                return "aarch64-linux-gnu";
        case EM_386:
                return "i386-linux-gnu";
        default:
                return NULL;
        }
}

/* A candidate only counts if the loader would accept it for this object. */
static bool compatible(const char *path, const struct elf_deps *d) {
        struct elf_deps c;
        if (elf_deps_read(path, &c) < 0)
                return false;
        bool ok = c.elf_class == d->elf_class && c.machine == d->machine;
        elf_deps_done(&c);
        return ok;
}

/* Expands $ORIGIN / ${ORIGIN} in one search path entry; NULL for entries we cannot expand
 * ($LIB, $PLATFORM), which are skipped. */
static char *expand_entry(const char *entry, size_t len, const char *origin_dir) {
        char *out = NULL;
        size_t out_size = 0;
        FILE *f = open_memstream(&out, &out_size);
        if (!f)
                return NULL;
        for (size_t i = 0; i < len;) {
                if (entry[i] != '$') {
                        fputc(entry[i++], f);
                        continue;
                }
                if (len - i >= 7 && memcmp(entry + i, "$ORIGIN", 7) == 0) {
                        fputs(origin_dir, f);
                        i += 7;
                } else if (len - i >= 9 && memcmp(entry + i, "${ORIGIN}", 9) == 0) {
                        fputs(origin_dir, f);
                        i += 9;
                } else {
                        fclose(f);
                        free(out);
                        return NULL;
                }
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

static int search_list(const char *list, const char *soname, const char *origin_dir,
                       const struct elf_deps *d, char **ret) {
        for (const char *p = list; p && *p;) {
                size_t len = strcspn(p, ":");
                if (len > 0) {
                        _cleanup_free_ char *dir = expand_entry(p, len, origin_dir);
                        _cleanup_free_ char *cand = NULL;
                        if (dir && asprintf(&cand, "%s/%s", dir, soname) >= 0 && compatible(cand, d)) {
                                *ret = TAKE_PTR(cand);
                                return 0;
                        }
                }
                p += len;
                if (*p == ':')
                        p++;
        }
        return -ENOENT;
}

int elf_find_library(const char *soname, const char *origin_path, const struct elf_deps *d, char **ret) {
        /* A DT_NEEDED with a slash is a path, used as is. */
        if (strchr(soname, '/')) {
                if (!compatible(soname, d))
                        return -ENOENT;
                char *c = strdup(soname);
                if (!c)
                        return -ENOMEM;
                *ret = c;
                return 0;
        }

        char origin_dir[PATH_MAX] = "/";
        if (origin_path && realpath(origin_path, origin_dir)) {
                char *slash = strrchr(origin_dir, '/');
                if (slash && slash != origin_dir)
                        *slash = 0;
                else
                        strcpy(origin_dir, "/");
        }

        if (!d->runpath && search_list(d->rpath, soname, origin_dir, d, ret) == 0)
                return 0;
        if (search_list(d->runpath, soname, origin_dir, d, ret) == 0)
                return 0;

        const char *triplet = multiarch_triplet(d->machine);
        _cleanup_free_ char *defaults = NULL;
        if (asprintf(&defaults, "%s%s%s%s%s/lib64:/usr/lib64:/lib:/usr/lib",
                     triplet ? "/lib/" : "", triplet ? triplet : "", triplet ? ":/usr/lib/" : "",
                     triplet ? triplet : "", triplet ? ":" : "") < 0)
                return -ENOMEM;
        return search_list(defaults, soname, "/", d, ret);
}
