/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory file tree of pullboot-mkinitrd: host symlinks mirrored on the way to a file,
 * resolution through the image's own symlinks, conflicts, loops and the archive order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "test.h"

static char root[] = "/tmp/test-image.XXXXXX";

static const char *at(const char *rel) {
        static char buf[8][512];
        static int i;
        i = (i + 1) % 8;
        snprintf(buf[i], sizeof buf[i], "%s%s", root, rel);
        return buf[i];
}

static void expect_entry(const struct image *img, const char *path, enum image_type type, const char *target) {
        const struct image_entry *e = image_find(img, path);
        if (!e)
                TEST_FAIL("no entry %s", path);
        if (e->type != type)
                TEST_FAIL("%s has type %d, expected %d", path, e->type, type);
        if (target)
                ASSERT_STREQ(e->target, target);
}

static void setup(void) {
        ASSERT_TRUE(mkdtemp(root));
        ASSERT_EQ(mkdir(at("/usr"), 0755), 0);
        ASSERT_EQ(mkdir(at("/usr/lib"), 0755), 0);
        ASSERT_EQ(mkdir(at("/usr/lib/arch"), 0755), 0);
        FILE *f = fopen(at("/usr/lib/arch/libx.so.1.2"), "we");
        ASSERT_TRUE(f);
        fputs("payload", f);
        fclose(f);
        /* merged /usr, a soname link, an absolute link, a loop */
        ASSERT_EQ(symlink("usr/lib", at("/lib")), 0);
        ASSERT_EQ(symlink("libx.so.1.2", at("/usr/lib/arch/libx.so.1")), 0);
        ASSERT_EQ(symlink(at("/lib/arch/libx.so.1"), at("/usr/lib/abs")), 0);
        ASSERT_EQ(symlink("loop-b", at("/loop-a")), 0);
        ASSERT_EQ(symlink("loop-a", at("/loop-b")), 0);
}

static void teardown(void) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        ASSERT_EQ(system(cmd), 0);
}

int main(void) {
        struct image img = {};
        char *real = NULL;

        setup();

        /* A library reached through /lib (a symlink) and its soname symlink. */
        ASSERT_EQ(image_add_host_path(&img, at("/lib/arch/libx.so.1"), &real), 0);
        ASSERT_STREQ(real, at("/usr/lib/arch/libx.so.1.2"));
        free(real);
        expect_entry(&img, at("/lib"), IMAGE_SYMLINK, "usr/lib");
        expect_entry(&img, at("/usr/lib/arch/libx.so.1"), IMAGE_SYMLINK, "libx.so.1.2");
        expect_entry(&img, at("/usr/lib/arch/libx.so.1.2"), IMAGE_FILE, NULL);
        expect_entry(&img, at("/usr/lib/arch"), IMAGE_DIR, NULL);
        expect_entry(&img, "/tmp", IMAGE_DIR, NULL);
        ASSERT_TRUE(!image_find(&img, at("/lib/arch")));
        ASSERT_EQ(image_find(&img, at("/usr/lib/arch/libx.so.1.2"))->size, 7);

        /* An absolute symlink is kept as is and followed from the image's root. */
        ASSERT_EQ(image_add_host_path(&img, at("/usr/lib/abs"), &real), 0);
        ASSERT_STREQ(real, at("/usr/lib/arch/libx.so.1.2"));
        free(real);
        expect_entry(&img, at("/usr/lib/abs"), IMAGE_SYMLINK, at("/lib/arch/libx.so.1"));

        /* Adding the same thing again is fine; something else at the same path is not. */
        size_t n = img.n;
        ASSERT_EQ(image_add_host_path(&img, at("/lib/arch/libx.so.1"), NULL), 0);
        ASSERT_EQ(img.n, n);
        ASSERT_EQ(image_add_data(&img, at("/usr/lib/arch/libx.so.1.2"), "x", 1, 0644), -EEXIST);
        ASSERT_EQ(image_add_symlink(&img, at("/lib"), "elsewhere"), -EEXIST);
        ASSERT_EQ(img.n, n);

        /* Destinations resolve through the image's symlinks: /lib/... lands in /usr/lib/... */
        ASSERT_EQ(image_add_data(&img, at("/lib/modules/v/modules.dep"), "dep", 3, 0644), 0);
        expect_entry(&img, at("/usr/lib/modules/v/modules.dep"), IMAGE_DATA, NULL);
        expect_entry(&img, at("/usr/lib/modules/v"), IMAGE_DIR, NULL);
        ASSERT_TRUE(!image_find(&img, at("/lib/modules")));

        /* A file in the way of a directory, and symlink loops. */
        ASSERT_EQ(image_add_data(&img, at("/usr/lib/arch/libx.so.1.2/sub"), "x", 1, 0644), -ENOTDIR);
        ASSERT_EQ(image_add_host_path(&img, at("/loop-a"), NULL), -ELOOP);
        ASSERT_EQ(image_add_host_path(&img, at("/missing"), NULL), -ENOENT);
        ASSERT_EQ(image_add_data(&img, "relative/path", "x", 1, 0644), -EINVAL);
        ASSERT_EQ(image_add_data(&img, "/", "x", 1, 0644), -EISDIR);

        /* Paths are normalised. */
        ASSERT_EQ(image_add_dir(&img, "//etc/./x/../y/", 0700), 0);
        expect_entry(&img, "/etc/y", IMAGE_DIR, NULL);
        ASSERT_EQ(image_find(&img, "/etc/y")->mode, 0700);
        ASSERT_TRUE(!image_find(&img, "/etc/x"));
        ASSERT_EQ(image_add_char(&img, "/dev/console", 0600, 5, 1), 0);
        ASSERT_EQ(image_add_char(&img, "/dev/console", 0600, 5, 1), 0);
        ASSERT_EQ(image_add_char(&img, "/dev/console", 0600, 1, 3), -EEXIST);

        /* Sorted, every entry's parent directory comes before it. */
        image_sort(&img);
        for (size_t i = 0; i < img.n; i++) {
                if (i > 0)
                        ASSERT_TRUE(strcmp(img.entries[i - 1].path, img.entries[i].path) < 0);
                char parent[512];
                snprintf(parent, sizeof parent, "%s", img.entries[i].path);
                char *slash = strrchr(parent, '/');
                *slash = 0;
                if (!*parent)
                        continue;
                bool found = false;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(img.entries[j].path, parent) == 0 && img.entries[j].type == IMAGE_DIR)
                                found = true;
                if (!found)
                        TEST_FAIL("%s comes before its directory %s, or that is not a directory",
                                  img.entries[i].path, parent);
        }

        image_done(&img);
        teardown();
        printf("image: all passed\n");
        return 0;
}
