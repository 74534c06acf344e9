/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The running system's EFI variables through libefivar on efivarfs.
 *
 * libefivar reads, enumerates, creates and deletes. Replacing an existing variable is done here
 * with one write() to its efivarfs file, because libefivar's set deletes the variable before
 * creating it again, and a power cut in between would leave a machine without BootOrder. The
 * kernel marks variables outside its allow-list immutable; the flag is lifted for the write and
 * restored afterwards. Every write is read back and compared.
 *
 * $EFIVARFS_PATH (with a trailing slash) points libefivar and this file at another directory,
 * which is how the integration tests run without firmware.
 */
#include <efivar/efivar.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "bootcfg.h"
#include "bootvars.h"
#include "efivar-read.h"
#include "log.h"
#include "macro.h"

/* No firmware keeps a boot variable near this size; it only bounds what a damaged store can cost. */
#define EFIVAR_SIZE_MAX (1024 * 1024)

struct efivarfs {
        char *dir;          /* with trailing slash */
        bool real;          /* an efivarfs mount (else a test directory) */
        bool wrote;
};

static efi_guid_t to_efi_guid(const pb_guid *g) {
        efi_guid_t e;
        /* efi_guid_t is the EFI byte layout on little-endian hosts, which are the only ones with
         * EFI variables Linux exposes this way. */
        _Static_assert(sizeof e == 16, "efi_guid_t is 16 bytes");
        memcpy(&e, g->b, 16);
        return e;
}

static int var_path(struct efivarfs *v, const char *name, const pb_guid *g, char **ret) {
        char gs[PB_GUID_STRING_LEN + 1];
        int r = pb_guid_format(g, gs, sizeof gs);
        if (r < 0)
                return r;
        if (asprintf(ret, "%s%s-%s", v->dir, name, gs) < 0)
                return -ENOMEM;
        return 0;
}

/* Clears FS_IMMUTABLE_FL; *ret_was tells whether it was set. Filesystems without inode flags
 * (a test directory on tmpfs) have nothing to clear. */
static int set_immutable(const char *path, bool on, bool *ret_was) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        int flags;

        if (ret_was)
                *ret_was = false;
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
                return (errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL) ? 0 : -errno;
        if (ret_was)
                *ret_was = flags & FS_IMMUTABLE_FL;
        if (!!(flags & FS_IMMUTABLE_FL) == on)
                return 0;
        flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
        if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0)
                return -errno;
        return 0;
}

static int efivarfs_get(struct bootcfg_backend *b, const char *name, const pb_guid *g, uint32_t *ret_attr,
                        uint8_t **ret_data, size_t *ret_size) {
        return efivar_read(g, name, EFIVAR_SIZE_MAX, ret_attr, ret_data, ret_size);
}

static int verify(struct bootcfg_backend *b, const char *name, const pb_guid *g, uint32_t attr,
                  const uint8_t *data, size_t size) {
        _cleanup_free_ uint8_t *back = NULL;
        size_t back_size;
        uint32_t back_attr;
        int r = efivarfs_get(b, name, g, &back_attr, &back, &back_size);

        if (r < 0)
                return log_error_errno(r, "Reading %s back after writing it failed", name);
        if ((back_attr & 0x7) != (attr & 0x7) || back_size != size || memcmp(back, data, size) != 0) {
                log_error("%s reads back differently from what was written; the firmware may have "
                          "rejected it. Check with --show -v.", name);
                return -EIO;
        }
        return 0;
}

static int write_existing(struct efivarfs *v, const char *path, uint32_t attr, const uint8_t *data,
                          size_t size) {
        _cleanup_free_ uint8_t *buf = malloc(4 + size);
        /* efivarfs replaces the variable with each write; a plain directory needs O_TRUNC. */
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | (v->real ? 0 : O_TRUNC));
        ssize_t k;

        if (!buf)
                return -ENOMEM;
        if (fd < 0)
                return -errno;
        memcpy(buf, &attr, 4);
        memcpy(buf + 4, data, size);
        k = write(fd, buf, 4 + size);
        if (k < 0)
                return -errno;
        if ((size_t) k != 4 + size)
                return -EIO;
        return 0;
}

static int efivarfs_set(struct bootcfg_backend *b, const char *name, const pb_guid *g, uint32_t attr,
                        const uint8_t *data, size_t size) {
        struct efivarfs *v = b->userdata;
        _cleanup_free_ char *path = NULL;
        bool was_immutable;
        int r;

        r = var_path(v, name, g, &path);
        if (r < 0)
                return r;
        if (access(path, F_OK) == 0) {
                r = set_immutable(path, false, &was_immutable);
                if (r < 0)
                        return log_error_errno(r, "Cannot clear the immutable flag of %s", path);
                r = write_existing(v, path, attr, data, size);
                if (was_immutable)
                        (void) set_immutable(path, true, NULL);
        } else {
                r = efi_set_variable(to_efi_guid(g), name, (uint8_t *) data, size, attr, 0644) < 0 ?
                        (errno > 0 ? -errno : -EIO) : 0;
        }
        if (r < 0)
                return log_error_errno(r, "Writing EFI variable %s failed", name);
        v->wrote = true;
        return verify(b, name, g, attr, data, size);
}

