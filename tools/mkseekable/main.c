/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "config.h"
#include "log.h"
#include "mkseekable.h"
#include "seekable.h"
#include "size.h"

static void help(void) {
        printf("Usage: pullboot-mkseekable [OPTIONS...] INPUT|-\n"
               "       pullboot-mkseekable --list [--json] FILE\n"
               "       pullboot-mkseekable --verify FILE\n"
               "\n"
               "Compress a disk image into zstd's seekable format (independent frames and a seek table\n"
               "at the end), which pullboot's lazy root reads by HTTP Range requests; or show the\n"
               "seek table of a seekable zstd or multi-block xz file. The output is also an ordinary\n"
               "zstd file: zstd -d decompresses it.\n"
               "\n"
               "  -o --output FILE       write FILE (default: INPUT.zst; '-' for standard output)\n"
               "  -f --frame-size SIZE   uncompressed bytes per frame, with K/M/G suffixes (default 4M,\n"
               "                         at most 64M, the largest frame the lazy root accepts)\n"
               "  -l --level N           zstd compression level, 1..%d (default 3)\n"
               "  -T --threads N         compress N frames at a time (default 1; 0: one per CPU)\n"
               "     --no-checksum       leave the per-frame checksums out of the seek table\n"
               "     --force             replace an existing output file\n"
               "     --list              print the seek table of FILE\n"
               "     --json              with --list: print it as JSON\n"
               "     --verify            decode every frame of FILE as the lazy root does\n"
               "  -h --help              show this help\n"
               "     --version           show the version\n"
               "\n"
               "Exit status: 0 success, 1 failure (I/O), 2 invalid usage or input (a corrupt table or frame),\n"
               "3 (--list, --verify) the file is compressed but not seekable.\n"
               "See pullboot-mkseekable(1).\n", ZSTD_maxCLevel());
}

enum { ARG_NO_CHECKSUM = 0x100, ARG_FORCE, ARG_LIST, ARG_JSON, ARG_VERIFY, ARG_VERSION };

