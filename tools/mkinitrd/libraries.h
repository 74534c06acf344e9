/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image.h"

/*
 * Adds what the host file at path needs to run to the image: its ELF interpreter and every shared
 * library it needs, transitively, each at the path the loader looks for it (with the host's
 * symlinks). Files that are not ELF, and static ELF files, need nothing. -ENOENT (after logging
 * which library and for whom) if a library cannot be found.
 */
int libraries_add(struct image *img, const char *path);
