/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * pullboot.lazy=: instead of downloading the image, serve it from its URL as a block device.
 * A child process (the server: it keeps running after switch_root, marked with argv[0][0] = '@'
 * so that the booted systemd counts it as a root storage daemon and leaves it alone) probes the
 * URL, reads the seek table, connects an nbd device to itself and answers the kernel from HTTP
 * Range requests and its RAM copy. The caller gets the device with its partitions present.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LAZY_STATE_DIR "/run/pullboot/lazy"

struct lazy_root_options {
        const char *url;
        bool fill;                      /* pullboot.lazy=fill: fetch the rest once idle */
        bool read_only;
        const char *ca_bundle;          /* NULL: libcurl's default */
        bool allow_https_downgrade;
        char *argv0;                    /* this process's argv[0]: the server marks its copy '@' */
        const char *dev_dir;            /* NULL: "/dev" */
        const char *state_dir;          /* NULL: LAZY_STATE_DIR; the server writes NAME there */
        bool fallback_is_info;          /* why the image is not servable lazily is logged as info */
};

struct lazy_root {
        pid_t pid;                      /* the server */
        char sysname[32];               /* "nbd0" */
        char device[160];               /* "/dev/nbd0" */
        uint64_t size;
        unsigned n_partitions;
};

/* 0: the image is served at ret->device. -EMEDIUMTYPE: it cannot be served lazily (the caller
 * downloads it instead). Other negative errno: failed. Either way the reason is logged already (by
 * the server or here), as a warning: the caller only says what it does next. */
int lazy_root_start(const struct lazy_root_options *o, struct lazy_root *ret);

/* dev_dir/disk/by-loop-ref/REF -> the device and REF-partN -> its partitions, the names a loop
 * device of the downloaded image would have, so that root=/dev/disk/by-loop-ref/... finds the
 * lazily served disk too (only without udev, which would make its own links). */
int lazy_root_link_ref(const struct lazy_root *l, const char *dev_dir, const char *ref);
