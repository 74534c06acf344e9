/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Which OVMF build to run and where its variable store template is. */
struct firmware {
        const char *code;
        const char *vars_template;
        bool secure_boot;
};

/* Finds Debian's OVMF files (4 MiB builds; the secboot build with snakeoil keys for Secure Boot).
 * -ENOENT with a message naming the missing file and the package. */
int firmware_find(bool secure_boot, struct firmware *ret);

/*
 * Prepares the VM's private VARS file at path: a copy of template, with a URI boot entry for url
 * first in BootOrder (so OVMF goes straight to HTTP boot instead of spending a minute on PXE).
 * With url NULL, the copy is left as it is. The template itself is never modified; template ==
 * path edits a persistent store in place.
 */
int firmware_prepare_vars(const char *template, const char *path, const char *url);

struct bootcfg_backend;
/* The variable store at path, to read and change through bootcfg; logs why it cannot be opened
 * (missing, or damaged: refused rather than handed to the firmware). */
int firmware_open_vars(const char *path, struct bootcfg_backend **ret);
