/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <blkid.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(blkid_probe, blkid_free_probe)
