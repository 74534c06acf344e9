/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * kernel-bootcfg's UKI actions: boot entries for an EFI binary on a mounted ESP
 * (HD(...)/File(\PATH)/End), optionally started through shim, and --boot-ok.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bootcfg.h"

/* Where the firmware finds a file of a mounted file system: the partition and the path in it. */
struct esp_file {
        char *path;                 /* as given */
        dev_t dev;                  /* the file system */
        char *efi_path;             /* "\EFI\Linux\x.efi" (UTF-8) */
        uint8_t *dp;                /* HD()/File()/End */
        size_t dp_size;
        size_t hd_size;             /* the HD node is dp[0..hd_size) */
};

/*
 * uki-path.c: resolves path (a regular file on a mounted FAT file system on a partition of a
 * GPT or MBR disk) with libblkid. Logs why it fails: -EINVAL for input that cannot be an ESP
 * file (missing, not FAT, no partition table), -EIO for a failure to read the disk.
 */
int esp_file_resolve(const char *path, struct esp_file *ret);
void esp_file_done(struct esp_file *f);

struct uki_request {
        struct esp_file uki;
        struct esp_file shim;       /* shim.path NULL: the entry starts the UKI itself */
        const char *cmdline;        /* NULL: no command line */
        const char *title;
        bool force;
};

/* Resolves uki and shim (may be NULL) into q; the shim must be on the UKI's file system.
 * -EINVAL (logged) for unusable files, -EIO. */
int uki_request_resolve(struct uki_request *q, const char *uki, const char *shim);
void uki_request_done(struct uki_request *q);

/* uki.c: the actions on the loaded model (nothing is written here). They log their outcome.
 * secure_boot: SecureBoot is known to be on (the stub would ignore the command line).
 * add and update return the entry's number, for the caller's --boot-order and --once.
 * Errors: -EINVAL bad input, -ENOENT no entry for the UKI (update), -EBUSY the entry is
 * BootCurrent (remove without force), -ENOSPC no free Boot#### number. */
int uki_add(struct bootcfg *c, const struct uki_request *q, bool secure_boot, uint16_t *ret_num);
int uki_update(struct bootcfg *c, const struct uki_request *q, uint16_t *ret_num);
int uki_remove(struct bootcfg *c, const struct uki_request *q);
/* BootCurrent into BootOrder at 0 unless it is there already. -ENODATA: no BootCurrent. */
int boot_ok(struct bootcfg *c);
