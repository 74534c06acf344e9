/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "config.h"
#include "find-program.h"
#include "image.h"
#include "keyring.h"
#include "libraries.h"
#include "log.h"
#include "macro.h"
#include "modules.h"
#include "size.h"
#include "strip.h"

#define DEFAULT_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#define DEFAULT_BUSYBOX "/bin/busybox"
/* Debian's klibc-utils: the DHCP client pullboot init runs. */
#define IPCONFIG "/usr/lib/klibc/bin/ipconfig"
#define MAX_LIST 256
/* e2fsprogs' mke2fs, for pullboot.store-format=yes (a blank partition becomes the image store),
 * installed under the name that makes it default to ext4; its configuration file if the host has one
 * (without it mke2fs uses the same defaults compiled in). */
static const char *const MKE2FS[] = { "/usr/sbin/mke2fs", "/sbin/mke2fs" };
#define MKFS_EXT4_DEST "/usr/sbin/mkfs.ext4"
#define MKE2FS_CONF "/etc/mke2fs.conf"
/* What `pullboot pull` runs for verify=signature, looked up in the host's PATH. */
#define GPGV "gpgv"

struct options {
        const char *kver;
        const char *modules_dir;
        const char *pullboot;
        const char *ca_bundle;
        const char *keyring;
        bool no_keyring;
        bool no_mkfs;
        const char *busybox;
        const char *output;
        const char *list;
        char *adds[MAX_LIST];
        size_t n_adds;
        char *modules[MAX_LIST];
        size_t n_modules;
        bool shell;
        bool no_strip;
        bool quiet;
        enum initrd_compression compression;
        int level;              /* -1: the compression's default */
};

static void help(void) {
        printf("Usage: pullboot-mkinitrd --kernel-version VER [OPTIONS...] --output FILE\n"
               "       pullboot-mkinitrd --list FILE\n"
               "\n"
               "Build the minimal initrd that runs pullboot as /init: its libraries, klibc's\n"
               "ipconfig, the CA bundle, gpgv and a keyring for verify=signature, and the kernel\n"
               "modules it may load, as a reproducible newc cpio archive.\n"
               "\n"
               "Options:\n"
               "  -k --kernel-version VER  kernel release whose modules to include\n"
               "     --modules-dir DIR     the modules of that release (default /lib/modules/VER)\n"
               "  -m --module NAME         include this module and its dependencies too\n"
               "  -a --add FILE|SRC:DEST   include a file (and its libraries if it is ELF)\n"
               "     --shell               include busybox as /bin/sh for the emergency shell\n"
               "     --busybox PATH        the busybox to include (default " DEFAULT_BUSYBOX "; implies --shell)\n"
               "     --pullboot PATH       the pullboot binary to use as /init\n"
               "     --ca-bundle FILE      CA certificates for https (default " DEFAULT_CA_BUNDLE ")\n"
               "     --keyring FILE        OpenPGP keyring (binary, as gpg --export writes it) that\n"
               "                           verify=signature checks SHA256SUMS.gpg against; installed\n"
               "                           with gpgv as " KEYRING_PATH_ETC " (default: the\n"
               "                           keyring systemd-pull uses, the first of\n"
               "                           " KEYRING_PATH_ETC ",\n"
               "                           " KEYRING_PATH_ETC_LEGACY ",\n"
               "                           " KEYRING_PATH_VENDOR ",\n"
               "                           " KEYRING_PATH_VENDOR_LEGACY " that exists)\n"
               "     --no-keyring          neither keyring nor gpgv: verify=signature cannot work\n"
               "     --no-mkfs             leave out mkfs.ext4 (default: included when the host has\n"
               "                           e2fsprogs): pullboot.store-format=yes cannot work\n"
               "  -c --compress ALG       zstd (default), xz, gzip or none\n"
               "     --compress-level N    zstd 1-19 (default 19), xz 0-9 (6), gzip 1-9 (9)\n"
               "  -o --output FILE         where to write the initrd\n"
               "  -l --list FILE           print the files in an existing initrd, sorted\n"
               "  -q --quiet               do not print the summary\n"
               "  -v --verbose             say what is added and why\n"
               "  -h --help                show this help\n"
               "     --version             show the version\n"
               "\n"
               "SOURCE_DATE_EPOCH sets the timestamp of every file (default 0).\n"
               "Exit status: 0 success, 1 failure, 2 invalid usage or input. See pullboot-mkinitrd(8).\n");
}

