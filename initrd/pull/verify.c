/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "sink.h"
#include "url.h"
#include "verify.h"

#define SUMS_MAX (1024 * 1024)

struct sha256_ctx {
        EVP_MD_CTX *md;
};

int sha256_new(struct sha256_ctx **ret) {
        struct sha256_ctx *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->md = EVP_MD_CTX_new();
        if (!c->md || sha256_reset(c) < 0) {
                sha256_free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

struct sha256_ctx *sha256_free(struct sha256_ctx *c) {
        if (c) {
                EVP_MD_CTX_free(c->md);
                free(c);
        }
        return NULL;
}

int sha256_reset(struct sha256_ctx *c) {
        return EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
}

int sha256_update(struct sha256_ctx *c, const void *p, size_t n) {
        return EVP_DigestUpdate(c->md, p, n) == 1 ? 0 : -EIO;
}

int sha256_final(struct sha256_ctx *c, uint8_t ret[32]) {
        unsigned n = 0;
        return EVP_DigestFinal_ex(c->md, ret, &n) == 1 && n == 32 ? 0 : -EIO;
}

void sha256_to_hex(const uint8_t d[32], char ret[65]) {
        for (unsigned i = 0; i < 32; i++)
                snprintf(ret + 2 * i, 3, "%02x", d[i]);
}

int sha256_from_hex(const char *s, size_t n, uint8_t ret[32]) {
        if (n != 64)
                return -EINVAL;
        for (unsigned i = 0; i < 32; i++) {
                int hi = pb_hex_digit(s[2 * i]), lo = pb_hex_digit(s[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                ret[i] = (uint8_t) (hi << 4 | lo);
        }
        return 0;
}

int sha256sums_find(const char *text, const char *name, uint8_t ret[32]) {
        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n');
                const char *p = line;
                size_t hexlen = strspn(p, "0123456789abcdefABCDEF");
                if (hexlen == 64) {
                        const char *rest = p + 64;
                        size_t restlen = (size_t) (end - rest);
                        while (restlen > 0 && (rest[restlen - 1] == '\r' || rest[restlen - 1] == ' '))
                                restlen--;
                        bool match;
                        if (restlen == 0)
                                match = true;   /* a bare digest, as in "NAME.sha256" */
                        else if (rest[0] == ' ' && restlen >= 2 && (rest[1] == ' ' || rest[1] == '*'))
                                match = restlen - 2 == strlen(name) && memcmp(rest + 2, name, restlen - 2) == 0;
                        else
                                match = false;
                        if (match)
                                return sha256_from_hex(p, 64, ret);
                }
                line = *end ? end + 1 : end;
        }
        return -ENOENT;
}

static int url_sibling(const char *url, const char *name, char **ret) {
        size_t size = strlen(url) + strlen(name) + 2;
        char *buf = malloc(size);
        struct pb_diag diag = {};
        if (!buf)
                return -ENOMEM;
        int r = pb_url_change_last_component(pb_span_from_str(url), pb_span_from_str(name), buf, size, &diag);
        if (r < 0) {
                free(buf);
                log_error("cannot derive the %s URL from %s: %s", name, url, diag.reason ?: "invalid URL");
                return r;
        }
        *ret = buf;
        return 0;
}

static int url_name(const char *url, char **ret) {
        struct pb_span last;
        if (pb_url_last_component(pb_span_from_str(url), &last) < 0) {
                log_error("%s has no file name to look up in a checksum list", url);
                return -EINVAL;
        }
        *ret = strndup(last.ptr, last.len);
        return *ret ? 0 : -ENOMEM;
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

static int run_gpgv(const char *keyring, const char *sums, size_t sums_size, const char *sig, size_t sig_size) {
        _cleanup_close_ int data_fd = memfd_with("SHA256SUMS", sums, sums_size);
        _cleanup_close_ int sig_fd = memfd_with("SHA256SUMS.gpg", sig, sig_size);
        _cleanup_close_ int out_fd = memfd_create("gpgv-output", MFD_CLOEXEC);
        char home[] = "/tmp/pullboot-gpgv.XXXXXX";
        char sig_path[64], data_path[64];
        int status;

        if (data_fd < 0 || sig_fd < 0 || out_fd < 0)
                return log_error_errno(-ENOMEM, "cannot prepare the signature check");
        if (access(keyring, R_OK) < 0)
                return log_error_errno(-errno, "cannot read the keyring %s; pass --keyring", keyring);
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
                argv[n++] = keyring;
                argv[n++] = sig_path;
                argv[n++] = data_path;
                argv[n] = NULL;
                execvp("gpgv", (char *const *) argv);
                fprintf(stderr, "cannot run gpgv: %m\n");
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        break;
        if (have_home)
                (void) rm_rf(home);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;

        char out[2048];
        ssize_t k = pread(out_fd, out, sizeof out - 1, 0);
        out[k > 0 ? k : 0] = 0;
        for (char *s = strtok(out, "\n"); s; s = strtok(NULL, "\n"))
                log_error("gpgv: %s", s);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                log_error("signature verification needs gpgv; install it or use --verify=checksum");
        else
                log_error("SHA256SUMS.gpg does not verify against the keyring %s; refusing the image", keyring);
        return -EBADMSG;
}

int verify_fetch_expected(const struct transfer_options *t, const char *url, enum pb_verify mode,
                          const char *keyring, uint8_t expected[32]) {
        _cleanup_free_ char *name = NULL, *sums_url = NULL, *sig_url = NULL, *single_url = NULL;
        _cleanup_free_ char *sums = NULL, *sig = NULL;
        size_t sums_size = 0, sig_size = 0;
        int r;

        if (mode == PB_VERIFY_NO || mode == PB_VERIFY_SHA256)
                return 0;
        r = url_name(url, &name);
        if (r < 0)
                return r;
        r = url_sibling(url, "SHA256SUMS", &sums_url);
        if (r < 0)
                return r;

        if (mode == PB_VERIFY_CHECKSUM) {
                if (asprintf(&single_url, "%s.sha256", url) < 0)
                        return -ENOMEM;
                r = transfer_fetch(t, single_url, SUMS_MAX, &sums, &sums_size);
                if (r == -ENOENT) {
                        log_debug("%s not found, trying %s", single_url, sums_url);
                        r = transfer_fetch(t, sums_url, SUMS_MAX, &sums, &sums_size);
                        if (r == -ENOENT) {
                                log_error("no checksum for %s: neither %s nor %s exists", url, single_url, sums_url);
                                return -EBADMSG;
                        }
                }
                if (r < 0)
                        return r;
        } else {
                r = transfer_fetch(t, sums_url, SUMS_MAX, &sums, &sums_size);
                if (r == -ENOENT) {
                        log_error("no checksum list for %s: %s does not exist", url, sums_url);
                        return -EBADMSG;
                }
                if (r < 0)
                        return r;
                if (asprintf(&sig_url, "%s.gpg", sums_url) < 0)
                        return -ENOMEM;
                r = transfer_fetch(t, sig_url, SUMS_MAX, &sig, &sig_size);
                if (r == -ENOENT) {
                        log_error("no signature for %s: %s does not exist", sums_url, sig_url);
                        return -EBADMSG;
                }
                if (r < 0)
                        return r;
                r = run_gpgv(keyring ?: "/etc/systemd/import-pubring.pgp", sums, sums_size, sig, sig_size);
                if (r < 0)
                        return r;
        }

        r = sha256sums_find(sums, name, expected);
        if (r < 0) {
                log_error("the checksum list for %s does not list '%s'", url, name);
                return -EBADMSG;
        }
        return 0;
}

int verify_compare(const char *url, const uint8_t expected[32], const uint8_t actual[32]) {
        char e[65], a[65];
        if (memcmp(expected, actual, 32) == 0)
                return 0;
        sha256_to_hex(expected, e);
        sha256_to_hex(actual, a);
        log_error("SHA-256 mismatch for %s: expected %s, got %s; refusing the image", url, e, a);
        return -EBADMSG;
}
