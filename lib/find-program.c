/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "find-program.h"
#include "macro.h"

int find_program(const char *name, char **ret) {
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = "/usr/local/bin:/usr/bin:/bin";
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, ":");
                _cleanup_free_ char *full = NULL;
                /* An empty entry means the current directory to execvp; never for us. */
                if (n > 0 && asprintf(&full, "%.*s/%s", (int) n, p, name) < 0)
                        return -ENOMEM;
                if (full && access(full, X_OK) == 0) {
                        *ret = TAKE_PTR(full);
                        return 0;
                }
                p += n;
                if (*p == ':')
                        p++;
        }
        return -ENOENT;
}
