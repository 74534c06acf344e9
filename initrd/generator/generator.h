/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "plan.h"

/*
 * The plan as systemd units (pullboot-generator) or as a shell script (dracut without systemd).
 * Both render the same steps from the same plan: one `pullboot pull` per ready pull, one
 * `pullboot attach` per blockdev pull, and for a root provided by a pull the mount of /sysroot.
 *
 * Units (generator-units.c), in the generator's directories:
 *   normal: pullboot-pull-N.service, pullboot-attach-N.service, pullboot-root-device.service and
 *           the initrd.target wants links;
 *   early:  sysroot.mount and initrd-root-fs.target.requires/sysroot.mount, so that they take
 *           precedence over a sysroot.mount systemd-fstab-generator may write for a root= it
 *           does not understand (bind: before v258).
 */

/* Where the units expect the resolved root device of a gpt-auto or by-loop-ref root: a symlink
 * `pullboot root-device` makes once the image is attached. Not below /dev, so that sysroot.mount
 * waits for no device unit (udev before systemd 254 gives loop devices no by-loop-ref links). */
#define GENERATOR_ROOT_DEVICE "/run/pullboot/root-device"

struct generator_options {
        const char *pullboot;   /* absolute path of the agent in ExecStart= lines */
};

/* Writes the units; dirs must exist. -errno on I/O failure (logged). */
int generator_write_units(const struct plan *p, const struct generator_options *o, const char *normal_dir,
                          const char *early_dir);

/* Writes a POSIX shell script doing the same steps in order; a failing step calls the shell
 * function pullboot_failed with a one-line message (defined by the caller, the dracut hook). */
int generator_write_script(const struct plan *p, const struct generator_options *o, FILE *f);

/* The argument vector of a step, for both renderers. NULL-terminated, strings borrowed from p
 * or static except those listed in *ret_owned (free with generator_argv_free). */
struct generator_argv {
        const char *argv[64];
        char *owned[4];
        size_t n, n_owned;
};
int generator_pull_argv(const struct plan_pull *pull, const struct generator_options *o, struct generator_argv *ret);
int generator_attach_argv(const struct plan_pull *pull, const struct generator_options *o,
                          struct generator_argv *ret);
void generator_argv_free(struct generator_argv *a);

/* Whether the plan's root comes from a pull this generator runs (gpt-auto, by-loop-ref or bind:
 * naming a ready pull). */
bool generator_root_is_pulled(const struct plan *p);
/* Mount options for /sysroot from rootflags=, ro/rw (and "bind" for bind:); buf gets "" for none. */
int generator_root_options(const struct plan *p, char *buf, size_t size);

/* Environment checks (generator-env.c). root: "" or a directory standing in for "/" (tests). */
/* As systemd's in_initrd(): $SYSTEMD_IN_INITRD if set, else whether etc/initrd-release exists. */
bool generator_in_initrd(const char *root);
/* systemd 258 and newer pulls rd.systemd.pull= itself with systemd-import-generator: true if that
 * generator is installed and the installed systemd is 258 or newer (or its version unknown).
 * *ret_version gets the version found, 0 if none. */
bool generator_systemd_pulls_itself(const char *root, unsigned *ret_version);
