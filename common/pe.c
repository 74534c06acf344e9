/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pe.h"

/* Offsets from the PE/COFF specification. */
#define DOS_LFANEW 0x3c
#define DOS_HEADER_SIZE 0x40
#define COFF_HEADER_SIZE 20
#define COFF_MACHINE 0
#define COFF_NUMBER_OF_SECTIONS 2
#define COFF_SYMTAB 8
#define COFF_NUMBER_OF_SYMBOLS 12
#define COFF_OPT_SIZE 16
#define COFF_CHARACTERISTICS 18
#define OPT_MAGIC 0
#define OPT_SIZE_OF_INITIALIZED_DATA 8
#define OPT_ENTRY_POINT 16
#define OPT_SECTION_ALIGNMENT 32
#define OPT_FILE_ALIGNMENT 36
#define OPT_SIZE_OF_IMAGE 56
#define OPT_SIZE_OF_HEADERS 60
#define OPT_CHECKSUM 64
#define OPT_SUBSYSTEM 68
#define OPT32_IMAGE_BASE 28
#define OPT32_NUMBER_OF_RVA 92
#define OPT32_DATA_DIRS 96
#define OPT64_IMAGE_BASE 24
#define OPT64_NUMBER_OF_RVA 108
#define OPT64_DATA_DIRS 112
#define DATA_DIRS_MAX 16
#define DATA_DIR_SECURITY 4
#define SECTION_HEADER_SIZE 40
#define SH_VIRTUAL_SIZE 8
#define SH_VIRTUAL_ADDRESS 12
#define SH_RAW_SIZE 16
#define SH_RAW_OFFSET 20
#define SH_CHARACTERISTICS 36

#define MAX_SECTION_ALIGNMENT (2u * 1024 * 1024)
#define MAX_FILE_ALIGNMENT (64u * 1024)

static int fail(struct pb_diag *d, int err, const char *reason, const uint8_t *buf, size_t size,
                uint64_t off, uint64_t len) {
        if (off > size)
                off = size;
        if (len > size - off)
                len = size - off;
        return pb_diag_set(d, err, reason, pb_span_make((const char *) buf + off, (size_t) len));
}

static bool is_pow2(uint32_t v) {
        return v != 0 && (v & (v - 1)) == 0;
}

/* Rounds v up to a power-of-two alignment; the result may exceed 32 bits, callers check. */
static uint64_t align_up(uint64_t v, uint32_t alignment) {
        return (v + alignment - 1) & ~((uint64_t) alignment - 1);
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
        if (alen == 0 || blen == 0)
                return false;
        return a < b + blen && b < a + alen;
}

/* How many bytes the loader maps for a section. */
static uint32_t memory_size(const struct pb_pe_section *s) {
        return s->virtual_size != 0 ? s->virtual_size : s->raw_size;
}

static void section_decode(const uint8_t *p, struct pb_pe_section *ret) {
        pb_memcpy(ret->name, p, PB_PE_SECTION_NAME_MAX);
        ret->name[PB_PE_SECTION_NAME_MAX] = 0;
        ret->virtual_size = pb_le32(p + SH_VIRTUAL_SIZE);
        ret->virtual_address = pb_le32(p + SH_VIRTUAL_ADDRESS);
        ret->raw_size = pb_le32(p + SH_RAW_SIZE);
        ret->raw_offset = pb_le32(p + SH_RAW_OFFSET);
        ret->characteristics = pb_le32(p + SH_CHARACTERISTICS);
}

