/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "init-pull.h"
#include "lazy-root.h"
#include "pull/transfer.h"
#include "roothash.h"
#include "verity.h"
#include "log.h"
#include "modules.h"
#include "pull/pull.h"
#include "pull/space.h"
#include "store-cache.h"

/* Bytes in the regular files below dirfd (consumed), not following symlinks. */
static uint64_t tree_bytes(int dirfd, unsigned depth) {
        DIR *d = fdopendir(dirfd);
        struct dirent *de;
        uint64_t sum = 0;

        if (!d) {
                close(dirfd);
                return 0;
        }
        while ((de = readdir(d))) {
                struct stat st;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
                    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISREG(st.st_mode))
                        sum += (uint64_t) st.st_size;
                else if (S_ISDIR(st.st_mode) && depth < 64) {
                        int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                sum += tree_bytes(sub, depth + 1);
                }
        }
        closedir(d);
        return sum;
}

static uint64_t image_size(const char *path) {
        struct stat st;
        if (stat(path, &st) < 0)
                return 0;
        if (!S_ISDIR(st.st_mode))
                return (uint64_t) st.st_size;
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? 0 : tree_bytes(fd, 0);
}

const char *init_pull_failure_hint(int r) {
        switch (r) {
        case -ENOENT:
                return "not found on the server; check the URL and that the image was published next to the UKI";
        case -EBADMSG:
                return "verification or decompression failed; check the image, its SHA256SUMS/signature and verify=";
        case -ENOKEY:
        case -ENOEXEC:
                return "verify=signature cannot run in this initrd (nothing was downloaded); see the message above";
        case -ENOSPC:
                return "not enough space in the image store; give the machine more memory, use a smaller image "
                       "or put the store on a local disk (pullboot.store=)";
        case -EFBIG:
                return "the image exceeds the size limit";
        case -E2BIG:
                return "decompressing the image needs more memory than allowed; raise pullboot.max-memory= "
                       "or give the machine more memory";
        case -ETIMEDOUT:
                return "the transfer stalled; check the network and the server";
        case -EPERM:
                return "the server was not trusted (TLS verification failed, or a redirect left https); check the "
                       "CA bundle in the initrd (pullboot-mkinitrd --ca-bundle) and the message above";
        default:
                return "transfer or I/O error; check the network, the server and the message above";
        }
}

/* With a persistent store: what the image already there may be reused as, in c; room for its
 * replacement beside it. The image counts only if it still hashes to what was recorded when it
 * was committed: a booted system that wrote to it made it something the server never published. */
static void cache_prepare(const struct plan_pull *pull, const struct store *store, const char *target,
                          struct store_record *rec, struct pull_options *o, struct pull_cache *c) {
        uint8_t now[32];
        uint64_t avail;
        struct stat st;

        o->cache = c;      /* also to learn the validators and digest of a first download */
        if (lstat(target, &st) < 0)
                return;
        o->force = true;   /* replaced only after the new one verified */
        if (S_ISREG(st.st_mode) && pull->spec.type == PB_TYPE_RAW) {
                if (store_record_read(target, rec) < 0 || !rec->has_image_sha256 || !rec->has_download_sha256)
                        log_info("%s has no usable record in the image store; downloading it again", target);
                else if (store_file_sha256(target, now) < 0 || memcmp(now, rec->image_sha256, sizeof now) != 0)
                        log_info("%s changed since it was pulled (its SHA-256 is not the one recorded); "
                                 "downloading it again", target);
                else {
                        c->url = rec->url;
                        c->etag = rec->etag;
                        c->last_modified = rec->last_modified;
                        memcpy(c->download_sha256, rec->download_sha256, sizeof c->download_sha256);
                }
        }
        /* The old image stays until the new one is verified: both must fit. */
        uint64_t need = (uint64_t) st.st_blocks * 512;
        if (space_free(store->root, &avail) == 0 && avail < need)
                (void) store_evict(store->root, store->keep, store->n_keep, need);
}

