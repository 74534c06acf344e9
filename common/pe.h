/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"

/*
 * PE/COFF images (PE32 and PE32+): header validation, the section table, finding a section by
 * name, and appending sections the way a UKI is built.
 *
 * The same parser serves two views of an image:
 *  - PB_PE_FILE: the bytes of a file; section data is found at PointerToRawData (ukify, tests);
 *  - PB_PE_MEMORY: an image loaded by the firmware (EFI_LOADED_IMAGE.ImageBase/ImageSize);
 *    section data is found at VirtualAddress (the stub locating its own .linux/.initrd/.cmdline).
 * Everything is bounds-checked against the buffer size; nothing is allocated.
 */

#define PB_PE_SECTION_NAME_MAX 8
/* The PE specification's limit for loaders; we also use it to bound every walk. */
#define PB_PE_SECTIONS_MAX 96

#define PB_PE_MAGIC_PE32 0x010b
#define PB_PE_MAGIC_PE32PLUS 0x020b

#define PB_PE_MACHINE_I386 0x014c
#define PB_PE_MACHINE_X86_64 0x8664
#define PB_PE_MACHINE_ARM64 0xaa64

/* Characteristics of the sections a UKI carries. */
#define PB_PE_SCN_CNT_CODE 0x00000020u
#define PB_PE_SCN_CNT_INITIALIZED_DATA 0x00000040u
#define PB_PE_SCN_MEM_EXECUTE 0x20000000u
#define PB_PE_SCN_MEM_READ 0x40000000u
#define PB_PE_SCN_MEM_WRITE 0x80000000u
#define PB_PE_SCN_UKI_DATA (PB_PE_SCN_CNT_INITIALIZED_DATA | PB_PE_SCN_MEM_READ)

enum pb_pe_view {
        PB_PE_FILE,
        PB_PE_MEMORY,
};

struct pb_pe_section {
        char name[PB_PE_SECTION_NAME_MAX + 1];  /* NUL-terminated copy of the 8-byte name */
        uint32_t virtual_size;
        uint32_t virtual_address;
        uint32_t raw_size;                      /* SizeOfRawData */
        uint32_t raw_offset;                    /* PointerToRawData */
        uint32_t characteristics;
};

struct pb_pe_info {
        enum pb_pe_view view;
        uint32_t pe_offset;             /* e_lfanew: "PE\0\0" */
        uint16_t machine;
        uint16_t n_sections;
        uint16_t characteristics;       /* COFF header */
        uint16_t magic;                 /* PB_PE_MAGIC_PE32 or PB_PE_MAGIC_PE32PLUS */
        uint16_t subsystem;
        uint32_t opt_offset;            /* optional header */
        uint16_t opt_size;              /* SizeOfOptionalHeader */
        uint32_t section_table_offset;
        uint32_t entry_point;
        uint64_t image_base;
        uint32_t section_alignment;
        uint32_t file_alignment;
        uint32_t size_of_image;
        uint32_t size_of_headers;
        uint32_t size_of_initialized_data;
        uint32_t checksum;
        uint32_t n_data_dirs;           /* NumberOfRvaAndSizes, at most 16 */
        uint32_t data_dir_offset;
        uint32_t symtab_offset;         /* COFF symbol table (file view only), 0 if none */
        uint32_t n_symbols;
        uint32_t cert_offset;           /* Security directory (file offset), 0 if unsigned */
        uint32_t cert_size;
        uint32_t raw_end;               /* end of the last section's raw data in the file */
        uint32_t virtual_end;           /* max VirtualAddress + max(VirtualSize, SizeOfRawData) */
};

/*
 * Validates DOS header, PE signature, COFF header, optional header (PE32 or PE32+), data
 * directories and the section table: every section within the image (file view: raw data within
 * the buffer; both: memory span within SizeOfImage, and for the memory view within size), no two
 * sections overlapping in memory or in the file, the section table within SizeOfHeaders.
 * -EBADMSG on malformed input (diag says why and where), -EOPNOTSUPP for a ROM image or an
 * unknown optional header magic.
 */
