/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "lazy-root.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "block-store.h"
#include "devnode.h"
#include "fileio.h"
#include "lazy-server.h"
#include "log.h"
#include "loop-partitions.h"
#include "macro.h"
#include "nbd-kernel.h"
#include "nbd-netlink.h"
#include "partition-table.h"
#include "range-source.h"
#include "seekable.h"

#define CONNECT_TIMEOUT_MS 5000
#define PARTITION_TIMEOUT_MS 5000

/* The child's one status line to the parent: "ok NAME SIZE", "fallback" or "error ERRNO". The
 * child logs the reason itself (its stderr is the console), so only the outcome crosses. */
static void report(int fd, const char *fmt, ...) _printf_(2, 3);
static void report(int fd, const char *fmt, ...) {
        char line[2048];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        if (n > 0)
                (void) !write(fd, line, (size_t) n < sizeof line ? (size_t) n : sizeof line - 1);
        close(fd);
}

/* The child's end when the image is not served (the reason is logged already): -EMEDIUMTYPE is
 * "fallback" (the image is fine, just not servable lazily), anything else an error. */
static _noreturn_ void refuse(int fd, int r) {
        if (r == -EMEDIUMTYPE)
                report(fd, "fallback");
        else
                report(fd, "error %d", -r);
        _exit(r == -EMEDIUMTYPE ? 0 : 1);
}

/* Connects a free nbd device to sock. Through the nbd netlink family when the kernel has it: the
 * ioctl path's NBD_DO_IT wait ends at any signal, and systemd-shutdown's SIGSTOP/SIGCONT round
 * reaches this process too, so the kernel would shut the socket down under the mounted root.
 * PULLBOOT_LAZY_NBD=ioctl (for tests) forces the ioctls. */
static int attach_device(const struct lazy_root_options *o, int sock, uint64_t size, char *sysname, size_t size_name) {
        const char *dev_dir = o->dev_dir ?: "/dev";
        const char *force = getenv("PULLBOOT_LAZY_NBD");
        bool ioctl_only = force && strcmp(force, "ioctl") == 0;
        int r;

        if (!ioctl_only) {
                r = nbd_netlink_connect(sock, size, o->read_only);
                if (r >= 0) {
                        snprintf(sysname, size_name, "nbd%d", r);
                        log_info("lazy: /dev/%s connected through the nbd netlink family", sysname);
                        /* The caller opens the node as soon as we report. */
                        (void) devnode_wait(dev_dir, sysname, 2000, NULL, 0);
                        return 0;
                }
                if (r != -ENOENT)
                        return log_warning_errno(r, "lazy: cannot connect an nbd device through netlink");
        }

        int dev_fd = nbd_kernel_open_free(dev_dir, sysname, size_name);
        if (dev_fd < 0) {
                log_warning("lazy: %s", dev_fd == -ENODEV ? "no /dev/nbd* devices (is the nbd module in the initrd? "
                                                           "pullboot-mkinitrd adds it)" : "all nbd devices are in use");
                return dev_fd;
        }
        r = nbd_kernel_configure(dev_fd, sock, size, o->read_only);
        if (r < 0) {
                close(dev_fd);
                return log_warning_errno(r, "lazy: cannot configure /dev/%s", sysname);
        }
        pthread_t thread;
        r = nbd_kernel_start(dev_fd, sysname, &thread);
        if (r < 0) {
                close(dev_fd);
                return log_warning_errno(r, "lazy: cannot start /dev/%s", sysname);
        }
        log_info("lazy: /dev/%s connected with the nbd ioctls (%s)", sysname,
                 ioctl_only ? "PULLBOOT_LAZY_NBD=ioctl" : "the kernel has no nbd netlink family");
        return 0;
}

/* The server process: never returns. */
static _noreturn_ void serve(const struct lazy_root_options *o, int status_fd) {
        struct range_options ro = {
                .ca_bundle = o->ca_bundle,
                .allow_https_downgrade = o->allow_https_downgrade,
                .fallback_is_info = o->fallback_is_info,
        };
        struct range_source *src = NULL;
        pb_seek_table table;
        struct block_store store;
        struct pb_diag diag = {};
        char sysname[32];
        int sv[2], r;

        /* systemd leaves processes whose argv[0] starts with '@' running at shutdown and
         * switch-root: the root file system depends on this one. */
        if (o->argv0 && o->argv0[0])
                o->argv0[0] = '@';
        (void) prctl(PR_SET_NAME, "pullboot-lazy");
        (void) setsid();
        int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (oom >= 0) {
                (void) write_full_fd(oom, "-1000", 5);
                close(oom);
        }

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                refuse(status_fd, log_warning_errno(-ENOMEM, "lazy: cannot set up libcurl"));
        r = range_source_open(o->url, &ro, &src);
        if (r < 0)
                refuse(status_fd, r);
        r = pb_seek_table_load(&table, range_source_size(src), range_source_read, src, &diag);
        if (r < 0 && diag.reason)
                log_msg(r == -EMEDIUMTYPE && o->fallback_is_info ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING, "lazy: %s: %s",
                        o->url, diag.reason);
        else if (r < 0)
                log_warning_errno(r, "lazy: cannot read the seek table of %s", o->url);
        if (r < 0)
                refuse(status_fd, r);
        r = block_store_init(&store, &table);
        if (r < 0)
                refuse(status_fd, log_warning_errno(r, "lazy: cannot set up the memory for the image"));
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                refuse(status_fd, log_warning_errno(-errno, "lazy: socketpair"));
        r = attach_device(o, sv[1], table.usize, sysname, sizeof sysname);
        if (r < 0)
                refuse(status_fd, r);
        close(sv[1]);

        struct lazy_server s = {
                .sock = sv[0],
                .src = src,
                .store = &store,
                .fill = o->fill,
                .read_only = o->read_only,
                .state_dirfd = -1,
                .state_name = sysname,
        };
        const char *state_dir = o->state_dir ?: LAZY_STATE_DIR;
        /* A directory fd: the state stays reachable after switch_root moves /run. */
        if (mkdir_p(state_dir, 0755) >= 0)
                s.state_dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        report(status_fd, "ok %s %" PRIu64, sysname, table.usize);

        r = lazy_server_run(&s);
        if (r < 0)
                log_error_errno(r, "lazy: serving /dev/%s stopped", sysname);
        else
                log_info("lazy: /dev/%s disconnected; %" PRIu64 " bytes fetched", sysname,
                         range_source_bytes_fetched(src));
        _exit(r < 0 ? 1 : 0);
}