static int parse_headers(const uint8_t *buf, size_t size, struct pb_pe_info *pe, struct pb_diag *diag) {
        /* The signature first: for a file that is no PE image at all, that is the useful message. */
        if (!buf || size < 2 || buf[0] != 'M' || buf[1] != 'Z')
                return fail(diag, -EBADMSG, "no MZ signature: not a PE image", buf, size, 0, 2);
        if (size < DOS_HEADER_SIZE)
                return fail(diag, -EBADMSG, "too short for a DOS header", buf, size, 0, size);

        uint32_t lfanew = pb_le32(buf + DOS_LFANEW);
        if (lfanew < DOS_HEADER_SIZE || (uint64_t) lfanew + 4 + COFF_HEADER_SIZE > size)
                return fail(diag, -EBADMSG, "e_lfanew points outside the image", buf, size, DOS_LFANEW, 4);
        if (pb_memcmp(buf + lfanew, "PE\0\0", 4) != 0)
                return fail(diag, -EBADMSG, "no PE signature at e_lfanew: not a PE image", buf, size, lfanew, 4);

        const uint8_t *coff = buf + lfanew + 4;
        pe->pe_offset = lfanew;
        pe->machine = pb_le16(coff + COFF_MACHINE);
        pe->n_sections = pb_le16(coff + COFF_NUMBER_OF_SECTIONS);
        pe->symtab_offset = pb_le32(coff + COFF_SYMTAB);
        pe->n_symbols = pb_le32(coff + COFF_NUMBER_OF_SYMBOLS);
        pe->opt_size = pb_le16(coff + COFF_OPT_SIZE);
        pe->characteristics = pb_le16(coff + COFF_CHARACTERISTICS);
        pe->opt_offset = lfanew + 4 + COFF_HEADER_SIZE;

        if (pe->n_sections > PB_PE_SECTIONS_MAX)
                return fail(diag, -EBADMSG, "more than 96 sections", buf, size,
                            lfanew + 4 + COFF_NUMBER_OF_SECTIONS, 2);
        if (pe->opt_size < 2 || (uint64_t) pe->opt_offset + pe->opt_size > size)
                return fail(diag, -EBADMSG, "optional header missing or outside the image", buf, size,
                            lfanew + 4 + COFF_OPT_SIZE, 2);

        const uint8_t *opt = buf + pe->opt_offset;
        uint32_t min_size, rva_off, dirs_off;
        pe->magic = pb_le16(opt + OPT_MAGIC);
        switch (pe->magic) {
        case PB_PE_MAGIC_PE32:
                min_size = OPT32_DATA_DIRS;
                rva_off = OPT32_NUMBER_OF_RVA;
                dirs_off = OPT32_DATA_DIRS;
                break;
        case PB_PE_MAGIC_PE32PLUS:
                min_size = OPT64_DATA_DIRS;
                rva_off = OPT64_NUMBER_OF_RVA;
                dirs_off = OPT64_DATA_DIRS;
                break;
        default:
                return fail(diag, -EOPNOTSUPP, "optional header is neither PE32 nor PE32+", buf, size,
                            pe->opt_offset, 2);
        }
        if (pe->opt_size < min_size)
                return fail(diag, -EBADMSG, "optional header too small for its magic", buf, size,
                            lfanew + 4 + COFF_OPT_SIZE, 2);

        pe->entry_point = pb_le32(opt + OPT_ENTRY_POINT);
        pe->image_base = pe->magic == PB_PE_MAGIC_PE32 ? pb_le32(opt + OPT32_IMAGE_BASE)
                                                       : pb_le64(opt + OPT64_IMAGE_BASE);
        pe->size_of_initialized_data = pb_le32(opt + OPT_SIZE_OF_INITIALIZED_DATA);
        pe->section_alignment = pb_le32(opt + OPT_SECTION_ALIGNMENT);
        pe->file_alignment = pb_le32(opt + OPT_FILE_ALIGNMENT);
        pe->size_of_image = pb_le32(opt + OPT_SIZE_OF_IMAGE);
        pe->size_of_headers = pb_le32(opt + OPT_SIZE_OF_HEADERS);
        pe->checksum = pb_le32(opt + OPT_CHECKSUM);
        pe->subsystem = pb_le16(opt + OPT_SUBSYSTEM);
        pe->n_data_dirs = pb_le32(opt + rva_off);
        pe->data_dir_offset = pe->opt_offset + dirs_off;

        if (pe->n_data_dirs > DATA_DIRS_MAX ||
            dirs_off + (uint64_t) pe->n_data_dirs * 8 > pe->opt_size)
                return fail(diag, -EBADMSG, "NumberOfRvaAndSizes does not fit the optional header", buf,
                            size, pe->opt_offset + rva_off, 4);
        if (!is_pow2(pe->file_alignment) || pe->file_alignment > MAX_FILE_ALIGNMENT)
                return fail(diag, -EBADMSG, "FileAlignment is not a power of two up to 64 KiB", buf, size,
                            pe->opt_offset + OPT_FILE_ALIGNMENT, 4);
        if (!is_pow2(pe->section_alignment) || pe->section_alignment < pe->file_alignment ||
            pe->section_alignment > MAX_SECTION_ALIGNMENT)
                return fail(diag, -EBADMSG,
                            "SectionAlignment is not a power of two between FileAlignment and 2 MiB", buf,
                            size, pe->opt_offset + OPT_SECTION_ALIGNMENT, 4);

        pe->cert_offset = pe->cert_size = 0;
        if (pe->n_data_dirs > DATA_DIR_SECURITY) {
                const uint8_t *d = buf + pe->data_dir_offset + DATA_DIR_SECURITY * 8;
                pe->cert_offset = pb_le32(d);
                pe->cert_size = pb_le32(d + 4);
        }

        uint64_t table_end = (uint64_t) pe->opt_offset + pe->opt_size +
                             (uint64_t) pe->n_sections * SECTION_HEADER_SIZE;
        pe->section_table_offset = pe->opt_offset + pe->opt_size;
        if (table_end > size)
                return fail(diag, -EBADMSG, "section table extends past the end of the image", buf, size,
                            pe->section_table_offset, table_end - pe->section_table_offset);
        if (pe->size_of_headers < table_end || pe->size_of_headers > size)
                return fail(diag, -EBADMSG, "SizeOfHeaders does not cover the section table or exceeds the image",
                            buf, size, pe->opt_offset + OPT_SIZE_OF_HEADERS, 4);
        if (pe->size_of_image < pe->size_of_headers)
                return fail(diag, -EBADMSG, "SizeOfImage is smaller than SizeOfHeaders", buf, size,
                            pe->opt_offset + OPT_SIZE_OF_IMAGE, 4);
        return 0;
}

