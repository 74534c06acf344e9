/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pe.h"
#include "test.h"

/*
 * Images are crafted here byte by byte, so every header field a test depends on is visible in
 * the test: a PE32+ (or PE32) image with e_lfanew 0x40, FileAlignment 0x200, SectionAlignment
 * 0x1000 and sections .text at 0x1000 and .data at 0x2000, each with 0x200 bytes of raw data.
 */

#define LFANEW 0x40
#define COFF (LFANEW + 4)
#define OPT (COFF + 20)
#define OPT64_SIZE 240
#define OPT32_SIZE 224
#define FILE_SIZE 0x600
#define IMAGE_SIZE 0x3000

struct img {
        uint8_t b[0x4000];
        size_t size;
        uint32_t table;
};

static void put_section(struct img *m, unsigned idx, const char *name, uint32_t vsize, uint32_t va,
                        uint32_t raw_size, uint32_t raw_off, uint32_t flags) {
        uint8_t *sh = m->b + m->table + idx * 40;
        memset(sh, 0, 40);
        memcpy(sh, name, strnlen(name, 8));
        pb_put_le32(sh + 8, vsize);
        pb_put_le32(sh + 12, va);
        pb_put_le32(sh + 16, raw_size);
        pb_put_le32(sh + 20, raw_off);
        pb_put_le32(sh + 36, flags);
}

static void make_image(struct img *m, bool pe32) {
        uint16_t opt_size = pe32 ? OPT32_SIZE : OPT64_SIZE;

        memset(m, 0, sizeof *m);
        m->b[0] = 'M';
        m->b[1] = 'Z';
        pb_put_le32(m->b + 0x3c, LFANEW);
        memcpy(m->b + LFANEW, "PE\0\0", 4);
        pb_put_le16(m->b + COFF, PB_PE_MACHINE_X86_64);
        pb_put_le16(m->b + COFF + 2, 2);
        pb_put_le16(m->b + COFF + 16, opt_size);
        pb_put_le16(m->b + COFF + 18, 0x206);

        uint8_t *o = m->b + OPT;
        pb_put_le16(o, pe32 ? PB_PE_MAGIC_PE32 : PB_PE_MAGIC_PE32PLUS);
        pb_put_le32(o + 4, 0x200);      /* SizeOfCode */
        pb_put_le32(o + 8, 0x200);      /* SizeOfInitializedData */
        pb_put_le32(o + 16, 0x1000);    /* AddressOfEntryPoint */
        pb_put_le32(o + 32, 0x1000);    /* SectionAlignment */
        pb_put_le32(o + 36, 0x200);     /* FileAlignment */
        pb_put_le32(o + 56, IMAGE_SIZE);
        pb_put_le32(o + 60, 0x200);     /* SizeOfHeaders */
        pb_put_le32(o + 64, 0x12345);   /* CheckSum */
        pb_put_le16(o + 68, 10);        /* EFI application */
        pb_put_le32(o + (pe32 ? 92 : 108), 16);
        m->table = OPT + opt_size;

        put_section(m, 0, ".text", 0x180, 0x1000, 0x200, 0x200, 0x60000020);
        put_section(m, 1, ".data", 0x10, 0x2000, 0x200, 0x400, 0xc0000040);
        memset(m->b + 0x200, 0xcc, 0x180);
        memcpy(m->b + 0x400, "data-section-xyz", 16);
        m->size = FILE_SIZE;
}

/* Moves the raw data up by one FileAlignment unit, leaving room for more section headers. */
static void make_roomy_image_pe(struct img *m, bool grow_headers, bool pe32) {
        make_image(m, pe32);
        memmove(m->b + 0x400, m->b + 0x200, 0x400);
        memset(m->b + 0x200, 0, 0x200);
        put_section(m, 0, ".text", 0x180, 0x1000, 0x200, 0x400, 0x60000020);
        put_section(m, 1, ".data", 0x10, 0x2000, 0x200, 0x600, 0xc0000040);
        if (grow_headers)
                pb_put_le32(m->b + OPT + 60, 0x400);
        m->size = 0x800;
}

