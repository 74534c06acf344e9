/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <blkid.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "boot-disk.h"
#include "macro.h"
#include "time-util.h"

/* One look through the block devices the kernel has now (no udev: libblkid probes them). */
static int find_once(const char *uuid, char *buf, size_t size) {
        blkid_cache cache = NULL;
        char *dev, disk[64];
        struct stat st;
        dev_t whole;
        int r = -ENOENT;

        /* A cache file would outlive the initrd for nothing. */
        if (blkid_get_cache(&cache, "/dev/null") < 0)
                return -ENOMEM;
        dev = blkid_evaluate_tag("PARTUUID", uuid, &cache);
        if (dev && stat(dev, &st) == 0 && S_ISBLK(st.st_mode) &&
            blkid_devno_to_wholedisk(st.st_rdev, disk, sizeof disk, &whole) == 0) {
                snprintf(buf, size, "/dev/%s", disk);
                r = 0;
        }
        free(dev);
        blkid_put_cache(cache);
        return r;
}

int boot_disk_from_partuuid(const char *partuuid, unsigned timeout_ms, char *buf, size_t size) {
        char uuid[64];
        size_t n = strlen(partuuid);
        uint64_t deadline = now_ms() + timeout_ms;

        /* systemd writes the UUID in upper case; libblkid reports lower case. */
        if (n == 0 || n >= sizeof uuid)
                return -EINVAL;
        for (size_t i = 0; i <= n; i++)
                uuid[i] = (char) tolower((unsigned char) partuuid[i]);

        for (;;) {
                if (find_once(uuid, buf, size) == 0)
                        return 0;
                if (now_ms() >= deadline)
                        return -ENOENT;
                (void) usleep(50 * 1000);
        }
}
