/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct mnl_socket *, mnl_socket_close)