static void make_roomy_image(struct img *m, bool grow_headers) {
        make_roomy_image_pe(m, grow_headers, false);
}

static int parse(const struct img *m, struct pb_pe_info *pe, struct pb_diag *d) {
        return pb_pe_parse(m->b, m->size, PB_PE_FILE, pe, d);
}

static void test_parse_pe32plus(void) {
        struct img m;
        struct pb_pe_info pe;
        struct pb_pe_section s;
        struct pb_span data;

        make_image(&m, false);
        ASSERT_EQ(parse(&m, &pe, NULL), 0);
        ASSERT_EQ(pe.magic, PB_PE_MAGIC_PE32PLUS);
        ASSERT_EQ(pe.machine, PB_PE_MACHINE_X86_64);
        ASSERT_EQ(pe.n_sections, 2);
        ASSERT_EQ(pe.section_table_offset, OPT + OPT64_SIZE);
        ASSERT_EQ(pe.section_alignment, 0x1000);
        ASSERT_EQ(pe.file_alignment, 0x200);
        ASSERT_EQ(pe.size_of_image, IMAGE_SIZE);
        ASSERT_EQ(pe.size_of_headers, 0x200);
        ASSERT_EQ(pe.raw_end, 0x600);
        ASSERT_EQ(pe.virtual_end, 0x2200);
        ASSERT_EQ(pe.subsystem, 10);
        ASSERT_EQ(pe.entry_point, 0x1000);

        ASSERT_EQ(pb_pe_section_get(m.b, m.size, &pe, 1, &s), 0);
        ASSERT_STREQ(s.name, ".data");
        ASSERT_EQ(pb_pe_section_get(m.b, m.size, &pe, 2, &s), -ERANGE);

        ASSERT_EQ(pb_pe_find_section(m.b, m.size, &pe, ".data", &s), 0);
        ASSERT_EQ(s.virtual_address, 0x2000);
        ASSERT_EQ(pb_pe_section_data(m.b, m.size, &pe, &s, &data), 0);
        ASSERT_SPANEQ(data, "data-section-xyz");

        /* .text: VirtualSize 0x180 of 0x200 raw bytes. */
        ASSERT_EQ(pb_pe_find_section(m.b, m.size, &pe, ".text", &s), 0);
        ASSERT_EQ(pb_pe_section_data(m.b, m.size, &pe, &s, &data), 0);
        ASSERT_EQ(data.len, 0x180);
        ASSERT_TRUE((const uint8_t *) data.ptr == m.b + 0x200);

        /* Names are compared exactly, not by prefix. */
        ASSERT_EQ(pb_pe_find_section(m.b, m.size, &pe, ".dat", NULL), -ENOENT);
        ASSERT_EQ(pb_pe_find_section(m.b, m.size, &pe, ".data1", NULL), -ENOENT);
        ASSERT_EQ(pb_pe_find_section(m.b, m.size, &pe, "", NULL), -EINVAL);
        ASSERT_EQ(pb_pe_find_section(m.b, m.size, &pe, ".toolongname", NULL), -EINVAL);
}

static void test_parse_pe32(void) {
        struct img m;
        struct pb_pe_info pe;
        struct pb_pe_section s;

        make_image(&m, true);
        ASSERT_EQ(parse(&m, &pe, NULL), 0);
        ASSERT_EQ(pe.magic, PB_PE_MAGIC_PE32);
        ASSERT_EQ(pe.section_table_offset, OPT + OPT32_SIZE);
        ASSERT_EQ(pb_pe_find_section(m.b, m.size, &pe, ".data", &s), 0);
        ASSERT_EQ(s.raw_offset, 0x400);
}

