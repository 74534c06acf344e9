/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free)
