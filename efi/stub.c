/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stub.h"

/*
 * pullboot's EFI stub, the first part of a UKI: find our own .linux/.initrd/.cmdline sections,
 * record where the firmware booted us from (URL, NIC, partition) in EFI variables, and start the
 * embedded kernel. Every failure prints one line and returns an error, so the firmware moves on to
 * its next boot option; nothing here waits for input.
 */

EFI_STATUS efi_main(EFI_HANDLE image_handle, EFI_SYSTEM_TABLE *system_table);

static bool is_space(uint8_t c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0;
}

/* .cmdline is UTF-8 text; a trailing newline or NUL from the builder is not part of it. */
static CHAR16 *cmdline_from_section(const struct stub_section *s, size_t *ret_size) {
        size_t n = pb_strnlen((const char *) s->data, s->size);

        while (n > 0 && is_space(s->data[n - 1]))
                n--;
        return stub_utf8_to_char16(pb_span_make((const char *) s->data, n), ret_size);
}

/* Without .cmdline the firmware's load options are used, but only as text and only when Secure
 * Boot is off: otherwise anyone who can edit a boot entry could change a signed kernel's command
 * line. Boot entries often carry binary optional data, which is not a command line. */
static CHAR16 *cmdline_from_load_options(const EFI_LOADED_IMAGE *li, size_t *ret_size) {
        const CHAR16 *src = li->LoadOptions;
        size_t n = li->LoadOptionsSize / sizeof(CHAR16), len = 0;
        CHAR16 *copy;

        if (!src || n == 0 || src[0] < 0x20)
                return NULL;
        if (stub_secure_boot_enabled()) {
                log_info("Secure Boot is on and the UKI has no .cmdline: ignoring the firmware's load options");
                return NULL;
        }
        while (len < n && src[len])
                len++;
        copy = stub_alloc((len + 1) * sizeof(CHAR16));
        if (!copy)
                return NULL;
        pb_memcpy(copy, src, len * sizeof(CHAR16));
        copy[len] = 0;
        *ret_size = (len + 1) * sizeof(CHAR16);
        return copy;
}

EFI_STATUS efi_main(EFI_HANDLE image_handle, EFI_SYSTEM_TABLE *system_table) {
        EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
        EFI_LOADED_IMAGE *li = NULL;
        struct stub_sections sections;
        struct pb_diag diag = {};
        struct stub_origin origin;
        CHAR16 *cmdline = NULL;
        size_t cmdline_size = 0;
        EFI_STATUS err;

        pb_st = system_table;

        err = PB_BS->HandleProtocol(image_handle, &li_guid, (void **) &li);
        if (err != EFI_SUCCESS || !li)
                return log_error_status(err != EFI_SUCCESS ? err : EFI_LOAD_ERROR,
                                        "cannot get our own loaded-image protocol");

        if (stub_find_sections(li->ImageBase, li->ImageSize, &sections, &diag) < 0)
                return log_error_status(EFI_LOAD_ERROR, "malformed PE header in the loaded UKI: %s", diag.reason);
        if (!sections.s[STUB_SECTION_LINUX].data || sections.s[STUB_SECTION_LINUX].size == 0)
                return log_error_status(EFI_NOT_FOUND, "no .linux section: this is a bare stub, not a UKI (wrap a "
                                        "kernel with a UKI builder)");

        stub_origin_discover(li->DeviceHandle, &origin);
        stub_export_variables(li, &origin);

        if (sections.s[STUB_SECTION_CMDLINE].data) {
                cmdline = cmdline_from_section(&sections.s[STUB_SECTION_CMDLINE], &cmdline_size);
                if (!cmdline)
                        return log_error_status(EFI_INVALID_PARAMETER,
                                                "cannot use .cmdline: not valid UTF-8 without surrogates");
        } else
                cmdline = cmdline_from_load_options(li, &cmdline_size);

        err = stub_linux_exec(image_handle, &sections.s[STUB_SECTION_LINUX], cmdline, cmdline_size,
                              &sections.s[STUB_SECTION_INITRD]);
        stub_free(cmdline);
        return err;
}