/* A full 8-byte name has no NUL in the header. */
static void test_eight_byte_name(void) {
        struct img m;
        struct pb_pe_info pe;
        struct pb_pe_section s;

        make_image(&m, false);
        put_section(&m, 1, ".abcdefg", 0x10, 0x2000, 0x200, 0x400, 0x40000040);
        ASSERT_EQ(parse(&m, &pe, NULL), 0);
        ASSERT_EQ(pb_pe_find_section(m.b, m.size, &pe, ".abcdefg", &s), 0);
        ASSERT_STREQ(s.name, ".abcdefg");
        ASSERT_EQ(pb_pe_find_section(m.b, m.size, &pe, ".abcdef", NULL), -ENOENT);
}

/* Lays the file out the way a firmware loader would: headers at 0, sections at their RVA. */
static void load(const struct img *m, uint8_t *mem, size_t mem_size) {
        struct pb_pe_info pe;
        ASSERT_EQ(parse(m, &pe, NULL), 0);
        memset(mem, 0, mem_size);
        memcpy(mem, m->b, pe.size_of_headers);
        for (unsigned i = 0; i < pe.n_sections; i++) {
                struct pb_pe_section s;
                ASSERT_EQ(pb_pe_section_get(m->b, m->size, &pe, i, &s), 0);
                size_t n = s.virtual_size < s.raw_size ? s.virtual_size : s.raw_size;
                ASSERT_TRUE(s.virtual_address + n <= mem_size);
                memcpy(mem + s.virtual_address, m->b + s.raw_offset, n);
        }
}

static void test_memory_view(void) {
        static uint8_t mem[IMAGE_SIZE];
        struct img m;
        struct pb_span data;
        struct pb_diag d = {};

        make_image(&m, false);
        /* Raw offsets that make no sense in memory must not matter there. */
        load(&m, mem, sizeof mem);
        pb_put_le32(mem + m.table + 40 + 20, 0x7fffff00);
        ASSERT_EQ(pb_pe_memory_section(mem, sizeof mem, ".data", &data, &d), 0);
        ASSERT_TRUE((const uint8_t *) data.ptr == mem + 0x2000);
        ASSERT_SPANEQ(data, "data-section-xyz");

        ASSERT_EQ(pb_pe_memory_section(mem, sizeof mem, ".linux", &data, &d), -ENOENT);
        ASSERT_STREQ(d.reason, "no such section");

        /* The loaded image is shorter than a section claims. */
        ASSERT_EQ(pb_pe_memory_section(mem, 0x2008, ".data", &data, &d), -EBADMSG);
        ASSERT_STREQ(d.reason, "section extends past the loaded image");
}

static void expect_bad(const struct img *m, int err, const char *reason) {
        struct pb_pe_info pe;
        struct pb_diag d = {};
        int r = parse(m, &pe, &d);
        if (r != err)
                TEST_FAIL("expected %d (%s), got %d (%s)", err, reason, r, d.reason ? d.reason : "-");
        ASSERT_STREQ(d.reason, reason);
        /* The offending span always lies inside the input. */
        ASSERT_TRUE(d.where.len == 0 ||
                    ((const uint8_t *) d.where.ptr >= m->b &&
                     (const uint8_t *) d.where.ptr + d.where.len <= m->b + m->size));
}

