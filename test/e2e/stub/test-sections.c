/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit test of the stub's own-section lookup (efi/sections.c), run on the host against PE images
 * laid out in memory the way the firmware loads them (section data at VirtualAddress): synthetic
 * images for the edge cases and, if given, the built stub file.
 *
 * Usage: test-sections [STUB-FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stub.h"
#include "test.h"

#define IMG_SIZE 0x8000u
#define PE_OFF 0x40u
#define OPT_SIZE 240u
#define TABLE (PE_OFF + 24u + OPT_SIZE)
#define HEADERS_SIZE 0x400u

struct sec {
        const char *name;
        uint32_t vaddr, vsize, rawsize;
};

static void put32(uint8_t *p, uint32_t v) {
        pb_put_le32(p, v);
}

/* A minimal PE32+ image as loaded: headers at 0, each section's bytes filled with its index. */
static void make_image(uint8_t *img, size_t size, const struct sec *s, unsigned n) {
        uint8_t *opt = img + PE_OFF + 24;

        memset(img, 0, size);
        img[0] = 'M';
        img[1] = 'Z';
        put32(img + 0x3c, PE_OFF);
        memcpy(img + PE_OFF, "PE\0\0", 4);
        pb_put_le16(img + PE_OFF + 4, 0x8664);
        pb_put_le16(img + PE_OFF + 6, (uint16_t) n);
        pb_put_le16(img + PE_OFF + 20, OPT_SIZE);
        pb_put_le16(opt, 0x020b);                       /* PE32+ */
        put32(opt + 32, 0x1000);                        /* SectionAlignment */
        put32(opt + 36, 0x200);                         /* FileAlignment */
        put32(opt + 56, IMG_SIZE);                      /* SizeOfImage */
        put32(opt + 60, HEADERS_SIZE);                  /* SizeOfHeaders */
        put32(opt + 108, 16);                           /* NumberOfRvaAndSizes */
        for (unsigned i = 0; i < n; i++) {
                uint8_t *h = img + TABLE + i * 40;
                memcpy(h, s[i].name, strnlen(s[i].name, 8));
                put32(h + 8, s[i].vsize);
                put32(h + 12, s[i].vaddr);
                put32(h + 16, s[i].rawsize);
                if (s[i].vaddr < size)
                        memset(img + s[i].vaddr, 'A' + (int) i,
                               s[i].vsize < size - s[i].vaddr ? s[i].vsize : size - s[i].vaddr);
        }
}

static void test_found(void) {
        static uint8_t img[IMG_SIZE];
        const struct sec s[] = {
                { ".text", 0x1000, 0x100, 0x200 },
                { ".cmdline", 0x2000, 0x17, 0x200 },
                { ".linux", 0x3000, 0x1234, 0x1400 },
                { ".linux", 0x5000, 0x10, 0x200 },     /* duplicate: the first one wins */
                { ".initrdX", 0x6000, 0x10, 0x200 },   /* not .initrd */
                { ".initrd", 0x6800, 0x0, 0x400 },     /* VirtualSize 0: raw size is used */
                { ".osrel", 0x7000, 0x300, 0x100 },    /* raw shorter than virtual: the loader zero-filled the rest */
        };
        struct stub_sections r;

        make_image(img, sizeof img, s, PB_ELEMENTSOF(s));
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, NULL), 0);
        ASSERT_TRUE(r.s[STUB_SECTION_CMDLINE].data == img + 0x2000);
        ASSERT_EQ(r.s[STUB_SECTION_CMDLINE].size, 0x17);
        ASSERT_TRUE(r.s[STUB_SECTION_LINUX].data == img + 0x3000);
        ASSERT_EQ(r.s[STUB_SECTION_LINUX].size, 0x1234);
        ASSERT_EQ(r.s[STUB_SECTION_LINUX].data[0], 'C');
        ASSERT_TRUE(r.s[STUB_SECTION_INITRD].data == img + 0x6800);
        ASSERT_EQ(r.s[STUB_SECTION_INITRD].size, 0x400);
        ASSERT_EQ(r.s[STUB_SECTION_OSREL].size, 0x300);
        ASSERT_TRUE(r.s[STUB_SECTION_UNAME].data == NULL);
        ASSERT_TRUE(r.s[STUB_SECTION_SBAT].data == NULL);
}