static int efivarfs_del(struct bootcfg_backend *b, const char *name, const pb_guid *g) {
        struct efivarfs *v = b->userdata;
        _cleanup_free_ char *path = NULL;
        int r;

        r = var_path(v, name, g, &path);
        if (r < 0)
                return r;
        if (access(path, F_OK) < 0)
                return errno == ENOENT ? 0 : -errno;
        r = set_immutable(path, false, NULL);
        if (r < 0)
                return log_error_errno(r, "Cannot clear the immutable flag of %s", path);
        if (efi_del_variable(to_efi_guid(g), name) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "Deleting EFI variable %s failed", name);
        v->wrote = true;
        if (access(path, F_OK) == 0) {
                log_error("EFI variable %s still exists after deleting it", name);
                return -EIO;
        }
        return 0;
}

static bool is_boot_entry_name(const char *n) {
        if (strncmp(n, "Boot", 4) != 0 || strlen(n) != 8)
                return false;
        for (int i = 4; i < 8; i++)
                if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'A' && n[i] <= 'F')))
                        return false;
        return true;
}

static int efivarfs_list_boot(struct bootcfg_backend *b, uint16_t **ret, size_t *ret_n) {
        static const pb_guid global = PB_GLOBAL_GUID_INIT;
        _cleanup_free_ uint16_t *nums = NULL;
        size_t n = 0, cap = 0;
        bool oom = false;
        efi_guid_t *eg;
        char *name;
        int r;

        /* libefivar keeps the directory open until the walk ends, so always walk to the end,
         * even after running out of memory. */
        while ((r = efi_get_next_variable_name(&eg, &name)) > 0) {
                if (oom || memcmp(eg, global.b, 16) != 0 || !is_boot_entry_name(name))
                        continue;
                if (n == cap) {
                        uint16_t *p = realloc(nums, (cap ? cap * 2 : 16) * sizeof *p);
                        if (!p) {
                                oom = true;
                                continue;
                        }
                        nums = p;
                        cap = cap ? cap * 2 : 16;
                }
                nums[n++] = (uint16_t) strtoul(name + 4, NULL, 16);
        }
        if (r < 0)
                return log_error_errno(errno > 0 ? -errno : -EIO, "Listing EFI variables failed");
        if (oom)
                return -ENOMEM;
        *ret = TAKE_PTR(nums);
        *ret_n = n;
        return 0;
}

static int efivarfs_commit(struct bootcfg_backend *b) {
        struct efivarfs *v = b->userdata;
        return v->wrote;
}

static void efivarfs_free(struct bootcfg_backend *b) {
        struct efivarfs *v = b->userdata;
        if (v)
                free(v->dir);
        free(v);
        free(b);
}

int bootcfg_backend_efivarfs_new(struct bootcfg_backend **ret) {
        const char *dir = getenv("EFIVARFS_PATH");
        _cleanup_free_ struct efivarfs *v = calloc(1, sizeof *v);
        _cleanup_free_ struct bootcfg_backend *b = calloc(1, sizeof *b);
        struct statfs sfs;

        if (!v || !b)
                return -ENOMEM;
        if (!dir || !*dir)
                dir = "/sys/firmware/efi/efivars/";
        else if (dir[strlen(dir) - 1] != '/') {
                /* libefivar appends names to $EFIVARFS_PATH as is. */
                _cleanup_free_ char *d = NULL;
                if (asprintf(&d, "%s/", dir) < 0 || setenv("EFIVARFS_PATH", d, 1) < 0)
                        return -ENOMEM;
                dir = getenv("EFIVARFS_PATH");
        }
        if (!efi_variables_supported())
                return -EOPNOTSUPP;
        if (asprintf(&v->dir, "%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/") < 0)
                return -ENOMEM;
        v->real = statfs(v->dir, &sfs) == 0 && (uint32_t) sfs.f_type == EFIVARFS_MAGIC;

        *b = (struct bootcfg_backend) {
                .name = "efivarfs",
                .userdata = TAKE_PTR(v),
                .get = efivarfs_get,
                .set = efivarfs_set,
                .del = efivarfs_del,
                .list_boot = efivarfs_list_boot,
                .commit = efivarfs_commit,
                .free = efivarfs_free,
        };
        *ret = TAKE_PTR(b);
        return 0;
}
