/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup-archive.h"
#include "cpio.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"

static const char *const compression_names[] = {
        [INITRD_ZSTD] = "zstd",
        [INITRD_XZ] = "xz",
        [INITRD_GZIP] = "gzip",
        [INITRD_NONE] = "none",
};

int initrd_compression_from_string(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(compression_names); i++)
                if (strcmp(s, compression_names[i]) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *initrd_compression_to_string(enum initrd_compression c) {
        return (size_t) c < ELEMENTSOF(compression_names) ? compression_names[c] : "?";
}

/* Where libarchive's output goes. xz is compressed here rather than by libarchive because the
 * kernel's xz decoder only checks CRC32 and libarchive always writes CRC64. */
struct sink {
        int fd;
        bool xz;
        lzma_stream lz;
        int err;                /* first negative errno */
};

static int xz_pump(struct sink *s, lzma_action action) {
        uint8_t out[65536];
        for (;;) {
                s->lz.next_out = out;
                s->lz.avail_out = sizeof out;
                lzma_ret lr = lzma_code(&s->lz, action);
                if (lr != LZMA_OK && lr != LZMA_STREAM_END)
                        return lr == LZMA_MEM_ERROR ? -ENOMEM : -EIO;
                int r = write_full_fd(s->fd, out, sizeof out - s->lz.avail_out);
                if (r < 0)
                        return r;
                if (action == LZMA_FINISH ? lr == LZMA_STREAM_END : s->lz.avail_in == 0)
                        return 0;
        }
}

static la_ssize_t sink_write(struct archive *a, void *userdata, const void *buf, size_t n) {
        struct sink *s = userdata;
        int r;
        if (s->xz) {
                s->lz.next_in = buf;
                s->lz.avail_in = n;
                r = xz_pump(s, LZMA_RUN);
        } else
                r = write_full_fd(s->fd, buf, n);
        if (r < 0) {
                s->err = r;
                archive_set_error(a, -r, "%s", strerror(-r));
                return -1;
        }
        return (la_ssize_t) n;
}

static int sink_close(struct archive *a, void *userdata) {
        struct sink *s = userdata;
        if (!s->xz)
                return ARCHIVE_OK;
        int r = xz_pump(s, LZMA_FINISH);
        if (r < 0) {
                s->err = r;
                archive_set_error(a, -r, "%s", strerror(-r));
                return ARCHIVE_FATAL;
        }
        return ARCHIVE_OK;
}

int initrd_compression_check_level(enum initrd_compression c, int level) {
        switch (c) {
        case INITRD_ZSTD:
                return level >= 1 && level <= 19 ? 0 : -ERANGE;
        case INITRD_XZ:
                return level >= 0 && level <= 9 ? 0 : -ERANGE;
        case INITRD_GZIP:
                return level >= 1 && level <= 9 ? 0 : -ERANGE;
        default:
                return -EINVAL;
        }
}

int initrd_compression_default_level(enum initrd_compression c) {
        return c == INITRD_ZSTD ? 19 : c == INITRD_XZ ? 6 : c == INITRD_GZIP ? 9 : 0;
}

static int setup_filter(struct archive *a, enum initrd_compression c, int level) {
        char lv[24], threads[24];
        int r = ARCHIVE_OK;

        snprintf(lv, sizeof lv, "%d", level);
        switch (c) {
        case INITRD_ZSTD:
                r = archive_write_add_filter_zstd(a);
                if (r == ARCHIVE_OK)
                        r = archive_write_set_filter_option(a, "zstd", "compression-level", lv);
                /* zstd's multi-threaded output is the same for any number of workers (but differs
                 * from its single-threaded mode), so using every CPU keeps the bytes reproducible. */
                long n = sysconf(_SC_NPROCESSORS_ONLN);
                snprintf(threads, sizeof threads, "%ld", n < 1 ? 1 : n > 64 ? 64 : n);
                if (r == ARCHIVE_OK && archive_write_set_filter_option(a, "zstd", "threads", threads) != ARCHIVE_OK)
                        log_debug("libarchive cannot run zstd in threads; compressing in one");
                break;
        case INITRD_GZIP:
                r = archive_write_add_filter_gzip(a);
                if (r == ARCHIVE_OK)
                        r = archive_write_set_filter_option(a, "gzip", "compression-level", lv);
                if (r == ARCHIVE_OK)    /* a build time in the header would break reproducibility */
                        r = archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
                break;
        case INITRD_XZ:
        case INITRD_NONE:
                r = archive_write_add_filter_none(a);
                break;
        }
        return r == ARCHIVE_OK ? 0 : -EOPNOTSUPP;
}

static int write_file_data(struct archive *a, const struct image_entry *e) {
        _cleanup_close_ int fd = open(e->source, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s", e->source);

        char buf[65536];
        uint64_t total = 0;
        for (;;) {
                ssize_t k = read(fd, buf, sizeof buf);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(-errno, "cannot read %s", e->source);
                }
                if (k == 0)
                        break;
                if (total + (uint64_t) k > e->size)
                        break;
                if (archive_write_data(a, buf, (size_t) k) != k) {
                        log_error("cannot write %s to the archive: %s", e->path, archive_error_string(a));
                        return -EIO;
                }
                total += (uint64_t) k;
        }
        if (total != e->size) {
                log_error("%s changed size while it was being copied; run again", e->source);
                return -EIO;
        }
        return 0;
}

static int write_entry(struct archive *a, const struct image_entry *e, uint64_t ino, int64_t mtime) {
        _cleanup_(archive_entry_freep) struct archive_entry *ae = archive_entry_new();
        if (!ae)
                return log_error_errno(-ENOMEM, "cannot allocate an archive entry");

        archive_entry_set_pathname(ae, e->path + 1);
        archive_entry_set_ino64(ae, (la_int64_t) ino);
        archive_entry_set_uid(ae, 0);
        archive_entry_set_gid(ae, 0);
        archive_entry_set_mtime(ae, mtime, 0);
        archive_entry_set_perm(ae, e->mode);
        archive_entry_set_nlink(ae, e->type == IMAGE_DIR ? 2 : 1);
        archive_entry_set_size(ae, 0);
        switch (e->type) {
        case IMAGE_DIR:
                archive_entry_set_filetype(ae, AE_IFDIR);
                break;
        case IMAGE_FILE:
        case IMAGE_DATA:
                archive_entry_set_filetype(ae, AE_IFREG);
                archive_entry_set_size(ae, (la_int64_t) e->size);
                break;
        case IMAGE_SYMLINK:
                archive_entry_set_filetype(ae, AE_IFLNK);
                archive_entry_set_symlink(ae, e->target);
                break;
        case IMAGE_CHAR:
                archive_entry_set_filetype(ae, AE_IFCHR);
                archive_entry_set_rdevmajor(ae, e->rdev_major);
                archive_entry_set_rdevminor(ae, e->rdev_minor);
                break;
        }

        if (archive_write_header(a, ae) != ARCHIVE_OK) {
                log_error("cannot add %s to the archive: %s", e->path, archive_error_string(a));
                return -EIO;
        }
        if (e->type == IMAGE_FILE)
                return write_file_data(a, e);
        if (e->type == IMAGE_DATA && e->size > 0 &&
            archive_write_data(a, e->data, e->size) != (la_ssize_t) e->size) {
                log_error("cannot add %s to the archive: %s", e->path, archive_error_string(a));
                return -EIO;
        }
        return 0;
}

static int write_archive(const struct image *img, int fd, enum initrd_compression c, int level, int64_t mtime,
                         struct initrd_stats *stats) {
        struct sink s = { .fd = fd, .xz = c == INITRD_XZ, .lz = LZMA_STREAM_INIT };
        int r;

        if (s.xz && lzma_easy_encoder(&s.lz, (uint32_t) level, LZMA_CHECK_CRC32) != LZMA_OK)
                return log_error_errno(-ENOMEM, "cannot set up the xz encoder");

        _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
        if (!a) {
                r = log_error_errno(-ENOMEM, "cannot set up libarchive");
                goto out;
        }
        if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK) {
                log_error("cannot set up a newc cpio archive: %s", archive_error_string(a));
                r = -EIO;
                goto out;
        }
        r = setup_filter(a, c, level);
        if (r < 0) {
                log_error("libarchive cannot compress with %s here: %s; try --compress xz or none",
                          initrd_compression_to_string(c), archive_error_string(a));
                goto out;
        }
        if (archive_write_open2(a, &s, NULL, sink_write, sink_close, NULL) != ARCHIVE_OK) {
                log_error("cannot start the archive: %s", archive_error_string(a));
                r = -EIO;
                goto out;
        }

        for (size_t i = 0; i < img->n; i++) {
                r = write_entry(a, &img->entries[i], i + 1, mtime);
                if (r < 0)
                        goto out;
        }
        if (archive_write_close(a) != ARCHIVE_OK) {
                log_error("cannot finish the archive: %s", archive_error_string(a));
                r = s.err < 0 ? s.err : -EIO;
                goto out;
        }
        stats->entries = img->n;
        stats->cpio_bytes = (uint64_t) archive_filter_bytes(a, 0);
        r = 0;
out:
        if (s.xz)
                lzma_end(&s.lz);
        return r;
}