static void test_malformed(void) {
        struct img m;

        make_image(&m, false);
        m.b[0] = 'Z';
        expect_bad(&m, -EBADMSG, "no MZ signature: not a PE image");

        make_image(&m, false);
        pb_put_le32(m.b + 0x3c, 0x3ffc);
        expect_bad(&m, -EBADMSG, "e_lfanew points outside the image");
        pb_put_le32(m.b + 0x3c, 0x10);
        expect_bad(&m, -EBADMSG, "e_lfanew points outside the image");

        make_image(&m, false);
        m.b[LFANEW + 1] = 'X';
        expect_bad(&m, -EBADMSG, "no PE signature at e_lfanew: not a PE image");

        make_image(&m, false);
        pb_put_le16(m.b + OPT, 0x107); /* ROM image */
        expect_bad(&m, -EOPNOTSUPP, "optional header is neither PE32 nor PE32+");

        make_image(&m, false);
        pb_put_le16(m.b + COFF + 2, 97);
        expect_bad(&m, -EBADMSG, "more than 96 sections");

        make_image(&m, false);
        pb_put_le16(m.b + COFF + 2, 60);
        expect_bad(&m, -EBADMSG, "section table extends past the end of the image");

        make_image(&m, false);
        pb_put_le16(m.b + COFF + 2, 9);
        expect_bad(&m, -EBADMSG, "SizeOfHeaders does not cover the section table or exceeds the image");

        make_image(&m, false);
        pb_put_le16(m.b + COFF + 16, 100);
        expect_bad(&m, -EBADMSG, "optional header too small for its magic");
        pb_put_le16(m.b + COFF + 16, 0xffff);
        expect_bad(&m, -EBADMSG, "optional header missing or outside the image");

        make_image(&m, false);
        pb_put_le32(m.b + OPT + 108, 17);
        expect_bad(&m, -EBADMSG, "NumberOfRvaAndSizes does not fit the optional header");

        make_image(&m, false);
        pb_put_le32(m.b + OPT + 36, 0x300);
        expect_bad(&m, -EBADMSG, "FileAlignment is not a power of two up to 64 KiB");

        make_image(&m, false);
        pb_put_le32(m.b + OPT + 32, 0x100);
        expect_bad(&m, -EBADMSG, "SectionAlignment is not a power of two between FileAlignment and 2 MiB");

        make_image(&m, false);
        pb_put_le32(m.b + OPT + 60, 0x10000);
        expect_bad(&m, -EBADMSG, "SizeOfHeaders does not cover the section table or exceeds the image");

        make_image(&m, false);
        pb_put_le32(m.b + OPT + 56, 0x100);
        expect_bad(&m, -EBADMSG, "SizeOfImage is smaller than SizeOfHeaders");

        make_image(&m, false);
        pb_put_le32(m.b + OPT + 56, 0x2008);
        expect_bad(&m, -EBADMSG, "section extends past SizeOfImage");

        make_image(&m, false);
        put_section(&m, 1, ".data", 0x10, 0x2000, 0x400, 0x400, 0);
        expect_bad(&m, -EBADMSG, "section raw data extends past the end of the file");

        make_image(&m, false);
        put_section(&m, 1, ".data", 0x10, 0xfffffff0, 0x200, 0x400, 0);
        expect_bad(&m, -EBADMSG, "section extends past SizeOfImage");

        make_image(&m, false);
        put_section(&m, 1, ".data", 0x10, 0x2000, 0x200, 0xfffffe00, 0);
        expect_bad(&m, -EBADMSG, "section raw data extends past the end of the file");

        make_image(&m, false);
        put_section(&m, 1, ".data", 0x10, 0x1100, 0x200, 0x400, 0);
        expect_bad(&m, -EBADMSG, "sections overlap in memory");

        make_image(&m, false);
        put_section(&m, 1, ".data", 0x10, 0x2000, 0x200, 0x300, 0);
        expect_bad(&m, -EBADMSG, "sections overlap in the file");

        make_image(&m, false);
        put_section(&m, 1, ".data", 0x10, 0x2000, 0x200, 0x100, 0);
        expect_bad(&m, -EBADMSG, "section raw data overlaps the headers");

        make_image(&m, false);
        put_section(&m, 1, ".data", 0x10, 0x100, 0x200, 0x400, 0);
        expect_bad(&m, -EBADMSG, "section overlaps the headers in memory");
}

