/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

/*
 * SBAT metadata (shim's revocation scheme): the header line, then one line for this component.
 * Bump the generation (second field) whenever a security fix must revoke older stubs.
 * `retain` keeps the section through --gc-sections; nothing references it from code.
 */
__attribute__((used, retain, section(".sbat")))
static const char sbat[] =
        "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n"
        "pullboot,1,pullboot,pullboot-stub," PULLBOOT_VERSION ",man:pullboot-stub(7)\n";
