/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "confine.h"
#include "log.h"
#include "sink.h"
#include "space.h"

/*
 * A tar archive holding a root file system, unpacked by libarchive into a temporary directory
 * beside the target. Extraction runs in a child process, confined to the temporary directory
 * (confine.h: its own root, nosuid/nodev, few capabilities); the decompressed stream reaches it
 * through a socket. Inside, the child still refuses anything that would land outside: absolute
 * names, "..", paths through symlinks, hard links to symlinks or out of the tree. Two walls, so a
 * gap in either (a libarchive bug, a kernel without one of the confinement features) is not an
 * escape.
 */

#define EXIT_SPACE 3

struct sink_tar {
        struct sink base;
        int sock;
        pid_t child;
        uint64_t fed;
        bool committed;
};

static bool path_is_safe(const char *p) {
        if (!p || p[0] == '/' || p[0] == 0)
                return false;
        for (const char *c = p; *c;) {
                const char *e = strchrnul(c, '/');
                if (e - c == 2 && c[0] == '.' && c[1] == '.')
                        return false;
                c = *e ? e + 1 : e;
        }
        return true;
}

static int copy_data(struct archive *in, struct archive *out) {
        for (;;) {
                const void *buf;
                size_t size;
                la_int64_t offset;
                int r = archive_read_data_block(in, &buf, &size, &offset);
                if (r == ARCHIVE_EOF)
                        return ARCHIVE_OK;
                if (r < ARCHIVE_WARN) {
                        archive_set_error(out, archive_errno(in), "%s", archive_error_string(in));
                        return r;
                }
                /* The disk writer reports a failed write(2) (ENOSPC among them) as a mere warning. */
                if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_OK)
                        return ARCHIVE_FATAL;
        }
}

static int extract(int fd) {
        struct archive *in = archive_read_new(), *out = archive_write_disk_new();
        struct archive_entry *e;
        int r, ret = 1;

        if (!in || !out) {
                log_error("out of memory");
                return 1;
        }
        archive_read_support_format_tar(in);
        archive_read_support_format_gnutar(in);
        archive_read_support_filter_none(in);
        /* Numeric owners on purpose (no name lookup): the names mean nothing until the image's
         * own /etc/passwd is in charge. */
        archive_write_disk_set_options(out,
                ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_SPARSE |
                ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);

        if (archive_read_open_fd(in, fd, 256 * 1024) != ARCHIVE_OK) {
                log_error("cannot read the tar stream: %s", archive_error_string(in));
                goto finish;
        }
        for (;;) {
                r = archive_read_next_header(in, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN) {
                        log_error("bad tar archive: %s", archive_error_string(in));
                        goto finish;
                }
                const char *name = archive_entry_pathname(e);
                const char *link = archive_entry_hardlink(e);
                if (!path_is_safe(name)) {
                        log_error("tar entry '%s' would land outside the target; refusing the archive",
                                  name ?: "(null)");
                        goto finish;
                }
                if (link) {
                        struct stat st;
                        if (!path_is_safe(link)) {
                                log_error("tar entry '%s' is a hard link to '%s' outside the target; refusing the archive",
                                          name, link);
                                goto finish;
                        }
                        if (lstat(link, &st) == 0 && S_ISLNK(st.st_mode)) {
                                log_error("tar entry '%s' is a hard link to the symlink '%s'; refusing the archive",
                                          name, link);
                                goto finish;
                        }
                }
                r = archive_write_header(out, e);
                if (r == ARCHIVE_WARN)
                        log_warning("'%s': %s", name, archive_error_string(out));
                if (r >= ARCHIVE_WARN && archive_entry_size(e) > 0)
                        r = copy_data(in, out);
                if (r >= ARCHIVE_WARN)
                        r = archive_write_finish_entry(out);
                if (r < ARCHIVE_WARN) {
                        if (archive_errno(out) == ENOSPC || archive_errno(out) == EDQUOT) {
                                ret = EXIT_SPACE;
                                goto finish;
                        }
                        log_error("cannot extract '%s': %s", name, archive_error_string(out));
                        goto finish;
                }
        }
        /* Tar writers pad the archive past its end marker; take the padding so the feeder does not
         * see a closed socket. */
        for (;;) {
                char buf[65536];
                ssize_t k = read(fd, buf, sizeof buf);
                if (k == 0)
                        break;
                if (k < 0 && errno != EINTR)
                        break;
        }
        if (archive_write_close(out) != ARCHIVE_OK) {
                if (archive_errno(out) == ENOSPC) {
                        ret = EXIT_SPACE;
                        goto finish;
                }
                log_error("cannot finish extraction: %s", archive_error_string(out));
                goto finish;
        }
        ret = 0;
finish:
        archive_read_free(in);
        archive_write_free(out);
        return ret;
}