/* Every prefix of a valid image is rejected cleanly (run under ASan in the sanitizer build). */
static void test_truncated(void) {
        struct img m;
        struct pb_pe_info pe;

        make_image(&m, false);
        for (size_t n = 0; n < FILE_SIZE; n++) {
                uint8_t *copy = malloc(n ? n : 1);
                ASSERT_TRUE(copy);
                memcpy(copy, m.b, n);
                struct pb_diag d = {};
                int r = pb_pe_parse(copy, n, PB_PE_FILE, &pe, &d);
                if (r >= 0)
                        TEST_FAIL("prefix of %zu bytes accepted", n);
                ASSERT_TRUE(d.reason != NULL);
                free(copy);
        }
        ASSERT_EQ(pb_pe_parse(NULL, 0, PB_PE_FILE, &pe, NULL), -EBADMSG);
}

struct built {
        uint8_t out[0x10000];
        struct pb_pe_plan plan;
        struct pb_pe_section added[8];
};

static int append(const struct img *m, const struct pb_pe_new_section *add, size_t n, struct built *b,
                  struct pb_diag *d) {
        struct pb_pe_info pe;
        int r = parse(m, &pe, NULL);
        ASSERT_EQ(r, 0);
        r = pb_pe_plan_append(m->b, m->size, &pe, add, n, b->added, &b->plan, d);
        if (r < 0)
                return r;
        ASSERT_TRUE(b->plan.output_size <= sizeof b->out);
        ASSERT_TRUE(b->plan.keep_size <= m->size);
        memset(b->out, 0xee, sizeof b->out); /* apply must zero the new area itself */
        memcpy(b->out, m->b, b->plan.keep_size);
        ASSERT_EQ(pb_pe_apply_plan(b->out, b->plan.output_size, &pe, b->added, n, &b->plan), 0);
        for (size_t i = 0; i < n; i++)
                memset(b->out + b->added[i].raw_offset, 'a' + (int) i, add[i].size);
        return 0;
}

static void test_append(void) {
        static struct built b;
        struct img m;
        struct pb_pe_info pe;
        struct pb_pe_section s;
        struct pb_span data;
        const struct pb_pe_new_section add[] = {
                { ".osrel", 37, PB_PE_SCN_UKI_DATA },
                { ".cmdline", 0x200, PB_PE_SCN_UKI_DATA },
                { ".linux", 0x1234, PB_PE_SCN_UKI_DATA },
        };

        make_roomy_image(&m, true);
        ASSERT_EQ(append(&m, add, 3, &b, NULL), 0);

        ASSERT_EQ(b.plan.keep_size, 0x800);
        ASSERT_EQ(b.plan.n_sections, 5);
        ASSERT_EQ(b.plan.size_of_headers, 0x400);
        ASSERT_STREQ(b.added[0].name, ".osrel");
        ASSERT_EQ(b.added[0].virtual_address, 0x3000);
        ASSERT_EQ(b.added[0].virtual_size, 37);
        ASSERT_EQ(b.added[0].raw_offset, 0x800);
        ASSERT_EQ(b.added[0].raw_size, 0x200);
        ASSERT_EQ(b.added[1].virtual_address, 0x4000);
        ASSERT_EQ(b.added[1].raw_offset, 0xa00);
        ASSERT_EQ(b.added[1].raw_size, 0x200);
        ASSERT_EQ(b.added[2].virtual_address, 0x5000);
        ASSERT_EQ(b.added[2].raw_offset, 0xc00);
        ASSERT_EQ(b.added[2].raw_size, 0x1400);
        ASSERT_EQ(b.plan.output_size, 0x2000);
        ASSERT_EQ(b.plan.size_of_image, 0x7000);
        ASSERT_EQ(b.plan.size_of_initialized_data, 0x200 + 0x200 + 0x200 + 0x1400);

        /* The result parses, keeps the old sections and carries the new ones. */
        ASSERT_EQ(pb_pe_parse(b.out, b.plan.output_size, PB_PE_FILE, &pe, NULL), 0);
        ASSERT_EQ(pe.n_sections, 5);
        ASSERT_EQ(pe.size_of_image, 0x7000);
        ASSERT_EQ(pe.checksum, 0);
        ASSERT_EQ(pe.size_of_initialized_data, 0x1a00);
        ASSERT_EQ(pb_pe_find_section(b.out, b.plan.output_size, &pe, ".data", &s), 0);
        ASSERT_EQ(pb_pe_section_data(b.out, b.plan.output_size, &pe, &s, &data), 0);
        ASSERT_SPANEQ(data, "data-section-xyz");
        ASSERT_EQ(pb_pe_find_section(b.out, b.plan.output_size, &pe, ".linux", &s), 0);
        ASSERT_EQ(s.characteristics, PB_PE_SCN_UKI_DATA);
        ASSERT_EQ(pb_pe_section_data(b.out, b.plan.output_size, &pe, &s, &data), 0);
        ASSERT_EQ(data.len, 0x1234);
        ASSERT_EQ(data.ptr[0], 'c');
        ASSERT_EQ(data.ptr[0x1233], 'c');
        /* File padding after a payload is zero, not left-over memory. */
        ASSERT_EQ(b.out[0xc00 + 0x1234], 0);
        ASSERT_EQ(b.out[0x800 + 37], 0);

        /* The stub's view: load it and find the sections by address. */
        static uint8_t mem[0x7000];
        struct img loaded;
        memcpy(loaded.b, b.out, sizeof loaded.b);
        loaded.size = b.plan.output_size;
        loaded.table = m.table;
        ASSERT_TRUE(loaded.size <= sizeof loaded.b);
        load(&loaded, mem, sizeof mem);
        ASSERT_EQ(pb_pe_memory_section(mem, sizeof mem, ".osrel", &data, NULL), 0);
        ASSERT_EQ(data.len, 37);
        ASSERT_TRUE((const uint8_t *) data.ptr == mem + 0x3000);
        ASSERT_EQ(data.ptr[36], 'a');
}

