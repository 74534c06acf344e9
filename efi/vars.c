/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bootvars.h"
#include "config.h"
#include "devpath.h"
#include "guid.h"
#include "netinfo.h"
#include "stub.h"
#include "utf16.h"

/*
 * The variables the booted system reads (docs/variables.md). All are volatile (BS|RT): they
 * describe this boot only. Loader* variables belong to the boot loader if there is one, so they
 * are only filled in when no volatile copy exists yet; Stub* variables are ours and always
 * written. A variable that cannot be written is reported and skipped: it is information for the
 * OS, not a reason to refuse to boot.
 *
 * A non-volatile variable of the same name (root of an earlier boot can create one through
 * efivarfs) would survive reboots and shadow what this boot learnt; the firmware also refuses to
 * replace it by a volatile one (the attributes differ). So such a copy is deleted first, and the
 * initrd only trusts copies whose attributes are exactly BS|RT.
 */

#define STUB_FEATURES (PB_STUB_FEATURE_REPORT_BOOT_PARTITION | \
                       PB_STUB_FEATURE_REPORT_STUB_PARTITION | \
                       PB_STUB_FEATURE_REPORT_URL)

#define NAME_MAX_UNITS 64

/* Our variable names are short ASCII constants; one that did not fit would become "" and its
 * Get/SetVariable call would fail visibly rather than touch a truncated name. */
static void ascii_to_char16(const char *s, CHAR16 out[NAME_MAX_UNITS]) {
        if (pb_utf8_to_ucs2(pb_span_from_str(s), out, NAME_MAX_UNITS, NULL) < 0)
                out[0] = 0;
}

enum var_state { VAR_ABSENT, VAR_VOLATILE, VAR_FOREIGN };

/* VAR_FOREIGN: present with other attributes than ours (non-volatile, typically). */
static enum var_state var_state(const char *name, const pb_guid *vendor) {
        CHAR16 n[NAME_MAX_UNITS];
        UINT32 attrs = 0;
        UINTN size = 0;
        EFI_STATUS err;
        void *buf;

        ascii_to_char16(name, n);
        err = PB_RT->GetVariable(n, (EFI_GUID *) vendor, NULL, &size, NULL);
        if (err == EFI_NOT_FOUND)
                return VAR_ABSENT;
        if (err != EFI_BUFFER_TOO_SMALL && err != EFI_SUCCESS)
                return VAR_FOREIGN;
        /* Not every firmware fills the attributes on EFI_BUFFER_TOO_SMALL: read it whole. */
        buf = stub_alloc(size ? size : 1);
        if (!buf)
                return VAR_FOREIGN;
        err = PB_RT->GetVariable(n, (EFI_GUID *) vendor, &attrs, &size, buf);
        stub_free(buf);
        if (err == EFI_NOT_FOUND)
                return VAR_ABSENT;
        return err == EFI_SUCCESS && attrs == PB_VAR_ATTR_VOLATILE ? VAR_VOLATILE : VAR_FOREIGN;
}

static void set_raw(const char *name, const pb_guid *vendor, const void *data, size_t size) {
        CHAR16 n[NAME_MAX_UNITS];
        EFI_STATUS err;

        ascii_to_char16(name, n);
        if (var_state(name, vendor) == VAR_FOREIGN) {
                err = PB_RT->SetVariable(n, (EFI_GUID *) vendor, 0, 0, NULL);
                if (err != EFI_SUCCESS && err != EFI_NOT_FOUND) {
                        log_error_status(err, "cannot delete a non-volatile copy of EFI variable: %s", name);
                        return;
                }
                if (err == EFI_SUCCESS)
                        log_info("deleted a non-volatile copy (not from this boot) of EFI variable: %s", name);
        }
        err = PB_RT->SetVariable(n, (EFI_GUID *) vendor, PB_VAR_ATTR_VOLATILE, size, (void *) data);
        if (err != EFI_SUCCESS)
                log_error_status(err, "cannot set EFI variable: %s", name);
}

/* A Loader* variable a boot loader already set for this boot is the loader's to keep. */
static bool loader_var_set(const char *name, const pb_guid *vendor) {
        return var_state(name, vendor) == VAR_VOLATILE;
}

static void set_char16(const char *name, const pb_guid *vendor, const CHAR16 *s) {
        size_t n = 0;
        while (s[n])
                n++;
        set_raw(name, vendor, s, (n + 1) * sizeof(CHAR16));
}

/* UTF-8 value -> UCS-2 with NUL, as systemd stores strings. */
static void set_utf8(const char *name, const pb_guid *vendor, struct pb_span value) {
        size_t size;
        CHAR16 *s = stub_utf8_to_char16(value, &size);

        if (!s) {
                log_info("not setting EFI variable: value is not valid UTF-8 (or out of memory): %s", name);
                return;
        }
        set_raw(name, vendor, s, size);
        stub_free(s);
}

/* Appends an ASCII string or a decimal number to a CHAR16 buffer, always NUL-terminated. */
struct w16 {
        CHAR16 *buf;
        size_t size, len;
};