static int tar_spawn(struct sink_tar *s) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return log_error_errno(-errno, "cannot create a socket pair");
        int sz = 1 << 20;
        (void) setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
        (void) setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);

        pid_t pid = fork();
        if (pid < 0) {
                close(sv[0]);
                close(sv[1]);
                return log_error_errno(-errno, "cannot fork the extractor");
        }
        if (pid == 0) {
                close(sv[0]);
                int fd = confine_to(s->base.temp, sv[1]);
                if (fd == -EPERM) {
                        /* Not root: owners cannot be restored either; the path checks stay. */
                        log_debug("not root: the tar extractor runs unconfined");
                        fd = sv[1];
                        if (chdir(s->base.temp) < 0) {
                                log_error_errno(-errno, "cannot enter %s", s->base.temp);
                                _exit(1);
                        }
                } else if (fd < 0)
                        _exit(1);
                _exit(extract(fd));
        }
        close(sv[1]);
        s->sock = sv[0];
        s->child = pid;
        return 0;
}

/* Ends the extractor: 0 if it unpacked a complete archive. */
static int tar_reap(struct sink_tar *s, bool kill_it) {
        int status;
        if (s->sock >= 0) {
                close(s->sock);
                s->sock = -EBADF;
        }
        if (s->child <= 0)
                return 0;
        if (kill_it)
                (void) kill(s->child, SIGKILL);
        while (waitpid(s->child, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        s->child = 0;
        if (kill_it)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SPACE)
                return space_log_full(s->base.dir, s->fed, s->base.size_hint);
        if (!WIFEXITED(status))
                log_error("the tar extractor died with signal %d", WTERMSIG(status));
        return -EBADMSG;
}

static int tar_write(struct sink *base, const void *data, size_t n) {
        struct sink_tar *s = (struct sink_tar *) base;
        const char *p = data;
        while (n > 0) {
                ssize_t k = send(s->sock, p, n, MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EPIPE || errno == ECONNRESET) {
                                /* The extractor stopped early and said why. */
                                int r = tar_reap(s, false);
                                return r < 0 ? r : -EBADMSG;
                        }
                        return log_error_errno(-errno, "cannot feed the tar extractor");
                }
                p += k;
                n -= (size_t) k;
                s->fed += (uint64_t) k;
        }
        return 0;
}

static int tar_mkdtemp(struct sink_tar *s) {
        struct sink *base = &s->base;
        const char *name = strrchr(base->target, '/');
        name = name ? name + 1 : base->target;
        free(base->temp);
        if (asprintf(&base->temp, "%s/.#pull.%s.XXXXXX", base->dir, name) < 0) {
                base->temp = NULL;
                return -ENOMEM;
        }
        if (!mkdtemp(base->temp)) {
                int r = log_error_errno(-errno, "cannot create a temporary directory in %s", base->dir);
                free(base->temp);
                base->temp = NULL;
                return r;
        }
        return 0;
}

static int tar_reset(struct sink *base) {
        struct sink_tar *s = (struct sink_tar *) base;
        (void) tar_reap(s, true);
        (void) rm_rf(base->temp);
        int r = tar_mkdtemp(s);
        if (r < 0)
                return r;
        s->fed = 0;
        return tar_spawn(s);
}

static int tar_finish(struct sink *base) {
        struct sink_tar *s = (struct sink_tar *) base;
        int r = tar_reap(s, false);
        if (r == -EBADMSG)
                log_error("could not unpack the tar archive (see above)");
        return r;
}

static int tar_commit(struct sink *base, bool read_only, bool force) {
        struct sink_tar *s = (struct sink_tar *) base;
        struct stat st;
        if (read_only) {
                if (stat(base->temp, &st) < 0 || chmod(base->temp, st.st_mode & ~0222 & 07777) < 0)
                        return log_error_errno(-errno, "cannot make %s read-only", base->temp);
        }
        int r = sink_rename(base, force);
        if (r < 0)
                return r;
        s->committed = true;
        return 0;
}

static void tar_free(struct sink *base) {
        struct sink_tar *s = (struct sink_tar *) base;
        (void) tar_reap(s, true);
        if (!s->committed && base->temp)
                (void) rm_rf(base->temp);
}

static const struct sink_ops tar_ops = {
        .write = tar_write,
        .reset = tar_reset,
        .finish = tar_finish,
        .commit = tar_commit,
        .free = tar_free,
};

int sink_tar_new(const char *target, struct sink **ret) {
        struct sink_tar *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->base.ops = &tar_ops;
        s->sock = -EBADF;
        int r = sink_init_paths(&s->base, target);
        if (r >= 0)
                r = tar_mkdtemp(s);
        if (r >= 0)
                r = tar_spawn(s);
        if (r < 0) {
                sink_free(&s->base);
                return r;
        }
        *ret = &s->base;
        return 0;
}
