/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The path of the executable NAME in $PATH, or in execvp's default "/usr/local/bin:/usr/bin:/bin"
 * when PATH is unset or empty (the kernel starts the initrd's /init without one). 0 and a
 * malloc'd path, -ENOENT if there is none, -ENOMEM.
 */
int find_program(const char *name, char **ret);
