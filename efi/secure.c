/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stub.h"

/*
 * Secure Boot: the firmware verified this UKI's signature before starting us, and the signature
 * covers every section, including .linux. The kernel inside is usually signed by a distribution
 * key the firmware's db does not hold, so LoadImage() of the embedded kernel would be refused.
 * For the duration of that one LoadImage() call the Security2 arch protocol's handler is replaced
 * by one that accepts exactly the buffer we hand over (same address and size) and passes anything
 * else to the firmware's handler. (edk2 consults Security2 for images loaded from memory; the old
 * Security protocol is only consulted for images from firmware volumes, which we never load.)
 */

#define SECURITY2_ARCH_PROTOCOL_GUID \
        { 0x94ab2f58, 0x1438, 0x4ef1, { 0x91, 0x52, 0x18, 0x94, 0x1a, 0x3a, 0x0e, 0x68 } }

struct security2_protocol;
typedef EFI_STATUS (EFIAPI *security2_file_authentication)(
                const struct security2_protocol *this, const EFI_DEVICE_PATH *file,
                void *file_buffer, UINTN file_size, BOOLEAN boot_policy);
struct security2_protocol {
        security2_file_authentication file_authentication;
};

/* Firmware callbacks carry no context pointer of ours, so the override's state has to be
 * file-global; it is only set between install and remove around a single LoadImage(). */
static struct {
        struct security2_protocol *proto;
        security2_file_authentication orig;
        const void *buffer;
        size_t size;
} override;

static EFI_STATUS EFIAPI security2_hook(const struct security2_protocol *this, const EFI_DEVICE_PATH *file,
                                        void *file_buffer, UINTN file_size, BOOLEAN boot_policy) {
        if (file_buffer && file_buffer == override.buffer && file_size == override.size)
                return EFI_SUCCESS;
        return override.orig(this, file, file_buffer, file_size, boot_policy);
}

bool stub_secure_boot_enabled(void) {
        EFI_GUID global = EFI_GLOBAL_VARIABLE;
        uint8_t v = 0;
        UINTN size = sizeof v;

        if (PB_RT->GetVariable((CHAR16 *) u"SecureBoot", &global, NULL, &size, &v) != EFI_SUCCESS)
                return false;
        return size == 1 && v == 1;
}

bool stub_security_override_install(const void *buffer, size_t size) {
        EFI_GUID guid = SECURITY2_ARCH_PROTOCOL_GUID;
        void *proto = NULL;

        if (override.proto)
                return false;
        if (PB_BS->LocateProtocol(&guid, NULL, &proto) != EFI_SUCCESS || !proto)
                return false;

        override.proto = proto;
        override.orig = override.proto->file_authentication;
        override.buffer = buffer;
        override.size = size;
        override.proto->file_authentication = security2_hook;
        return true;
}

void stub_security_override_remove(void) {
        if (!override.proto)
                return;
        override.proto->file_authentication = override.orig;
        pb_memset(&override, 0, sizeof override);
}