/* Partitions of the served disk, as loop devices get them (attach.c). */
static int settle_partitions(const struct lazy_root *l, const char *dev_dir, unsigned *ret_n) {
        _cleanup_free_ struct dps_partition *parts = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t n = 0;
        int r;

        /* Opening the disk runs the kernel's partition scan (the driver asked for one). */
        fd = open(l->device, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        r = partition_table_read(fd, &parts, &n);
        if (r < 0)
                return r;
        r = disk_add_missing_partitions(fd, l->sysname, parts, n);
        if (r < 0)
                return r;
        uint64_t deadline = now_ms() + PARTITION_TIMEOUT_MS;
        for (size_t i = 0; i < n; i++) {
                char pname[48];
                uint64_t now = now_ms();
                snprintf(pname, sizeof pname, "%sp%u", l->sysname, parts[i].partno);
                r = devnode_wait(dev_dir, pname, now < deadline ? (unsigned) (deadline - now) : 0, NULL, 0);
                if (r < 0)
                        return r;
        }
        *ret_n = (unsigned) n;
        return 0;
}

int lazy_root_link_ref(const struct lazy_root *l, const char *dev_dir, const char *ref) {
        char dir[256], target[96], name[128];
        int r;

        if (udev_running() > 0)
                return 0;
        if (!ref[0] || strchr(ref, '/') || snprintf(dir, sizeof dir, "%s/disk/by-loop-ref", dev_dir ?: "/dev") >= (int) sizeof dir)
                return -EINVAL;
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return r;
        snprintf(target, sizeof target, "../../%s", l->sysname);
        r = symlink_replace_in(dir, ref, target);
        /* Partition numbers as the kernel scanned them: nbd0p1, nbd0p2, ... */
        for (unsigned p = 1; r >= 0 && p <= 128; p++) {
                char sysname[48];
                snprintf(sysname, sizeof sysname, "%sp%u", l->sysname, p);
                if (sysfs_block_exists(sysname) <= 0)
                        continue;
                snprintf(target, sizeof target, "../../%s", sysname);
                snprintf(name, sizeof name, "%.63s-part%u", ref, p);
                r = symlink_replace_in(dir, name, target);
        }
        return r;
}

int lazy_root_start(const struct lazy_root_options *o, struct lazy_root *ret) {
        const char *dev_dir = o->dev_dir ?: "/dev";
        char status[2048];
        size_t got = 0;
        int pipefd[2], r;

        *ret = (struct lazy_root) {};
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                r = -errno;
                close(pipefd[0]);
                close(pipefd[1]);
                return r;
        }
        if (pid == 0) {
                close(pipefd[0]);
                serve(o, pipefd[1]);
        }
        close(pipefd[1]);
        for (;;) {
                ssize_t n = read(pipefd[0], status + got, sizeof status - 1 - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0 || (got += (size_t) n) == sizeof status - 1)
                        break;
        }
        close(pipefd[0]);
        status[got] = 0;

        /* The server logged its reason before "fallback" or "error". */
        if (strcmp(status, "fallback") == 0)
                return -EMEDIUMTYPE;
        if (strncmp(status, "error ", 6) == 0) {
                long e = strtol(status + 6, NULL, 10);
                return e > 0 && e < 4096 ? (int) -e : -EIO;
        }
        if (sscanf(status, "ok %31s %" SCNu64, ret->sysname, &ret->size) != 2)
                return log_warning_errno(-EIO, "lazy: the server process ended without a word");
        ret->pid = pid;
        snprintf(ret->device, sizeof ret->device, "%s/%s", dev_dir, ret->sysname);

        r = nbd_kernel_wait_connected(ret->sysname, CONNECT_TIMEOUT_MS);
        if (r < 0)
                log_warning_errno(r, "lazy: /dev/%s did not connect to the lazy root server", ret->sysname);
        else {
                r = settle_partitions(ret, dev_dir, &ret->n_partitions);
                if (r < 0)
                        log_warning_errno(r, "lazy: cannot read the partitions of %s", ret->device);
        }
        if (r < 0) {
                /* The caller downloads the image instead. The server's exit frees an ioctl-attached
                 * device; one connected through netlink stays configured until told otherwise. */
                (void) kill(pid, SIGTERM);
                int index;
                if (sscanf(ret->sysname, "nbd%d", &index) == 1)
                        (void) nbd_netlink_disconnect(index);
                *ret = (struct lazy_root) {};
        }
        return r;
}
