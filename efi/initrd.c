/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stub.h"

/*
 * The kernel's EFI stub (5.8+) asks for its initrd by locating a LoadFile2 protocol on a handle
 * whose device path is exactly VenMedia(LINUX_EFI_INITRD_MEDIA_GUID)/End, then calling it twice:
 * once to learn the size, once to fill a buffer it allocated. We serve .initrd from our own
 * image memory; nothing is copied until the kernel asks.
 */

#define LOAD_FILE2_PROTOCOL_GUID \
        { 0x4006c0c1, 0xfcb3, 0x403e, { 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } }
#define LINUX_INITRD_MEDIA_GUID \
        { 0x5568e427, 0x68fc, 0x4f3d, { 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } }

struct load_file2_protocol;
typedef EFI_STATUS (EFIAPI *load_file2_fn)(struct load_file2_protocol *this, EFI_DEVICE_PATH *file_path,
                                           BOOLEAN boot_policy, UINTN *buffer_size, void *buffer);
struct load_file2_protocol {
        load_file2_fn load_file;
};

struct initrd_device_path {
        uint8_t vendor_type, vendor_subtype, vendor_len[2];
        EFI_GUID guid;
        uint8_t end_type, end_subtype, end_len[2];
} __attribute__((packed));

/* The protocol comes first so the callback can find the rest from `this`. */
struct stub_initrd {
        struct load_file2_protocol proto;
        struct initrd_device_path dp;
        EFI_HANDLE handle;
        const void *data;
        size_t size;
};

static EFI_STATUS EFIAPI initrd_load_file(struct load_file2_protocol *this, EFI_DEVICE_PATH *file_path,
                                          BOOLEAN boot_policy, UINTN *buffer_size, void *buffer) {
        struct stub_initrd *r = (struct stub_initrd *) this;

        if (!this || !buffer_size)
                return EFI_INVALID_PARAMETER;
        /* LoadFile2 never serves boot-policy requests (that is LoadFile's job). */
        if (boot_policy)
                return EFI_UNSUPPORTED;
        if (!buffer || *buffer_size < r->size) {
                *buffer_size = r->size;
                return EFI_BUFFER_TOO_SMALL;
        }
        pb_memcpy(buffer, r->data, r->size);
        *buffer_size = r->size;
        return EFI_SUCCESS;
}

EFI_STATUS stub_initrd_register(const void *data, size_t size, struct stub_initrd **ret) {
        EFI_GUID lf2_guid = LOAD_FILE2_PROTOCOL_GUID, dp_guid = DEVICE_PATH_PROTOCOL;
        EFI_GUID media = LINUX_INITRD_MEDIA_GUID;
        struct stub_initrd *r;
        EFI_DEVICE_PATH *probe;
        EFI_HANDLE h = NULL;
        EFI_STATUS err;

        *ret = NULL;
        if (!data || size == 0)
                return EFI_SUCCESS;

        r = stub_alloc(sizeof *r);
        if (!r)
                return EFI_OUT_OF_RESOURCES;
        *r = (struct stub_initrd) {
                .proto.load_file = initrd_load_file,
                .dp = {
                        .vendor_type = 0x04, .vendor_subtype = 0x03,
                        .vendor_len = { 4 + sizeof(EFI_GUID), 0 },
                        .guid = media,
                        .end_type = 0x7f, .end_subtype = 0xff, .end_len = { 4, 0 },
                },
                .data = data,
                .size = size,
        };

        /* Someone (a boot loader that started us) may already serve an initrd on this path; the
         * kernel would pick one at random, so refuse rather than boot with the wrong initrd. */
        probe = (EFI_DEVICE_PATH *) &r->dp;
        if (PB_BS->LocateDevicePath(&lf2_guid, &probe, &h) == EFI_SUCCESS &&
            probe && probe->Type == 0x7f && probe->SubType == 0xff) {
                stub_free(r);
                return EFI_ALREADY_STARTED;
        }

        err = PB_BS->InstallMultipleProtocolInterfaces(&r->handle, &dp_guid, &r->dp,
                                                       &lf2_guid, &r->proto, NULL);
        if (err != EFI_SUCCESS) {
                stub_free(r);
                return err;
        }
        *ret = r;
        return EFI_SUCCESS;
}

void stub_initrd_unregister(struct stub_initrd *r) {
        EFI_GUID lf2_guid = LOAD_FILE2_PROTOCOL_GUID, dp_guid = DEVICE_PATH_PROTOCOL;

        if (!r)
                return;
        /* If the kernel still has the protocol open this fails; leaking the small struct is then
         * the safe choice, since the firmware may still call into it. */
        if (PB_BS->UninstallMultipleProtocolInterfaces(r->handle, &dp_guid, &r->dp,
                                                       &lf2_guid, &r->proto, NULL) == EFI_SUCCESS)
                stub_free(r);
}
