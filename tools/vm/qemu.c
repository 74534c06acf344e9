/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "qemu.h"

#define MAX_ARGS 128

struct argv {
        char *v[MAX_ARGS];
        unsigned n;
        char storage[16][512];         /* formatted arguments */
        unsigned n_storage;
};

static void arg(struct argv *a, const char *s) {
        if (a->n < MAX_ARGS - 1)
                a->v[a->n++] = (char *) s;
}

static void argf(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void argf(struct argv *a, const char *fmt, ...) {
        if (a->n_storage >= ELEMENTSOF(a->storage))
                return;
        char *buf = a->storage[a->n_storage++];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof a->storage[0], fmt, ap);
        va_end(ap);
        arg(a, buf);
}

void qemu_nic_mac(unsigned i, char buf[18]) {
        snprintf(buf, 18, "52:54:00:12:34:%02x", 0x56 + i);
}

static void build_argv(const struct vm_config *cfg, const struct firmware *fw, const char *vars, bool kvm,
                       const char *qmp_path, struct argv *a) {
        arg(a, "qemu-system-x86_64");
        arg(a, "-machine");
        arg(a, fw->secure_boot ? "q35,smm=on" : "q35");
        arg(a, "-accel");
        arg(a, kvm ? "kvm" : "tcg");
        arg(a, "-cpu");
        arg(a, kvm ? "host" : "max");
        arg(a, "-m");
        argf(a, "%u", cfg->memory_mib);
        arg(a, "-nodefaults");
        arg(a, "-no-user-config");
        arg(a, "-display");
        arg(a, "none");
        arg(a, "-serial");
        arg(a, "stdio");
        arg(a, "-no-reboot");
        arg(a, "-qmp");
        argf(a, "unix:%s,server=on,wait=off", qmp_path);
        if (fw->secure_boot) {
                arg(a, "-global");
                arg(a, "driver=cfi.pflash01,property=secure,value=on");
        }
        arg(a, "-drive");
        argf(a, "if=pflash,format=raw,unit=0,readonly=on,file=%s", fw->code);
        arg(a, "-drive");
        argf(a, "if=pflash,format=raw,unit=1,file=%s", vars);
        arg(a, "-device");
        arg(a, "virtio-rng-pci");

        for (unsigned i = 0; i < cfg->nics; i++) {
                char mac[18];
                qemu_nic_mac(i, mac);
                arg(a, "-netdev");
                argf(a, "user,id=n%u", i);
                arg(a, "-device");
                /* No option ROMs: QEMU's iPXE ROMs would boot by themselves before (or instead of)
                 * edk2's own HTTP boot. A NIC the firmware must not boot from is a model OVMF has
                 * no driver for, so the firmware only sees the boot NIC while the OS sees all. */
                if (cfg->boot_nic != 0 && i + 1 != cfg->boot_nic)
                        argf(a, "e1000,netdev=n%u,mac=%s,romfile=", i, mac);
                else
                        argf(a, "virtio-net-pci,netdev=n%u,mac=%s,romfile=", i, mac);
        }
        /* One boot disk at most: the first bootable --disk, and only without --boot, so that an
         * HTTP boot entry stays first in BootOrder. The others only the OS sees. */
        bool boot_given = false;
        for (unsigned i = 0; i < cfg->n_disks; i++) {
                bool boot = !cfg->boot && !boot_given && cfg->disk_bootable[i];
                boot_given = boot_given || boot;
                arg(a, "-drive");
                argf(a, "if=none,id=disk%u,format=raw,file=%s", i, cfg->disks[i]);
                arg(a, "-device");
                if (boot)
                        argf(a, "virtio-blk-pci,drive=disk%u,bootindex=1", i);
                else
                        argf(a, "virtio-blk-pci,drive=disk%u", i);
        }
        for (unsigned i = 0; i < cfg->n_extra_args; i++)
                arg(a, cfg->extra_args[i]);
        a->v[a->n] = NULL;
}

static int qmp_connect(const char *path, pid_t pid) {
        /* QEMU creates the socket shortly after start; wait for it (bounded). */
        for (int i = 0; i < 200; i++) {
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return -errno;
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
                if (connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0) {
                        static const char hello[] = "{\"execute\":\"qmp_capabilities\"}\n";
                        if (write(fd, hello, sizeof hello - 1) < 0) {
                                close(fd);
                                return -errno;
                        }
                        return fd;
                }
                close(fd);
                if (waitpid(pid, NULL, WNOHANG) == pid)
                        return -ECHILD;
                nanosleep(&(struct timespec) { .tv_nsec = 50 * 1000 * 1000 }, NULL);
        }
        return -ETIMEDOUT;
}

int qemu_start(const struct vm_config *cfg, const struct firmware *fw, const char *vars, bool kvm,
               const char *rundir, struct qemu *ret) {
        struct argv a = {};
        struct qemu q = { .pid = -1, .serial_fd = -1, .qmp_fd = -1 };

        snprintf(q.qmp_path, sizeof q.qmp_path, "%s/qmp.sock", rundir);
        unlink(q.qmp_path);
        build_argv(cfg, fw, vars, kvm, q.qmp_path, &a);

        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;

        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(pipefd[0]);
                close(pipefd[1]);
                return r;
        }
        if (pid == 0) {
                /* QEMU must not outlive us, whatever kills us. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(127);
                /* We block the signals we handle through a signalfd; QEMU must get them. */
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                int null = open("/dev/null", O_RDONLY);
                if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(pipefd[1], STDOUT_FILENO) < 0)
                        _exit(127);
                /* QEMU's own errors go to our stderr, the guest's console to the pipe. */
                execvp(a.v[0], a.v);
                fprintf(stderr, "pullboot-vm: cannot run %s: %m; install qemu-system-x86\n", a.v[0]);
                _exit(127);
        }
        close(pipefd[1]);
        q.pid = pid;
        q.serial_fd = pipefd[0];

        int fd = qmp_connect(q.qmp_path, pid);
        if (fd < 0) {
                qemu_stop(&q);
                return fd == -ECHILD ? -ECHILD : fd;
        }
        q.qmp_fd = fd;
        *ret = q;
        return 0;
}

void qemu_stop(struct qemu *q) {
        if (q->pid > 0) {
                if (waitpid(q->pid, NULL, WNOHANG) != q->pid) {
                        /* Ask politely over QMP (QEMU then exits without complaining on stderr);
                         * SIGTERM if QMP is gone. */
                        static const char quit[] = "{\"execute\":\"quit\"}\n";
                        if (q->qmp_fd < 0 || write(q->qmp_fd, quit, sizeof quit - 1) < 0)
                                kill(q->pid, SIGTERM);
                        /* Give QEMU a moment to flush the VARS file, then insist. */
                        for (int i = 0; i < 50; i++) {
                                if (waitpid(q->pid, NULL, WNOHANG) == q->pid)
                                        goto reaped;
                                nanosleep(&(struct timespec) { .tv_nsec = 100 * 1000 * 1000 }, NULL);
                        }
                        kill(q->pid, SIGKILL);
                        waitpid(q->pid, NULL, 0);
                }
        reaped:
                q->pid = -1;
        }
        if (q->serial_fd >= 0)
                close(q->serial_fd);
        if (q->qmp_fd >= 0)
                close(q->qmp_fd);
        q->serial_fd = q->qmp_fd = -1;
        if (q->qmp_path[0])
                unlink(q->qmp_path);
}
