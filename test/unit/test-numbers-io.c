/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/size.c's parse_decimal() (every decimal option) and lib/fileio.c's read_up_to() (the read
 * loop of read_full_fd(), read_exact_fd() and mkseekable's frame reader). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "size.h"
#include "test.h"

static void decimal_ok(const char *s, uint64_t max, uint64_t expected) {
        uint64_t v = 0;
        ASSERT_EQ(parse_decimal(s, max, &v), 0);
        ASSERT_EQ(v, expected);
}

static void decimal_bad(const char *s, uint64_t max) {
        uint64_t v = 7;
        ASSERT_EQ(parse_decimal(s, max, &v), -EINVAL);
        ASSERT_EQ(v, 7u);       /* untouched on failure */
}

/* A pipe written in pieces: read_up_to() must gather them and stop only at the end. */
static void pieces(void) {
        int p[2];
        char buf[16];

        ASSERT_EQ(pipe(p), 0);
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                /* The second piece comes later, so a single read() would see only the first. */
                if (write(p[1], "abc", 3) != 3)
                        _exit(1);
                usleep(100 * 1000);
                _exit(write(p[1], "defg", 4) == 4 ? 0 : 1);
        }
        ASSERT_EQ(close(p[1]), 0);
        ASSERT_EQ(read_up_to(p[0], buf, 5), 5);
        ASSERT_MEMEQ(buf, "abcde", 5);
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_EQ(read_up_to(p[0], buf, sizeof buf), 2);        /* fewer: the input ended */
        ASSERT_MEMEQ(buf, "fg", 2);
        ASSERT_EQ(read_up_to(p[0], buf, sizeof buf), 0);
        ASSERT_EQ(close(p[0]), 0);

        ASSERT_EQ(pipe(p), 0);
        ASSERT_EQ(write(p[1], "xy", 2), 2);
        ASSERT_EQ(close(p[1]), 0);
        ASSERT_EQ(read_exact_fd(p[0], buf, 3), -EPIPE);         /* the input ends first */
        ASSERT_EQ(close(p[0]), 0);

        ASSERT_EQ(read_up_to(-1, buf, 1), -EBADF);
}

static void whole(void) {
        int p[2];
        char *s = NULL;
        size_t n = 0;

        ASSERT_EQ(pipe(p), 0);
        ASSERT_EQ(write(p[1], "hello ", 6), 6);
        ASSERT_EQ(write(p[1], "world", 5), 5);
        ASSERT_EQ(close(p[1]), 0);
        ASSERT_EQ(read_full_fd(p[0], 100, &s, &n), 0);
        ASSERT_EQ(n, 11u);
        ASSERT_STREQ(s, "hello world");
        free(s);
        ASSERT_EQ(close(p[0]), 0);

        ASSERT_EQ(pipe(p), 0);
        ASSERT_EQ(write(p[1], "0123456789", 10), 10);
        ASSERT_EQ(close(p[1]), 0);
        ASSERT_EQ(read_full_fd(p[0], 9, &s, &n), -EFBIG);
        ASSERT_EQ(close(p[0]), 0);
}

int main(void) {
        decimal_ok("0", 10, 0);
        decimal_ok("10", 10, 10);
        decimal_ok("007", 10, 7);
        decimal_ok("18446744073709551615", UINT64_MAX, UINT64_MAX);
        decimal_bad("11", 10);
        decimal_bad("", 10);
        decimal_bad("-1", UINT64_MAX);          /* strtoull() would give a huge number */
        decimal_bad("+5", 10);
        decimal_bad(" 5", 10);
        decimal_bad("5 ", 10);
        decimal_bad("5x", 10);
        decimal_bad("0x5", 10);
        decimal_bad("18446744073709551616", UINT64_MAX);   /* overflow */
        pieces();
        whole();
        return 0;
}
