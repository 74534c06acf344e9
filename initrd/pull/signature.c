/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "find-program.h"
#include "keyring.h"
#include "log.h"
#include "macro.h"
#include "signature.h"
#include "sink.h"

/* Where to go instead, in every message that ends a verify=signature pull before it starts. */
#define WAY_OUT "or use verify=checksum or verify=sha256:HEX"

int signature_tools_find(const char *keyring, struct signature_tools *ret) {
        *ret = (struct signature_tools) {};
        if (keyring) {
                if (access(keyring, R_OK) < 0) {
                        int r = -errno;
                        log_error("cannot read the keyring %s (%s) for verify=signature; give a readable "
                                  "--keyring FILE, " WAY_OUT, keyring, strerror(-r));
                        return -ENOKEY;
                }
        } else {
                keyring = keyring_find_default();
                if (!keyring) {
                        log_error("verify=signature needs a keyring and there is none (" KEYRING_PATHS_TEXT
                                  "); build the initrd with pullboot-mkinitrd --keyring FILE, pass pullboot "
                                  "pull --keyring FILE, " WAY_OUT);
                        return -ENOKEY;
                }
        }
        int r = find_program("gpgv", &ret->gpgv);
        if (r == -ENOMEM)
                return log_error_errno(r, "out of memory");
        if (r < 0) {
                log_error("verify=signature needs gpgv, which is not installed here; build the initrd with "
                          "pullboot-mkinitrd --keyring FILE (it adds gpgv), install gpgv, " WAY_OUT);
                return -ENOEXEC;
        }
        ret->keyring = keyring;
        log_debug("verifying signatures with %s against %s", ret->gpgv, ret->keyring);
        return 0;
}

void signature_tools_done(struct signature_tools *t) {
        free(t->gpgv);
        *t = (struct signature_tools) {};
}

static int memfd_with(const char *name, const char *data, size_t size) {
        /* No CLOEXEC: gpgv reads it as /proc/self/fd/N. */
        int fd = memfd_create(name, 0);
        if (fd < 0)
                return -errno;
        int r = write_full_fd(fd, data, size);
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}

int signature_verify(const struct signature_tools *t, const char *data, size_t data_size, const char *sig,
                     size_t sig_size) {
        _cleanup_close_ int data_fd = memfd_with("SHA256SUMS", data, data_size);
        _cleanup_close_ int sig_fd = memfd_with("SHA256SUMS.gpg", sig, sig_size);
        _cleanup_close_ int out_fd = memfd_create("gpgv-output", MFD_CLOEXEC);
        char home[] = "/tmp/pullboot-gpgv.XXXXXX";
        char sig_path[64], data_path[64];
        int status = 0;

        if (data_fd < 0 || sig_fd < 0 || out_fd < 0)
                return log_error_errno(-ENOMEM, "cannot prepare the signature check");
        /* gpgv wants a home directory; give it a throwaway one rather than touching root's. */
        bool have_home = mkdtemp(home) != NULL;
        snprintf(sig_path, sizeof sig_path, "/proc/self/fd/%d", sig_fd);
        snprintf(data_path, sizeof data_path, "/proc/self/fd/%d", data_fd);

        pid_t pid = fork();
        if (pid < 0)
                return log_error_errno(-errno, "cannot fork gpgv");
        if (pid == 0) {
                dup2(out_fd, STDOUT_FILENO);
                dup2(out_fd, STDERR_FILENO);
                const char *argv[10];
                size_t n = 0;
                argv[n++] = "gpgv";
                argv[n++] = "--quiet";
                if (have_home) {
                        argv[n++] = "--homedir";
                        argv[n++] = home;
                }
                argv[n++] = "--keyring";
                argv[n++] = t->keyring;
                argv[n++] = sig_path;
                argv[n++] = data_path;
                argv[n] = NULL;
                execv(t->gpgv, (char *const *) argv);
                fprintf(stderr, "cannot run %s: %m\n", t->gpgv);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        break;
        if (have_home)
                (void) rm_rf(home);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                log_info("SHA256SUMS.gpg verifies against the keyring %s", t->keyring);
                return 0;
        }

        char out[2048];
        ssize_t k = pread(out_fd, out, sizeof out - 1, 0);
        out[k > 0 ? k : 0] = 0;
        for (char *s = strtok(out, "\n"); s; s = strtok(NULL, "\n"))
                log_error("%s%s", strncmp(s, "gpgv: ", 6) == 0 ? "" : "gpgv: ", s);
        log_error("SHA256SUMS.gpg does not verify against the keyring %s; refusing the image", t->keyring);
        return -EBADMSG;
}