/* After a download into a persistent store: the record that lets the next boot reuse it. */
static void cache_record(const struct plan_pull *pull, const char *target, const char *url,
                         const struct pull_cache *c) {
        struct store_record rec = {};
        int r;

        store_record_remove(target);
        if (pull->spec.type != PB_TYPE_RAW)
                return;
        snprintf(rec.url, sizeof rec.url, "%s", url);
        snprintf(rec.etag, sizeof rec.etag, "%s", c->etag_out);
        snprintf(rec.last_modified, sizeof rec.last_modified, "%s", c->last_modified_out);
        if (c->has_sha256_out) {
                memcpy(rec.download_sha256, c->sha256_out, sizeof rec.download_sha256);
                rec.has_download_sha256 = true;
        }
        r = store_file_sha256(target, rec.image_sha256);
        rec.has_image_sha256 = r >= 0;
        if (r >= 0)
                r = store_record_write(target, &rec);
        if (r < 0)
                log_warning_errno(r, "cannot record %s in the image store; the next boot downloads it again",
                                  target);
}

int init_pull_download(const struct plan_pull *pull, const char *prefix, uint64_t max_memory,
                        bool allow_insecure_redirect, const struct store *store,
                        const struct init_fleet_config *fleet,
                       struct init_pull_result *ret) {
        const char *mirrors[INIT_CONFIG_MAX_MIRRORS];
        struct pull_options o;
        struct pull_cache cache = {};
        struct store_record rec;
        int r;

        *ret = (struct init_pull_result) {};
        snprintf(ret->target, sizeof ret->target, "%s%s", prefix ?: "", pull->target);

        pull_options_init(&o);
        o.type = pull->spec.type;
        o.verify = pull->spec.verify;
        memcpy(o.sha256, pull->spec.sha256, sizeof o.sha256);
        o.read_only = pull->spec.read_only;
        o.max_memory = max_memory;
        o.progress = PULL_PROGRESS_PLAIN;
        o.allow_https_downgrade = allow_insecure_redirect;
        if (access(INIT_PULL_CA_BUNDLE, R_OK) == 0)
                o.ca_bundle = INIT_PULL_CA_BUNDLE;
        if (fleet) {
                o.jitter_sec = fleet->jitter_sec;
                for (size_t i = 0; i < fleet->n_mirrors; i++)
                        mirrors[i] = fleet->mirrors[i];
                o.mirrors = mirrors;
                o.n_mirrors = fleet->n_mirrors;
        }

        bool cached = store && store->cache;
        if (cached)
                cache_prepare(pull, store, ret->target, &rec, &o, &cache);
        r = pull_image_candidates(&o, (const char *const *) pull->urls, pull->n_urls, ret->target, &ret->used);
        /* Short of room in a persistent store: what this boot does not name goes, then once more. */
        if (r == -ENOSPC && cached && store_evict(store->root, store->keep, store->n_keep, 0) > 0) {
                log_info("retrying %s after making room in the image store", pull->urls[0]);
                r = pull_image_candidates(&o, (const char *const *) pull->urls, pull->n_urls, ret->target,
                                          &ret->used);
        }
        if (r == PULL_NOT_MODIFIED) {
                ret->reused = true;
                log_info("reused %s from the image store: %s answered 304 Not Modified and the digest recorded "
                         "for it matches this boot's %s", ret->target, pull->urls[ret->used],
                         pull->spec.verify == PB_VERIFY_SHA256 ? "pinned SHA-256" : "checksum list");
                (void) store_record_write(ret->target, &rec);   /* last used: now (eviction order) */
        } else if (r >= 0 && cached)
                cache_record(pull, ret->target, pull->urls[ret->used], &cache);
        if (r < 0)
                return r;       /* the pull engine logged what went wrong */
        ret->size = image_size(ret->target);
        return 0;
}

int init_pull_attach(const struct plan_pull *pull, const char *target, bool read_only) {
        struct attached_loop l = ATTACHED_LOOP_NULL;
        struct attach_options ao = { .read_only = read_only };
        int r;

        r = loop_attach(target, &ao, &l);
        if (r < 0)
                return log_error_errno(r, "cannot attach %s to a loop device (is the loop module in the initrd?)",
                                       target);
        r = loop_relinquish(&l);
        if (r < 0) {
                log_error_errno(r, "cannot keep %s attached", l.device);
                (void) loop_detach(&l);
                return r;
        }
        log_info("%s attached as %s%s with %u partition(s)", target, l.device, read_only ? " (read-only)" : "",
                 l.n_partitions);
        attached_loop_done(&l);
        return 0;
}

