/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "root.h"

/*
 * The image store: where `pullboot init` puts the pulled images, instead of the /run that the
 * booted system (journald, its own services) lives in.
 *
 *   tmpfs  (default) a tmpfs of its own on STORE_PATH, capped by store_tmpfs_size()
 *   disk   pullboot.store=PARTLABEL=...|PARTUUID=...|/dev/...: an ext4 or xfs partition mounted
 *          on STORE_PATH; made (ext4) only when libblkid finds nothing on it and
 *          pullboot.store-format=yes. Images on it survive a reboot and serve as a cache
 *          (store-cache.h).
 *
 * Either way the store holds one directory per image class (machines, extensions, ...), and each
 * class directory a runtime pull uses is bind-mounted onto /run/CLASS, so the targets of the plan
 * (/run/machines/NAME.raw), the loop devices' backing file names and machinectl's view stay those
 * of systemd. Everything stays mounted after switch_root (it moves with /run): the loop devices
 * keep the image files open.
 *
 * Parsing (store-spec.c) is pure; setting up (store.c) is not.
 */

#define STORE_PATH "/run/pullboot/store"

enum store_kind {
        STORE_TMPFS,
        STORE_DISK,
        _STORE_KIND_MAX,
};

struct store_spec {
        enum store_kind kind;
        struct root_spec device;        /* DISK: the partition as a root= value (PARTLABEL=, ...) */
        bool format;                    /* pullboot.store-format=yes: make ext4 on a blank partition */
};

/* pullboot.store= (PARTLABEL=, PARTUUID=, UUID=, LABEL= or /dev/...; "tmpfs" or empty for the
 * default) and pullboot.store-format= (boolean), rd. forms too, the last wins. -EINVAL with diag
 * naming the word for a malformed value or store-format=yes without a disk store. */
int store_spec_from_cmdline(struct pb_span cmdline, struct store_spec *ret, struct pb_diag *diag);
const char *store_kind_to_string(enum store_kind k);   /* "tmpfs", "disk" */

/*
 * The size cap of the tmpfs store for a machine with mem_total bytes of RAM. needed: what the
 * images of this boot need once stored (an estimate; 0 = unknown). Unknown: three quarters of
 * RAM, which leaves the kernel and the booted system room whatever the images do (tmpfs pages
 * are only taken when written, so the cap costs nothing by itself). Known: needed plus a margin
 * (1/16, at least 16 MiB) for the temporary and metadata, never above nine tenths of RAM: a store
 * that would need more fails its download with a clear ENOSPC rather than the machine with OOM.
 */
uint64_t store_tmpfs_size(uint64_t mem_total, uint64_t needed);

/* Setting it up (store.c). */

struct store {
        enum store_kind kind;
        char root[4096];                /* where it is mounted (or, in a dry run, prefix + /run) */
        bool cache;                     /* images persist: reuse and evict (disk store) */
        char **keep;                    /* targets this boot names: never evicted */
        size_t n_keep;
};

/*
 * Mounts the store and binds its class directories onto prefix/run/CLASS for every target in
 * targets (paths below /run/CLASS/; others are left alone). dry_run: mounts nothing; the images
 * land below prefix as they would, and a disk store's cache acts on them there. needed as for
 * store_tmpfs_size(). Logs its errors; fills *ret (free with store_done()).
 */
int store_setup(const struct store_spec *spec, char *const *targets, size_t n_targets, const char *prefix,
                bool dry_run, uint64_t needed, struct store *ret);
void store_done(struct store *s);
/* Records the mount at target as x-initrd.mount in /run/mount/utab, so the booted systemd keeps it
 * until its final shutdown (store-utab.c). Warnings only: 0 or negative errno. */
int store_mark_initrd_mount(const char *target);
