/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "switch-root.h"

static const char *const moved[] = { "/dev", "/proc", "/sys", "/run" };

int switch_root_find_init(const char *new_root, const char *init_arg, char *buf, size_t size) {
        static const char *const defaults[] = { "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };
        char path[4096];
        struct stat st;

        /* lstat: an absolute symlink (/sbin/init -> /lib/systemd/systemd) means something only
         * inside new_root, so existence of the link is what we can check from here. */
        if (init_arg) {
                if (init_arg[0] != '/')
                        return -EINVAL;
                snprintf(path, sizeof path, "%s%s", new_root, init_arg);
                if (lstat(path, &st) < 0)
                        return -errno;
                snprintf(buf, size, "%s", init_arg);
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(defaults); i++) {
                snprintf(path, sizeof path, "%s%s", new_root, defaults[i]);
                if (lstat(path, &st) == 0) {
                        snprintf(buf, size, "%s", defaults[i]);
                        return 0;
                }
        }
        return -ENOENT;
}

/* Deletes the contents of dirfd without crossing into other file systems (dev) — the new root,
 * the moved API mounts and anything else mounted stays untouched. */
static void remove_tree(int dirfd, dev_t dev) {
        DIR *d = fdopendir(dirfd);
        struct dirent *de;

        if (!d) {
                close(dirfd);
                return;
        }
        while ((de = readdir(d))) {
                struct stat st;
                bool is_dir;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
                        continue;
                is_dir = S_ISDIR(st.st_mode);
                if (is_dir) {
                        int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0)
                                continue;
                        remove_tree(sub, dev);
                }
                (void) unlinkat(dirfd, de->d_name, is_dir ? AT_REMOVEDIR : 0);
        }
        closedir(d);
}

static bool is_initramfs(const struct statfs *sfs) {
        return (unsigned long) sfs->f_type == RAMFS_MAGIC || (unsigned long) sfs->f_type == TMPFS_MAGIC;
}

int switch_root(const char *new_root, const char *init, char **argv) {
        struct stat root_st, new_st;
        struct statfs sfs;
        char path[4096];
        int r;

        if (stat("/", &root_st) < 0 || stat(new_root, &new_st) < 0)
                return log_error_errno(-errno, "cannot stat / or %s", new_root);
        if (root_st.st_dev == new_st.st_dev)
                return log_error_errno(-EINVAL, "%s is not a mount point; the root was not mounted", new_root);

        for (size_t i = 0; i < ELEMENTSOF(moved); i++) {
                snprintf(path, sizeof path, "%s%s", new_root, moved[i]);
                if (mount(moved[i], path, NULL, MS_MOVE, NULL) == 0)
                        continue;
                /* A root without the mount point cannot take it; the system's init mounts its own. */
                log_warning_errno(-errno, "cannot move %s to %s, unmounting it", moved[i], path);
                (void) umount2(moved[i], MNT_DETACH);
        }

        if (chdir(new_root) < 0)
                return log_error_errno(-errno, "cannot enter %s", new_root);

        /* Only ever empty a RAM-backed root: this code must not eat a real disk if run by mistake. */
        int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd >= 0) {
                if (fstatfs(rootfd, &sfs) == 0 && is_initramfs(&sfs))
                        remove_tree(rootfd, root_st.st_dev);
                else
                        close(rootfd);
        }

        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                return log_error_errno(-errno, "cannot move %s to /", new_root);
        if (chroot(".") < 0 || chdir("/") < 0)
                return log_error_errno(-errno, "cannot change root to %s", new_root);

        argv[0] = (char *) init;
        execv(init, argv);
        r = -errno;
        return log_error_errno(r, "cannot execute %s in the new root", init);
}
