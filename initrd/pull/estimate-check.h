/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "estimate.h"
#include "transfer.h"

/*
 * Before the download: whether the image fits at its target. At most three small requests, never
 * the image itself: bytes 0-4095 (with the download's size from Content-Range), and for xz the
 * last 64 KiB (stream footer and index; once more for exactly the index if it is larger), for
 * gzip the last 8 bytes. Refuses with -ENOSPC, after one line giving needed and available
 * figures and how much RAM to add (and, for a compressed image in RAM, a second line on the form
 * that stays compressed there), only when the lower bound does not fit; warns when only the upper
 * bound does not. A server that ignores Range, a probe that fails, a format without sizes: one
 * info line, and the download goes on as before. *facts keeps what was learnt, for
 * fit_remaining() (release it with fit_facts_done()).
 */
int fit_check(const struct transfer_options *t, const char *url, enum pb_image_type type, const char *dir,
              struct fit_facts *facts);

/* Measures the room under dir: free space, whether it is RAM, MemAvailable and MemTotal. */
int fit_room_measure(const char *dir, struct fit_room *ret);