static int check_sections(const uint8_t *buf, size_t size, struct pb_pe_info *pe, struct pb_diag *diag) {
        uint64_t raw_end = pe->size_of_headers, virtual_end = pe->size_of_headers;

        for (unsigned i = 0; i < pe->n_sections; i++) {
                uint32_t off = pe->section_table_offset + i * SECTION_HEADER_SIZE;
                struct pb_pe_section s;
                section_decode(buf + off, &s);

                uint64_t mem_end = (uint64_t) s.virtual_address + memory_size(&s);
                if (memory_size(&s) > 0 && s.virtual_address < pe->size_of_headers)
                        return fail(diag, -EBADMSG, "section overlaps the headers in memory", buf, size,
                                    off, SECTION_HEADER_SIZE);
                if (mem_end > pe->size_of_image)
                        return fail(diag, -EBADMSG, "section extends past SizeOfImage", buf, size, off,
                                    SECTION_HEADER_SIZE);
                if (pe->view == PB_PE_MEMORY && mem_end > size)
                        return fail(diag, -EBADMSG, "section extends past the loaded image", buf, size, off,
                                    SECTION_HEADER_SIZE);
                if (pe->view == PB_PE_FILE && s.raw_size > 0) {
                        uint64_t end = (uint64_t) s.raw_offset + s.raw_size;
                        if (s.raw_offset < pe->size_of_headers)
                                return fail(diag, -EBADMSG, "section raw data overlaps the headers", buf,
                                            size, off, SECTION_HEADER_SIZE);
                        if (end > size)
                                return fail(diag, -EBADMSG, "section raw data extends past the end of the file",
                                            buf, size, off, SECTION_HEADER_SIZE);
                        if (end > raw_end)
                                raw_end = end;
                }
                uint64_t vend = (uint64_t) s.virtual_address +
                                (s.virtual_size > s.raw_size ? s.virtual_size : s.raw_size);
                if (vend > virtual_end)
                        virtual_end = vend;

                for (unsigned j = 0; j < i; j++) {
                        struct pb_pe_section t;
                        section_decode(buf + pe->section_table_offset + j * SECTION_HEADER_SIZE, &t);
                        if (ranges_overlap(s.virtual_address, memory_size(&s), t.virtual_address,
                                           memory_size(&t)))
                                return fail(diag, -EBADMSG, "sections overlap in memory", buf, size, off,
                                            SECTION_HEADER_SIZE);
                        if (pe->view == PB_PE_FILE &&
                            ranges_overlap(s.raw_offset, s.raw_size, t.raw_offset, t.raw_size))
                                return fail(diag, -EBADMSG, "sections overlap in the file", buf, size, off,
                                            SECTION_HEADER_SIZE);
                }
        }
        /* Both fit in 32 bits: raw_end <= size was checked only for the file view, so clamp. */
        pe->raw_end = raw_end > UINT32_MAX ? UINT32_MAX : (uint32_t) raw_end;
        pe->virtual_end = virtual_end > UINT32_MAX ? UINT32_MAX : (uint32_t) virtual_end;
        return 0;
}