int init_pull_lazy(const struct plan_pull *pull, bool read_only, bool allow_insecure_redirect, bool quiet_fallback,
                   char *argv0, struct init_pull_result *ret) {
        struct kmod_ctx *ctx = NULL;
        struct modules_stats st = {};
        bool tried = false;
        int r = -ENOENT;

        *ret = (struct init_pull_result) {};
        /* The driver is only needed here; loading it creates /dev/nbd0... */
        if (modules_open(NULL, &ctx) >= 0) {
                (void) modules_load(ctx, "nbd", false, &st);
                if (pull->lazy_roothash != PLAN_ROOTHASH_NONE)
                        (void) modules_load(ctx, "dm-verity", false, &st);
                modules_close(ctx);
        }
        for (size_t i = 0; i < pull->n_urls; i++) {
                const char *url = pull->urls[i];
                struct lazy_root l;
                struct lazy_root_options o = {
                        .url = url,
                        .fill = pull->lazy == PLAN_LAZY_FILL,
                        .read_only = read_only,
                        .allow_https_downgrade = allow_insecure_redirect,
                        .argv0 = argv0,
                        .fallback_is_info = quiet_fallback,
                };
                char roothash[VERITY_ROOTHASH_HEX_MAX + 1] = "";
                if (strncmp(url, "http:", 5) != 0 && strncmp(url, "https:", 6) != 0)
                        continue;
                tried = true;
                if (access(INIT_PULL_CA_BUNDLE, R_OK) == 0)
                        o.ca_bundle = INIT_PULL_CA_BUNDLE;
                if (pull->lazy_roothash == PLAN_ROOTHASH_CMDLINE)
                        snprintf(roothash, sizeof roothash, "%s", pull->lazy_roothash_hex);
                else if (pull->lazy_roothash == PLAN_ROOTHASH_SIDECAR) {
                        struct transfer_options t = {
                                .ca_bundle = o.ca_bundle,
                                .allow_https_downgrade = o.allow_https_downgrade,
                                .retries = 2,
                                .stall_timeout_sec = 30,
                                .retry_delay_ms = 500,
                        };
                        r = roothash_sidecar_fetch(&t, url, pull->spec.verify, roothash, sizeof roothash);
                        if (r == -ENOENT && i + 1 < pull->n_urls)
                                continue;
                        if (r < 0)
                                return r;
                        log_info("dm-verity root hash %s of %s from its .roothash sidecar (listed in the verified "
                                 "checksum list)", roothash, url);
                }
                r = lazy_root_start(&o, &l);
                if (r == -ENOENT && i + 1 < pull->n_urls)
                        continue;   /* the next candidate name */
                if (r < 0)
                        return r;
                const char *base = strrchr(pull->target, '/');
                r = lazy_root_link_ref(&l, NULL, base ? base + 1 : pull->target);
                if (r < 0)
                        log_warning_errno(r, "cannot create the /dev/disk/by-loop-ref links of %s", l.device);
                ret->used = i;
                ret->size = l.size;
                snprintf(ret->target, sizeof ret->target, "%s", l.device);
                if (roothash[0]) {
                        r = verity_open_root(l.device, NULL, roothash, ret->verity, sizeof ret->verity);
                        if (r < 0) {
                                /* The download is checked by its digest instead; the idle server's
                                 * device is simply left unused. */
                                (void) kill(l.pid, SIGTERM);
                                return r;
                        }
                        log_info("%s: root partition checked by dm-verity as %s (root hash %s)", url, ret->verity,
                                 roothash);
                }
                log_info("%s served lazily as %s (%.1f MiB, %u partition(s)%s%s) by process %d", url, l.device,
                         (double) l.size / (1024.0 * 1024.0), l.n_partitions, read_only ? ", read-only" : "",
                         o.fill ? ", filling in the background" : "", (int) l.pid);
                return 0;
        }
        if (!tried)
                log_warning("lazy: no http or https URL among the candidates");
        return r;
}
