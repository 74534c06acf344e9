/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Module resolution with libkmod against Debian's guest kernel modules (dry run: nothing is
 * inserted into the host kernel): names, aliases and dependencies resolve, coldplug reads the
 * host's modalias files, unknown names are -ENOENT. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "modules.h"
#include "test.h"

/* The newest Debian kernel with depmod indexes (the host's own kernel may have none). */
static int find_moddir(char *buf, size_t size) {
        DIR *d = opendir("/lib/modules");
        struct dirent *de;
        int found = -ENOENT;

        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                char p[1024];
                if (!strstr(de->d_name, "-amd64"))
                        continue;
                snprintf(p, sizeof p, "/lib/modules/%s/modules.alias.bin", de->d_name);
                if (access(p, R_OK) == 0 && (found < 0 || strcmp(de->d_name, buf + strlen("/lib/modules/")) > 0)) {
                        snprintf(buf, size, "/lib/modules/%s", de->d_name);
                        found = 0;
                }
        }
        closedir(d);
        return found;
}

int main(void) {
        char dir[512] = "/lib/modules/";
        struct kmod_ctx *ctx = NULL;
        struct modules_stats st = {};

        if (find_moddir(dir, sizeof dir) < 0) {
                printf("SKIP: no Debian kernel modules with depmod indexes below /lib/modules\n");
                return 77;
        }
        printf("modules from %s\n", dir);
        ASSERT_EQ(modules_open(dir, &ctx), 0);

        /* By name, by alias (with dependencies), and the filesystems the root may need. */
        ASSERT_EQ(modules_load(ctx, "virtio_net", true, &st), 0);
        ASSERT_EQ(modules_load(ctx, "fs-squashfs", true, &st), 0);
        ASSERT_EQ(modules_load(ctx, "erofs", true, &st), 0);
        ASSERT_EQ(modules_load(ctx, "no_such_module_pullboot", true, &st), -ENOENT);
        ASSERT_EQ(st.failed, 0);

        /* Coldplug over the host's devices: every device has a modalias; most resolve. */
        st = (struct modules_stats) {};
        ASSERT_EQ(modules_coldplug(ctx, "/sys", true, &st), 0);
        printf("coldplug (dry run): %u aliases, %u modules to load\n", st.aliases, st.loaded);
        ASSERT_TRUE(st.aliases > 0);
        ASSERT_EQ(st.failed, 0);

        /* A sysfs without devices/ is an error, not a silent success. */
        ASSERT_TRUE(modules_coldplug(ctx, "/nonexistent", true, &st) < 0);

        ASSERT_EQ(modules_open("/nonexistent/modules", &ctx), -ENOENT);
        modules_close(ctx);
        return 0;
}