enum {
        ARG_VERSION = 0x100,
        ARG_MODULES_DIR,
        ARG_NO_STRIP,
        ARG_SHELL,
        ARG_BUSYBOX,
        ARG_PULLBOOT,
        ARG_CA_BUNDLE,
        ARG_KEYRING,
        ARG_NO_KEYRING,
        ARG_NO_MKFS,
        ARG_COMPRESS_LEVEL,
};

static int parse_argv(int argc, char **argv, struct options *o) {
        static const struct option longopts[] = {
                { "kernel-version", required_argument, NULL, 'k' },
                { "modules-dir", required_argument, NULL, ARG_MODULES_DIR },
                { "no-strip", no_argument, NULL, ARG_NO_STRIP },
                { "module", required_argument, NULL, 'm' },
                { "add", required_argument, NULL, 'a' },
                { "shell", no_argument, NULL, ARG_SHELL },
                { "busybox", required_argument, NULL, ARG_BUSYBOX },
                { "pullboot", required_argument, NULL, ARG_PULLBOOT },
                { "ca-bundle", required_argument, NULL, ARG_CA_BUNDLE },
                { "keyring", required_argument, NULL, ARG_KEYRING },
                { "no-keyring", no_argument, NULL, ARG_NO_KEYRING },
                { "no-mkfs", no_argument, NULL, ARG_NO_MKFS },
                { "compress", required_argument, NULL, 'c' },
                { "compress-level", required_argument, NULL, ARG_COMPRESS_LEVEL },
                { "output", required_argument, NULL, 'o' },
                { "list", required_argument, NULL, 'l' },
                { "quiet", no_argument, NULL, 'q' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "k:m:a:c:o:l:qvh", longopts, NULL)) >= 0)
                switch (c) {
                case 'k':
                        o->kver = optarg;
                        break;
                case ARG_MODULES_DIR:
                        o->modules_dir = optarg;
                        break;
                case 'm':
                case 'a':
                        if ((c == 'm' ? o->n_modules : o->n_adds) >= MAX_LIST) {
                                log_error("too many --%s options (at most %d)", c == 'm' ? "module" : "add", MAX_LIST);
                                return -EINVAL;
                        }
                        if (c == 'm')
                                o->modules[o->n_modules++] = optarg;
                        else
                                o->adds[o->n_adds++] = optarg;
                        break;
                case ARG_SHELL:
                        o->shell = true;
                        break;
                case ARG_BUSYBOX:
                        o->busybox = optarg;
                        o->shell = true;
                        break;
                case ARG_NO_STRIP:
                        o->no_strip = true;
                        break;
                case ARG_PULLBOOT:
                        o->pullboot = optarg;
                        break;
                case ARG_CA_BUNDLE:
                        o->ca_bundle = optarg;
                        break;
                case ARG_KEYRING:
                        o->keyring = optarg;
                        break;
                case ARG_NO_MKFS:
                        o->no_mkfs = true;
                        break;
                case ARG_NO_KEYRING:
                        o->no_keyring = true;
                        break;
                case 'c':
                        r = initrd_compression_from_string(optarg);
                        if (r < 0) {
                                log_error("unknown compression '%s'; use zstd, xz, gzip or none", optarg);
                                return -EINVAL;
                        }
                        o->compression = r;
                        break;
                case ARG_COMPRESS_LEVEL: {
                        uint64_t v;
                        if (parse_decimal(optarg, 99, &v) < 0) {
                                log_error("--compress-level '%s' is not a number", optarg);
                                return -EINVAL;
                        }
                        o->level = (int) v;
                        break;
                }
                case 'o':
                        o->output = optarg;
                        break;
                case 'l':
                        o->list = optarg;
                        break;
                case 'q':
                        o->quiet = true;
                        break;
                case 'v':
                        log_set_max_level(LOG_LEVEL_DEBUG);
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("pullboot-mkinitrd %s\n", PULLBOOT_VERSION);
                        return 0;
                default:
                        log_error("run 'pullboot-mkinitrd --help' for the options");
                        return -EINVAL;
                }

        if (optind < argc) {
                log_error("unexpected argument '%s'; run 'pullboot-mkinitrd --help' for the usage", argv[optind]);
                return -EINVAL;
        }
        if (o->list)
                return 1;
        if (o->keyring && o->no_keyring) {
                log_error("--keyring and --no-keyring contradict each other; give one of them");
                return -EINVAL;
        }
        if (o->level >= 0 && initrd_compression_check_level(o->compression, o->level) < 0) {
                log_error("--compress-level %d is not valid for %s (zstd 1-19, xz 0-9, gzip 1-9)", o->level,
                          initrd_compression_to_string(o->compression));
                return -EINVAL;
        }
        if (o->level < 0)
                o->level = initrd_compression_default_level(o->compression);
        if (!o->kver || !o->output) {
                log_error("--kernel-version and --output are required (e.g. -k %s -o initrd.img)",
                          "$(uname -r)");
                return -EINVAL;
        }
        if (!*o->kver || strchr(o->kver, '/') || strcmp(o->kver, ".") == 0 || strcmp(o->kver, "..") == 0) {
                log_error("invalid kernel version '%s'; give a release such as 6.1.0-13-amd64", o->kver);
                return -EINVAL;
        }
        return 1;
}