int pb_pe_parse(const uint8_t *buf, size_t size, enum pb_pe_view view, struct pb_pe_info *ret,
                struct pb_diag *diag) {
        struct pb_pe_info pe = { .view = view };
        int r;

        if (view != PB_PE_FILE && view != PB_PE_MEMORY)
                return pb_diag_set(diag, -EINVAL, "unknown view", PB_SPAN_NULL);
        /* Every offset in a PE image is 32 bits; larger buffers are only ever looked at up to 4 GiB. */
        if (size > UINT32_MAX)
                size = UINT32_MAX;
        r = parse_headers(buf, size, &pe, diag);
        if (r < 0)
                return r;
        r = check_sections(buf, size, &pe, diag);
        if (r < 0)
                return r;
        if (view == PB_PE_MEMORY)
                pe.symtab_offset = pe.n_symbols = 0;
        *ret = pe;
        return 0;
}

int pb_pe_section_get(const uint8_t *buf, size_t size, const struct pb_pe_info *pe, unsigned idx,
                      struct pb_pe_section *ret) {
        if (idx >= pe->n_sections)
                return -ERANGE;
        uint64_t off = (uint64_t) pe->section_table_offset + (uint64_t) idx * SECTION_HEADER_SIZE;
        if (off + SECTION_HEADER_SIZE > size)
                return -EBADMSG;
        section_decode(buf + off, ret);
        return 0;
}

static bool name_valid(const char *name, size_t *ret_len) {
        if (!name)
                return false;
        size_t n = pb_strnlen(name, PB_PE_SECTION_NAME_MAX + 1);
        if (n == 0 || n > PB_PE_SECTION_NAME_MAX)
                return false;
        *ret_len = n;
        return true;
}

int pb_pe_find_section(const uint8_t *buf, size_t size, const struct pb_pe_info *pe, const char *name,
                       struct pb_pe_section *ret) {
        size_t n;

        if (!name_valid(name, &n))
                return -EINVAL;
        for (unsigned i = 0; i < pe->n_sections; i++) {
                struct pb_pe_section s;
                int r = pb_pe_section_get(buf, size, pe, i, &s);
                if (r < 0)
                        return r;
                /* The stored name is NUL-padded, so comparing n + 1 bytes is exact unless the
                 * name uses all 8 bytes. */
                if (pb_memcmp(s.name, name, n) == 0 && (n == PB_PE_SECTION_NAME_MAX || s.name[n] == 0)) {
                        if (ret)
                                *ret = s;
                        return 0;
                }
        }
        return -ENOENT;
}

int pb_pe_section_data(const uint8_t *buf, size_t size, const struct pb_pe_info *pe,
                       const struct pb_pe_section *s, struct pb_span *ret) {
        uint64_t start, len = memory_size(s);

        if (pe->view == PB_PE_MEMORY)
                start = s->virtual_address;
        else {
                start = s->raw_offset;
                if (len > s->raw_size)
                        len = s->raw_size;
        }
        /* An empty section may claim any offset; it has no bytes to point at. */
        if (len == 0) {
                *ret = PB_SPAN_NULL;
                return 0;
        }
        if (start > size || len > size - start)
                return -EBADMSG;
        *ret = pb_span_make((const char *) buf + start, (size_t) len);
        return 0;
}

int pb_pe_memory_section(const void *image, size_t image_size, const char *name, struct pb_span *ret,
                         struct pb_diag *diag) {
        struct pb_pe_info pe;
        struct pb_pe_section s;
        int r;

        r = pb_pe_parse(image, image_size, PB_PE_MEMORY, &pe, diag);
        if (r < 0)
                return r;
        r = pb_pe_find_section(image, image_size, &pe, name, &s);
        if (r < 0)
                return pb_diag_set(diag, r, r == -ENOENT ? "no such section" : "bad section name", PB_SPAN_NULL);
        r = pb_pe_section_data(image, image_size, &pe, &s, ret);
        if (r < 0)
                return pb_diag_set(diag, r, "section data outside the image", PB_SPAN_NULL);
        return 0;
}

