/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-record.h"
#include "bootvars.h"
#include "efivar-read.h"
#include "log.h"
#include "macro.h"
#include "utf16.h"

/* Variables we read are small records; anything bigger is not ours. */
#define VAR_SIZE_MAX (64 * 1024)

/*
 * Only a volatile copy (BS|RT, nothing else) can have been written during this boot: a
 * non-volatile one survives reboots, so root of any earlier boot could have planted it, and the
 * firmware would not let this boot's stub replace it. Such a copy is treated as absent, with a
 * warning naming it.
 */
static int get_variable(const pb_guid *guid, const char *name, uint8_t **ret, size_t *ret_size) {
        uint8_t *data = NULL;
        size_t size = 0;
        uint32_t attrs = 0;
        int r;

        r = efivar_read(guid, name, VAR_SIZE_MAX, &attrs, &data, &size);
        if (r < 0)
                return r;
        if (attrs != PB_VAR_ATTR_VOLATILE) {
                log_warning("ignoring EFI variable %s: its attributes 0x%" PRIx32 " are not 0x%x (volatile, "
                            "boot service and runtime access), so it was not written during this boot",
                            name, attrs, (unsigned) PB_VAR_ATTR_VOLATILE);
                free(data);
                return -ENOENT;
        }
        *ret = data;
        *ret_size = size;
        return 0;
}

static int get_loader_string(const char *name, char **ret) {
        _cleanup_free_ uint8_t *data = NULL;
        _cleanup_free_ char *s = NULL;
        size_t size, len;
        int r;

        static const pb_guid loader = PB_LOADER_GUID_INIT;
        r = get_variable(&loader, name, &data, &size);
        if (r < 0)
                return r;
        /* UTF-8 needs at most 3 bytes per UCS-2 unit. */
        s = malloc(size / 2 * 3 + 1);
        if (!s)
                return -ENOMEM;
        r = pb_ucs2le_to_utf8(data, size, s, size / 2 * 3 + 1, &len);
        if (r < 0)
                return -EBADMSG;
        *ret = TAKE_PTR(s);
        return 0;
}

static int read_origin(char **ret_url, const char **ret_source) {
        static const char *const names[] = { PB_VAR_STUB_DEVICE_URL, PB_VAR_LOADER_DEVICE_URL };
        int r = -ENOENT;

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char *url = NULL;

                r = get_loader_string(names[i], &url);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                if (url[0] == 0) {
                        /* An empty URL is no URL. */
                        free(url);
                        r = -ENOENT;
                        continue;
                }
                *ret_url = url;
                if (ret_source)
                        *ret_source = names[i];
                return 0;
        }
        return r;
}

static int read_netinfo(char **ret, size_t *ret_size) {
        _cleanup_free_ uint8_t *data = NULL;
        size_t size;
        char *s;
        int r;

        static const pb_guid vendor = PB_VENDOR_GUID_INIT;
        r = get_variable(&vendor, PB_VAR_NET_INFO, &data, &size);
        if (r < 0)
                return r;
        s = malloc(size + 1);
        if (!s)
                return -ENOMEM;
        if (size)
                memcpy(s, data, size);
        s[size] = 0;
        *ret = s;
        if (ret_size)
                *ret_size = size;
        return 0;
}

void boot_record_done(struct boot_record *b) {
        free(b->url);
        free(b->part_uuid);
        free(b->netinfo);
        *b = (struct boot_record) {};
}

int boot_record_read(const char *origin, struct boot_record *ret) {
        _cleanup_(boot_record_done) struct boot_record b = {};
        int r;

        if (origin) {
                if (*origin) {
                        if (!(b.url = strdup(origin)))
                                return -ENOMEM;
                        b.url_source = "--origin";
                }
        } else if ((r = read_origin(&b.url, &b.url_source)) < 0 && r != -ENOENT) {
                if (r == -ENOMEM)
                        return r;
                log_warning_errno(r, "cannot read the boot origin from EFI variables, assuming none");
        }
        /* The partition the UKI came from: the loader's word first, as systemd-gpt-auto-generator. */
        if (get_loader_string(PB_VAR_LOADER_DEVICE_PART_UUID, &b.part_uuid) < 0)
                (void) get_loader_string(PB_VAR_STUB_DEVICE_PART_UUID, &b.part_uuid);
        r = read_netinfo(&b.netinfo, &b.netinfo_size);
        if (r < 0 && r != -ENOENT) {
                if (r == -ENOMEM)
                        return r;
                log_warning_errno(r, "cannot read the firmware's network record (PullbootNetInfo); ignoring it");
        }
        *ret = b;
        b = (struct boot_record) {};
        return 0;
}
