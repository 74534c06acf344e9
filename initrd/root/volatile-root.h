/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "base.h"
#include "root.h"

/*
 * Where the root's writes go: systemd.volatile= as systemd interprets it (systemd-volatile-root
 * in the initrd for "yes" and "overlay", the fstab-generator for "state"), plus
 * pullboot.overlay=DEVICE, a persistent overlay upper on a local partition.
 *
 *   no       the root as mounted (its writes reach the image; default)
 *   yes      a tmpfs root holding only the image's /usr, bound read-only
 *   state    the root as mounted, with a tmpfs on /var
 *   overlay  an overlayfs over the read-only root, upper and work on a tmpfs below
 *            /run/systemd/overlay-sysroot (or on pullboot.overlay='s partition)
 *
 * With yes and overlay the image is attached read-only and mounted read-only: the booted system
 * cannot change it, whatever it writes.
 *
 * Parsing (volatile-spec.c) is pure; applying it to the mounted root (volatile-root.c) is not.
 */

enum volatile_mode {
        VOLATILE_NO,
        VOLATILE_YES,
        VOLATILE_STATE,
        VOLATILE_OVERLAY,
        _VOLATILE_MODE_MAX,
};

struct volatile_spec {
        enum volatile_mode mode;
        /* pullboot.overlay=: the upper's partition as a root= value (PARTLABEL=, PARTUUID=,
         * UUID=, LABEL=, /dev/...); kind ROOT_UNSET when not given. Implies overlay. */
        struct root_spec upper;
        /* Why a given systemd.volatile= value was ignored ("" when it was not): systemd logs and
         * carries on without a volatile root, so does the caller. */
        char ignored[160];
};

/* "yes"/"no" and their boolean synonyms (1/y/true/t/on, 0/n/false/f/off, any case), "state",
 * "overlay"; -EINVAL for anything else. */
int volatile_mode_from_string(struct pb_span s, enum volatile_mode *ret);
const char *volatile_mode_to_string(enum volatile_mode m);

/* systemd.volatile= (plain key only, as systemd reads it: the last value wins; the bare word
 * means "yes" unless a value was given) and pullboot.overlay= (rd. form too; the last wins; it
 * needs mode overlay and sets it when systemd.volatile= is absent). An unknown systemd.volatile=
 * value leaves the mode "no" and says why in ret->ignored. Returns 0, or -EINVAL for a malformed
 * pullboot.overlay= (or one combined with another volatile mode); diag says which. */
int volatile_spec_from_cmdline(struct pb_span cmdline, struct volatile_spec *ret, struct pb_diag *diag);

/* Whether the mode replaces or covers the root so the image must stay read-only. */
bool volatile_mode_protects_image(enum volatile_mode m);

/* Applying it (volatile-root.c). */
#define VOLATILE_OVERLAY_DIR "/run/systemd/overlay-sysroot"
#define VOLATILE_YES_DIR "/run/systemd/volatile-sysroot"
#define VOLATILE_UPPER_MOUNT "/run/pullboot/overlay-upper"

/* Before root_mount(): yes and overlay mount the image read-only (root=tmpfs stays as it is). */
void volatile_root_adjust(const struct volatile_spec *spec, struct root_spec *root);

/* After root_mount() mounted root on where: the tmpfs on /var, the tmpfs root, or the overlay.
 * Logs its own errors and returns them as negative errno. */
int volatile_root_apply(const struct volatile_spec *spec, const struct root_spec *root, const char *where);
