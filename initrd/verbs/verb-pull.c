/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>

#include "keyring.h"
#include "log.h"
#include "pull.h"
#include "size.h"
#include "url.h"
#include "verb-args.h"
#include "verbs.h"

/* Set by SIGINT/SIGTERM: the engine polls it and cleans up its temporary before returning. */
static volatile sig_atomic_t cancel_requested;

static void on_signal(int sig) {
        cancel_requested = 1;
}

static void help(void) {
        printf("Usage: pullboot pull [OPTIONS...] URL [URL...] TARGET\n"
               "\n"
               "Download URL, decompress it while it streams in (xz, zstd, gzip, bzip2 or none,\n"
               "told by its magic bytes), verify it and put it at TARGET atomically. With several\n"
               "URLs, they are candidates tried in order: one that does not exist moves on to the next.\n"
               "\n"
               "Options:\n"
               "     --type=raw|tar         raw disk image (written sparsely) or tar tree (default raw)\n"
               "     --verify=MODE          no, checksum (URL.sha256 or SHA256SUMS), signature\n"
               "                            (SHA256SUMS.gpg via gpgv) or sha256:HEX (default no)\n"
               "     --ro                   make the result read-only\n"
               "     --force                replace an existing TARGET\n"
               "     --keyring=FILE         keyring for --verify=signature (default: the first of\n"
               "                            " KEYRING_PATH_ETC ",\n"
               "                            " KEYRING_PATH_ETC_LEGACY ",\n"
               "                            " KEYRING_PATH_VENDOR ",\n"
               "                            " KEYRING_PATH_VENDOR_LEGACY " that exists)\n"
               "     --ca-bundle=FILE       trust these CAs for https (default: the system's)\n"
               "     --allow-https-downgrade\n"
               "                            let an https URL redirect to http (refused by default)\n"
               "     --max-size=BYTES       refuse downloads or images larger than this (K, M, G, T)\n"
               "     --max-memory=BYTES     memory decompression may use (K, M, G, T; default a\n"
               "                            quarter of MemAvailable, at least 128M)\n"
               "     --retries=N            failed attempts in a row before giving up (default %d)\n"
               "     --retry-delay=MS       first backoff ceiling, doubled per failure (default %d)\n"
               "     --stall-timeout=SEC    abort an attempt after SEC seconds without data (default %d)\n"
               "     --mirror=BASEURL       another server with the image at the same path; tried when\n"
               "                            the URL fails (repeatable, up to %d; lists and signatures\n"
               "                            still come from URL)\n"
               "     --jitter=SEC           wait a random 0..SEC seconds before the first request\n"
               "     --progress=MODE        auto, bar, plain, json or none (default auto)\n"
               "  -q --quiet                only print errors\n"
               "  -h --help                 show this help\n"
               "     --version              show the version\n"
               "\n"
               "Exit status: 0 success, 1 failure (nothing is left at TARGET), 2 invalid usage.\n"
               "Temporaries (.#pull.*) of a killed pull of TARGET are removed by the next one.\n"
               "See pullboot(8).\n",
               PULL_DEFAULT_RETRIES, PULL_DEFAULT_RETRY_DELAY_MS, PULL_DEFAULT_STALL_TIMEOUT_SEC, PULL_MAX_MIRRORS);
}

static int parse_uint(const char *s, unsigned max, unsigned *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end != 0 || s[0] == '-' || v > max)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

