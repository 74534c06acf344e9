/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/*
 * The disk the UKI was loaded from, for root=gpt-auto on a local boot: the stub (like
 * systemd-stub) records the partition UUID of the ESP it came from in LoaderDevicePartUUID, and
 * the root partition is searched on that partition's disk, as systemd-gpt-auto-generator does.
 */

/* Waits up to timeout_ms for a partition with this GPT partition UUID (any case) and fills buf
 * with its whole disk ("/dev/vda"). -ENOENT when none appeared in time. */
int boot_disk_from_partuuid(const char *partuuid, unsigned timeout_ms, char *buf, size_t size);