/* The pullboot next to us (installed side by side in bindir), else the one in the build tree. */
static int find_pullboot(char **ret) {
        char self[PATH_MAX];
        ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
        if (k < 0)
                return -errno;
        self[k] = 0;
        char *slash = strrchr(self, '/');
        if (!slash)
                return -ENOENT;
        *slash = 0;

        static const char *const rel[] = { "pullboot", "../../initrd/pullboot" };
        for (size_t i = 0; i < ELEMENTSOF(rel); i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", self, rel[i]) < 0)
                        return -ENOMEM;
                if (access(p, X_OK) == 0) {
                        *ret = realpath(p, NULL);
                        return *ret ? 0 : -errno;
                }
        }
        return -ENOENT;
}

static int check_regular(const char *path, const char *what, const char *hint) {
        struct stat st;
        if (stat(path, &st) < 0)
                return log_error_errno(-errno, "cannot use %s %s%s%s", what, path, hint ? "; " : "", hint ? hint : "");
        if (!S_ISREG(st.st_mode)) {
                log_error("%s %s is not a regular file", what, path);
                return -EINVAL;
        }
        return 0;
}

/* Adds a host file at dest (its own path if dest is NULL) with the libraries it needs. */
static int add_program(struct image *img, const char *src, const char *dest) {
        _cleanup_free_ char *real = NULL;
        int r;

        if (dest) {
                r = image_add_file(img, dest, src);
                if (r < 0)
                        return log_error_errno(r, "cannot add %s to the image as %s", src, dest);
                return libraries_add(img, src);
        }
        r = image_add_host_path(img, src, &real);
        if (r < 0)
                return log_error_errno(r, "cannot add %s to the image", src);
        return real ? libraries_add(img, real) : 0;
}

/* "SRC:DEST" or "FILE"; both must be absolute in the image. */
static int add_user_file(struct image *img, const char *arg) {
        _cleanup_free_ char *src = NULL;
        const char *colon = strchr(arg, ':');
        const char *dest = colon ? colon + 1 : NULL;

        src = colon ? strndup(arg, (size_t) (colon - arg)) : strdup(arg);
        if (!src)
                return log_error_errno(-ENOMEM, "out of memory");
        if (!*src || (dest && dest[0] != '/') || (!dest && src[0] != '/')) {
                log_error("--add %s: give an absolute FILE or SRC:DEST with an absolute DEST", arg);
                return -EINVAL;
        }
        if (check_regular(src, "--add", NULL) < 0)
                return -EINVAL;
        if (dest && strcmp(dest, "/init") == 0) {
                log_error("--add %s: /init is pullboot; use --pullboot to replace it", arg);
                return -EINVAL;
        }
        return add_program(img, src, dest);
}

