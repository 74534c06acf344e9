/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the generator runs: in an initrd or not, and next to a systemd that pulls by itself. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generator.h"
#include "macro.h"

/* The first systemd release whose systemd-import-generator handles rd.systemd.pull= in the initrd
 * (with blockdev and bootorigin) and whose udev and fstab-generator handle the roots it pulls. */
#define SYSTEMD_PULLS_ITSELF_SINCE 258

static bool exists(const char *root, const char *path) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s%s", root, path);
        return access(p, F_OK) == 0;
}

bool generator_in_initrd(const char *root) {
        const char *e = getenv("SYSTEMD_IN_INITRD");
        if (e && *e)
                return strcmp(e, "1") == 0 || strcmp(e, "yes") == 0 || strcmp(e, "true") == 0 || strcmp(e, "on") == 0;
        return exists(root, "/etc/initrd-release");
}

/* systemd installs its private library as libsystemd-shared-VERSION.so (VERSION like "252" or
 * "258.1"); the largest found is the installed systemd's version. */
static unsigned version_in(const char *root, const char *dir) {
        char p[PATH_MAX];
        unsigned best = 0;
        struct dirent *de;

        snprintf(p, sizeof p, "%s%s", root, dir);
        DIR *d = opendir(p);
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                const char *v = de->d_name;
                if (strncmp(v, "libsystemd-shared-", 18) != 0)
                        continue;
                v += 18;
                if (*v < '0' || *v > '9')
                        continue;
                unsigned long n = strtoul(v, NULL, 10);
                if (n > best && n < 100000)
                        best = (unsigned) n;
        }
        closedir(d);
        return best;
}

bool generator_systemd_pulls_itself(const char *root, unsigned *ret_version) {
        static const char *const generator_dirs[] = {
                "/usr/lib/systemd/system-generators/systemd-import-generator",
                "/lib/systemd/system-generators/systemd-import-generator",
        };
        static const char *const lib_dirs[] = {
                "/usr/lib/systemd", "/lib/systemd", "/usr/lib64/systemd",
                "/usr/lib/x86_64-linux-gnu/systemd", "/usr/lib/aarch64-linux-gnu/systemd",
        };
        unsigned version = 0;
        bool has_generator = false;

        for (size_t i = 0; i < ELEMENTSOF(generator_dirs); i++)
                has_generator = has_generator || exists(root, generator_dirs[i]);
        for (size_t i = 0; i < ELEMENTSOF(lib_dirs); i++) {
                unsigned v = version_in(root, lib_dirs[i]);
                if (v > version)
                        version = v;
        }
        if (ret_version)
                *ret_version = version;
        /* Before 258 the import generator lacks what an initrd root needs (bootorigin, blockdev,
         * udev's by-loop-ref links). An unknown version with the generator present counts as new
         * enough: pulling an image twice, by both generators, is the worse mistake. */
        return has_generator && (version == 0 || version >= SYSTEMD_PULLS_ITSELF_SINCE);
}