static int check_new_names(const uint8_t *buf, size_t size, const struct pb_pe_info *pe,
                           const struct pb_pe_new_section *add, size_t n_add, struct pb_diag *diag) {
        for (size_t i = 0; i < n_add; i++) {
                size_t n;
                if (!name_valid(add[i].name, &n))
                        return pb_diag_set(diag, -EINVAL, "section name must be 1 to 8 bytes",
                                           add[i].name ? pb_span_from_str(add[i].name) : PB_SPAN_NULL);
                if (add[i].size == 0)
                        return pb_diag_set(diag, -EINVAL, "section payload is empty",
                                           pb_span_make(add[i].name, n));
                struct pb_pe_section s;
                int r = pb_pe_find_section(buf, size, pe, add[i].name, &s);
                if (r == 0)
                        return pb_diag_set(diag, -EEXIST, "the image already has a section of this name",
                                           pb_span_make(add[i].name, n));
                if (r != -ENOENT)
                        return pb_diag_set(diag, r, "cannot read the section table", PB_SPAN_NULL);
                for (size_t j = 0; j < i; j++)
                        if (pb_span_eq(pb_span_make(add[i].name, n), add[j].name))
                                return pb_diag_set(diag, -EEXIST, "section added twice",
                                                   pb_span_make(add[i].name, n));
        }
        return 0;
}

int pb_pe_plan_append(const uint8_t *buf, size_t size, const struct pb_pe_info *pe,
                      const struct pb_pe_new_section *add, size_t n_add, struct pb_pe_section *added,
                      struct pb_pe_plan *plan, struct pb_diag *diag) {
        int r;

        if (pe->view != PB_PE_FILE)
                return pb_diag_set(diag, -EINVAL, "sections can only be appended to a file image", PB_SPAN_NULL);
        if (size > UINT32_MAX)
                return pb_diag_set(diag, -EOVERFLOW, "image larger than 4 GiB", PB_SPAN_NULL);
        if (n_add == 0)
                return pb_diag_set(diag, -EINVAL, "no sections to add", PB_SPAN_NULL);
        if (pe->n_sections + n_add > PB_PE_SECTIONS_MAX)
                return pb_diag_set(diag, -E2BIG, "more than 96 sections in total", PB_SPAN_NULL);
        r = check_new_names(buf, size, pe, add, n_add, diag);
        if (r < 0)
                return r;

        /* The header area ends where the first section begins, in the file and in memory. */
        uint64_t limit = UINT32_MAX;
        for (unsigned i = 0; i < pe->n_sections; i++) {
                struct pb_pe_section s;
                r = pb_pe_section_get(buf, size, pe, i, &s);
                if (r < 0)
                        return pb_diag_set(diag, r, "cannot read the section table", PB_SPAN_NULL);
                if (s.raw_size > 0 && s.raw_offset < limit)
                        limit = s.raw_offset;
                if (memory_size(&s) > 0 && s.virtual_address < limit)
                        limit = s.virtual_address;
        }

        uint64_t old_end = (uint64_t) pe->section_table_offset + (uint64_t) pe->n_sections * SECTION_HEADER_SIZE;
        uint64_t new_end = old_end + (uint64_t) n_add * SECTION_HEADER_SIZE;
        uint64_t headers = pe->size_of_headers;
        if (new_end > headers)
                headers = align_up(new_end, pe->file_alignment);
        if (headers > limit)
                return fail(diag, -E2BIG, "no room for the new section headers before the first section", buf,
                            size, old_end, limit > old_end ? limit - old_end : 0);
        for (uint64_t o = old_end; o < new_end; o++)
                if (o < size && buf[o] != 0)
                        return fail(diag, -EBADMSG, "the bytes after the section table are in use", buf, size,
                                    old_end, new_end - old_end);
        for (unsigned d = 0; d < pe->n_data_dirs; d++) {
                if (d == DATA_DIR_SECURITY) /* a file offset, and dropped anyway */
                        continue;
                const uint8_t *p = buf + pe->data_dir_offset + d * 8;
                if (ranges_overlap(pb_le32(p), pb_le32(p + 4), old_end, new_end - old_end))
                        return fail(diag, -EBADMSG, "a data directory points into the header area after the section table",
                                    buf, size, pe->data_dir_offset + d * 8, 8);
        }

        /* raw_end <= size in the file view: the input is copied up to there, anything after it
         * (symbol table, signature, overlay) is dropped. */
        uint64_t keep = pe->raw_end;
        uint64_t va = pe->virtual_end;
        if (pe->size_of_image > va)
                va = pe->size_of_image;
        if (headers > va)
                va = headers;
        va = align_up(va, pe->section_alignment);
        uint64_t off = align_up(keep > headers ? keep : headers, pe->file_alignment);
        uint64_t init_data = pe->size_of_initialized_data;
        for (size_t i = 0; i < n_add; i++) {
                uint64_t raw = align_up(add[i].size, pe->file_alignment);
                if (va > UINT32_MAX || off > UINT32_MAX || raw > UINT32_MAX)
                        return pb_diag_set(diag, -EOVERFLOW, "the image would exceed 4 GiB",
                                           pb_span_from_str(add[i].name));
                added[i] = (struct pb_pe_section) {
                        .virtual_size = add[i].size,
                        .virtual_address = (uint32_t) va,
                        .raw_size = (uint32_t) raw,
                        .raw_offset = (uint32_t) off,
                        .characteristics = add[i].characteristics,
                };
                pb_memset(added[i].name, 0, sizeof added[i].name);
                pb_memcpy(added[i].name, add[i].name, pb_strlen(add[i].name));
                va = align_up(va + raw, pe->section_alignment);
                off += raw;
                init_data += raw;
        }
        if (va > UINT32_MAX || off > UINT32_MAX)
                return pb_diag_set(diag, -EOVERFLOW, "the image would exceed 4 GiB", PB_SPAN_NULL);

        *plan = (struct pb_pe_plan) {
                .keep_size = (uint32_t) keep,
                .output_size = (uint32_t) off,
                .size_of_image = (uint32_t) va,
                .size_of_headers = (uint32_t) headers,
                .size_of_initialized_data = init_data > UINT32_MAX ? UINT32_MAX : (uint32_t) init_data,
                .n_sections = (uint16_t) (pe->n_sections + n_add),
        };
        return 0;
}

