/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "confine.h"
#include "log.h"

/*
 * The capabilities kept: owners (CHOWN), modes and times on files of any owner (FOWNER,
 * DAC_OVERRIDE), setuid/setgid bits that survive the chown (FSETID), device nodes (MKNOD), file
 * capabilities (SETFCAP) and trusted.* xattrs (SYS_ADMIN). Dropped among others: SYS_CHROOT (the
 * classic way out of a chroot), DAC_READ_SEARCH (open_by_handle_at reaches any inode), SYS_PTRACE,
 * SYS_MODULE, NET_*, SETUID/SETGID.
 */
static const int kept_caps[] = {
        CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_MKNOD, CAP_SETFCAP, CAP_SYS_ADMIN,
};

#if defined(__x86_64__)
#  define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#  define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#  define NATIVE_AUDIT_ARCH AUDIT_ARCH_I386
#endif

/* What CAP_SYS_ADMIN would otherwise allow: new mounts (a fresh /proc leads out of any chroot),
 * moving or dropping the root, and entering other namespaces. */
static const int denied_syscalls[] = {
        SYS_mount, SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_unshare, SYS_setns,
        SYS_open_by_handle_at, SYS_ptrace, SYS_process_vm_writev, SYS_kexec_load, SYS_bpf,
        SYS_perf_event_open, SYS_keyctl, SYS_add_key, SYS_swapon, SYS_swapoff, SYS_reboot,
#ifdef SYS_open_tree
        SYS_open_tree, SYS_move_mount, SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick,
#endif
#ifdef SYS_mount_setattr
        SYS_mount_setattr,
#endif
};

static bool cap_kept(int cap) {
        for (size_t i = 0; i < sizeof kept_caps / sizeof kept_caps[0]; i++)
                if (kept_caps[i] == cap)
                        return true;
        return false;
}

static int drop_capabilities(bool keep_sys_admin) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = {};

        for (int cap = 0; cap <= 63; cap++) {
                bool keep = cap_kept(cap) && (keep_sys_admin || cap != CAP_SYS_ADMIN);
                if (keep) {
                        d[cap / 32].effective |= 1u << (cap % 32);
                        d[cap / 32].permitted |= 1u << (cap % 32);
                } else if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return -errno;  /* EINVAL: the kernel does not know this one */
        }
        (void) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        if (syscall(SYS_capset, &h, d) < 0)
                return -errno;
        return 0;
}

#ifdef NATIVE_AUDIT_ARCH
static int install_seccomp(void) {
        enum { N = sizeof denied_syscalls / sizeof denied_syscalls[0] };
        struct sock_filter f[6 + 2 * N];
        size_t i = 0;

        f[i++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
        f[i++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0);
        f[i++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
        f[i++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
        /* x32 numbers run under the same audit arch: refuse them all. */
        f[i++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, N * 2, 0);
#else
        f[i++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0);
#endif
        for (size_t k = 0; k < N; k++) {
                f[i++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) denied_syscalls[k], 0, 1);
                f[i++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
        }
        f[i++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

        struct sock_fprog prog = { .len = (unsigned short) i, .filter = f };
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                return -errno;
        return 0;
}
#endif

static int close_other_fds(int keep_fd) {
        if (keep_fd != 3) {
                if (dup2(keep_fd, 3) < 0)
                        return -errno;
        }
        if (syscall(SYS_close_range, 4U, ~0U, 0U) == 0)
                return 3;
        struct rlimit rl;
        int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int) rl.rlim_cur : 65536;
        for (int fd = 4; fd < max; fd++)
                (void) close(fd);
        return 3;
}

int confine_to(const char *dir, int keep_fd) {
        int r;

        if (geteuid() != 0)
                return -EPERM;
        if (unshare(CLONE_NEWNS) < 0)
                return log_error_errno(-errno, "cannot create a mount namespace for the tar extractor");
        /* Nothing done here may show up in the host's mount table. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return log_error_errno(-errno, "cannot make the mounts private");
        if (mount(dir, dir, NULL, MS_BIND, NULL) < 0 ||
            mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return log_error_errno(-errno, "cannot bind-mount %s nosuid,nodev", dir);
        if (chdir(dir) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return log_error_errno(-errno, "cannot change root to %s", dir);
        r = close_other_fds(keep_fd);
        if (r < 0)
                return log_error_errno(r, "cannot close inherited file descriptors");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_error_errno(-errno, "cannot set no_new_privs");
        bool filtered = false;
#ifdef NATIVE_AUDIT_ARCH
        r = install_seccomp();
        if (r < 0)
                return log_error_errno(r, "cannot install the seccomp filter");
        filtered = true;
#endif
        /* Without the filter, CAP_SYS_ADMIN could mount its way out: trusted.* xattrs are lost then. */
        r = drop_capabilities(filtered);
        if (r < 0)
                return log_error_errno(r, "cannot drop capabilities");
        return 3;
}
