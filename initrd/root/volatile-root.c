/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Applying systemd.volatile= to the root mounted on /sysroot, before switch_root: the same mount
 * layout systemd-volatile-root (yes, overlay) and systemd-fstab-generator (state) produce, so a
 * systemd in the root finds what it expects. One difference: the overlay's tmpfs stays mounted
 * on /run/systemd/overlay-sysroot, so the booted system can see what it wrote (upper/).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "mounts.h"
#include "volatile-root.h"

#define USR_ASIDE "/run/pullboot/usr-aside"

static int mount_tmpfs(const char *where) {
        int r = mkdir_p(where, 0700);
        if (r < 0)
                return log_error_errno(r, "cannot create %s", where);
        if (mount("tmpfs", where, "tmpfs", MS_STRICTATIME, "mode=0755") < 0)
                return log_error_errno(-errno, "cannot mount a tmpfs on %s", where);
        return 0;
}

static int make_dir(const char *parent, const char *name, char *buf, size_t size) {
        if (snprintf(buf, size, "%s/%s", parent, name) >= (int) size)
                return log_error_errno(-ENAMETOOLONG, "path %s/%s is too long", parent, name);
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "cannot create %s", buf);
        return 0;
}

/* A directory of the root itself (not a symlink, which would point into the initrd). */
static int root_dir(const char *where, const char *name, char *buf, size_t size) {
        struct stat st;

        if (snprintf(buf, size, "%s/%s", where, name) >= (int) size)
                return -ENAMETOOLONG;
        if (lstat(buf, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* systemd.volatile=state: the root as it is, /var on a tmpfs. */
static int make_state(const char *where) {
        char var[PATH_MAX];
        int r;

        r = root_dir(where, "var", var, sizeof var);
        if (r < 0)
                return log_error_errno(r, "systemd.volatile=state: the root has no /var directory to mount "
                                       "a tmpfs on; add an empty /var to the image");
        if (mount("tmpfs", var, "tmpfs", MS_STRICTATIME, "mode=0755") < 0)
                return log_error_errno(-errno, "systemd.volatile=state: cannot mount a tmpfs on %s", var);
        log_info("systemd.volatile=state: /var is a tmpfs");
        return 0;
}

/* systemd.volatile=yes: a fresh tmpfs becomes the root, with the image's /usr (and what is
 * mounted below it, e.g. the usr partition) bound read-only; the rest of the image goes. */
static int make_volatile(const char *where) {
        char usr[PATH_MAX], new_usr[PATH_MAX];
        int r;

        r = root_dir(where, "usr", usr, sizeof usr);
        if (r < 0)
                return log_error_errno(r, "systemd.volatile=yes: the root has no /usr directory; this mode "
                                       "keeps only /usr of the image");
        r = mount_tmpfs(VOLATILE_YES_DIR);
        if (r < 0)
                return r;
        r = make_dir(VOLATILE_YES_DIR, "usr", new_usr, sizeof new_usr);
        if (r < 0)
                goto fail;
        /* The mount points switch_root moves the API file systems (and the pulled images in /run)
         * to; without them it would have to unmount them. */
        static const char *const api_dirs[] = { "dev", "proc", "sys", "run" };
        for (size_t i = 0; i < ELEMENTSOF(api_dirs); i++) {
                char dir[PATH_MAX];
                r = make_dir(VOLATILE_YES_DIR, api_dirs[i], dir, sizeof dir);
                if (r < 0)
                        goto fail;
        }
        if (mount(usr, new_usr, NULL, MS_BIND | MS_REC, NULL) < 0) {
                r = log_error_errno(-errno, "cannot bind %s on %s", usr, new_usr);
                goto fail;
        }
        if (mount(NULL, new_usr, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
                r = log_error_errno(-errno, "cannot make %s read-only", new_usr);
                goto fail;
        }
        if (umount2(where, MNT_DETACH) < 0) {
                r = log_error_errno(-errno, "cannot unmount the image's root from %s", where);
                goto fail;
        }
        if (mount(VOLATILE_YES_DIR, where, NULL, MS_MOVE, NULL) < 0) {
                /* The image's root is gone already; nothing sensible to go back to. */
                r = log_error_errno(-errno, "cannot move the tmpfs root onto %s", where);
                goto fail;
        }
        (void) rmdir(VOLATILE_YES_DIR);
        log_info("systemd.volatile=yes: the root is a tmpfs with the image's /usr read-only");
        return 0;
fail:
        (void) umount2(VOLATILE_YES_DIR, MNT_DETACH);
        (void) rmdir(VOLATILE_YES_DIR);
        return r;
}

/* The upper and work directories: on a tmpfs, or on pullboot.overlay='s partition (kept). */
static int overlay_base(const struct volatile_spec *spec, const char **ret_base) {
        struct root_mount_options o = { .where = VOLATILE_UPPER_MOUNT };
        struct root_spec upper = spec->upper;
        struct root_resolved res;
        char what[ROOT_WHAT_MAX];
        int r;

        if (spec->upper.kind == ROOT_UNSET) {
                *ret_base = VOLATILE_OVERLAY_DIR;
                return mount_tmpfs(VOLATILE_OVERLAY_DIR);
        }
        (void) root_spec_format_what(&upper, what, sizeof what);
        upper.rw = 1;
        r = root_mount(&upper, &o, &res);
        if (r < 0)
                return log_error_errno(r, "pullboot.overlay=%s: cannot mount the partition for the overlay's "
                                       "upper layer", what);
        if (res.read_only) {
                (void) umount2(VOLATILE_UPPER_MOUNT, MNT_DETACH);
                return log_error_errno(-EROFS, "pullboot.overlay=%s: %s is read-only", what, res.device);
        }
        log_info("pullboot.overlay=%s: upper layer on %s (%s), kept across boots", what, res.device, res.fstype);
        *ret_base = VOLATILE_UPPER_MOUNT;
        return 0;
}

/* overlayfs sees one file system per layer: a usr partition mounted on where/usr would be hidden
 * by the overlay. It is moved aside and back on top, as systemd mounts /sysroot/usr after the
 * overlay. 1 if moved. */
static int usr_aside(const char *where, char *usr, size_t size) {
        int r;

        if (root_dir(where, "usr", usr, size) < 0 || mounts_is_mount_point(usr) <= 0)
                return 0;
        r = mkdir_p(USR_ASIDE, 0700);
        if (r < 0)
                return log_error_errno(r, "cannot create %s", USR_ASIDE);
        if (mount(usr, USR_ASIDE, NULL, MS_MOVE, NULL) < 0)
                return log_error_errno(-errno, "cannot move the usr partition from %s aside", usr);
        return 1;
}

static int usr_back(const char *usr) {
        if (mount(USR_ASIDE, usr, NULL, MS_MOVE, NULL) < 0)
                return log_error_errno(-errno, "cannot move the usr partition back onto %s", usr);
        (void) rmdir(USR_ASIDE);
        return 0;
}

/* systemd.volatile=overlay: overlayfs on where, the read-only root as its lower layer. */
static int make_overlay(const struct volatile_spec *spec, const char *where) {
        char upper[PATH_MAX], work[PATH_MAX], usr[PATH_MAX], options[3 * PATH_MAX + 64];
        const char *base = NULL;
        int r, moved = 0;

        /* The mount options list separates with ',' and ':'; our mount points have neither. */
        if (strpbrk(where, ",:\\"))
                return log_error_errno(-EINVAL, "cannot use %s as an overlay's lower layer", where);
        r = overlay_base(spec, &base);
        if (r < 0)
                return r;
        r = make_dir(base, "upper", upper, sizeof upper);
        if (r >= 0)
                r = make_dir(base, "work", work, sizeof work);
        if (r >= 0)
                r = moved = usr_aside(where, usr, sizeof usr);
        if (r < 0)
                goto fail;

        snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s,workdir=%s", where, upper, work);
        if (mount("overlay", where, "overlay", 0, options) < 0) {
                r = log_error_errno(-errno, "cannot mount an overlay on %s (%s); is the overlay module in "
                                    "the initrd?", where, options);
                goto fail;
        }
        if (moved && (r = usr_back(usr)) < 0) {
                (void) umount2(where, MNT_DETACH);
                moved = 0;   /* stays aside: the root is unusable anyway */
                goto fail;
        }
        log_info("systemd.volatile=overlay: the root's writes go to %s", upper);
        return 0;
fail:
        if (moved > 0)
                (void) usr_back(usr);
        (void) umount2(base, MNT_DETACH);
        return r;
}

/* /run/systemd/volatile-root names the device the root came from, which the overlay hides (as
 * systemd-volatile-root records it). */
static void record_device(const char *where) {
        char dev[64];
        struct stat st;

        if (stat(where, &st) < 0 || major(st.st_dev) == 0)
                return;
        snprintf(dev, sizeof dev, "/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
        if (mkdir_p("/run/systemd", 0755) < 0 || symlink(dev, "/run/systemd/volatile-root") < 0)
                log_warning("cannot record the root device %s in /run/systemd/volatile-root", dev);
}

void volatile_root_adjust(const struct volatile_spec *spec, struct root_spec *root) {
        if (volatile_mode_protects_image(spec->mode) && root->kind != ROOT_TMPFS)
                root->rw = 0;
}

int volatile_root_apply(const struct volatile_spec *spec, const struct root_spec *root, const char *where) {
        switch (spec->mode) {
        case VOLATILE_STATE:
                return make_state(where);
        case VOLATILE_YES:
        case VOLATILE_OVERLAY:
                if (root->kind == ROOT_TMPFS) {
                        log_info("systemd.volatile=%s: root=tmpfs already is a temporary file system",
                                 volatile_mode_to_string(spec->mode));
                        return 0;
                }
                record_device(where);
                return spec->mode == VOLATILE_YES ? make_volatile(where) : make_overlay(spec, where);
        default:
                return 0;
        }
}
