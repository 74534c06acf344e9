/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise.h"

#define LINE_MAX_BYTES 4096
#define PROMPT_QUIET_MS 500

struct line_buf {
        char raw[LINE_MAX_BYTES];
        size_t len;
        bool in_escape;                /* inside an ANSI escape sequence */
        bool in_csi;
        bool after_cr;                 /* a bare CR: the next text overwrites the line */
};

/* Firmware consoles paint the screen with ANSI sequences; the log and the patterns want text. */
static void line_add(struct line_buf *b, char c) {
        /* Progress counters redraw one line with CR; keep only what a terminal would show. */
        if (c == '\r') {
                b->after_cr = true;
                return;
        }
        if (b->after_cr) {
                b->after_cr = false;
                b->len = 0;
        }
        if (b->in_escape) {
                if (!b->in_csi && c == '[') {
                        b->in_csi = true;
                        return;
                }
                if (!b->in_csi || (c >= 0x40 && c <= 0x7e))
                        b->in_escape = b->in_csi = false;
                return;
        }
        if (c == 0x1b) {
                b->in_escape = true;
                return;
        }
        if ((unsigned char) c < 0x20 && c != '\t')
                return;
        if (b->len < sizeof b->raw - 1)
                b->raw[b->len++] = c;
}

static enum vm_outcome check_line(const struct vm_config *cfg, struct console *con, const char *line,
                                  struct vm_matches *m) {
        for (unsigned i = 0; i < cfg->n_fail; i++)
                if (regexec(&cfg->fail[i], line, 0, NULL, 0) == 0) {
                        console_printf(con, "failure pattern '%s' matched", cfg->fail_src[i]);
                        return VM_OUTCOME_FAIL_PATTERN;
                }
        for (unsigned i = 0; i < cfg->n_expect; i++)
                if (!m->seen[i] && regexec(&cfg->expect[i], line, 0, NULL, 0) == 0) {
                        m->seen[i] = true;
                        m->n_seen++;
                }
        if (cfg->n_expect > 0 && m->n_seen == cfg->n_expect)
                return VM_OUTCOME_MATCHED;
        return VM_OUTCOME_ERROR; /* means: keep going */
}

static enum vm_outcome flush_line(const struct vm_config *cfg, struct console *con, struct line_buf *b,
                                  struct vm_matches *m) {
        b->raw[b->len] = 0;
        /* Blank lines from screen clearing carry nothing. */
        enum vm_outcome o = VM_OUTCOME_ERROR;
        if (b->len > 0) {
                console_line(con, NULL, b->raw, b->len);
                o = check_line(cfg, con, b->raw, m);
        }
        b->len = 0;
        return o;
}

enum vm_outcome vm_supervise(const struct vm_config *cfg, struct console *con, struct qemu *q, int sigfd,
                             double deadline, struct vm_matches *m) {
        struct line_buf line = {};
        bool reset = false;
        char qmp_buf[8192];
        size_t qmp_len = 0;

        for (;;) {
                double left = deadline - console_elapsed(con);
                if (left <= 0)
                        return VM_OUTCOME_TIMEOUT;

                struct pollfd p[3] = {
                        { .fd = q->serial_fd, .events = POLLIN },
                        { .fd = q->qmp_fd, .events = POLLIN },
                        { .fd = sigfd, .events = POLLIN },
                };
                /* A pending partial line is matched only once the console has been quiet for a
                 * moment: then it is a prompt ("Shell> ", "login: "), not a line still being
                 * written whose prefix happens to match. */
                int wait_ms = (int) (left * 1000) + 1;
                if (line.len > 0 && wait_ms > PROMPT_QUIET_MS)
                        wait_ms = PROMPT_QUIET_MS;
                int n = poll(p, 3, wait_ms);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return VM_OUTCOME_ERROR;
                }
                if (n == 0 && line.len > 0) {
                        line.raw[line.len] = 0;
                        enum vm_outcome o = check_line(cfg, con, line.raw, m);
                        if (o != VM_OUTCOME_ERROR) {
                                flush_line(cfg, con, &line, m);
                                return o;
                        }
                        continue;
                }
                if (p[2].revents & POLLIN)
                        return VM_OUTCOME_INTERRUPTED;

                if (p[1].revents & (POLLIN | POLLHUP)) {
                        ssize_t k = read(q->qmp_fd, qmp_buf + qmp_len, sizeof qmp_buf - 1 - qmp_len);
                        if (k <= 0) {
                                close(q->qmp_fd);
                                q->qmp_fd = -1;
                        } else {
                                qmp_len += (size_t) k;
                                qmp_buf[qmp_len] = 0;
                                /* QMP events are one JSON object per line; a guest reset under
                                 * -no-reboot arrives as SHUTDOWN with reason "guest-reset". */
                                char *nl;
                                while ((nl = memchr(qmp_buf, '\n', qmp_len))) {
                                        *nl = 0;
                                        if (strstr(qmp_buf, "\"SHUTDOWN\"") && strstr(qmp_buf, "guest-reset"))
                                                reset = true;
                                        size_t used = (size_t) (nl - qmp_buf) + 1;
                                        memmove(qmp_buf, nl + 1, qmp_len - used);
                                        qmp_len -= used;
                                }
                                if (qmp_len == sizeof qmp_buf - 1)
                                        qmp_len = 0; /* an absurdly long line: drop it */
                        }
                }

                if (p[0].revents & (POLLIN | POLLHUP)) {
                        char buf[4096];
                        ssize_t k = read(q->serial_fd, buf, sizeof buf);
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0) {
                                enum vm_outcome o = flush_line(cfg, con, &line, m);
                                if (o != VM_OUTCOME_ERROR)
                                        return o;
                                /* QEMU has exited: reap it, then tell a reset from a power-off. */
                                int status;
                                if (q->pid > 0 && waitpid(q->pid, &status, 0) == q->pid)
                                        q->pid = -1;
                                if (q->qmp_fd >= 0) {
                                        /* Collect a SHUTDOWN event still unread. */
                                        ssize_t j = read(q->qmp_fd, qmp_buf, sizeof qmp_buf - 1);
                                        if (j > 0) {
                                                qmp_buf[j] = 0;
                                                if (strstr(qmp_buf, "guest-reset"))
                                                        reset = true;
                                        }
                                }
                                return reset ? VM_OUTCOME_REBOOTED : VM_OUTCOME_POWERED_OFF;
                        }
                        for (ssize_t i = 0; i < k; i++) {
                                if (buf[i] == '\n')
                                        line.after_cr = false;
                                if (buf[i] == '\n' || line.len >= sizeof line.raw - 1) {
                                        enum vm_outcome o = flush_line(cfg, con, &line, m);
                                        if (o != VM_OUTCOME_ERROR)
                                                return o;
                                        if (buf[i] == '\n')
                                                continue;
                                }
                                line_add(&line, buf[i]);
                        }
                }
        }
}
