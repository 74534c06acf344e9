/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base.h"

/*
 * The root file system as the kernel command line names it, interpreted the way systemd's
 * fstab-generator and gpt-auto-generator do: root=, rootfstype=, rootflags=, ro, rw.
 *
 * This is the one place that parses root=: `pullboot plan` (plan.c) calls root_spec_from_cmdline()
 * or root_spec_set_what() to record the root decision, `pullboot mount-root` and `pullboot init`
 * hand the struct to root_mount(). Parsing is pure (no I/O, no allocation); resolving and
 * mounting is not.
 */

enum root_kind {
        ROOT_UNSET,        /* no (or an empty) root= */
        ROOT_GPT_AUTO,     /* root=gpt-auto: DPS root partition on the loop device "rootdisk" */
        ROOT_DEVICE,       /* root=/dev/...: a device path, e.g. /dev/disk/by-loop-ref/NAME-partN */
        ROOT_UUID,         /* root=UUID=  (file system UUID) */
        ROOT_PARTUUID,     /* root=PARTUUID= (GPT partition UUID) */
        ROOT_LABEL,        /* root=LABEL= (file system label) */
        ROOT_PARTLABEL,    /* root=PARTLABEL= (GPT partition name) */
        ROOT_BIND,         /* root=bind:PATH: bind mount a directory (unpacked tar images) */
        ROOT_TMPFS,        /* root=tmpfs: an empty writable tmpfs */
        _ROOT_KIND_MAX,
};

#define ROOT_WHAT_MAX 4096
#define ROOT_FSTYPE_MAX 64
#define ROOT_OPTIONS_MAX 1024

struct root_spec {
        enum root_kind kind;
        char what[ROOT_WHAT_MAX];          /* path (DEVICE, BIND) or tag value (UUID…); "" otherwise */
        char fstype[ROOT_FSTYPE_MAX];      /* rootfstype=; "": detect with libblkid */
        char options[ROOT_OPTIONS_MAX];    /* all rootflags= joined with ','; "" when none */
        int rw;                            /* last of ro/rw: 1 rw, 0 ro, -1 neither given */
};

/* Resets to "no root=" (kind ROOT_UNSET, rw -1, empty strings). */
void root_spec_init(struct root_spec *spec);

/* Parses root=, rootfstype=, rootflags=, ro and rw from a kernel command line (plain keys only, no
 * "rd." forms, as systemd's fstab-generator). The last root=/rootfstype= wins, rootflags=
 * accumulate. Returns 0 (spec->kind may be ROOT_UNSET when there is no root=), -EINVAL for a
 * malformed root= value, -ENAMETOOLONG when a value does not fit; diag says which word. */
int root_spec_from_cmdline(struct pb_span cmdline, struct root_spec *spec, struct pb_diag *diag);

/* Parses just a root= value into spec->kind/what (other fields unchanged); an empty value sets
 * ROOT_UNSET. -EINVAL: relative path, "bind:" without an absolute path, "UUID=" without a value,
 * an unknown scheme. */
int root_spec_set_what(struct root_spec *spec, struct pb_span value, struct pb_diag *diag);

/* For root=/dev/disk/by-loop-ref/REF-partN (or .../REF): copies REF into ref and sets *ret_partno
 * to N (0 for the whole device). 1 if spec is such a path, 0 if not, -ENOBUFS if ref is too small.
 * The one place that splits these names (root_mount() and `pullboot plan` use it). */
int root_spec_loop_ref(const struct root_spec *spec, char *ref, size_t size, unsigned *ret_partno);

/* Renders the root= value back ("gpt-auto", "UUID=…", "bind:/x", "/dev/…"); "" for ROOT_UNSET. */
int root_spec_format_what(const struct root_spec *spec, char *buf, size_t size);

/* Whether the root will be mounted read-only: rw/ro if given, else ro/rw in rootflags=, else
 * read-only (systemd's default), except root=tmpfs which defaults to writable. */
bool root_spec_read_only(const struct root_spec *spec);

/* Resolving and mounting (root.c). */

struct root_mount_options {
        const char *where;             /* NULL: "/sysroot" */
        const char *dev_dir;           /* NULL: "/dev" */
        unsigned timeout_ms;           /* bound for the root device to show up; 0: 10000 */
        const char *gpt_auto_disk;     /* whole disk for gpt-auto; NULL: the loop device whose
                                        * reference is "rootdisk" or "rootdisk.raw" */
        bool dry_run;                  /* resolve only, mount nothing */
};

#define ROOT_DEVICE_MAX 4096

struct root_resolved {
        char device[ROOT_DEVICE_MAX];     /* block device, bind source, or "tmpfs" */
        char usr_device[ROOT_DEVICE_MAX]; /* gpt-auto: the DPS usr partition, "" when none */
        char fstype[ROOT_FSTYPE_MAX];     /* type used (or detected) for device; "" for bind */
        char usr_fstype[ROOT_FSTYPE_MAX];
        bool read_only;                   /* effective, including the DPS read-only flag */
        bool usr_read_only;
};

/* Finds the device for spec (waiting up to timeout_ms for it to appear) and, unless dry_run,
 * mounts it on where (and gpt-auto's usr partition on where/usr), creating where if missing.
 * Fills *ret (may be NULL) with what it used. Logs its own errors. -ENOENT when no device matches
 * in time, -ENODATA for root= missing, -EMEDIUMTYPE when the file system type is unknown. */
int root_mount(const struct root_spec *spec, const struct root_mount_options *opts, struct root_resolved *ret);
