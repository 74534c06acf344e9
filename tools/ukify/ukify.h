/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base.h"

/* Largest input file we read (a PE image cannot exceed 4 GiB in total anyway). */
#define UKIFY_FILE_MAX ((size_t) 2 << 30)

/* Exit statuses (documented in pullboot-ukify(1)). */
#define UKIFY_EXIT_OK 0
#define UKIFY_EXIT_FAILURE 1
#define UKIFY_EXIT_USAGE 2

int verb_build(int argc, char **argv);
int verb_inspect(int argc, char **argv);

/* payload.c: turning user input into section payloads. */

/* Removes trailing newlines (and the CR of CRLF) in place; returns the new length. */
size_t ukify_strip_trailing_newlines(char *s, size_t len);
/* Appends initrd to *buf, first padding what is there to a multiple of 4 bytes so the kernel's
 * cpio parser finds the next archive's header. */
int ukify_append_initrd(char **buf, size_t *len, const char *data, size_t size);
/* The "uname -r" string of an x86 bzImage (setup header kernel_version), or -ENODATA. */
int ukify_kernel_release(const uint8_t *kernel, size_t size, char *buf, size_t buf_size);

/* osrel.c: the value of KEY in os-release text, unquoted and unescaped. -ENOENT if absent. */
int ukify_osrel_value(struct pb_span text, const char *key, char *buf, size_t size);

