/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Leaves the initrd: moves /dev, /proc, /sys and /run into new_root, frees the initramfs contents
 * (they would otherwise pin memory for the life of the system), makes new_root the root and execs
 * init there. Returns only on failure (negative errno, logged); by then the initramfs may be
 * partly gone, so the caller can only run its failure action.
 */

/* The init to run: init= if given (must exist below new_root), else the first of /sbin/init,
 * /etc/init, /bin/init, /bin/sh that exists. Fills buf (a path inside new_root). */
int switch_root_find_init(const char *new_root, const char *init_arg, char *buf, size_t size);

/* argv is passed on to init unchanged except argv[0], which becomes init. */
int switch_root(const char *new_root, const char *init, char **argv);
