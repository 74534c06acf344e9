/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads a whole file (up to max bytes; -EFBIG beyond) into a NUL-terminated malloc'd buffer. */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size);
/* Reads a whole stream (e.g. stdin) the same way. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);
/* Writes all n bytes to fd, retrying short writes and EINTR. */
int write_full_fd(int fd, const void *buf, size_t n);
/* Up to n bytes from fd, fewer only where the input ends, retrying short reads and EINTR: how many,
 * or -errno. */
ssize_t read_up_to(int fd, void *buf, size_t n);
/* Exactly n bytes from fd, retrying short reads and EINTR; -EPIPE when the input ends first (the
 * peer closed the socket). */
int read_exact_fd(int fd, void *buf, size_t n);
/* Exactly n bytes at off; -EIO when the file ends first (it shrank under us). */
int pread_exact(int fd, void *buf, size_t n, uint64_t off);
/* All n bytes at off, retrying short writes and EINTR. */
int pwrite_full(int fd, const void *buf, size_t n, uint64_t off);
/* Writes data to a temporary file beside path, fsyncs and renames it over path, then fsyncs the
 * directory, so readers see the old or the new content, never a mix, and a crash keeps one of
 * them. mode is used for a new file (existing mode is kept; the owner becomes the caller). */
int write_file_atomic(const char *path, const void *data, size_t size, unsigned mode);
/* write_file_atomic() for an existing regular file whose owner, group and mode must survive (a
 * libvirt nvram file owned by the qemu user stays readable to QEMU after root edits it). Fails
 * (-EPERM, old file untouched) if the owner cannot be kept; -EINVAL if path is not a regular file. */
int write_file_replace(const char *path, const void *data, size_t size);
/* "@FILE" reads FILE, anything else is returned as a copy. */
int read_string_or_at_file(const char *arg, size_t max, char **ret);
/* Creates directory path and its missing parents with mode; an existing directory is fine, an
 * existing non-directory is -ENOTDIR. -ENAMETOOLONG beyond PATH_MAX. */
int mkdir_p(const char *path, unsigned mode);
/* mkdir_p() for the directory that holds path (everything before its last '/'), so that path
 * itself can then be created; nothing to do for a name without a directory or right below "/". */
int mkdir_parents(const char *path, unsigned mode);

/* Points path at target: a new link under a temporary name beside it (pid-unique), then rename()
 * over whatever path was, so that a reader never finds it missing or half made. */
int symlink_replace(const char *target, const char *path);
/* symlink_replace() of dir/name. */
int symlink_replace_in(const char *dir, const char *name, const char *target);
