/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nbd-kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nbd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devnode.h"
#include "fileio.h"
#include "log.h"

#define NBD_MAX_DEVICES 256
/* The GPT of a raw image is written for 512-byte sectors. */
#define NBD_BLOCK_SIZE 512

static bool sysfs_has(const char *sysname, const char *attr) {
        char path[128];
        snprintf(path, sizeof path, "/sys/block/%s/%s", sysname, attr);
        return access(path, F_OK) == 0;
}

static uint64_t sysfs_size(const char *sysname) {
        char path[128];
        _cleanup_free_ char *text = NULL;
        snprintf(path, sizeof path, "/sys/block/%s/size", sysname);
        if (read_full_file(path, 64, &text, NULL) < 0)
                return UINT64_MAX;
        return strtoull(text, NULL, 10);
}

int nbd_kernel_open_free(const char *dev_dir, char *sysname, size_t size) {
        bool any = false;

        for (int i = 0; i < NBD_MAX_DEVICES; i++) {
                char name[32], path[160];
                snprintf(name, sizeof name, "nbd%d", i);
                if (sysfs_block_exists(name) <= 0)
                        break;
                any = true;
                if (sysfs_has(name, "pid") || sysfs_size(name) != 0)
                        continue;
                if (devnode_wait(dev_dir, name, 2000, path, sizeof path) < 0)
                        continue;
                int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        continue;
                snprintf(sysname, size, "%s", name);
                return fd;
        }
        return any ? -EBUSY : -ENODEV;
}

int nbd_kernel_configure(int fd, int sock, uint64_t size, bool read_only) {
        unsigned long flags = NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH | (read_only ? NBD_FLAG_READ_ONLY : 0);

        /* A leftover of an earlier server on this device would refuse the new socket. */
        (void) ioctl(fd, NBD_CLEAR_SOCK);
        if (ioctl(fd, NBD_SET_BLKSIZE, (unsigned long) NBD_BLOCK_SIZE) < 0 ||
            ioctl(fd, NBD_SET_SIZE, (unsigned long) size) < 0 ||
            ioctl(fd, NBD_SET_FLAGS, flags) < 0 ||
            ioctl(fd, NBD_SET_SOCK, (unsigned long) sock) < 0)
                return -errno;
        return 0;
}

struct do_it {
        int fd;
        char sysname[32];
};

static void *do_it_thread(void *arg) {
        struct do_it *d = arg;

        /* Returns only when the device is disconnected (or never connected). */
        if (ioctl(d->fd, NBD_DO_IT) < 0)
                log_warning_errno(-errno, "lazy: /dev/%s disconnected", d->sysname);
        (void) ioctl(d->fd, NBD_CLEAR_QUE);
        (void) ioctl(d->fd, NBD_CLEAR_SOCK);
        close(d->fd);
        free(d);
        return NULL;
}

int nbd_kernel_start(int fd, const char *sysname, pthread_t *ret) {
        struct do_it *d = malloc(sizeof *d);
        if (!d)
                return -ENOMEM;
        d->fd = fd;
        snprintf(d->sysname, sizeof d->sysname, "%s", sysname);
        int r = pthread_create(ret, NULL, do_it_thread, d);
        if (r != 0) {
                free(d);
                return -r;
        }
        return 0;
}

int nbd_kernel_wait_connected(const char *sysname, unsigned timeout_ms) {
        uint64_t deadline = now_ms() + timeout_ms;
        while (!sysfs_has(sysname, "pid")) {
                if (now_ms() >= deadline)
                        return -ETIMEDOUT;
                poll_pause();
        }
        return 0;
}