int pb_pe_parse(const uint8_t *buf, size_t size, enum pb_pe_view view, struct pb_pe_info *ret,
                struct pb_diag *diag);

/* Section header idx (< pe->n_sections). -ERANGE for a bad index. */
int pb_pe_section_get(const uint8_t *buf, size_t size, const struct pb_pe_info *pe, unsigned idx,
                      struct pb_pe_section *ret);

/* First section named exactly name (at most 8 bytes). -ENOENT if there is none. */
int pb_pe_find_section(const uint8_t *buf, size_t size, const struct pb_pe_info *pe, const char *name,
                       struct pb_pe_section *ret);

/*
 * The payload of a section: VirtualSize bytes (SizeOfRawData if VirtualSize is 0). In the file
 * view, bytes past SizeOfRawData are not in the file, so the payload is cut there; in the memory
 * view the loader zero-filled them. -EBADMSG if the span is outside buf.
 */
int pb_pe_section_data(const uint8_t *buf, size_t size, const struct pb_pe_info *pe,
                       const struct pb_pe_section *s, struct pb_span *ret);

/*
 * For the stub: parse the loaded image at image/image_size and return the payload of the section
 * called name. -ENOENT if there is none, -EBADMSG/-EOPNOTSUPP as pb_pe_parse.
 */
int pb_pe_memory_section(const void *image, size_t image_size, const char *name, struct pb_span *ret,
                         struct pb_diag *diag);

/* A section to append: name (1..8 bytes, NUL-terminated), payload size (> 0), characteristics. */
struct pb_pe_new_section {
        const char *name;
        uint32_t size;
        uint32_t characteristics;
};

/*
 * Where appended sections go. The input is kept up to keep_size (the end of the last section's
 * raw data: a trailing COFF symbol table or signature is dropped and its header fields cleared,
 * since a signature no longer matches and symbols have no place in an image).
 */
struct pb_pe_plan {
        uint32_t keep_size;             /* bytes of the input copied verbatim */
        uint32_t output_size;           /* total size of the new file */
        uint32_t size_of_image;
        uint32_t size_of_headers;
        uint32_t size_of_initialized_data;
        uint16_t n_sections;            /* after appending */
};

/*
 * Computes the layout of n_add new sections (file view only): virtual addresses from the first
 * SectionAlignment boundary past every existing section (and SizeOfImage), each section's raw data
 * at the next FileAlignment boundary past the kept input, SizeOfRawData rounded up to
 * FileAlignment, VirtualSize = payload size. The new section headers must fit between the section
 * table and the first section's raw data (SizeOfHeaders is grown up to there if needed; the bytes
 * must be zero and no data directory may point there). Fills added[0..n_add) and plan.
 * Errors: -EEXIST (a section of that name exists or is added twice), -E2BIG (too many sections or
 * no room in the header area), -EOVERFLOW (the image would exceed 4 GiB), -EINVAL (bad name or
 * empty payload), -EBADMSG (header area not empty or referenced).
 */
int pb_pe_plan_append(const uint8_t *buf, size_t size, const struct pb_pe_info *pe,
                      const struct pb_pe_new_section *add, size_t n_add, struct pb_pe_section *added,
                      struct pb_pe_plan *plan, struct pb_diag *diag);

/*
 * Rewrites the headers in out (which holds the first plan->keep_size bytes of the input, and is at
 * least plan->output_size bytes long, the rest zero): new section headers, NumberOfSections,
 * SizeOfImage, SizeOfHeaders, SizeOfInitializedData, CheckSum = 0, symbol table and Security
 * directory cleared. The caller then copies each payload to added[i].raw_offset.
 */
int pb_pe_apply_plan(uint8_t *out, size_t out_size, const struct pb_pe_info *pe,
                     const struct pb_pe_section *added, size_t n_add, const struct pb_pe_plan *plan);
