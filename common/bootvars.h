/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "guid.h"

/*
 * The one place that names the EFI variables pullboot reads and writes, their vendor GUIDs and
 * attributes. The stub writes them, the initrd and bootcfg read them (docs/variables.md).
 */

/* systemd's loader vendor GUID: Loader* and Stub* variables. */
#define PB_LOADER_GUID_INIT PB_GUID_INIT(0x4a67b082, 0x0a4c, 0x41cf, 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f)
#define PB_LOADER_GUID_STR "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
/* EFI global variables: Boot####, BootOrder, BootNext, BootCurrent, SecureBoot. */
#define PB_GLOBAL_GUID_INIT PB_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c)
#define PB_GLOBAL_GUID_STR "8be4df61-93ca-11d2-aa0d-00e098032b8c"
/* pullboot's own vendor GUID (the NIC record). */
#define PB_VENDOR_GUID_INIT PB_GUID_INIT(0xc9401eab, 0xf608, 0x4319, 0xbb, 0x31, 0x27, 0x98, 0x4b, 0x19, 0x0c, 0x66)
#define PB_VENDOR_GUID_STR "c9401eab-f608-4319-bb31-27984b190c66"
/* edk2's TlsCaCertificate variable (firmware HTTPS trust anchors). */
#define PB_TLS_CA_GUID_INIT PB_GUID_INIT(0xfd2340d0, 0x3dab, 0x4349, 0xa6, 0xc7, 0x3b, 0x4f, 0x12, 0xb4, 0x8e, 0xae)
#define PB_TLS_CA_GUID_STR "fd2340d0-3dab-4349-a6c7-3b4f12b48eae"
#define PB_CERT_X509_GUID_INIT PB_GUID_INIT(0xa5c059a1, 0x94e4, 0x4aa7, 0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72)

/* Attributes. */
#define PB_EFI_VARIABLE_NON_VOLATILE 0x00000001u
#define PB_EFI_VARIABLE_BOOTSERVICE_ACCESS 0x00000002u
#define PB_EFI_VARIABLE_RUNTIME_ACCESS 0x00000004u
#define PB_EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS 0x00000020u
/* Volatile, visible to the OS: what the stub uses for everything it records. */
#define PB_VAR_ATTR_VOLATILE (PB_EFI_VARIABLE_BOOTSERVICE_ACCESS | PB_EFI_VARIABLE_RUNTIME_ACCESS)
/* Boot####, BootOrder, BootNext. */
#define PB_VAR_ATTR_NV (PB_EFI_VARIABLE_NON_VOLATILE | PB_EFI_VARIABLE_BOOTSERVICE_ACCESS | PB_EFI_VARIABLE_RUNTIME_ACCESS)

/* Loader GUID, UTF-16LE strings with NUL unless noted. */
#define PB_VAR_STUB_DEVICE_URL "StubDeviceURL"
#define PB_VAR_LOADER_DEVICE_URL "LoaderDeviceURL"
#define PB_VAR_STUB_INFO "StubInfo"
#define PB_VAR_STUB_FEATURES "StubFeatures"              /* u64 LE */
#define PB_VAR_STUB_IMAGE_IDENTIFIER "StubImageIdentifier"
#define PB_VAR_LOADER_IMAGE_IDENTIFIER "LoaderImageIdentifier"
#define PB_VAR_STUB_DEVICE_PART_UUID "StubDevicePartUUID"
#define PB_VAR_LOADER_DEVICE_PART_UUID "LoaderDevicePartUUID"
#define PB_VAR_LOADER_FIRMWARE_INFO "LoaderFirmwareInfo"
#define PB_VAR_LOADER_FIRMWARE_TYPE "LoaderFirmwareType"
/* pullboot GUID: the boot NIC record, UTF-8 "key=value\n" lines (common/netinfo.h). */
#define PB_VAR_NET_INFO "PullbootNetInfo"

/* StubFeatures bits pullboot honours (systemd's numbering). */
#define PB_STUB_FEATURE_REPORT_BOOT_PARTITION (UINT64_C(1) << 0)  /* LoaderDevicePartUUID */
#define PB_STUB_FEATURE_REPORT_STUB_PARTITION (UINT64_C(1) << 10) /* StubDevicePartUUID, StubImageIdentifier */
#define PB_STUB_FEATURE_REPORT_URL (UINT64_C(1) << 11)

/* efivarfs location. */
#define PB_EFIVARFS_DIR "/sys/firmware/efi/efivars"