/* gpgv reads keyrings of OpenPGP packets (or keyboxes), not the ASCII-armored export. */
static int check_keyring(const char *path) {
        static const char armor[] = "-----BEGIN PGP";
        char head[sizeof armor - 1];
        _cleanup_fclose_ FILE *f = NULL;

        if (check_regular(path, "keyring", "pass --keyring FILE or --no-keyring") < 0)
                return -EINVAL;
        f = fopen(path, "re");
        if (!f)
                return log_error_errno(-errno, "cannot read the keyring %s", path);
        size_t n = fread(head, 1, sizeof head, f);
        if (n == 0) {
                log_error("the keyring %s is empty; export a key into it with gpg --export KEYID > FILE", path);
                return -EINVAL;
        }
        if (n == sizeof head && memcmp(head, armor, sizeof head) == 0) {
                log_error("the keyring %s is ASCII-armored, which gpgv cannot read; convert it with "
                          "gpg --dearmor, or export with gpg --export (without --armor)", path);
                return -EINVAL;
        }
        return 0;
}

/* The keyring for verify=signature (given, else systemd-pull's) and gpgv to check with it:
 * *ret_keyring NULL when there is none to add. */
static int resolve_keyring(const struct options *o, const char **ret_keyring, char **ret_gpgv) {
        *ret_keyring = NULL;
        *ret_gpgv = NULL;
        if (o->no_keyring)
                return 0;
        const char *keyring = o->keyring ?: keyring_find_default();
        if (!keyring) {
                log_debug("no keyring given and none of " KEYRING_PATHS_TEXT " exists: no gpgv either");
                return 0;
        }
        if (check_keyring(keyring) < 0)
                return -EINVAL;
        int r = find_program(GPGV, ret_gpgv);
        if (r == -ENOMEM)
                return log_error_errno(r, "out of memory");
        if (r < 0) {
                log_error("the keyring %s needs gpgv in the initrd, and gpgv is not installed here; "
                          "install gpgv, or pass --no-keyring (then verify=signature cannot work)", keyring);
                return -EINVAL;
        }
        *ret_keyring = keyring;
        return 0;
}

static int add_skeleton(struct image *img) {
        static const char *const dirs[] = { "/dev", "/proc", "/sys", "/run", "/sysroot", "/etc", "/root" };
        int r;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                r = image_add_dir(img, dirs[i], 0755);
                if (r < 0)
                        return log_error_errno(r, "cannot add %s to the image", dirs[i]);
        }
        r = image_add_dir(img, "/tmp", 01777);
        if (r < 0)
                return log_error_errno(r, "cannot add /tmp to the image");
        /* The kernel opens /dev/console for init's stdio before anything mounts devtmpfs. */
        r = image_add_char(img, "/dev/console", 0600, 5, 1);
        if (r < 0)
                return log_error_errno(r, "cannot add /dev/console to the image");

        /* Its presence tells systemd and other tools that they run in an initrd. */
        static const char release[] =
                "NAME=\"pullboot initrd\"\n"
                "ID=pullboot-initrd\n"
                "VERSION_ID=" PULLBOOT_VERSION "\n"
                "PRETTY_NAME=\"pullboot initrd " PULLBOOT_VERSION "\"\n";
        r = image_add_data(img, "/etc/initrd-release", release, sizeof release - 1, 0644);
        if (r < 0)
                return log_error_errno(r, "cannot add /etc/initrd-release to the image");
        return 0;
}

