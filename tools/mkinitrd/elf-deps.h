/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What the dynamic loader needs to run an ELF file: its interpreter, the sonames it needs and
 * where it asks them to be searched. Parsed from the file's own headers (program headers and the
 * dynamic section), never by running ldd, so foreign or untrusted files are safe to inspect.
 */

#define ELF_DEPS_MAX_NEEDED 256

struct elf_deps {
        uint8_t elf_class;      /* ELFCLASS32 or ELFCLASS64 */
        uint16_t machine;       /* e_machine, to reject libraries of another architecture */
        bool dynamic;           /* has a PT_DYNAMIC segment */
        char *interp;           /* PT_INTERP, or NULL for static files */
        char *rpath;            /* DT_RPATH, or NULL */
        char *runpath;          /* DT_RUNPATH, or NULL (when set, DT_RPATH is ignored) */
        char **needed;          /* DT_NEEDED entries in file order */
        size_t n_needed;
};

/* Returns true if data starts with the ELF magic. */
bool elf_is_elf(const void *data, size_t size);

/* Parses an ELF image held in memory. -ENOEXEC if it is not ELF or of the other byte order,
 * -EBADMSG if a header points outside the data or a string is not terminated. */
int elf_deps_parse(const void *data, size_t size, struct elf_deps *ret);
void elf_deps_done(struct elf_deps *d);

/* Reads and parses a file (following symlinks). -ENOEXEC for files that are not ELF. */
int elf_deps_read(const char *path, struct elf_deps *ret);

/*
 * Finds the file that provides soname for an object at origin_path with deps d: DT_RPATH (only
 * without DT_RUNPATH), DT_RUNPATH ($ORIGIN expanded), then the standard multiarch and lib dirs.
 * Candidates of another class or machine are skipped, as the loader does. Returns a malloc'd
 * host path, or -ENOENT.
 */
int elf_find_library(const char *soname, const char *origin_path, const struct elf_deps *d, char **ret);
