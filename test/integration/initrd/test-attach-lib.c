/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The attach library as `pullboot init` uses it (root, real loop devices): autoclear detaches
 * the device once the last holder is gone; the lookup by reference that gpt-auto relies on; and
 * a device directory that is not a devtmpfs, where the nodes must be created by us.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "log.h"
#include "test.h"

static char tmpdir[] = "/tmp/pullboot-attach-lib.XXXXXX";
static char image[256];

static void make_image(void) {
        char cmd[1024];

        snprintf(image, sizeof(image), "%s/disk.raw", tmpdir);
        /* Two partitions, no file systems: the test is about block devices. */
        snprintf(cmd, sizeof(cmd),
                 "truncate -s 4M %s && printf 'label: gpt\\nstart=2048,size=2048,name=one\\n"
                 "start=4096,size=2048,name=two\\n' | sfdisk -q %s",
                 image, image);
        if (system(cmd) != 0)
                TEST_SKIP("cannot build a test image with sfdisk");
}

static int read_sysfs(int nr, const char *attr, char *buf, size_t size) {
        char p[256];
        snprintf(p, sizeof(p), "/sys/block/loop%d/%s", nr, attr);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, size - 1);
        close(fd);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

static bool attached(int nr) {
        char buf[512];
        return read_sysfs(nr, "loop/backing_file", buf, sizeof(buf)) == 0;
}