/* A section table that grows past SizeOfHeaders moves SizeOfHeaders up to the first section. */
static void test_append_grows_headers(void) {
        static struct built b;
        struct img m;
        struct pb_pe_info pe;
        const struct pb_pe_new_section add[] = {
                { ".linux", 10, PB_PE_SCN_UKI_DATA },
                { ".initrd", 10, PB_PE_SCN_UKI_DATA },
        };

        make_image(&m, false);
        make_roomy_image(&m, false);
        /* Fill the table up to just below 0x200: 0x148 + 4 * 40 = 0x1e8. */
        put_section(&m, 2, ".bss1", 0, 0, 0, 0, 0);
        put_section(&m, 3, ".bss2", 0, 0, 0, 0, 0);
        pb_put_le16(m.b + COFF + 2, 4);
        ASSERT_EQ(parse(&m, &pe, NULL), 0);

        ASSERT_EQ(append(&m, add, 2, &b, NULL), 0);
        ASSERT_EQ(b.plan.size_of_headers, 0x400);
        ASSERT_EQ(pb_pe_parse(b.out, b.plan.output_size, PB_PE_FILE, &pe, NULL), 0);
        ASSERT_EQ(pe.size_of_headers, 0x400);
        ASSERT_EQ(pe.n_sections, 6);
        ASSERT_EQ(pb_pe_find_section(b.out, b.plan.output_size, &pe, ".initrd", NULL), 0);
}

