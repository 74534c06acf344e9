/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/*
 * Whether KVM can actually run a guest here. Opening /dev/kvm is not enough: on some hosts
 * (nested or restricted virtualisation) the device exists and VMs can be created, but the first
 * KVM_RUN fails with an emulation error (seen on an x87 FNINIT, the first thing OVMF's SEC phase
 * executes). So the probe runs a tiny real-mode guest (fninit; out; hlt) and checks that KVM
 * reports exactly the expected exits.
 */
bool kvm_usable(const char **ret_reason);
