/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "devnode.h"
#include "fileio.h"
#include "log.h"
#include "loop-partitions.h"
#include "macro.h"
#include "partition-table.h"

/* Another process may take the free device between LOOP_CTL_GET_FREE and our configure call. */
#define ATTACH_MAX_TRIES 64
#define ATTACH_DEFAULT_TIMEOUT_MS 5000

int attach_ref_validate(const char *ref, const char **ret_reason) {
        const char *reason = NULL;
        size_t n = ref ? strlen(ref) : 0;

        if (n == 0)
                reason = "the reference is empty";
        else if (n > ATTACH_REF_MAX)
                reason = "the reference is longer than 63 bytes";
        else if (strcmp(ref, ".") == 0 || strcmp(ref, "..") == 0)
                reason = "the reference cannot be '.' or '..'";
        else if (strchr(ref, '/'))
                reason = "the reference cannot contain '/'";
        else
                for (const char *p = ref; *p; p++)
                        if ((unsigned char) *p < 0x20 || *p == 0x7f) {
                                reason = "the reference cannot contain control characters";
                                break;
                        }
        if (ret_reason)
                *ret_reason = reason;
        return reason ? -EINVAL : 0;
}

int attach_default_ref(const char *path, char *buf, size_t size) {
        const char *base = strrchr(path, '/');

        base = base ? base + 1 : path;
        if (*base == '\0' || size < ATTACH_REF_MAX + 1)
                return -EINVAL;
        /* Like the kernel, which keeps the first 63 bytes of lo_file_name. */
        snprintf(buf, size, "%.*s", ATTACH_REF_MAX, base);
        return 0;
}

static int loop_configure(int loop_fd, int image_fd, const char *ref, bool read_only) {
        struct loop_config config = {
                .fd = (unsigned) image_fd,
                .info.lo_flags = LO_FLAGS_PARTSCAN | LO_FLAGS_AUTOCLEAR | (read_only ? LO_FLAGS_READ_ONLY : 0),
        };
        snprintf((char *) config.info.lo_file_name, sizeof(config.info.lo_file_name), "%s", ref);

        if (ioctl(loop_fd, LOOP_CONFIGURE, &config) >= 0)
                return 0;
        if (errno != ENOTTY && errno != EINVAL)
                return -errno;

        /* Kernels before 5.8: two steps. Read-only comes from how the image fd was opened. */
        if (ioctl(loop_fd, LOOP_SET_FD, image_fd) < 0)
                return -errno;
        if (ioctl(loop_fd, LOOP_SET_STATUS64, &config.info) < 0) {
                int r = -errno;
                (void) ioctl(loop_fd, LOOP_CLR_FD);
                return r;
        }
        return 0;
}

/* Opens /dev/loopN, which LOOP_CTL_GET_FREE may just have created (its node follows shortly). */
static int open_loop_node(const char *dev_dir, int nr, bool read_only, char *path, size_t size) {
        char sysname[32];
        int r;

        snprintf(sysname, sizeof(sysname), "loop%d", nr);
        r = devnode_wait(dev_dir, sysname, 2000, path, size);
        if (r < 0)
                return r;
        int fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}

/* /dev/disk/by-loop-ref/REF -> ../../loopN and REF-partM -> ../../loopNpM, as udev's
 * 60-persistent-storage rules make them. */
