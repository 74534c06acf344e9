/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Shared declarations of the EFI stub. Only gnu-efi's types and the UEFI calling convention are
 * used; nothing here is specific to x86-64, so another architecture only needs its own build flags.
 */

#include <efi.h>

#include "base.h"
#include "log.h"
#include "netinfo.h"

/* ---- util.c: memory, small helpers (log.h: the console) ---------------------------------------------- */

/* The system table, set once by efi_main() before anything else runs: every firmware call needs
 * it and threading it through every helper would only add noise. */
extern EFI_SYSTEM_TABLE *pb_st;
#define PB_BS (pb_st->BootServices)
#define PB_RT (pb_st->RuntimeServices)

void *stub_alloc(size_t size);
void stub_free(void *p);

/* ASCII/UTF-8 -> NUL-terminated CHAR16 in pool memory (NULL on bad input or no memory);
 * *ret_size (optional) is the size in bytes including the NUL. */
CHAR16 *stub_utf8_to_char16(struct pb_span s, size_t *ret_size);

/* Bounded walk of an in-memory device path: bytes up to and including End-Entire, or 0 if the
 * path is malformed or longer than max. */
size_t stub_device_path_size(const EFI_DEVICE_PATH *dp, size_t max);

/* ---- sections.c: the UKI's own PE sections -------------------------------------------------- */

enum {
        STUB_SECTION_LINUX,
        STUB_SECTION_INITRD,
        STUB_SECTION_CMDLINE,
        STUB_SECTION_OSREL,
        STUB_SECTION_UNAME,
        STUB_SECTION_SBAT,
        _STUB_SECTION_MAX,
};

struct stub_section {
        const uint8_t *data;  /* NULL if the section is missing or empty */
        size_t size;          /* VirtualSize (SizeOfRawData if that is 0): the loader zero-fills
                               * what the file does not back */
};

struct stub_sections {
        struct stub_section s[_STUB_SECTION_MAX];
};

/* Finds the sections in the image as loaded in memory (through common/pe.c); -EBADMSG for a
 * malformed header, with diag (optional) saying why. */
int stub_find_sections(const uint8_t *image, size_t image_size, struct stub_sections *ret,
                       struct pb_diag *diag);

/* ---- origin.c: where we were booted from ------------------------------------------------------ */

struct stub_origin {
        /* URL from the first URI node of the boot device path: points into the firmware's device
         * path, cut at the first NUL, not yet validated as UTF-8. */
        bool has_url;
        struct pb_span url;
        /* GPT partition the image was loaded from. */
        bool has_part_uuid;
        uint8_t part_uuid[16];
        /* Boot NIC; has_net when at least the MAC is known. */
        bool has_net;
        struct pb_netinfo net;
};

void stub_origin_discover(EFI_HANDLE device, struct stub_origin *ret);

/* ---- vars.c: the variables the OS reads ------------------------------------------------------- */

void stub_export_variables(EFI_LOADED_IMAGE *image, const struct stub_origin *origin);

/* ---- secure.c: Secure Boot -------------------------------------------------------------------- */

bool stub_secure_boot_enabled(void);

/* Replaces the firmware's Security2 arch protocol handler so that exactly this buffer passes
 * verification during the next LoadImage(); everything else still goes to the firmware's handler.
 * Returns true if an override was installed (and must be removed). */
bool stub_security_override_install(const void *buffer, size_t size);
void stub_security_override_remove(void);

/* ---- initrd.c: LINUX_EFI_INITRD_MEDIA_GUID LoadFile2 ------------------------------------------ */

struct stub_initrd;
EFI_STATUS stub_initrd_register(const void *data, size_t size, struct stub_initrd **ret);
void stub_initrd_unregister(struct stub_initrd *r);

/* ---- linux.c: hand-off ------------------------------------------------------------------------ */

EFI_STATUS stub_linux_exec(EFI_HANDLE parent, const struct stub_section *kernel,
                           const CHAR16 *options, size_t options_size,
                           const struct stub_section *initrd);
