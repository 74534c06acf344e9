/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/*
 * Kernel modules, loaded with libkmod (dependencies resolved from the depmod indexes that
 * pullboot-mkinitrd puts below /lib/modules/VERSION): coldplug for the hardware present, plus
 * modules the plan names explicitly (loop, the root file system, NIC drivers).
 */

struct kmod_ctx;

struct modules_stats {
        unsigned aliases;    /* modalias files read */
        unsigned loaded;     /* modules inserted by us (deps included) */
        unsigned failed;     /* insertions that failed */
};

/* dirname NULL: /lib/modules/`uname -r`. -ENOENT when that directory is missing. */
int modules_open(const char *dirname, struct kmod_ctx **ret);
void modules_close(struct kmod_ctx *ctx);

/* Loads the module for every modalias file below sysfs/devices (sysfs NULL: "/sys"). Devices a
 * driver appeared for while loading are picked up by walking again, up to a few rounds. With
 * dry_run, resolves and counts but inserts nothing. */
int modules_coldplug(struct kmod_ctx *ctx, const char *sysfs, bool dry_run, struct modules_stats *stats);

/* Loads one module by name or alias with its dependencies. 0 if loaded or already there (or built
 * in), -ENOENT if no such module exists, other negative errno if insertion failed. */
int modules_load(struct kmod_ctx *ctx, const char *name, bool dry_run, struct modules_stats *stats);
