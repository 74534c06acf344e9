/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The EFI application the bootcfg e2e tests serve: prints a marker line (so the serial log proves
 * the firmware started what it downloaded) and then waits forever, so the firmware never moves on
 * to another boot option while the test looks at the logs.
 */
#include <efi.h>

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
        (void) image;
        st->ConOut->OutputString(st->ConOut, (CHAR16 *) L"\r\nPULLBOOT-E2E-MARKER: bootcfg test image started\r\n");
        for (;;)
                st->BootServices->Stall(1000000);
        return EFI_SUCCESS;
}