static void test_append_errors(void) {
        static struct built b;
        struct img m;
        struct pb_diag d = {};
        struct pb_pe_new_section add[4] = {
                { ".a", 1, PB_PE_SCN_UKI_DATA },
                { ".b", 1, PB_PE_SCN_UKI_DATA },
                { ".c", 1, PB_PE_SCN_UKI_DATA },
                { ".d", 1, PB_PE_SCN_UKI_DATA },
        };

        /* Table at 0x148 + 2 * 40 = 0x198; the first section's data starts at 0x200: room for 2. */
        make_image(&m, false);
        ASSERT_EQ(append(&m, add, 2, &b, &d), 0);
        ASSERT_EQ(append(&m, add, 3, &b, &d), -E2BIG);
        ASSERT_STREQ(d.reason, "no room for the new section headers before the first section");

        ASSERT_EQ(append(&m, add, 0, &b, &d), -EINVAL);

        add[1].name = ".data";
        ASSERT_EQ(append(&m, add, 2, &b, &d), -EEXIST);
        ASSERT_STREQ(d.reason, "the image already has a section of this name");
        ASSERT_SPANEQ(d.where, ".data");

        add[1].name = ".a";
        ASSERT_EQ(append(&m, add, 2, &b, &d), -EEXIST);
        ASSERT_STREQ(d.reason, "section added twice");

        add[1].name = ".ninechar";
        ASSERT_EQ(append(&m, add, 2, &b, &d), -EINVAL);
        add[1].name = "";
        ASSERT_EQ(append(&m, add, 2, &b, &d), -EINVAL);
        ASSERT_STREQ(d.reason, "section name must be 1 to 8 bytes");

        add[1].name = ".b";
        add[1].size = 0;
        ASSERT_EQ(append(&m, add, 2, &b, &d), -EINVAL);
        ASSERT_STREQ(d.reason, "section payload is empty");
        add[1].size = 1;

        /* Something lives right after the section table. */
        make_image(&m, false);
        m.b[m.table + 2 * 40 + 41] = 1;
        ASSERT_EQ(append(&m, add, 2, &b, &d), -EBADMSG);
        ASSERT_STREQ(d.reason, "the bytes after the section table are in use");
        ASSERT_EQ(append(&m, add, 1, &b, &d), 0);

        /* A data directory (bound imports) points there. */
        make_image(&m, false);
        pb_put_le32(m.b + OPT + 112 + 11 * 8, m.table + 2 * 40 + 8);
        pb_put_le32(m.b + OPT + 112 + 11 * 8 + 4, 8);
        ASSERT_EQ(append(&m, add, 1, &b, &d), -EBADMSG);
        ASSERT_STREQ(d.reason, "a data directory points into the header area after the section table");

        /* 4 GiB is the end of any PE image. */
        make_image(&m, false);
        add[0].size = UINT32_MAX - 0x100;
        struct pb_pe_info pe;
        ASSERT_EQ(parse(&m, &pe, NULL), 0);
        ASSERT_EQ(pb_pe_plan_append(m.b, m.size, &pe, add, 2, b.added, &b.plan, &d), -EOVERFLOW);
        ASSERT_STREQ(d.reason, "the image would exceed 4 GiB");
}

static void test_append_too_many(void) {
        static struct built b;
        struct img m;
        struct pb_diag d = {};
        struct pb_pe_new_section add[8] = {};

        make_image(&m, false);
        pb_put_le16(m.b + COFF + 2, 95);
        /* 95 sections need a bigger header area; only the count matters here. */
        struct pb_pe_info pe = {};
        ASSERT_EQ(parse(&m, &pe, NULL), -EBADMSG);
        pb_put_le16(m.b + COFF + 2, 2);
        ASSERT_EQ(parse(&m, &pe, NULL), 0);
        pe.n_sections = 95;
        for (unsigned i = 0; i < 2; i++)
                add[i] = (struct pb_pe_new_section) { i ? ".y" : ".x", 1, PB_PE_SCN_UKI_DATA };
        int r = pb_pe_plan_append(m.b, m.size, &pe, add, 2, b.added, &b.plan, &d);
        ASSERT_EQ(r, -E2BIG);
        ASSERT_STREQ(d.reason, "more than 96 sections in total");
}

