/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel.h"
#include "macro.h"

#define PROBE_PORT 0x3f8
#define PROBE_BYTE 0x5a

static bool run_probe(int kvm, int vm, const char **reason) {
        /* fwait; fninit; mov dx, 0x3f8; mov al, 0x5a; out dx, al; hlt — the x87 instructions are
         * what OVMF's early SEC code runs and what fails where KVM is only half usable. */
        static const uint8_t code[] = { 0x9b, 0xdb, 0xe3, 0xba, 0xf8, 0x03, 0xb0, PROBE_BYTE, 0xee, 0xf4 };
        const size_t mem_size = 0x1000;

        void *mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) {
                *reason = "cannot allocate guest memory";
                return false;
        }
        memcpy(mem, code, sizeof code);

        bool ok = false;
        struct kvm_userspace_memory_region region = {
                .slot = 0,
                .guest_phys_addr = 0x1000,
                .memory_size = mem_size,
                .userspace_addr = (uintptr_t) mem,
        };
        _cleanup_close_ int vcpu = -EBADF;
        struct kvm_run *run = MAP_FAILED;
        int run_size = -1;

        if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
                *reason = "KVM_SET_USER_MEMORY_REGION failed";
                goto out;
        }
        vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
        if (vcpu < 0) {
                *reason = "KVM_CREATE_VCPU failed";
                goto out;
        }
        run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
        if (run_size <= 0) {
                *reason = "KVM_GET_VCPU_MMAP_SIZE failed";
                goto out;
        }
        run = mmap(NULL, (size_t) run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
        if (run == MAP_FAILED) {
                *reason = "cannot map the vCPU run area";
                goto out;
        }

        struct kvm_sregs sregs;
        if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
                *reason = "KVM_GET_SREGS failed";
                goto out;
        }
        sregs.cs.base = 0;
        sregs.cs.selector = 0;
        if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) {
                *reason = "KVM_SET_SREGS failed";
                goto out;
        }
        struct kvm_regs regs = { .rip = 0x1000, .rflags = 0x2 };
        if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
                *reason = "KVM_SET_REGS failed";
                goto out;
        }

        bool saw_out = false;
        for (int i = 0; i < 4; i++) {
                if (ioctl(vcpu, KVM_RUN, 0) < 0) {
                        *reason = "KVM_RUN failed";
                        goto out;
                }
                if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT &&
                    run->io.port == PROBE_PORT &&
                    *((uint8_t *) run + run->io.data_offset) == PROBE_BYTE) {
                        saw_out = true;
                        continue;
                }
                if (run->exit_reason == KVM_EXIT_HLT && saw_out) {
                        ok = true;
                        goto out;
                }
                *reason = run->exit_reason == KVM_EXIT_INTERNAL_ERROR
                                  ? "KVM reports an internal (emulation) error running a test guest"
                                  : "KVM ran a test guest incorrectly";
                goto out;
        }
        *reason = "KVM did not halt the test guest";
out:
        if (run != MAP_FAILED)
                munmap(run, (size_t) run_size);
        munmap(mem, mem_size);
        return ok;
}

bool kvm_usable(const char **ret_reason) {
        const char *reason = "unknown";
        bool ok = false;

        _cleanup_close_ int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (kvm < 0)
                reason = "/dev/kvm cannot be opened";
        else if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
                reason = "unexpected KVM API version";
        else {
                _cleanup_close_ int vm = ioctl(kvm, KVM_CREATE_VM, 0);
                if (vm < 0)
                        reason = "KVM_CREATE_VM failed";
                else
                        ok = run_probe(kvm, vm, &reason);
        }
        if (ret_reason)
                *ret_reason = ok ? NULL : reason;
        return ok;
}
