/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <spawn.h>
#include <sys/wait.h>

#include "spawn-wait.h"

extern char **environ;

int spawn_wait(char *const argv[]) {
        pid_t pid;
        int r = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
        if (r != 0)
                return -r;

        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
