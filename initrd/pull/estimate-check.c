/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "estimate-check.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "space.h"

#define MEMINFO_MAX (64 * 1024)

static uint64_t meminfo_field(const char *text, const char *name) {
        const char *p = strstr(text, name);
        if (!p)
                return UINT64_MAX;
        unsigned long long kib = strtoull(p + strlen(name), NULL, 10);
        return kib > UINT64_MAX / 1024 ? UINT64_MAX : (uint64_t) kib * 1024;
}

int fit_room_measure(const char *dir, struct fit_room *ret) {
        _cleanup_free_ char *meminfo = NULL;
        struct statvfs sv;

        if (statvfs(dir, &sv) < 0)
                return -errno;
        *ret = (struct fit_room) {
                /* We run as root in the initrd: the reserved blocks count too (as space_free()). */
                .free = (uint64_t) sv.f_bfree * sv.f_frsize,
                .fs_size = (uint64_t) sv.f_blocks * sv.f_frsize,
                .ram = space_is_ram(dir) > 0,
                .mem_available = UINT64_MAX,
        };
        if (read_full_file("/proc/meminfo", MEMINFO_MAX, &meminfo, NULL) >= 0) {
                ret->mem_available = meminfo_field(meminfo, "MemAvailable:");
                uint64_t total = meminfo_field(meminfo, "MemTotal:");
                ret->mem_total = total == UINT64_MAX ? 0 : total;
        }
        return 0;
}

/* The last bytes of the download into facts; a longer xz index is asked for once more. */
static int probe_tail(const struct transfer_options *t, const char *url, struct fit_facts *f, const char **why) {
        size_t want = fit_tail_wanted(f);
        for (unsigned round = 0; want > 0 && round < 2; round++) {
                struct transfer_probe_result p = {};
                if (want > f->size)
                        want = (size_t) f->size;
                int r = transfer_probe(t, url, f->size - want, want, &p);
                if (r < 0) {
                        *why = "the request for the end of the file failed";
                        return r;
                }
                if (!p.ranged || p.size != want) {
                        free(p.data);
                        *why = "the server did not send the end of the file when asked";
                        return -EPROTO;
                }
                size_t more = 0;
                r = fit_parse_tail(p.data, p.size, f, &more);
                free(p.data);
                if (r == -EAGAIN && more > want) {
                        want = more;
                        continue;
                }
                if (r < 0)
                        *why = r == -E2BIG ? "the xz index is too large to fetch" : "the end of the file is not what its format puts there";
                return r;
        }
        return 0;
}

static int probe(const struct transfer_options *t, const char *url, struct fit_facts *f, const char **why) {
        struct transfer_probe_result p = {};
        int r = transfer_probe(t, url, 0, FIT_HEAD_BYTES, &p);
        if (r < 0) {
                *why = r == -ENOENT ? "it does not exist" : "the probe request failed";
                return r;
        }
        f->size = p.total;
        (void) fit_parse_head(p.data, p.size, f);
        free(p.data);
        if (!p.ranged) {
                /* Cut off after the first bytes; what they told still serves the message on a full disk. */
                *why = "the server ignores Range requests";
                return -EOPNOTSUPP;
        }
        if (f->size == UINT64_MAX) {
                *why = "the server does not say how large it is";
                return -ENODATA;
        }
        return probe_tail(t, url, f, why);
}

static void recommend_compressed_in_ram(const struct fit_facts *f) {
        char a[32];
        log_error("to hold such an image in RAM at about its compressed size (%s here), serve a DDI whose root is erofs "
                  "(mkfs.erofs -zlz4hc) or squashfs uncompressed (.raw) and attach it read-only; see pullboot(8), "
                  "FITTING THE IMAGE", format_bytes(f->size, a, sizeof a));
}

int fit_check(const struct transfer_options *t, const char *url, enum pb_image_type type, const char *dir,
              struct fit_facts *facts) {
        struct fit_estimate e;
        struct fit_room room;
        uint64_t avail, add;
        const char *why = NULL;
        char a[32], b[32], c[32], d[32];

        *facts = (struct fit_facts) { .format = DECODE_UNKNOWN, .size = UINT64_MAX, .uncompressed = UINT64_MAX };
        int r = probe(t, url, facts, &why);
        if (r < 0) {
                /* A missing image is reported by the download itself, as without this check. */
                if (r != -ENOENT)
                        log_info("cannot tell before the download whether %s fits in %s (%s); checking as it "
                                 "downloads", url, dir, why);
                return 0;
        }
        r = fit_room_measure(dir, &room);
        if (r < 0) {
                log_info("cannot measure the free space of %s: %s; checking as the image downloads", dir, strerror(-r));
                return 0;
        }
        fit_estimate(facts, type, &e);
        switch (fit_decide(&e, facts, &room, &avail, &add)) {
        case FIT_UNKNOWN:
                /* Nothing went wrong: the format (gzip, bzip2, a streamed zstd) does not say. */
                log_debug("cannot tell before the download whether %s fits in %s (%s, %s); checking as it downloads",
                         url, dir, decode_format_to_string(facts->format), e.basis);
                return 0;
        case FIT_YES:
                log_debug("%s fits in %s: it needs %s to %s (%s), %s available", url, dir,
                          format_bytes(e.needed, a, sizeof a),
                          e.most == UINT64_MAX ? "unknown" : format_bytes(e.most, b, sizeof b), e.basis,
                          format_bytes(avail, c, sizeof c));
                return 0;
        case FIT_MAYBE:
                if (e.needed == 0)
                        snprintf(d, sizeof d, "up to");
                else
                        snprintf(d, sizeof d, "%s to", format_bytes(e.needed, a, sizeof a));
                log_warning("%s may not fit in %s: it needs %s %s (%s), %s are free; going on, as runs of zeros "
                            "take no space", url, dir, d, format_bytes(e.most, b, sizeof b), e.basis,
                            format_bytes(avail, c, sizeof c));
                return 0;
        case FIT_NO:
                break;
        }
        /* One line, worded as the download's own space check (space_check()) words it. */
        char head[1024], most[48] = "";
        if (e.most != UINT64_MAX && e.most != e.needed)
                snprintf(most, sizeof most, ", at most %s", format_bytes(e.most, b, sizeof b));
        snprintf(head, sizeof head, "not enough space in %s for %s: at least %" PRIu64 " bytes (%s%s, %s) needed, %"
                 PRIu64 " bytes (%s) free%s", dir, url, e.needed, format_bytes(e.needed, a, sizeof a), most, e.basis,
                 avail, format_bytes(avail, c, sizeof c), room.ram && avail < room.free ? " in RAM" : "");
        if (room.ram && add > 0) {
                log_error("%s; add at least %s of RAM", head, format_bytes(add, d, sizeof d));
                if (facts->format != DECODE_NONE)
                        recommend_compressed_in_ram(facts);
        } else if (room.ram)
                log_error("%s; make the file system larger (%s now) or pull to a larger one", head,
                          format_bytes(room.fs_size, d, sizeof d));
        else
                log_error("%s; make room there or pull to a larger file system", head);
        return -ENOSPC;
}
