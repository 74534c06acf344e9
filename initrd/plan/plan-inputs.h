/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What a plan is built from besides the command line, read the same way by `pullboot plan` and
 * `pullboot init`: the boot origin (from the boot record) and the import.pull credential, from an
 * override or from where the initrd finds it.
 */
struct boot_record;

struct plan_inputs {
        char *origin;                   /* NULL: no origin */
        const char *origin_source;      /* "--origin", "StubDeviceURL", ... (static) */
        char *credential;               /* import.pull text, NULL: none */
        const char *credential_source;  /* "--credential", "SMBIOS type 11", ... (static) */
};

void plan_inputs_done(struct plan_inputs *in);

/*
 * boot: the boot record (boot-record.h), already read, with --origin applied.
 * arg_credential: a file to read, or NULL for credential_read() (credentials.h) with cmdline.
 * sysfs: where to look for firmware credentials ("/sys").
 * Returns 0; -EINVAL (logged) if the --credential file cannot be read; -ENOMEM.
 */
int plan_inputs_read(const char *cmdline, const struct boot_record *boot, const char *arg_credential,
                     const char *sysfs, struct plan_inputs *ret);
