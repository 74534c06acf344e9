/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pullboot.jitter= and pullboot.mirror= on the kernel command line (initrd/init/init-config.c). */
#include <errno.h>

#include "init-config.h"
#include "../../unit/test.h"

int main(void) {
        static struct init_config c;

        ASSERT_EQ(init_config_parse("root=gpt-auto", &c), 0);
        ASSERT_EQ(c.fleet.jitter_sec, 0);
        ASSERT_EQ(c.fleet.n_mirrors, 0);

        ASSERT_EQ(init_config_parse("pullboot.jitter=30 pullboot.mirror=http://a.example/pub "
                                    "rd.pullboot.mirror=https://b.example:8443/ pullboot.jitter=45 "
                                    "-- pullboot.mirror=http://c.example/", &c), 0);
        ASSERT_EQ(c.fleet.jitter_sec, 45);     /* the last one wins */
        ASSERT_EQ(c.fleet.n_mirrors, 2);       /* every one, in order; none after "--" */
        ASSERT_STREQ(c.fleet.mirrors[0], "http://a.example/pub");
        ASSERT_STREQ(c.fleet.mirrors[1], "https://b.example:8443/");

        ASSERT_EQ(init_config_parse("pullboot.jitter=0", &c), 0);
        ASSERT_EQ(init_config_parse("pullboot.jitter=3601", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.jitter=-1", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.jitter=5s", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.mirror", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.mirror=ftp://x/", &c), -EINVAL);
        ASSERT_EQ(init_config_parse("pullboot.mirror=http://x/?a=b", &c), -EINVAL);

        char many[4096] = "";
        for (int i = 0; i < 16; i++)
                snprintf(many + strlen(many), sizeof many - strlen(many), " pullboot.mirror=http://m%d/", i);
        ASSERT_EQ(init_config_parse(many, &c), -EINVAL);
        return 0;
}
