/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes a tiny PE32+ EFI application (one .text section holding "xor eax,eax; ret") for the
 * pullboot-ukify tests. --tight leaves no room after the section table for more headers.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

int main(int argc, char **argv) {
        uint8_t b[0x800] = {};
        bool tight = argc > 2 && strcmp(argv[2], "--tight") == 0;
        uint32_t headers = tight ? 0x200 : 0x400, text = headers;
        size_t size = tight ? 0x800 : 0x600;

        if (argc < 2) {
                fprintf(stderr, "usage: mkpe OUT [--tight]\n");
                return 2;
        }
        b[0] = 'M';
        b[1] = 'Z';
        pb_put_le32(b + 0x3c, 0x80);
        memcpy(b + 0x80, "PE\0\0", 4);
        uint8_t *coff = b + 0x84, *opt = coff + 20;
        pb_put_le16(coff, 0x8664);
        pb_put_le16(coff + 2, tight ? 3 : 1);
        pb_put_le16(coff + 16, 240);
        pb_put_le16(coff + 18, 0x0206);
        pb_put_le16(opt, 0x20b);
        pb_put_le32(opt + 4, 0x200);            /* SizeOfCode */
        pb_put_le32(opt + 16, 0x1000);          /* AddressOfEntryPoint */
        pb_put_le32(opt + 20, 0x1000);          /* BaseOfCode */
        pb_put_le32(opt + 32, 0x1000);          /* SectionAlignment */
        pb_put_le32(opt + 36, 0x200);           /* FileAlignment */
        pb_put_le32(opt + 56, tight ? 0x4000 : 0x2000);
        pb_put_le32(opt + 60, headers);
        pb_put_le16(opt + 68, 10);              /* EFI application */
        pb_put_le32(opt + 108, 16);

        uint8_t *sh = opt + 240;
        for (unsigned i = 0; i < (tight ? 3u : 1u); i++, sh += 40) {
                static const char *const names[] = { ".text", ".data", ".rdata" };
                memcpy(sh, names[i], strlen(names[i]));
                pb_put_le32(sh + 8, i == 0 ? 3 : 0x10);
                pb_put_le32(sh + 12, 0x1000 * (i + 1));
                pb_put_le32(sh + 16, 0x200);
                pb_put_le32(sh + 20, text + 0x200 * i);
                pb_put_le32(sh + 36, i == 0 ? 0x60000020 : 0x40000040);
        }
        b[text] = 0x31;
        b[text + 1] = 0xc0;
        b[text + 2] = 0xc3;

        FILE *f = fopen(argv[1], "wb");
        if (!f || fwrite(b, 1, size, f) != size || fclose(f) != 0) {
                perror(argv[1]);
                return 1;
        }
        return 0;
}