static void w16_char(struct w16 *w, CHAR16 c) {
        if (w->len + 1 < w->size)
                w->buf[w->len++] = c;
        w->buf[w->len] = 0;
}

static void w16_str16(struct w16 *w, const CHAR16 *s) {
        for (; s && *s; s++)
                w16_char(w, *s);
}

static void w16_str(struct w16 *w, const char *s) {
        for (; *s; s++)
                w16_char(w, (CHAR16) *s);
}

static void w16_uint(struct w16 *w, unsigned v, unsigned min_digits) {
        char tmp[16];
        struct pb_writer pw = pb_writer_make(tmp, sizeof tmp);

        pb_writer_put_uint(&pw, v, 10, min_digits, false);
        if (pb_writer_finish_str(&pw) == 0)
                w16_str(w, tmp);
}

static void export_firmware_info(const pb_guid *loader) {
        CHAR16 buf[128];
        struct w16 w = { buf, PB_ELEMENTSOF(buf), 0 };

        if (!loader_var_set(PB_VAR_LOADER_FIRMWARE_INFO, loader)) {
                w16_str16(&w, pb_st->FirmwareVendor);
                w16_char(&w, u' ');
                w16_uint(&w, pb_st->FirmwareRevision >> 16, 1);
                w16_char(&w, u'.');
                w16_uint(&w, pb_st->FirmwareRevision & 0xffff, 2);
                set_char16(PB_VAR_LOADER_FIRMWARE_INFO, loader, buf);
        }

        if (!loader_var_set(PB_VAR_LOADER_FIRMWARE_TYPE, loader)) {
                w.len = 0;
                w16_str(&w, "UEFI ");
                w16_uint(&w, pb_st->Hdr.Revision >> 16, 1);
                w16_char(&w, u'.');
                w16_uint(&w, pb_st->Hdr.Revision & 0xffff, 2);
                set_char16(PB_VAR_LOADER_FIRMWARE_TYPE, loader, buf);
        }
}

static void export_image_identifier(EFI_LOADED_IMAGE *image, const pb_guid *loader) {
        char text[1024];
        size_t size = stub_device_path_size(image->FilePath, 64u * 1024u);

        /* For HTTP boot the file path is empty: the whole location is in the device path. */
        if (size == 0 || pb_dp_to_text((const uint8_t *) image->FilePath, size, text, sizeof text) < 0 ||
            text[0] == 0)
                return;
        set_utf8(PB_VAR_STUB_IMAGE_IDENTIFIER, loader, pb_span_from_str(text));
        /* As systemd-stub does: no loader set it, so the firmware loaded us directly and our own
         * path is the loader's image too. */
        if (!loader_var_set(PB_VAR_LOADER_IMAGE_IDENTIFIER, loader))
                set_utf8(PB_VAR_LOADER_IMAGE_IDENTIFIER, loader, pb_span_from_str(text));
}

static void export_net_info(const struct pb_netinfo *ni) {
        static const pb_guid vendor = PB_VENDOR_GUID_INIT;
        char text[512];

        if (pb_netinfo_format(ni, text, sizeof text) < 0) {
                log_info("cannot format the boot NIC record: %s", PB_VAR_NET_INFO);
                return;
        }
        /* UTF-8 text without NUL: efivarfs readers see exactly the lines. */
        set_raw(PB_VAR_NET_INFO, &vendor, text, pb_strlen(text));
}

void stub_export_variables(EFI_LOADED_IMAGE *image, const struct stub_origin *origin) {
        static const pb_guid loader = PB_LOADER_GUID_INIT;
        uint8_t features[8];

        set_utf8(PB_VAR_STUB_INFO, &loader, pb_span_from_str("pullboot-stub " PULLBOOT_VERSION));
        pb_put_le64(features, STUB_FEATURES);
        set_raw(PB_VAR_STUB_FEATURES, &loader, features, sizeof features);

        export_firmware_info(&loader);
        export_image_identifier(image, &loader);

        if (origin->has_part_uuid) {
                char uuid[PB_GUID_STRING_LEN + 1];
                pb_guid g;

                pb_memcpy(g.b, origin->part_uuid, 16);
                if (pb_guid_format(&g, uuid, sizeof uuid) >= 0) {
                        set_utf8(PB_VAR_STUB_DEVICE_PART_UUID, &loader, pb_span_from_str(uuid));
                        if (!loader_var_set(PB_VAR_LOADER_DEVICE_PART_UUID, &loader))
                                set_utf8(PB_VAR_LOADER_DEVICE_PART_UUID, &loader, pb_span_from_str(uuid));
                }
        }

        if (origin->has_url) {
                set_utf8(PB_VAR_STUB_DEVICE_URL, &loader, origin->url);
                if (!loader_var_set(PB_VAR_LOADER_DEVICE_URL, &loader))
                        set_utf8(PB_VAR_LOADER_DEVICE_URL, &loader, origin->url);
        }

        if (origin->has_net)
                export_net_info(&origin->net);
}
