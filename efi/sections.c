/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stub.h"

/*
 * Finds the UKI's sections in our own image as the firmware loaded it: section data lives at
 * ImageBase + VirtualAddress. The headers were already accepted by the firmware's loader (and,
 * under Secure Boot, covered by the signature), but every offset is still checked against the
 * image size so a strange builder cannot make us read outside the image.
 */

static const char *const section_names[_STUB_SECTION_MAX] = {
        [STUB_SECTION_LINUX] = ".linux",
        [STUB_SECTION_INITRD] = ".initrd",
        [STUB_SECTION_CMDLINE] = ".cmdline",
        [STUB_SECTION_OSREL] = ".osrel",
        [STUB_SECTION_UNAME] = ".uname",
        [STUB_SECTION_SBAT] = ".sbat",
};

#define PE_SECTION_HEADER_SIZE 40u

static bool name_eq(const uint8_t raw[8], const char *name) {
        size_t n = pb_strlen(name);
        if (n > 8 || pb_memcmp(raw, name, n) != 0)
                return false;
        return n == 8 || raw[n] == 0;
}

int stub_find_sections(const uint8_t *image, size_t image_size, struct stub_sections *ret) {
        size_t pe_off, n_sections, opt_size, table;

        pb_memset(ret, 0, sizeof *ret);

        if (image_size < 0x40 || image[0] != 'M' || image[1] != 'Z')
                return -EBADMSG;
        pe_off = pb_le32(image + 0x3c);
        if (pe_off > image_size || image_size - pe_off < 24 || pb_memcmp(image + pe_off, "PE\0\0", 4) != 0)
                return -EBADMSG;
        n_sections = pb_le16(image + pe_off + 6);
        opt_size = pb_le16(image + pe_off + 20);
        table = pe_off + 24 + opt_size;
        if (table > image_size || (image_size - table) / PE_SECTION_HEADER_SIZE < n_sections)
                return -EBADMSG;

        for (size_t i = 0; i < n_sections; i++) {
                const uint8_t *h = image + table + i * PE_SECTION_HEADER_SIZE;
                uint32_t vsize = pb_le32(h + 8), vaddr = pb_le32(h + 12), rawsize = pb_le32(h + 16);
                uint32_t size = vsize == 0 ? rawsize : (rawsize != 0 && rawsize < vsize ? rawsize : vsize);

                for (unsigned k = 0; k < _STUB_SECTION_MAX; k++) {
                        if (!name_eq(h, section_names[k]) || ret->s[k].data)
                                continue;
                        if (vaddr > image_size || size > image_size - vaddr)
                                return -EBADMSG;
                        ret->s[k] = (struct stub_section) { image + vaddr, size };
                }
        }
        return 0;
}