int verb_pull(int argc, char **argv) {
        enum {
                ARG_VERSION = VERB_ARG_VERSION, ARG_TYPE, ARG_VERIFY, ARG_RO, ARG_FORCE, ARG_KEYRING, ARG_CA_BUNDLE, ARG_ALLOW_DOWNGRADE,
                ARG_MAX_SIZE, ARG_MAX_MEMORY, ARG_RETRIES, ARG_RETRY_DELAY, ARG_STALL_TIMEOUT, ARG_PROGRESS,
                ARG_MIRROR, ARG_JITTER,
        };
        static const struct option options[] = {
                { "type", required_argument, NULL, ARG_TYPE },
                { "verify", required_argument, NULL, ARG_VERIFY },
                { "ro", no_argument, NULL, ARG_RO },
                { "read-only", no_argument, NULL, ARG_RO },
                { "force", no_argument, NULL, ARG_FORCE },
                { "keyring", required_argument, NULL, ARG_KEYRING },
                { "ca-bundle", required_argument, NULL, ARG_CA_BUNDLE },
                { "allow-https-downgrade", no_argument, NULL, ARG_ALLOW_DOWNGRADE },
                { "max-size", required_argument, NULL, ARG_MAX_SIZE },
                { "max-memory", required_argument, NULL, ARG_MAX_MEMORY },
                { "retries", required_argument, NULL, ARG_RETRIES },
                { "retry-delay", required_argument, NULL, ARG_RETRY_DELAY },
                { "stall-timeout", required_argument, NULL, ARG_STALL_TIMEOUT },
                { "progress", required_argument, NULL, ARG_PROGRESS },
                { "mirror", required_argument, NULL, ARG_MIRROR },
                { "jitter", required_argument, NULL, ARG_JITTER },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        struct pull_options o;
        const char *mirrors[PULL_MAX_MIRRORS];
        int c;

        pull_options_init(&o);
        optind = 0;
        while ((c = getopt_long(argc, argv, "qh", options, NULL)) >= 0) {
                switch (c) {
                case ARG_TYPE:
                        if (strcmp(optarg, "raw") == 0)
                                o.type = PB_TYPE_RAW;
                        else if (strcmp(optarg, "tar") == 0)
                                o.type = PB_TYPE_TAR;
                        else {
                                log_error("--type=%s: expected raw or tar", optarg);
                                return PB_EXIT_USAGE;
                        }
                        break;
                case ARG_VERIFY:
                        if (pull_verify_from_string(optarg, &o.verify, o.sha256) < 0) {
                                log_error("--verify=%s: expected no, checksum, signature or sha256: and 64 hex digits",
                                          optarg);
                                return PB_EXIT_USAGE;
                        }
                        break;
                case ARG_RO:
                        o.read_only = true;
                        break;
                case ARG_FORCE:
                        o.force = true;
                        break;
                case ARG_KEYRING:
                        o.keyring = optarg;
                        break;
                case ARG_CA_BUNDLE:
                        o.ca_bundle = optarg;
                        break;
                case ARG_ALLOW_DOWNGRADE:
                        o.allow_https_downgrade = true;
                        break;
                case ARG_MAX_SIZE:
                        if (parse_size(optarg, &o.max_size) < 0) {
                                log_error("--max-size=%s: expected a number of bytes, optionally with K, M, G or T",
                                          optarg);
                                return PB_EXIT_USAGE;
                        }
                        break;
                case ARG_MAX_MEMORY:
                        if (parse_size(optarg, &o.max_memory) < 0 || o.max_memory < 1024 * 1024) {
                                log_error("--max-memory=%s: expected at least 1M bytes, optionally with K, M, G or T",
                                          optarg);
                                return PB_EXIT_USAGE;
                        }
                        break;
                case ARG_RETRIES:
                        if (parse_uint(optarg, 1000, &o.retries) < 0) {
                                log_error("--retries=%s: expected a number from 0 to 1000", optarg);
                                return PB_EXIT_USAGE;
                        }
                        break;
                case ARG_RETRY_DELAY:
                        if (parse_uint(optarg, 60000, &o.retry_delay_ms) < 0 || o.retry_delay_ms == 0) {
                                log_error("--retry-delay=%s: expected milliseconds from 1 to 60000", optarg);
                                return PB_EXIT_USAGE;
                        }
                        break;
                case ARG_STALL_TIMEOUT:
                        if (parse_uint(optarg, 86400, &o.stall_timeout_sec) < 0 || o.stall_timeout_sec == 0) {
                                log_error("--stall-timeout=%s: expected seconds from 1 to 86400", optarg);
                                return PB_EXIT_USAGE;
                        }
                        break;
                case ARG_PROGRESS:
                        if (pull_progress_from_string(optarg, &o.progress) < 0) {
                                log_error("--progress=%s: expected auto, bar, plain, json or none", optarg);
                                return PB_EXIT_USAGE;
                        }
                        break;
                case ARG_MIRROR:
                        if (!pb_url_is_valid(pb_span_from_str(optarg)) || strpbrk(optarg, "?#")) {
                                log_error("--mirror=%s: expected an http, https or file base URL without ? or #", optarg);
                                return PB_EXIT_USAGE;
                        }
                        if (o.n_mirrors >= PULL_MAX_MIRRORS) {
                                log_error("--mirror: at most %d mirrors", PULL_MAX_MIRRORS);
                                return PB_EXIT_USAGE;
                        }
                        mirrors[o.n_mirrors++] = optarg;
                        o.mirrors = mirrors;
                        break;
                case ARG_JITTER:
                        if (parse_uint(optarg, PULL_MAX_JITTER_SEC, &o.jitter_sec) < 0) {
                                log_error("--jitter=%s: expected seconds from 0 to %d", optarg, PULL_MAX_JITTER_SEC);
                                return PB_EXIT_USAGE;
                        }
                        break;
                case 'q':
                        log_set_max_level(LOG_LEVEL_ERROR);
                        o.progress = PULL_PROGRESS_NONE;
                        break;
                default:
                        return verb_other_option(c, "pull", help);
                }
        }
        if (argc - optind < 2) {
                log_error("expected URL and TARGET; run 'pullboot pull --help'");
                return PB_EXIT_USAGE;
        }
        const char *const *urls = (const char *const *) argv + optind;
        size_t n_urls = (size_t) (argc - optind - 1);
        const char *target = argv[argc - 1];
        for (size_t i = 0; i < n_urls; i++)
                if (!pb_url_is_valid(pb_span_from_str(urls[i]))) {
                        log_error("'%s' is not an http, https or file URL", urls[i]);
                        return PB_EXIT_USAGE;
                }
        if (target[0] == 0 || target[strlen(target) - 1] == '/') {
                log_error("TARGET '%s' must name a file or directory to create", target);
                return PB_EXIT_USAGE;
        }

        struct sigaction sa = { .sa_handler = on_signal };
        sigemptyset(&sa.sa_mask);
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);
        /* A closed stderr pipe is an error to report and clean up after (EPIPE), not a kill that
         * leaves the temporary behind. */
        (void) signal(SIGPIPE, SIG_IGN);
        o.cancel = (const volatile int *) &cancel_requested;

        int r = n_urls == 1 ? pull_image(&o, urls[0], target)
                            : pull_image_candidates(&o, urls, n_urls, target, NULL);
        return r < 0 ? PB_EXIT_FAILURE : PB_EXIT_OK;
}