static void test_autoclear(void) {
        struct attached_loop l = ATTACHED_LOOP_NULL;
        struct attach_options o = { .ref = "pbtest-autoclear" };
        char buf[512];

        ASSERT_EQ(loop_attach(image, &o, &l), 0);
        ASSERT_TRUE(l.fd >= 0 && l.nr >= 0);
        ASSERT_EQ(l.n_partitions, 2u);
        ASSERT_EQ(l.partno[0], 1u);
        ASSERT_EQ(l.partno[1], 2u);
        ASSERT_STREQ(l.ref, "pbtest-autoclear");
        ASSERT_TRUE(attached(l.nr));
        ASSERT_EQ(read_sysfs(l.nr, "loop/autoclear", buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "1");
        ASSERT_EQ(read_sysfs(l.nr, "loop/partscan", buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "1");

        /* Found by its reference, as gpt-auto finds "rootdisk". */
        const char *refs[] = { "no-such-ref", "pbtest-autoclear", NULL };
        char dev[64];
        ASSERT_EQ(loop_find_by_ref(refs, NULL, dev, sizeof(dev)), 0);
        ASSERT_STREQ(dev, l.device);

        /* The last holder goes away: the kernel detaches the device by itself. */
        int nr = l.nr;
        attached_loop_done(&l);
        ASSERT_EQ(l.fd, -1);
        for (int i = 0; i < 200 && attached(nr); i++)
                usleep(10000);
        ASSERT_TRUE(!attached(nr));
        ASSERT_EQ(loop_find_by_ref(refs, NULL, dev, sizeof(dev)), -ENOENT);
        unlink("/dev/disk/by-loop-ref/pbtest-autoclear");
        unlink("/dev/disk/by-loop-ref/pbtest-autoclear-part1");
        unlink("/dev/disk/by-loop-ref/pbtest-autoclear-part2");
}

static void test_private_dev_dir(void) {
        struct attached_loop l = ATTACHED_LOOP_NULL;
        char devdir[300], path[512], link[512];
        struct stat st;

        /* A plain directory: devtmpfs never fills it, so attach must make the nodes. */
        snprintf(devdir, sizeof(devdir), "%s/dev", tmpdir);
        ASSERT_EQ(mkdir(devdir, 0755), 0);
        struct attach_options o = { .ref = "pbtest-devdir", .dev_dir = devdir, .timeout_ms = 100, .read_only = true };
        ASSERT_EQ(loop_attach(image, &o, &l), 0);
        ASSERT_EQ(l.n_partitions, 2u);

        snprintf(path, sizeof(path), "%s/loop%d", devdir, l.nr);
        ASSERT_STREQ(l.device, path);
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_TRUE(S_ISBLK(st.st_mode));
        snprintf(path, sizeof(path), "%s/loop%dp2", devdir, l.nr);
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_TRUE(S_ISBLK(st.st_mode));
        /* The node is the real partition: it has the partition's size. */
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(lseek(fd, 0, SEEK_END), 2048 * 512);
        close(fd);

        snprintf(path, sizeof(path), "%s/disk/by-loop-ref/pbtest-devdir-part2", devdir);
        ssize_t n = readlink(path, link, sizeof(link) - 1);
        ASSERT_TRUE(n > 0);
        link[n] = '\0';
        char want[64];
        snprintf(want, sizeof(want), "../../loop%dp2", l.nr);
        ASSERT_STREQ(link, want);

        char buf[16];
        ASSERT_EQ(read_sysfs(l.nr, "ro", buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "1");

        /* Explicit detach removes our links. */
        int nr = l.nr;
        ASSERT_EQ(loop_detach(&l), 0);
        ASSERT_TRUE(!attached(nr));
        ASSERT_TRUE(access(path, F_OK) < 0);
}

static void test_parallel(void) {
        /* Several processes attaching at once race for LOOP_CTL_GET_FREE; all must win a
         * device of their own. */
        enum { N = 4 };
        pid_t pids[N];
        int pipes[N][2];

        for (int i = 0; i < N; i++) {
                ASSERT_EQ(pipe(pipes[i]), 0);
                pids[i] = fork();
                ASSERT_TRUE(pids[i] >= 0);
                if (pids[i] == 0) {
                        struct attached_loop l = ATTACHED_LOOP_NULL;
                        char ref[32];
                        snprintf(ref, sizeof(ref), "pbtest-par-%d", i);
                        struct attach_options o = { .ref = ref, .read_only = true };
                        if (loop_attach(image, &o, &l) < 0)
                                _exit(1);
                        if (write(pipes[i][1], &l.nr, sizeof(l.nr)) != sizeof(l.nr))
                                _exit(1);
                        /* Hold it until the parent has seen them all. */
                        char c;
                        close(pipes[i][1]);
                        if (read(0, &c, 0) < 0)
                                _exit(1);
                        usleep(300000);
                        int r = loop_detach(&l);
                        _exit(r < 0 ? 1 : 0);
                }
                close(pipes[i][1]);
        }
        int nrs[N];
        for (int i = 0; i < N; i++) {
                ASSERT_EQ(read(pipes[i][0], &nrs[i], sizeof(nrs[i])), (ssize_t) sizeof(nrs[i]));
                close(pipes[i][0]);
        }
        for (int i = 0; i < N; i++)
                for (int j = i + 1; j < N; j++)
                        ASSERT_TRUE(nrs[i] != nrs[j]);
        for (int i = 0; i < N; i++) {
                int status;
                ASSERT_EQ(waitpid(pids[i], &status, 0), pids[i]);
                ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        for (int i = 0; i < N; i++) {
                char p[128];
                for (int k = 0; k <= 2; k++) {
                        snprintf(p, sizeof(p), "/dev/disk/by-loop-ref/pbtest-par-%d%s", i,
                                 k == 0 ? "" : k == 1 ? "-part1" : "-part2");
                        ASSERT_TRUE(access(p, F_OK) < 0);  /* loop_detach removed them */
                }
        }
}

static void cleanup(void) {
        char cmd[512];
        /* Whatever a failed assertion left: detach devices backed by our image, drop the tree. */
        snprintf(cmd, sizeof(cmd),
                 "for d in $(losetup -n -O NAME -j %s 2>/dev/null); do losetup -d $d; done; "
                 "rm -f /dev/disk/by-loop-ref/pbtest-autoclear* /dev/disk/by-loop-ref/pbtest-par-*; rm -rf %s",
                 image, tmpdir);
        if (image[0])
                (void) system(cmd);
}

int main(void) {
        if (geteuid() != 0)
                TEST_SKIP("needs root (loop devices)");
        if (access("/dev/loop-control", F_OK) < 0)
                TEST_SKIP("no /dev/loop-control (loop module not loaded)");
        if (system("command -v sfdisk >/dev/null") != 0)
                TEST_SKIP("sfdisk is not installed");
        log_set_program("test-attach-lib");
        ASSERT_TRUE(mkdtemp(tmpdir) != NULL);
        atexit(cleanup);
        make_image();

        test_autoclear();
        test_private_dev_dir();
        test_parallel();
        printf("attach-lib: ok\n");
        return 0;
}
