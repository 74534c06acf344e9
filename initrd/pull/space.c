/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "log.h"
#include "space.h"

const char *format_bytes(uint64_t n, char *buf, size_t size) {
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
        unsigned u = 0;
        double v = (double) n;
        while (v >= 1024.0 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024.0;
                u++;
        }
        if (u == 0)
                snprintf(buf, size, "%" PRIu64 " B", n);
        else
                snprintf(buf, size, "%.1f %s", v, units[u]);
        return buf;
}

int space_free(const char *dir, uint64_t *ret) {
        struct statvfs sv;
        if (statvfs(dir, &sv) < 0)
                return -errno;
        /* We run as root in the initrd: root may use the reserved blocks too. */
        *ret = (uint64_t) sv.f_bfree * sv.f_frsize;
        return 0;
}

int space_check(const char *dir, uint64_t need, const char *what) {
        uint64_t avail = 0;
        char a[32], b[32];
        int r = space_free(dir, &avail);
        if (r < 0)
                return log_error_errno(r, "cannot query free space of %s", dir);
        if (need <= avail)
                return 0;
        log_error("not enough space in %s for the %s: %" PRIu64 " bytes (%s) needed, %" PRIu64
                  " bytes (%s) free; make room or pull to a larger file system",
                  dir, what, need, format_bytes(need, a, sizeof a), avail, format_bytes(avail, b, sizeof b));
        return -ENOSPC;
}

int space_log_full(const char *dir, uint64_t written, uint64_t total_hint) {
        uint64_t avail = 0;
        char a[32], b[32];
        (void) space_free(dir, &avail);
        if (total_hint != UINT64_MAX && total_hint > written)
                log_error("%s is full: the image needs %" PRIu64 " more bytes (%s) after %" PRIu64
                          " written, %" PRIu64 " bytes (%s) free; make room or pull to a larger file system",
                          dir, total_hint - written, format_bytes(total_hint - written, a, sizeof a), written,
                          avail, format_bytes(avail, b, sizeof b));
        else
                log_error("%s is full after %" PRIu64 " bytes (%s) of the image, %" PRIu64
                          " bytes free; the image needs more room than the file system has",
                          dir, written, format_bytes(written, a, sizeof a), avail);
        return -ENOSPC;
}

int space_log_full_stored(const char *dir, uint64_t written, uint64_t stored, uint64_t projected, uint64_t at_least) {
        uint64_t avail = 0;
        char a[32], b[32], c[32], d[32], e[32];
        if (projected == UINT64_MAX)
                return space_log_full(dir, written, UINT64_MAX);
        (void) space_free(dir, &avail);
        char least[48] = "", all[48] = "";
        if (at_least > 0 && at_least < projected)
                snprintf(least, sizeof least, ", at least %s", format_bytes(at_least, b, sizeof b));
        if (projected <= UINT64_MAX - stored)
                snprintf(all, sizeof all, ", about %s in all", format_bytes(stored + projected, b, sizeof b));
        log_error("%s is full after %" PRIu64 " bytes (%s) stored of %s written (runs of zeros take no space): the "
                  "image needs %" PRIu64 " more bytes (%s%s%s), %" PRIu64 " bytes (%s) free; make room or pull to a "
                  "larger file system", dir, stored, format_bytes(stored, c, sizeof c), format_bytes(written, d, sizeof d),
                  projected, format_bytes(projected, a, sizeof a), least, all, avail, format_bytes(avail, e, sizeof e));
        return -ENOSPC;
}

int space_is_ram(const char *dir) {
        struct statfs sf;
        if (statfs(dir, &sf) < 0)
                return -errno;
        return sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC;
}
