/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "bootcfg.h"

/* "BootCurrent: 0001", "BootNext: …", "BootOrder: 0003,0001", then "Boot0003* title" per entry
 * (* = active); verbose adds the device path text and optional data (hex), tab-separated. */
void bootcfg_print(const struct bootcfg *c, bool verbose, FILE *f);
/* One JSON object: backend, boot_current, boot_next, boot_order, entries[]. */
void bootcfg_print_json(const struct bootcfg *c, const char *backend, FILE *f);