int pb_pe_apply_plan(uint8_t *out, size_t out_size, const struct pb_pe_info *pe,
                     const struct pb_pe_section *added, size_t n_add, const struct pb_pe_plan *plan) {
        if (out_size < plan->output_size || plan->keep_size > plan->output_size ||
            plan->n_sections != pe->n_sections + n_add ||
            (uint64_t) pe->section_table_offset + (uint64_t) plan->n_sections * SECTION_HEADER_SIZE >
                    plan->size_of_headers ||
            plan->size_of_headers > plan->output_size)
                return -EINVAL;

        pb_memset(out + plan->keep_size, 0, plan->output_size - plan->keep_size);

        uint8_t *coff = out + pe->pe_offset + 4;
        pb_put_le16(coff + COFF_NUMBER_OF_SECTIONS, plan->n_sections);
        pb_put_le32(coff + COFF_SYMTAB, 0);
        pb_put_le32(coff + COFF_NUMBER_OF_SYMBOLS, 0);

        uint8_t *opt = out + pe->opt_offset;
        pb_put_le32(opt + OPT_SIZE_OF_INITIALIZED_DATA, plan->size_of_initialized_data);
        pb_put_le32(opt + OPT_SIZE_OF_IMAGE, plan->size_of_image);
        pb_put_le32(opt + OPT_SIZE_OF_HEADERS, plan->size_of_headers);
        pb_put_le32(opt + OPT_CHECKSUM, 0);
        if (pe->n_data_dirs > DATA_DIR_SECURITY)
                pb_memset(out + pe->data_dir_offset + DATA_DIR_SECURITY * 8, 0, 8);

        for (size_t i = 0; i < n_add; i++) {
                uint8_t *sh = out + pe->section_table_offset + (pe->n_sections + i) * SECTION_HEADER_SIZE;
                pb_memset(sh, 0, SECTION_HEADER_SIZE);
                pb_memcpy(sh, added[i].name, pb_strnlen(added[i].name, PB_PE_SECTION_NAME_MAX));
                pb_put_le32(sh + SH_VIRTUAL_SIZE, added[i].virtual_size);
                pb_put_le32(sh + SH_VIRTUAL_ADDRESS, added[i].virtual_address);
                pb_put_le32(sh + SH_RAW_SIZE, added[i].raw_size);
                pb_put_le32(sh + SH_RAW_OFFSET, added[i].raw_offset);
                pb_put_le32(sh + SH_CHARACTERISTICS, added[i].characteristics);
        }
        return 0;
}
