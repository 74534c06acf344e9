/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* Monotonic milliseconds, for bounded waits, stall timers and phase times (never wall time). */
uint64_t now_ms(void);