int initrd_write(const struct image *img, const char *output, enum initrd_compression c, int level,
                 int64_t mtime, struct initrd_stats *ret_stats) {
        _cleanup_free_ char *tmp = NULL;
        struct initrd_stats stats = {};
        struct stat st;
        int r;

        if (asprintf(&tmp, "%s.pbtmp.XXXXXX", output) < 0)
                return log_error_errno(-ENOMEM, "out of memory");
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "cannot create a temporary file beside %s", output);

        r = write_archive(img, fd, c, level, mtime, &stats);
        if (r < 0)
                goto fail;
        if (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || fstat(fd, &st) < 0) {
                r = log_error_errno(-errno, "cannot write %s", tmp);
                goto fail;
        }
        if (rename(tmp, output) < 0) {
                r = log_error_errno(-errno, "cannot rename %s to %s", tmp, output);
                goto fail;
        }
        stats.output_bytes = (uint64_t) st.st_size;
        if (ret_stats)
                *ret_stats = stats;
        return 0;
fail:
        unlink(tmp);
        return r;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Either path (a file) or buf/size (bytes in memory); path names the input in messages. */
static int list(const char *path, const void *buf, size_t size, FILE *out) {
        _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
        char **lines = NULL;
        size_t n = 0, allocated = 0;
        int r = 0;

        if (!a)
                return log_error_errno(-ENOMEM, "cannot set up libarchive");
        archive_read_support_filter_all(a);
        archive_read_support_format_cpio(a);
        if ((buf ? archive_read_open_memory(a, buf, size) : archive_read_open_filename(a, path, 65536)) != ARCHIVE_OK) {
                log_error("cannot read %s as a cpio archive: %s", path, archive_error_string(a));
                return -EBADMSG;
        }

        for (;;) {
                struct archive_entry *ae;
                int k = archive_read_next_header(a, &ae);
                if (k == ARCHIVE_EOF)
                        break;
                if (k != ARCHIVE_OK && k != ARCHIVE_WARN) {
                        log_error("%s is not a valid cpio archive: %s", path, archive_error_string(a));
                        r = -EBADMSG;
                        goto out;
                }
                const char *name = archive_entry_pathname(ae);
                if (!name)
                        continue;
                while (name[0] == '.' && name[1] == '/')
                        name += 2;
                while (name[0] == '/')
                        name++;
                if (!*name || strcmp(name, ".") == 0)
                        continue;

                char *line;
                const char *target = archive_entry_filetype(ae) == AE_IFLNK ? archive_entry_symlink(ae) : NULL;
                if (asprintf(&line, "/%s%s%s", name, target ? " -> " : "", target ? target : "") < 0) {
                        r = log_error_errno(-ENOMEM, "out of memory");
                        goto out;
                }
                if (n == allocated) {
                        size_t na = allocated ? allocated * 2 : 256;
                        char **nl = reallocarray(lines, na, sizeof *nl);
                        if (!nl) {
                                free(line);
                                r = log_error_errno(-ENOMEM, "out of memory");
                                goto out;
                        }
                        lines = nl;
                        allocated = na;
                }
                lines[n++] = line;
        }

        qsort(lines, n, sizeof *lines, cmp_str);
        for (size_t i = 0; i < n; i++)
                fprintf(out, "%s\n", lines[i]);
        if (fflush(out) != 0)
                r = -errno;
out:
        for (size_t i = 0; i < n; i++)
                free(lines[i]);
        free(lines);
        return r;
}

int initrd_list(const char *path, FILE *out) {
        return list(path, NULL, 0, out);
}

int initrd_list_buffer(const void *buf, size_t size, FILE *out) {
        return list("the buffer", buf ?: "", size, out);
}