static void test_rejected(void) {
        static uint8_t img[IMG_SIZE];
        const struct sec past_end[] = { { ".linux", IMG_SIZE - 0x100, 0x200, 0x200 } };
        const struct sec huge_va[] = { { ".linux", 0xfffff000u, 0x2000, 0x2000 } };
        const struct sec ok[] = { { ".linux", 0x1000, 0x10, 0x200 } };
        struct stub_sections r;

        make_image(img, sizeof img, past_end, 1);
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, NULL), -EBADMSG);
        make_image(img, sizeof img, huge_va, 1);
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, NULL), -EBADMSG);

        make_image(img, sizeof img, ok, 1);
        ASSERT_EQ(stub_find_sections(img, 0x3f, &r, NULL), -EBADMSG);            /* shorter than a DOS header */
        ASSERT_EQ(stub_find_sections(img, TABLE + 39, &r, NULL), -EBADMSG);      /* table cut off */
        ASSERT_EQ(stub_find_sections(img, TABLE + 40, &r, NULL), -EBADMSG);      /* section data outside */
        img[0] = 'X';
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, NULL), -EBADMSG);
        img[0] = 'M';
        put32(img + 0x3c, IMG_SIZE - 10);                                   /* e_lfanew past the end */
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, NULL), -EBADMSG);
        put32(img + 0x3c, 0xfffffff0u);
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, NULL), -EBADMSG);
        put32(img + 0x3c, PE_OFF);
        pb_put_le16(img + PE_OFF + 6, 0xffff);                              /* too many sections */
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, NULL), -EBADMSG);
        pb_put_le16(img + PE_OFF + 6, 0);
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, NULL), 0);
        ASSERT_TRUE(r.s[STUB_SECTION_LINUX].data == NULL);
}

/* What the stub gained by using common/pe.c: the whole header is checked, and says why. */
static void test_strict(void) {
        static uint8_t img[IMG_SIZE];
        const struct sec overlap[] = { { ".linux", 0x1000, 0x2000, 0x2000 }, { ".initrd", 0x2000, 0x100, 0x200 } };
        const struct sec in_headers[] = { { ".linux", 0x200, 0x100, 0x200 } };
        const struct sec ok[] = { { ".linux", 0x1000, 0x10, 0x200 } };
        struct stub_sections r;
        struct pb_diag d = {};

        make_image(img, sizeof img, overlap, 2);
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, &d), -EBADMSG);
        ASSERT_STREQ(d.reason, "sections overlap in memory");
        ASSERT_TRUE(r.s[STUB_SECTION_LINUX].data == NULL);

        make_image(img, sizeof img, in_headers, 1);
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, &d), -EBADMSG);
        ASSERT_STREQ(d.reason, "section overlaps the headers in memory");

        make_image(img, sizeof img, ok, 1);
        pb_put_le16(img + PE_OFF + 24, 0x0107);                             /* ROM image magic */
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, &d), -EBADMSG);
        ASSERT_STREQ(d.reason, "optional header is neither PE32 nor PE32+");

        /* SizeOfImage claims more than was loaded: sections are still checked against the buffer. */
        const struct sec beyond[] = { { ".linux", IMG_SIZE + 0x1000, 0x10, 0x200 } };
        make_image(img, sizeof img, beyond, 1);
        put32(img + PE_OFF + 24 + 56, IMG_SIZE * 2);
        ASSERT_EQ(stub_find_sections(img, sizeof img, &r, &d), -EBADMSG);
        ASSERT_STREQ(d.reason, "section extends past the loaded image");
}

/* The real stub: loaded like the firmware does, it has .sbat and no .linux. */
static void test_stub_file(const char *path) {
        uint8_t *file, *img;
        size_t fsize, isize;
        struct stub_sections r;
        uint32_t pe, n, opt;
        FILE *f = fopen(path, "rb");

        ASSERT_TRUE(f);
        file = malloc(1 << 20);
        ASSERT_TRUE(file);
        fsize = fread(file, 1, 1 << 20, f);
        fclose(f);
        ASSERT_TRUE(fsize > 0x200);
        pe = pb_le32(file + 0x3c);
        n = pb_le16(file + pe + 6);
        opt = pb_le16(file + pe + 20);
        isize = pb_le32(file + pe + 24 + 56);                               /* SizeOfImage */
        ASSERT_TRUE(isize >= fsize / 2 && isize < (16u << 20));
        img = calloc(1, isize);
        ASSERT_TRUE(img);
        memcpy(img, file, pb_le32(file + pe + 24 + 60));                    /* SizeOfHeaders */
        for (uint32_t i = 0; i < n; i++) {
                const uint8_t *h = file + pe + 24 + opt + i * 40;
                uint32_t va = pb_le32(h + 12), raw = pb_le32(h + 16), ptr = pb_le32(h + 20);
                ASSERT_TRUE(va + raw <= isize && ptr + raw <= fsize);
                memcpy(img + va, file + ptr, raw);
        }
        ASSERT_EQ(stub_find_sections(img, isize, &r, NULL), 0);
        ASSERT_TRUE(r.s[STUB_SECTION_LINUX].data == NULL);
        ASSERT_TRUE(r.s[STUB_SECTION_SBAT].data != NULL);
        ASSERT_TRUE(r.s[STUB_SECTION_SBAT].size > 7);
        ASSERT_MEMEQ(r.s[STUB_SECTION_SBAT].data, "sbat,1,", 7);
        free(img);
        free(file);
}

int main(int argc, char **argv) {
        test_found();
        test_rejected();
        test_strict();
        if (argc > 1)
                test_stub_file(argv[1]);
        return 0;
}