static int make_ref_links(const struct attached_loop *l, const char *dev_dir) {
        char dir[PATH_MAX], target[96], name[ATTACH_REF_MAX + 32];
        int r;

        if (snprintf(dir, sizeof(dir), "%s/disk/by-loop-ref", dev_dir) >= (int) sizeof(dir))
                return -ENAMETOOLONG;
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return r;

        snprintf(target, sizeof(target), "../../loop%d", l->nr);
        r = symlink_replace_in(dir, l->ref, target);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < l->n_partitions; i++) {
                snprintf(target, sizeof(target), "../../loop%dp%u", l->nr, l->partno[i]);
                snprintf(name, sizeof(name), "%s-part%u", l->ref, l->partno[i]);
                r = symlink_replace_in(dir, name, target);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Removes our links if they still point to this device. */
static void remove_ref_links(const struct attached_loop *l, const char *dev_dir) {
        char path[PATH_MAX], target[96], want[96];
        ssize_t n;

        for (unsigned i = 0; i <= l->n_partitions; i++) {
                if (i == 0) {
                        snprintf(path, sizeof(path), "%s/disk/by-loop-ref/%s", dev_dir, l->ref);
                        snprintf(want, sizeof(want), "../../loop%d", l->nr);
                } else {
                        snprintf(path, sizeof(path), "%s/disk/by-loop-ref/%s-part%u", dev_dir, l->ref, l->partno[i - 1]);
                        snprintf(want, sizeof(want), "../../loop%dp%u", l->nr, l->partno[i - 1]);
                }
                n = readlink(path, target, sizeof(target) - 1);
                if (n < 0)
                        continue;
                target[n] = '\0';
                if (strcmp(target, want) == 0)
                        (void) unlink(path);
        }
}

static int cmp_uint(const void *a, const void *b) {
        unsigned x = *(const unsigned *) a, y = *(const unsigned *) b;
        return (x > y) - (x < y);
}

/* Partitions: the table as libblkid reads it, added with BLKPG where the kernel did not scan it,
 * then waited for as device nodes. */
static int settle_partitions(struct attached_loop *l, const char *dev_dir, unsigned timeout_ms) {
        _cleanup_free_ struct dps_partition *parts = NULL;
        char sysname[32], pname[48];
        size_t n = 0;
        int r;

        r = partition_table_read(l->fd, &parts, &n);
        if (r < 0)
                return log_error_errno(r, "cannot read the partition table of %s", l->device);
        if (n > ATTACH_MAX_PARTITIONS)
                return log_error_errno(-E2BIG, "%s has %zu partitions, at most %d are supported",
                                       l->device, n, ATTACH_MAX_PARTITIONS);

        snprintf(sysname, sizeof(sysname), "loop%d", l->nr);
        r = disk_add_missing_partitions(l->fd, sysname, parts, n);
        if (r < 0)
                return r;

        uint64_t deadline = now_ms() + timeout_ms;
        l->n_partitions = 0;
        for (size_t i = 0; i < n; i++) {
                uint64_t now = now_ms();

                snprintf(pname, sizeof(pname), "%sp%u", sysname, parts[i].partno);
                r = devnode_wait(dev_dir, pname, now < deadline ? (unsigned) (deadline - now) : 0, NULL, 0);
                if (r < 0)
                        return log_error_errno(r, "partition %u of %s did not appear", parts[i].partno, l->device);
                l->partno[l->n_partitions++] = parts[i].partno;
        }
        qsort(l->partno, l->n_partitions, sizeof(l->partno[0]), cmp_uint);
        return 0;
}

int loop_attach(const char *path, const struct attach_options *opts, struct attached_loop *ret) {
        static const struct attach_options defaults = {};
        _cleanup_close_ int image_fd = -EBADF, control_fd = -EBADF;
        struct attached_loop l = ATTACHED_LOOP_NULL;
        const char *reason, *dev_dir;
        bool read_only;
        struct stat st;
        int r;

        opts = opts ?: &defaults;
        dev_dir = opts->dev_dir ?: "/dev";
        if (snprintf(l.dev_dir, sizeof(l.dev_dir), "%s", dev_dir) >= (int) sizeof(l.dev_dir))
                return log_error_errno(-ENAMETOOLONG, "device directory name too long: %s", dev_dir);
        read_only = opts->read_only;

        if (opts->ref)
                snprintf(l.ref, sizeof(l.ref), "%s", opts->ref);
        else if (attach_default_ref(path, l.ref, sizeof(l.ref)) < 0)
                return log_error_errno(-EINVAL, "cannot derive a loop reference from '%s'; pass --ref", path);
        if (attach_ref_validate(opts->ref ?: l.ref, &reason) < 0)
                return log_error_errno(-EINVAL, "invalid loop reference '%s': %s", opts->ref ?: l.ref, reason);

        image_fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY);
        if (image_fd < 0 && !read_only && (errno == EROFS || errno == EACCES || errno == EPERM)) {
                /* As systemd does: an image we may not write is attached read-only. */
                log_warning("%s is not writable, attaching it read-only", path);
                read_only = true;
                image_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        }
        if (image_fd < 0)
                return log_error_errno(-errno, "cannot open image %s", path);
        if (fstat(image_fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat %s", path);
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
                return log_error_errno(S_ISDIR(st.st_mode) ? -EISDIR : -EBADFD,
                                       "%s is not a regular file or block device", path);

        control_fd = open("/dev/loop-control", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (control_fd < 0) {
                r = -errno;
                return log_error_errno(r == -ENOENT ? -ENODEV : r,
                                       "cannot open /dev/loop-control (is the loop module loaded?)");
        }

        for (unsigned tries = 0;; tries++) {
                _cleanup_close_ int loop_fd = -EBADF;
                char device[sizeof(l.device)];

                if (tries >= ATTACH_MAX_TRIES)
                        return log_error_errno(-EBUSY, "no free loop device after %d attempts", ATTACH_MAX_TRIES);

                int nr = ioctl(control_fd, LOOP_CTL_GET_FREE);
                if (nr < 0)
                        return log_error_errno(-errno, "cannot get a free loop device");

                loop_fd = open_loop_node(dev_dir, nr, read_only, device, sizeof(device));
                if (loop_fd < 0) {
                        /* Removed by someone else meanwhile: try another. */
                        if (loop_fd == -ENOENT || loop_fd == -ENXIO)
                                continue;
                        return log_error_errno(loop_fd, "cannot open loop device %d", nr);
                }

                r = loop_configure(loop_fd, image_fd, l.ref, read_only);
                if (r == -EBUSY)
                        continue;  /* lost the race for this device */
                if (r < 0)
                        return log_error_errno(r, "cannot attach %s to %s", path, device);

                l.fd = TAKE_FD(loop_fd);
                l.nr = nr;
                snprintf(l.device, sizeof(l.device), "%s", device);
                break;
        }

        r = settle_partitions(&l, dev_dir, opts->timeout_ms ?: ATTACH_DEFAULT_TIMEOUT_MS);
        if (r >= 0 && !udev_running()) {
                r = make_ref_links(&l, dev_dir);
                if (r < 0)
                        log_error_errno(r, "cannot create %s/disk/by-loop-ref/%s links", dev_dir, l.ref);
        }
        if (r < 0) {
                (void) loop_detach(&l);
                return r;
        }

        log_debug("attached %s to %s (ref %s, %u partitions%s)", path, l.device, l.ref,
                  l.n_partitions, read_only ? ", read-only" : "");
        *ret = l;
        return 0;
}

int loop_relinquish(struct attached_loop *l) {
        struct loop_info64 info;

        if (l->fd < 0)
                return -EBADF;
        if (ioctl(l->fd, LOOP_GET_STATUS64, &info) < 0)
                return -errno;
        if (!(info.lo_flags & LO_FLAGS_AUTOCLEAR))
                return 0;
        info.lo_flags &= ~LO_FLAGS_AUTOCLEAR;
        if (ioctl(l->fd, LOOP_SET_STATUS64, &info) < 0)
                return -errno;
        return 0;
}

void attached_loop_done(struct attached_loop *l) {
        if (l->fd >= 0)
                close(l->fd);
        l->fd = -1;
}

int loop_detach(struct attached_loop *l) {
        int r = 0;

        if (l->fd < 0)
                return -EBADF;
        remove_ref_links(l, l->dev_dir[0] ? l->dev_dir : "/dev");
        if (ioctl(l->fd, LOOP_CLR_FD) < 0)
                r = -errno;
        attached_loop_done(l);
        return r;
}

int loop_find_by_ref(const char *const *refs, const char *dev_dir, char *buf, size_t size) {
        _cleanup_(closedirp) DIR *d = NULL;
        int found = -1;

        d = opendir("/sys/class/block");
        if (!d)
                return -errno;

        for (struct dirent *de; (de = readdir(d));) {
                struct loop_info64 info;
                char path[PATH_MAX];
                int nr;
                char tail;

                /* Whole loop devices only: "loop3", not "loop3p1". */
                if (sscanf(de->d_name, "loop%d%c", &nr, &tail) != 1)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dev_dir ?: "/dev", de->d_name);
                _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
                if (fd < 0)
                        continue;
                if (ioctl(fd, LOOP_GET_STATUS64, &info) < 0)
                        continue;  /* ENXIO: not attached */

                const char *name = (const char *) info.lo_file_name;
                for (const char *const *ref = refs; *ref; ref++) {
                        if (strncmp(name, *ref, sizeof(info.lo_file_name)) != 0)
                                continue;
                        if (found >= 0 && found != nr)
                                return -ENOTUNIQ;
                        found = nr;
                }
        }
        if (found < 0)
                return -ENOENT;
        if (snprintf(buf, size, "%s/loop%d", dev_dir ?: "/dev", found) >= (int) size)
                return -ENAMETOOLONG;
        return 0;
}
