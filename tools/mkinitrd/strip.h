/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image.h"

/*
 * Replaces every ELF program and library in the image by a copy made with binutils' strip
 * (--strip-unneeded, as Debian's dh_strip does for libraries: the symbol table and debug
 * sections go, the dynamic symbols the loader needs stay), written under workdir. Kernel
 * modules are left alone: their appended signature covers every byte. A file that strip does
 * not make smaller keeps its original. -EIO (after logging the file) if strip fails.
 */
int strip_image(struct image *img, const char *workdir);
