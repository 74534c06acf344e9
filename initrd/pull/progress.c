/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "progress.h"
#include "space.h"
#include "time-util.h"

struct progress {
        enum pull_progress mode;
        int fd;
        char *url;
        uint64_t start_ms, last_ms;
        uint64_t received, total, written;
        bool drawn;
        int error;              /* the first failed write */
};

int progress_new(enum pull_progress mode, int fd, const char *url, struct progress **ret) {
        struct progress *p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        if (mode == PULL_PROGRESS_AUTO)
                mode = isatty(fd) ? PULL_PROGRESS_BAR : PULL_PROGRESS_PLAIN;
        p->mode = mode;
        p->fd = fd;
        p->url = strdup(url);
        if (!p->url) {
                free(p);
                return -ENOMEM;
        }
        p->start_ms = now_ms();
        p->total = UINT64_MAX;
        *ret = p;
        return 0;
}

struct progress *progress_free(struct progress *p) {
        if (p) {
                free(p->url);
                free(p);
        }
        return NULL;
}

static uint64_t rate(const struct progress *p, uint64_t now) {
        uint64_t ms = now - p->start_ms;
        return ms > 0 ? p->received * 1000 / ms : 0;
}

static void emit(struct progress *p, uint64_t now, const char *state) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        char a[32], b[32], c[32];
        uint64_t r = rate(p, now);
        bool known = p->total != UINT64_MAX && p->total > 0;
        uint64_t eta = known && r > 0 && p->total > p->received ? (p->total - p->received) / r : 0;

        if (!f)
                return;
        switch (p->mode) {
        case PULL_PROGRESS_BAR: {
                char bar[31];
                unsigned fill = known ? (unsigned) (p->received * 30 / p->total) : 0;
                if (fill > 30)
                        fill = 30;
                memset(bar, '#', fill);
                memset(bar + fill, known ? '-' : '?', 30 - fill);
                bar[30] = 0;
                fprintf(f, "\r[%s] %s", bar, format_bytes(p->received, a, sizeof a));
                if (known)
                        fprintf(f, "/%s %3u%%", format_bytes(p->total, b, sizeof b),
                                (unsigned) (p->received * 100 / p->total));
                fprintf(f, " %s/s", format_bytes(r, c, sizeof c));
                if (known && state[0] == 'r')
                        fprintf(f, " ETA %" PRIu64 ":%02" PRIu64, eta / 60, eta % 60);
                fputs("\033[K", f);
                if (state[0] != 'r')
                        fputc('\n', f);
                break;
        }
        case PULL_PROGRESS_PLAIN:
                fprintf(f, "pull: %s", format_bytes(p->received, a, sizeof a));
                if (known)
                        fprintf(f, " of %s (%u%%)", format_bytes(p->total, b, sizeof b),
                                (unsigned) (p->received * 100 / p->total));
                fprintf(f, ", %s/s", format_bytes(r, c, sizeof c));
                if (known && state[0] == 'r')
                        fprintf(f, ", ETA %" PRIu64 " s", eta);
                if (state[0] != 'r')
                        fprintf(f, ", %s", state);
                fputc('\n', f);
                break;
        case PULL_PROGRESS_JSON:
                fputs("{\"url\":", f);
                json_write_cstring(f, p->url);
                fprintf(f, ",\"state\":\"%s\",\"received\":%" PRIu64 ",\"total\":", state, p->received);
                if (known)
                        fprintf(f, "%" PRIu64, p->total);
                else
                        fputs("null", f);
                fprintf(f, ",\"written\":%" PRIu64 ",\"rate\":%" PRIu64 ",\"elapsed_ms\":%" PRIu64 ",\"eta_s\":",
                        p->written, r, now - p->start_ms);
                if (known && state[0] == 'r')
                        fprintf(f, "%" PRIu64, eta);
                else
                        fputs("null", f);
                fputs("}\n", f);
                break;
        default:
                break;
        }
        fclose(f);
        for (size_t done = 0; done < size;) {
                ssize_t k = write(p->fd, buf + done, size - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        if (p->error == 0)
                                p->error = k < 0 ? -errno : -EIO;
                        break;
                }
                done += (size_t) k;
        }
        free(buf);
        p->drawn = true;
}

int progress_error(const struct progress *p) {
        return p ? p->error : 0;
}

void progress_update(struct progress *p, uint64_t received, uint64_t total, uint64_t written) {
        if (!p || p->mode == PULL_PROGRESS_NONE)
                return;
        p->received = received;
        p->total = total;
        p->written = written;
        uint64_t now = now_ms();
        uint64_t interval = p->mode == PULL_PROGRESS_BAR ? 100 : 1000;
        if (p->drawn && now - p->last_ms < interval)
                return;
        if (!p->drawn && p->mode != PULL_PROGRESS_BAR && now - p->start_ms < 1000)
                return; /* quick pulls need no running commentary */
        p->last_ms = now;
        emit(p, now, "running");
}

void progress_done(struct progress *p, bool ok, uint64_t received, uint64_t written) {
        if (!p || p->mode == PULL_PROGRESS_NONE)
                return;
        p->received = received;
        p->written = written;
        emit(p, now_ms(), ok ? "done" : "failed");
}
