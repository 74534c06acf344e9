/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/*
 * The boot record: what the pullboot stub (efi/vars.c), or a boot loader before it, wrote into
 * volatile EFI variables about how this boot came (names in common/bootvars.h). This is its one
 * reader: each process reads it once, as soon as efivarfs is there, and passes it down. The plan
 * takes the URL, the network setup the NIC record, a local root=gpt-auto the partition UUID.
 *
 * Only volatile copies count (attributes exactly BS|RT, 0x6: what this boot wrote). A
 * non-volatile copy, which root of an earlier boot could have planted, is treated as absent with
 * a warning naming it. $EFIVARFS_PATH points the reader at a directory of variable files
 * (4 bytes of attributes, then the data), which is how tests run without firmware.
 */
struct boot_record {
        char *url;              /* StubDeviceURL, else LoaderDeviceURL (systemd does not fall back to
                                 * it; pullboot does, so a loader-started UKI finds its image too);
                                 * NULL: not an HTTP boot through the stub */
        const char *url_source; /* the variable's name, or "--origin" (static) */
        char *part_uuid;        /* LoaderDevicePartUUID, else StubDevicePartUUID; NULL: unknown */
        char *netinfo;          /* PullbootNetInfo as NUL-terminated text (pb_netinfo_parse()); NULL: none */
        size_t netinfo_size;
};

/* origin: NULL reads the variables, "" means no origin, else the origin to use (--origin). Absent
 * or unreadable variables leave their fields NULL (the unreadable ones with a warning); fails
 * only with -ENOMEM. */
int boot_record_read(const char *origin, struct boot_record *ret);
void boot_record_done(struct boot_record *b);