static int open_output(const char *out, bool force, char **ret_tmp) {
        struct stat st;

        if (strcmp(out, "-") == 0) {
                if (isatty(STDOUT_FILENO)) {
                        log_error("refusing to write compressed data to a terminal; redirect standard output");
                        return -EINVAL;
                }
                *ret_tmp = NULL;
                return STDOUT_FILENO;
        }
        if (!force && lstat(out, &st) == 0) {
                log_error("%s exists; use --force to replace it", out);
                return -EEXIST;
        }
        /* A temporary name beside the output: a failed run leaves no half-written image behind. */
        char *tmp;
        if (asprintf(&tmp, "%s.XXXXXX", out) < 0)
                return log_error_errno(-ENOMEM, "out of memory");
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                int r = log_error_errno(-errno, "cannot create %s", tmp);
                free(tmp);
                return r;
        }
        (void) fchmod(fd, 0644);
        *ret_tmp = tmp;
        return fd;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "output", required_argument, NULL, 'o' },
                { "frame-size", required_argument, NULL, 'f' },
                { "level", required_argument, NULL, 'l' },
                { "threads", required_argument, NULL, 'T' },
                { "no-checksum", no_argument, NULL, ARG_NO_CHECKSUM },
                { "force", no_argument, NULL, ARG_FORCE },
                { "list", no_argument, NULL, ARG_LIST },
                { "json", no_argument, NULL, ARG_JSON },
                { "verify", no_argument, NULL, ARG_VERIFY },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        struct compress_opts o = { .frame_size = MKSEEKABLE_DEFAULT_FRAME, .level = 3, .threads = 1, .checksums = true };
        _cleanup_free_ char *default_out = NULL, *tmp = NULL;
        const char *out = NULL;
        bool force = false, list = false, json = false, verify = false;
        int c;

        log_set_program("pullboot-mkseekable");
        while ((c = getopt_long(argc, argv, "o:f:l:T:h", options, NULL)) >= 0)
                switch (c) {
                case 'o':
                        out = optarg;
                        break;
                case 'f':
                        if (parse_size(optarg, &o.frame_size) < 0 || o.frame_size == 0 ||
                            o.frame_size > PB_SEEK_FRAME_USIZE_MAX) {
                                log_error("invalid --frame-size '%s': give 1 byte to 64M (e.g. 4M)", optarg);
                                return MKSEEKABLE_EXIT_USAGE;
                        }
                        break;
                case 'l': {
                        uint64_t level;
                        if (parse_decimal(optarg, (uint64_t) ZSTD_maxCLevel(), &level) < 0 || level < 1) {
                                log_error("invalid --level '%s': give 1 to %d", optarg, ZSTD_maxCLevel());
                                return MKSEEKABLE_EXIT_USAGE;
                        }
                        o.level = (int) level;
                        break;
                }
                case 'T': {
                        uint64_t t;
                        if (parse_decimal(optarg, 256, &t) < 0) {
                                log_error("invalid --threads '%s': give 0 (one per CPU) to 256", optarg);
                                return MKSEEKABLE_EXIT_USAGE;
                        }
                        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
                        o.threads = t ? t : cpus > 0 ? (unsigned) cpus : 1;
                        break;
                }
                case ARG_NO_CHECKSUM:
                        o.checksums = false;
                        break;
                case ARG_FORCE:
                        force = true;
                        break;
                case ARG_LIST:
                        list = true;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_VERIFY:
                        verify = true;
                        break;
                case 'h':
                        help();
                        return MKSEEKABLE_EXIT_OK;
                case ARG_VERSION:
                        printf("pullboot-mkseekable %s\n", PULLBOOT_VERSION);
                        return MKSEEKABLE_EXIT_OK;
                default:
                        return MKSEEKABLE_EXIT_USAGE;
                }

        if (optind + 1 != argc) {
                log_error("expected one input file (see --help)");
                return MKSEEKABLE_EXIT_USAGE;
        }
        const char *in = argv[optind];
        if (json && !list) {
                log_error("--json goes with --list");
                return MKSEEKABLE_EXIT_USAGE;
        }
        if (list && verify) {
                log_error("--list and --verify are separate runs");
                return MKSEEKABLE_EXIT_USAGE;
        }
        if (list)
                return list_seek_table(in, json);
        if (verify)
                return verify_seek_table(in);

        if (!out) {
                if (strcmp(in, "-") == 0) {
                        log_error("reading standard input needs --output FILE (or --output -)");
                        return MKSEEKABLE_EXIT_USAGE;
                }
                if (asprintf(&default_out, "%s.zst", in) < 0)
                        return MKSEEKABLE_EXIT_FAILURE;
                out = default_out;
        }
        _cleanup_close_ int in_fd = strcmp(in, "-") == 0 ? dup(STDIN_FILENO) : open(in, O_RDONLY | O_CLOEXEC);
        if (in_fd < 0) {
                log_error_errno(-errno, "cannot open %s", in);
                return errno == ENOENT ? MKSEEKABLE_EXIT_USAGE : MKSEEKABLE_EXIT_FAILURE;
        }
        int out_fd = open_output(out, force, &tmp);
        if (out_fd < 0)
                return out_fd == -EEXIST || out_fd == -EINVAL ? MKSEEKABLE_EXIT_USAGE : MKSEEKABLE_EXIT_FAILURE;

        struct compress_stats st;
        int r = compress_seekable(in_fd, out_fd, &o, &st);
        if (r >= 0 && tmp && (fsync(out_fd) < 0 || rename(tmp, out) < 0))
                r = log_error_errno(-errno, "cannot write %s", out);
        if (out_fd != STDOUT_FILENO)
                close(out_fd);
        if (r < 0) {
                if (tmp)
                        (void) unlink(tmp);
                return MKSEEKABLE_EXIT_FAILURE;
        }
        log_info("%s: %" PRIu64 " bytes in %" PRIu64 " frames of %" PRIu64 " -> %" PRIu64 " bytes", out, st.usize,
                 st.frames, o.frame_size, st.csize);
        return MKSEEKABLE_EXIT_OK;
}
