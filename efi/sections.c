/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pe.h"
#include "stub.h"

/*
 * Finds the UKI's sections in our own image as the firmware loaded it: section data lives at
 * ImageBase + VirtualAddress. The headers were already accepted by the firmware's loader (and,
 * under Secure Boot, covered by the signature), but they are still validated by common/pe.c, the
 * same parser ukify and the tests use, so a strange builder cannot make us read outside the image.
 */

static const char *const section_names[_STUB_SECTION_MAX] = {
        [STUB_SECTION_LINUX] = ".linux",
        [STUB_SECTION_INITRD] = ".initrd",
        [STUB_SECTION_CMDLINE] = ".cmdline",
        [STUB_SECTION_OSREL] = ".osrel",
        [STUB_SECTION_UNAME] = ".uname",
        [STUB_SECTION_SBAT] = ".sbat",
};

int stub_find_sections(const uint8_t *image, size_t image_size, struct stub_sections *ret,
                       struct pb_diag *diag) {
        struct pb_pe_info pe;
        int r;

        pb_memset(ret, 0, sizeof *ret);

        /* -EOPNOTSUPP (a ROM image, an unknown optional header) is just as unusable here. */
        r = pb_pe_parse(image, image_size, PB_PE_MEMORY, &pe, diag);
        if (r < 0)
                return -EBADMSG;

        for (unsigned k = 0; k < _STUB_SECTION_MAX; k++) {
                struct pb_pe_section s;
                struct pb_span data;

                r = pb_pe_find_section(image, image_size, &pe, section_names[k], &s);
                if (r == -ENOENT)
                        continue;
                if (r >= 0)
                        r = pb_pe_section_data(image, image_size, &pe, &s, &data);
                if (r < 0)
                        return pb_diag_set(diag, -EBADMSG, "section outside the image",
                                           pb_span_from_str(section_names[k]));
                ret->s[k] = (struct stub_section) { (const uint8_t *) data.ptr, data.len };
        }
        return 0;
}