/* mkfs.ext4 for pullboot.store-format=yes; NULL in *ret when the host has none. */
static int add_mkfs(struct image *img, const char **ret) {
        *ret = NULL;
        for (size_t i = 0; i < ELEMENTSOF(MKE2FS); i++) {
                if (access(MKE2FS[i], X_OK) < 0)
                        continue;
                int r = add_program(img, MKE2FS[i], MKFS_EXT4_DEST);
                if (r >= 0 && access(MKE2FS_CONF, R_OK) == 0 && (r = image_add_file(img, MKE2FS_CONF, MKE2FS_CONF)) < 0)
                        log_error_errno(r, "cannot add %s to the image", MKE2FS_CONF);
                if (r >= 0)
                        *ret = MKE2FS[i];
                return r;
        }
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        if (remove(path) < 0)
                log_warning_errno(-errno, "cannot remove %s", path);
        return 0;
}

static int remove_tree(const char *path) {
        return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int parse_epoch(int64_t *ret) {
        const char *s = getenv("SOURCE_DATE_EPOCH");
        *ret = 0;
        if (!s || !*s)
                return 0;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno != 0 || *end || v < 0 || v > UINT32_MAX) {
                log_error("SOURCE_DATE_EPOCH='%s' is not a number of seconds that fits a cpio header", s);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

static int build(const struct options *o) {
        _cleanup_free_ char *pullboot = NULL, *moddir = NULL;
        struct image img = {};
        struct module_set mods = {};
        _cleanup_free_ char *staging = NULL, *gpgv = NULL;
        const char *keyring = NULL, *mkfs = NULL;
        bool have_staging = false;
        struct initrd_stats stats;
        int64_t mtime;
        int r;

        r = parse_epoch(&mtime);
        if (r < 0)
                return PB_EXIT_USAGE;

        if (o->pullboot)
                pullboot = strdup(o->pullboot);
        else if (find_pullboot(&pullboot) < 0) {
                log_error("cannot find the pullboot binary next to pullboot-mkinitrd or in its build tree; "
                          "pass --pullboot PATH");
                return PB_EXIT_USAGE;
        }
        if (!pullboot) {
                log_error_errno(-ENOMEM, "out of memory");
                return PB_EXIT_FAILURE;
        }

        if (o->modules_dir)
                moddir = strdup(o->modules_dir);
        else if (asprintf(&moddir, "/lib/modules/%s", o->kver) < 0)
                moddir = NULL;
        if (!moddir) {
                log_error_errno(-ENOMEM, "out of memory");
                return PB_EXIT_FAILURE;
        }

        /* Everything the user can get wrong is checked before any work. */
        struct stat st;
        if (stat(moddir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                log_error("no modules for kernel %s in %s; check the version with 'ls /lib/modules' "
                          "or pass --modules-dir", o->kver, moddir);
                return PB_EXIT_USAGE;
        }
        if (stat(o->output, &st) == 0 && S_ISDIR(st.st_mode)) {
                log_error("--output %s is a directory; give the path of the initrd file", o->output);
                return PB_EXIT_USAGE;
        }
        const char *ca = o->ca_bundle ?: DEFAULT_CA_BUNDLE;
        const char *busybox = o->busybox ?: DEFAULT_BUSYBOX;
        if (check_regular(pullboot, "pullboot binary", "pass --pullboot PATH") < 0 ||
            check_regular(ca, "CA bundle", "install ca-certificates or pass --ca-bundle") < 0 ||
            check_regular(IPCONFIG, "DHCP client", "install klibc-utils") < 0 ||
            (o->shell && check_regular(busybox, "shell", "install busybox-static or pass --busybox") < 0) ||
            resolve_keyring(o, &keyring, &gpgv) < 0)
                return PB_EXIT_USAGE;

        r = add_skeleton(&img);
        if (r >= 0)
                r = add_program(&img, pullboot, "/init");
        if (r >= 0)
                r = add_program(&img, IPCONFIG, NULL);
        if (r >= 0) {
                r = image_add_file(&img, DEFAULT_CA_BUNDLE, ca);
                if (r < 0)
                        log_error_errno(r, "cannot add %s to the image", ca);
        }
        if (r >= 0 && keyring) {
                log_debug("adding %s with the keyring %s as %s", gpgv, keyring, KEYRING_PATH_ETC);
                r = add_program(&img, gpgv, NULL);
                if (r >= 0) {
                        r = image_add_file(&img, KEYRING_PATH_ETC, keyring);
                        if (r < 0)
                                log_error_errno(r, "cannot add %s to the image", keyring);
                }
        }
        if (r >= 0 && o->shell) {
                r = add_program(&img, busybox, "/bin/busybox");
                if (r >= 0) {
                        r = image_add_symlink(&img, "/bin/sh", "busybox");
                        if (r < 0)
                                log_error_errno(r, "cannot add /bin/sh to the image");
                }
        }
        if (r >= 0 && !o->no_mkfs)
                r = add_mkfs(&img, &mkfs);
        for (size_t i = 0; r >= 0 && i < o->n_adds; i++)
                r = add_user_file(&img, o->adds[i]);
        if (r < 0) {
                r = r == -EINVAL ? PB_EXIT_USAGE : PB_EXIT_FAILURE;
                goto out;
        }

        r = modules_resolve(moddir, o->modules, o->n_modules, true, &mods);
        if (r < 0) {
                r = r == -ENOENT ? PB_EXIT_USAGE : PB_EXIT_FAILURE;
                goto out;
        }
        const char *tmpdir = getenv("TMPDIR");
        if (asprintf(&staging, "%s/pullboot-mkinitrd.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") < 0) {
                staging = NULL;
                r = PB_EXIT_FAILURE;
                goto out;
        }
        if (!mkdtemp(staging)) {
                log_error_errno(-errno, "cannot create a staging directory like %s; check TMPDIR", staging);
                r = PB_EXIT_FAILURE;
                goto out;
        }
        have_staging = true;
        r = modules_install(&img, moddir, o->kver, &mods, staging);
        if (r >= 0 && !o->no_strip)
                r = strip_image(&img, staging);
        if (r < 0) {
                r = PB_EXIT_FAILURE;
                goto out;
        }

        image_sort(&img);
        r = initrd_write(&img, o->output, o->compression, o->level, mtime, &stats);
        if (r < 0) {
                r = PB_EXIT_FAILURE;
                goto out;
        }
        if (!o->quiet)
                printf("%s: %" PRIu64 " entries, %zu kernel modules (%zu built in), %.1f MiB cpio, "
                       "%.2f MiB %s (%" PRIu64 " bytes)\n",
                       o->output, stats.entries, mods.n, mods.n_builtin, stats.cpio_bytes / 1048576.0,
                       stats.output_bytes / 1048576.0, initrd_compression_to_string(o->compression),
                       stats.output_bytes);
        if (!o->quiet && keyring)
                printf("verify=signature: gpgv and the keyring %s (as " KEYRING_PATH_ETC ")\n", keyring);
        else if (!o->quiet)
                printf("verify=signature: no keyring in the initrd; pulls with it will fail (add one with --keyring)\n");
        if (!o->quiet && mkfs)
                printf("pullboot.store-format=yes: %s as " MKFS_EXT4_DEST "\n", mkfs);
        else if (!o->quiet)
                printf("pullboot.store-format=yes: no mkfs.ext4 in the initrd (%s); only ready-made stores work\n",
                       o->no_mkfs ? "--no-mkfs" : "install e2fsprogs");
        r = PB_EXIT_OK;
out:
        if (have_staging)
                remove_tree(staging);
        module_set_done(&mods);
        image_done(&img);
        return r;
}

int main(int argc, char **argv) {
        struct options o = { .compression = INITRD_ZSTD, .level = -1 };

        log_set_program("pullboot-mkinitrd");
        int r = parse_argv(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? PB_EXIT_USAGE : PB_EXIT_OK;

        if (o.list)
                return initrd_list(o.list, stdout) < 0 ? PB_EXIT_FAILURE : PB_EXIT_OK;
        return build(&o);
}
