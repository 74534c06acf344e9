/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tar extractor's confinement (confine.h) on its own: a child does what a hostile archive
 * would make libarchive do (write through an absolute symlink, climb with "..", use an inherited
 * fd, open a device node it created, chroot out, mount /proc) first unconfined, where each of
 * these must reach outside the tree (so the checks can fail), then confined, where each must stay
 * inside or be refused. Device nodes and setuid bits a root file system needs are still created.
 * Needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../unit/test.h"
#include "confine.h"

struct result {
        int abs_symlink_write, dotdot_write, inherited_fd, mknod_dev, open_dev;
        int chown_other, chmod_setuid, chroot_escape, mount_proc;
        bool nosuid_nodev;
};

static int err_of(int r) {
        return r < 0 ? errno : 0;
}

static int create(const char *path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return errno;
        int r = write(fd, "pwned\n", 6) == 6 ? 0 : EIO;
        close(fd);
        return r;
}

static void hostile(int out, int outside_fd, const char *outside) {
        struct result res = {};
        struct statvfs sv;

        (void) symlink(outside, "evil");
        res.abs_symlink_write = create("evil/escaped");
        res.dotdot_write = create("../../escaped-up");
        int fd = openat(outside_fd, "via-fd", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        res.inherited_fd = fd < 0 ? errno : 0;
        res.mknod_dev = err_of(mknod("null", S_IFCHR | 0666, makedev(1, 3)));
        fd = open("null", O_WRONLY | O_CLOEXEC);
        res.open_dev = fd < 0 ? errno : 0;
        res.chown_other = create("suid") ?: err_of(chown("suid", 12345, 54321));
        res.chmod_setuid = err_of(chmod("suid", 04755));
        res.nosuid_nodev = statvfs(".", &sv) == 0 && (sv.f_flag & ST_NOSUID) && (sv.f_flag & ST_NODEV);
        (void) mkdir("sub", 0755);
        (void) mkdir("proc", 0755);
        res.chroot_escape = err_of(chroot("sub"));
        res.mount_proc = err_of(mount("proc", "proc", "proc", 0, NULL));
        _exit(write(out, &res, sizeof res) == sizeof res ? 0 : 1);
}

static struct result run(const char *tree, const char *outside, bool confined) {
        int p[2], outside_fd = open(outside, O_RDONLY | O_DIRECTORY);   /* inherited on purpose */
        struct result res;
        int status;

        ASSERT_TRUE(outside_fd >= 0);
        ASSERT_EQ(pipe(p), 0);
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                int out = p[1];
                if (confined) {
                        out = confine_to(tree, p[1]);
                        if (out < 0)
                                _exit(2);
                } else if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                           chdir(tree) < 0)
                        _exit(2);   /* the private namespace keeps the unconfined mount test off the host */
                hostile(out, outside_fd, outside);
        }
        close(p[1]);
        close(outside_fd);
        ASSERT_EQ(read(p[0], &res, sizeof res), (ssize_t) sizeof res);
        close(p[0]);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return res;
}

static bool exists(const char *dir, const char *name) {
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, name);
        return lstat(p, &st) == 0;
}

static void setup(char *tmp, char *tree, char *outside, char *mirrored) {
        strcpy(tmp, "/var/tmp/pullboot-confine.XXXXXX");
        ASSERT_TRUE(mkdtemp(tmp));
        snprintf(outside, 4096, "%s/outside", tmp);
        snprintf(tree, 4096, "%s/a", tmp);
        ASSERT_EQ(mkdir(outside, 0755), 0);
        ASSERT_EQ(mkdir(tree, 0755), 0);
        strcat(tree, "/tree");
        ASSERT_EQ(mkdir(tree, 0755), 0);
        /* The outside directory's path recreated inside the tree, where a confined write through
         * the absolute symlink must land. */
        snprintf(mirrored, 4096, "mkdir -p '%s%s'", tree, outside);
        ASSERT_EQ(system(mirrored), 0);
        snprintf(mirrored, 4096, "%s%s", tree, outside);
}

int main(void) {
        char tmp[4096], tree[4096], outside[4096], mirrored[4096], cmd[4200];
        struct stat st;

        if (geteuid() != 0)
                TEST_SKIP("needs root (mount namespace, chroot, mknod)");

        /* Unconfined: every trick reaches outside, so the confined checks below can fail. */
        setup(tmp, tree, outside, mirrored);
        struct result u = run(tree, outside, false);
        ASSERT_EQ(u.abs_symlink_write, 0);
        ASSERT_TRUE(exists(outside, "escaped"));
        ASSERT_EQ(u.dotdot_write, 0);
        ASSERT_TRUE(exists(tmp, "escaped-up"));
        ASSERT_EQ(u.inherited_fd, 0);
        ASSERT_TRUE(exists(outside, "via-fd"));
        ASSERT_EQ(u.open_dev, 0);
        ASSERT_EQ(u.chroot_escape, 0);
        ASSERT_EQ(u.mount_proc, 0);
        printf("ok: unconfined, each trick escapes (symlink, .., inherited fd, device, chroot, mount)\n");
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        ASSERT_EQ(system(cmd), 0);

        setup(tmp, tree, outside, mirrored);
        struct result c = run(tree, outside, true);
        ASSERT_EQ(c.abs_symlink_write, 0);
        ASSERT_TRUE(!exists(outside, "escaped"));
        ASSERT_TRUE(exists(mirrored, "escaped"));
        printf("ok: a write through an absolute symlink lands inside the tree\n");
        ASSERT_EQ(c.dotdot_write, 0);
        ASSERT_TRUE(!exists(tmp, "escaped-up"));
        ASSERT_TRUE(exists(tree, "escaped-up"));
        printf("ok: \"..\" stops at the tree's root\n");
        /* Closed, or its number reused by the kept fd (then it is no directory). */
        ASSERT_TRUE(c.inherited_fd == EBADF || c.inherited_fd == ENOTDIR);
        ASSERT_TRUE(!exists(outside, "via-fd"));
        printf("ok: an inherited directory fd is closed\n");
        ASSERT_EQ(c.mknod_dev, 0);
        ASSERT_EQ(c.open_dev, EACCES);
        ASSERT_TRUE(c.nosuid_nodev);
        printf("ok: device nodes are created (a root file system needs them) but cannot be opened (nodev)\n");
        ASSERT_EQ(c.chown_other, 0);
        ASSERT_EQ(c.chmod_setuid, 0);
        char suid[4200];
        snprintf(suid, sizeof suid, "%s/suid", tree);
        ASSERT_EQ(stat(suid, &st), 0);
        ASSERT_EQ(st.st_uid, 12345);
        ASSERT_EQ(st.st_mode & 07777, 04755);
        printf("ok: owners and setuid bits are restored as archived, on a nosuid mount meanwhile\n");
        ASSERT_EQ(c.chroot_escape, EPERM);
        ASSERT_EQ(c.mount_proc, EPERM);
        printf("ok: chroot and mount are refused\n");
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        ASSERT_EQ(system(cmd), 0);
        return 0;
}