/* PE32 images take sections the same way; only the optional header is shorter. */
static void test_append_pe32(void) {
        static struct built b;
        struct img m;
        struct pb_pe_info pe;
        struct pb_pe_section s;
        struct pb_span data;
        const struct pb_pe_new_section add[] = {
                { ".cmdline", 3, PB_PE_SCN_UKI_DATA },
                { ".linux", 0x201, PB_PE_SCN_UKI_DATA },
        };

        make_roomy_image_pe(&m, true, true);
        ASSERT_EQ(append(&m, add, 2, &b, NULL), 0);
        ASSERT_EQ(pb_pe_parse(b.out, b.plan.output_size, PB_PE_FILE, &pe, NULL), 0);
        ASSERT_EQ(pe.magic, PB_PE_MAGIC_PE32);
        ASSERT_EQ(pe.n_sections, 4);
        ASSERT_EQ(pe.size_of_image, 0x5000);
        ASSERT_EQ(pb_pe_find_section(b.out, b.plan.output_size, &pe, ".linux", &s), 0);
        ASSERT_EQ(s.virtual_address, 0x4000);
        ASSERT_EQ(s.raw_size, 0x400);
        ASSERT_EQ(pb_pe_section_data(b.out, b.plan.output_size, &pe, &s, &data), 0);
        ASSERT_EQ(data.len, 0x201);
        ASSERT_EQ(data.ptr[0x200], 'b');
}

/* A trailing symbol table and signature are dropped and their header fields cleared. */
static void test_append_drops_trailer(void) {
        static struct built b;
        struct img m;
        struct pb_pe_info pe;
        const struct pb_pe_new_section add[] = { { ".linux", 0x300, PB_PE_SCN_UKI_DATA } };

        make_image(&m, false);
        pb_put_le32(m.b + COFF + 8, 0x600);     /* PointerToSymbolTable */
        pb_put_le32(m.b + COFF + 12, 3);
        pb_put_le32(m.b + OPT + 112 + 4 * 8, 0x640);
        pb_put_le32(m.b + OPT + 112 + 4 * 8 + 4, 0x48);
        memset(m.b + 0x600, 0x55, 0x88);
        m.size = 0x688;
        ASSERT_EQ(parse(&m, &pe, NULL), 0);
        ASSERT_EQ(pe.symtab_offset, 0x600);
        ASSERT_EQ(pe.cert_offset, 0x640);
        ASSERT_EQ(pe.cert_size, 0x48);

        ASSERT_EQ(append(&m, add, 1, &b, NULL), 0);
        ASSERT_EQ(b.plan.keep_size, 0x600);
        ASSERT_EQ(b.added[0].raw_offset, 0x600);
        ASSERT_EQ(pb_pe_parse(b.out, b.plan.output_size, PB_PE_FILE, &pe, NULL), 0);
        ASSERT_EQ(pe.symtab_offset, 0);
        ASSERT_EQ(pe.n_symbols, 0);
        ASSERT_EQ(pe.cert_offset, 0);
        ASSERT_EQ(pe.cert_size, 0);
        ASSERT_EQ(b.out[0x600], 'a');
}

/* Debian's systemd stub, when installed: a real linker's output must parse. */
static void test_real_stub(void) {
        const char *path = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub";
        FILE *f = fopen(path, "rb");
        if (!f) {
                fprintf(stderr, "%s not installed, real-image check skipped\n", path);
                return;
        }
        static uint8_t buf[4 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        struct pb_pe_info pe;
        struct pb_pe_section s;
        struct pb_diag d = {};
        int r = pb_pe_parse(buf, n, PB_PE_FILE, &pe, &d);
        if (r < 0)
                TEST_FAIL("%s: %s", path, d.reason);
        ASSERT_EQ(pe.magic, PB_PE_MAGIC_PE32PLUS);
        ASSERT_EQ(pb_pe_find_section(buf, n, &pe, ".sbat", &s), 0);
        ASSERT_EQ(pb_pe_find_section(buf, n, &pe, ".linux", NULL), -ENOENT);
}

int main(void) {
        test_parse_pe32plus();
        test_parse_pe32();
        test_eight_byte_name();
        test_memory_view();
        test_malformed();
        test_truncated();
        test_append();
        test_append_grows_headers();
        test_append_errors();
        test_append_too_many();
        test_append_pe32();
        test_append_drops_trailer();
        test_real_stub();
        printf("pe: all tests passed\n");
        return 0;
}
