/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <unistd.h>

#include "keyring.h"
#include "macro.h"

const char *keyring_find_default(void) {
        static const char *const paths[] = {
                KEYRING_PATH_ETC, KEYRING_PATH_ETC_LEGACY, KEYRING_PATH_VENDOR, KEYRING_PATH_VENDOR_LEGACY,
        };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (access(paths[i], F_OK) == 0)
                        return paths[i];
        return NULL;
}
