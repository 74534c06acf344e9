/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stub.h"

/*
 * Hands over to the kernel the way a firmware boot manager would: the kernel is itself a PE/COFF
 * EFI application, so it is loaded from our memory with LoadImage(), given its command line as
 * UTF-16 LoadOptions and started. The initrd is served through LoadFile2 (initrd.c) for as long
 * as the kernel runs its EFI stub. If the kernel returns, everything is undone so the firmware can
 * move on to the next boot option.
 */

EFI_STATUS stub_linux_exec(EFI_HANDLE parent, const struct stub_section *kernel,
                           const CHAR16 *options, size_t options_size,
                           const struct stub_section *initrd) {
        EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
        struct stub_initrd *initrd_handle = NULL;
        EFI_LOADED_IMAGE *li = NULL;
        EFI_HANDLE image = NULL;
        bool overridden = false;
        EFI_STATUS err;

        if (options_size > UINT32_MAX)
                return EFI_INVALID_PARAMETER;

        if (stub_secure_boot_enabled())
                overridden = stub_security_override_install(kernel->data, kernel->size);
        err = PB_BS->LoadImage(FALSE, parent, NULL, (void *) kernel->data, kernel->size, &image);
        if (overridden)
                stub_security_override_remove();
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot load the kernel from .linux");

        err = PB_BS->HandleProtocol(image, &li_guid, (void **) &li);
        if (err != EFI_SUCCESS || !li) {
                log_error_status(err, "kernel image has no loaded-image protocol");
                goto unload;
        }
        if (options && options_size > 0) {
                li->LoadOptions = (void *) options;
                li->LoadOptionsSize = (UINT32) options_size;
        }

        if (initrd->data) {
                err = stub_initrd_register(initrd->data, initrd->size, &initrd_handle);
                if (err != EFI_SUCCESS) {
                        log_error_status(err, "cannot provide .initrd to the kernel (LoadFile2)%s",
                                         err == EFI_ALREADY_STARTED ? ": another initrd is already registered" : "");
                        goto unload;
                }
        }

        err = PB_BS->StartImage(image, NULL, NULL);
        /* Only reached if the kernel's EFI stub gave up before ExitBootServices(). */
        log_error_status(err, "the kernel returned");
        if (err == EFI_SUCCESS)
                err = EFI_LOAD_ERROR;

        /* An application that returned has already been unloaded by the firmware. */
        stub_initrd_unregister(initrd_handle);
        return err;

unload:
        PB_BS->UnloadImage(image);
        return err;
}
