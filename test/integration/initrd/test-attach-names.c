/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The naming rules of attach: references, default references, partition node names. */
#include <errno.h>

#include "attach.h"
#include "devnode.h"
#include "test.h"

static void test_validate(void) {
        const char *reason = NULL;

        ASSERT_EQ(attach_ref_validate("rootdisk", &reason), 0);
        ASSERT_TRUE(reason == NULL);
        ASSERT_EQ(attach_ref_validate("image.raw", NULL), 0);
        ASSERT_EQ(attach_ref_validate("a b-c_d:e", NULL), 0);
        /* 63 bytes fit lo_file_name with its NUL, 64 do not. */
        char s[80];
        memset(s, 'x', 63);
        s[63] = '\0';
        ASSERT_EQ(attach_ref_validate(s, NULL), 0);
        s[63] = 'x';
        s[64] = '\0';
        ASSERT_EQ(attach_ref_validate(s, &reason), -EINVAL);
        ASSERT_TRUE(strstr(reason, "63") != NULL);

        ASSERT_EQ(attach_ref_validate("", &reason), -EINVAL);
        ASSERT_EQ(attach_ref_validate(NULL, &reason), -EINVAL);
        ASSERT_EQ(attach_ref_validate(".", &reason), -EINVAL);
        ASSERT_EQ(attach_ref_validate("..", &reason), -EINVAL);
        ASSERT_EQ(attach_ref_validate("...", NULL), 0);
        ASSERT_EQ(attach_ref_validate("a/b", &reason), -EINVAL);
        ASSERT_TRUE(strstr(reason, "/") != NULL);
        ASSERT_EQ(attach_ref_validate("a\nb", &reason), -EINVAL);
        ASSERT_EQ(attach_ref_validate("a\x7f", &reason), -EINVAL);
}

static void test_default_ref(void) {
        char buf[ATTACH_REF_MAX + 1];

        ASSERT_EQ(attach_default_ref("/run/machines/image.raw", buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "image.raw");
        ASSERT_EQ(attach_default_ref("rootdisk.raw", buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "rootdisk.raw");
        ASSERT_EQ(attach_default_ref("/x/", buf, sizeof(buf)), -EINVAL);
        ASSERT_EQ(attach_default_ref("", buf, sizeof(buf)), -EINVAL);
        ASSERT_EQ(attach_default_ref("/a", buf, 8), -EINVAL);

        /* Longer names are cut like the kernel cuts lo_file_name. */
        char path[200] = "/d/";
        for (int i = 0; i < 100; i++)
                strcat(path, "n");
        ASSERT_EQ(attach_default_ref(path, buf, sizeof(buf)), 0);
        ASSERT_EQ(strlen(buf), (size_t) ATTACH_REF_MAX);
}

static void test_partition_names(void) {
        char buf[64];

        ASSERT_EQ(partition_node_name("/dev/loop3", 2, buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "/dev/loop3p2");
        ASSERT_EQ(partition_node_name("/dev/nvme0n1", 1, buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "/dev/nvme0n1p1");
        ASSERT_EQ(partition_node_name("/dev/sda", 1, buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "/dev/sda1");
        ASSERT_EQ(partition_node_name("/dev/vda", 15, buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "/dev/vda15");
        ASSERT_EQ(partition_node_name("/dev/loop3", 0, buf, sizeof(buf)), -EINVAL);
        ASSERT_EQ(partition_node_name("/dev/loop3", 12, buf, 12), -EINVAL);
}

int main(void) {
        test_validate();
        test_default_ref();
        test_partition_names();
        printf("attach-names: ok\n");
        return 0;
}
