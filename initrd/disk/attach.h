/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Attaching a raw image to a loop device, the way systemd-dissect --attach --loop-ref-auto does:
 * LOOP_CONFIGURE (fallback LOOP_SET_FD + LOOP_SET_STATUS64) with partition scanning and autoclear,
 * lo_file_name set to a reference string, partitions made visible (BLKPG from the partition table
 * when the kernel did not scan it), and /dev/disk/by-loop-ref/ links when no udev runs.
 */

/* The loop reference field is 64 bytes including the NUL (LO_NAME_SIZE). */
#define ATTACH_REF_MAX 63

struct attach_options {
        const char *ref;          /* lo_file_name; NULL: the image's file name (basename) */
        bool read_only;
        unsigned timeout_ms;      /* bound for partition device nodes to appear; 0: 5000 */
        const char *dev_dir;      /* where device nodes and disk/by-loop-ref live; NULL: "/dev" */
};

#define ATTACH_MAX_PARTITIONS 128

struct attached_loop {
        int fd;                   /* open on the loop device; closing it lets autoclear detach it
                                   * once nothing (e.g. a mount) uses the device any more */
        int nr;                   /* N of /dev/loopN */
        char device[160];         /* "/dev/loopN" (under dev_dir) */
        char ref[ATTACH_REF_MAX + 1];
        char dev_dir[128];        /* opts->dev_dir it was attached with */
        unsigned n_partitions;    /* partition devices present after attaching */
        unsigned partno[ATTACH_MAX_PARTITIONS];  /* their numbers (N of loopXpN), ascending */
};

#define ATTACHED_LOOP_NULL ((struct attached_loop) { .fd = -1, .nr = -1 })

/* Validates a reference string: 1..63 bytes, no '/', no control characters, not "." or "..".
 * Returns 0 or -EINVAL with a reason in *ret_reason. */
int attach_ref_validate(const char *ref, const char **ret_reason);

/* The default reference for an image path: its last component ("/x/image.raw" -> "image.raw"),
 * cut to ATTACH_REF_MAX bytes. buf needs ATTACH_REF_MAX+1 bytes. -EINVAL for "" or a path ending in '/'. */
int attach_default_ref(const char *path, char *buf, size_t size);

/* Attaches path. On success *ret owns an fd on the device; the device stays attached while that
 * fd is open or something (a mount) holds the device. Logs its own errors.
 * -ENOENT/-EACCES/-EISDIR for the image, -ENODEV without loop support, -EINVAL for a bad ref. */
int loop_attach(const char *path, const struct attach_options *opts, struct attached_loop *ret);

/* Turns autoclear off, so the device outlives the process that attached it (what the
 * `pullboot attach` verb does before exiting, like systemd-dissect --attach). */
int loop_relinquish(struct attached_loop *l);

/* Closes the fd (autoclear then detaches an unused device). Safe on ATTACHED_LOOP_NULL. */
void attached_loop_done(struct attached_loop *l);

/* Detaches explicitly (LOOP_CLR_FD), removes the by-loop-ref links it created, closes the fd. */
int loop_detach(struct attached_loop *l);

/* Finds the attached loop device whose lo_file_name equals one of refs (NULL-terminated list),
 * e.g. { "rootdisk", "rootdisk.raw", NULL } for gpt-auto. Fills buf with "/dev/loopN".
 * -ENOENT when none, -ENOTUNIQ when several carry the same reference. */
int loop_find_by_ref(const char *const *refs, const char *dev_dir, char *buf, size_t size);
