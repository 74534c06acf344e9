/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "retry.h"

void retry_state_init(struct retry_state *s) {
        *s = (struct retry_state) {};
}

static uint64_t backoff_ceiling(const struct retry_policy *p, unsigned failures) {
        uint64_t c = p->base_ms ?: 1;
        for (unsigned i = 1; i < failures && c < p->cap_ms; i++)
                c *= 2;
        return c < p->cap_ms ? c : p->cap_ms;
}

/* What one Retry-After may make us wait: the absolute cap, and never more than a stall, which
 * would end the attempt anyway. */
static uint64_t retry_after_cap(const struct retry_policy *p) {
        uint64_t cap = RETRY_AFTER_MAX_MS;
        if (p->stall_ms > 0 && p->stall_ms < cap)
                cap = p->stall_ms;
        return cap;
}

void retry_decide(const struct retry_policy *p, struct retry_state *s, const struct retry_outcome *o,
                  uint64_t now_ms, uint64_t (*rnd)(void *userdata), void *userdata, struct retry_decision *ret) {
        unsigned n = p->n_urls < 1 ? 1 : p->n_urls > RETRY_MAX_URLS ? RETRY_MAX_URLS : p->n_urls;
        unsigned c = s->current < n ? s->current : 0;
        bool waits_exhausted = false;

        *ret = (struct retry_decision) {};
        if (o->progress) {
                s->failures[c] = 0;
                s->waited_ms = 0;
        }
        if (o->retry_after_ms > 0) {
                uint64_t cap = retry_after_cap(p), wait = o->retry_after_ms;
                if (wait > cap) {
                        wait = cap;
                        ret->capped = true;
                }
                /* Up to a quarter more: clients told "come back in 5 s" together do not come back
                 * in the same instant. Never less than asked. */
                wait += rnd(userdata) % (wait / 4 + 1);
                s->ready_ms[c] = now_ms + wait;
                ret->honoured_ms = wait;
                s->waited_ms += wait;
                if (p->stall_ms > 0 && s->waited_ms > p->stall_ms) {
                        /* A stall timeout's worth of "later": that much silence is one failure. */
                        s->failures[c]++;
                        s->waited_ms = 0;
                        waits_exhausted = true;
                }
        } else if (!o->progress) {
                s->failures[c]++;
                s->ready_ms[c] = now_ms + rnd(userdata) % (backoff_ceiling(p, s->failures[c]) + 1);
        } else
                /* It broke after bringing data: come back soon, still not in lockstep. */
                s->ready_ms[c] = now_ms + rnd(userdata) % ((uint64_t) (p->base_ms ?: 1) + 1);

        unsigned best = n;
        if (o->progress || n == 1) {
                if (s->failures[c] <= p->retries)
                        best = c;
        } else
                /* The URL ready first; on a tie the next in rotation, the current one last. */
                for (unsigned k = 1; k <= n; k++) {
                        unsigned i = (c + k) % n;
                        if (s->failures[i] > p->retries)
                                continue;
                        if (best == n || s->ready_ms[i] < s->ready_ms[best])
                                best = i;
                }
        if (best == n) {
                ret->give_up = true;
                ret->timed_out = o->stalled || waits_exhausted;
                ret->next = c;
                return;
        }
        ret->next = best;
        ret->delay_ms = s->ready_ms[best] > now_ms ? s->ready_ms[best] - now_ms : 0;
        s->current = best;
}

uint64_t retry_jitter_ms(unsigned max_s, uint64_t random) {
        return max_s == 0 ? 0 : random % ((uint64_t) max_s * 1000 + 1);
}

static int month_from_name(const char *m) {
        static const char names[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        for (int i = 0; i < 12; i++)
                if (strcmp(m, names[i]) == 0)
                        return i;
        return -1;
}

static bool is_day_name(const char *d, bool long_form) {
        static const char *const names[7][2] = {
                { "Mon", "Monday" }, { "Tue", "Tuesday" }, { "Wed", "Wednesday" }, { "Thu", "Thursday" },
                { "Fri", "Friday" }, { "Sat", "Saturday" }, { "Sun", "Sunday" },
        };
        for (int i = 0; i < 7; i++)
                if (strcmp(d, names[i][long_form]) == 0)
                        return true;
        return false;
}

int http_date_parse(const char *s, time_t *ret) {
        char day[16], mon[4];
        int mday, year, h, m, sec, end;
        struct tm tm = {};

        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        /* %n is only reached when every literal matched: end > 0 proves the whole format did. */
        if ((end = -1, sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", day, &mday, mon, &year, &h, &m, &sec, &end) == 7) &&
            end > 0 && s[end] == 0 && is_day_name(day, false))
                ;
        /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years as RFC 9110 asks (never
         * more than 50 years ahead, which for our purposes is 19xx from 70 on). */
        else if ((end = -1, sscanf(s, "%15[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", day, &mday, mon, &year, &h, &m, &sec, &end) == 7) &&
                 end > 0 && s[end] == 0 && is_day_name(day, true))
                year += year < 70 ? 2000 : 1900;
        /* asctime: "Sun Nov  6 08:49:37 1994" */
        else if ((end = -1, sscanf(s, "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", day, mon, &mday, &h, &m, &sec, &year, &end) == 7) &&
                 end > 0 && s[end] == 0 && is_day_name(day, false))
                ;
        else
                return -EINVAL;

        int month = month_from_name(mon);
        if (month < 0 || mday < 1 || mday > 31 || h > 23 || m > 59 || sec > 60 || year < 1970 || h < 0 || m < 0 ||
            sec < 0)
                return -EINVAL;
        tm.tm_year = year - 1900;
        tm.tm_mon = month;
        tm.tm_mday = mday;
        tm.tm_hour = h;
        tm.tm_min = m;
        tm.tm_sec = sec;
        time_t t = timegm(&tm);
        if (t == (time_t) -1)
                return -EINVAL;
        *ret = t;
        return 0;
}

int retry_after_parse(const char *value, const char *date, time_t now, uint64_t *ret_ms) {
        while (*value == ' ' || *value == '\t')
                value++;
        if (isdigit((unsigned char) *value)) {
                char *end;
                errno = 0;
                unsigned long long v = strtoull(value, &end, 10);
                while (*end == ' ' || *end == '\t')
                        end++;
                if (*end)
                        return -EINVAL;
                /* Absurd values are cut by the caller's cap; only avoid the overflow here. */
                if (errno == ERANGE || v > UINT64_MAX / 1000 / 2)
                        v = UINT64_MAX / 1000 / 2;
                *ret_ms = (uint64_t) v * 1000;
                return 0;
        }
        time_t when, base = now;
        if (http_date_parse(value, &when) < 0)
                return -EINVAL;
        if (date && date[0] && http_date_parse(date, &base) < 0)
                base = now;
        *ret_ms = when > base ? (uint64_t) (when - base) * 1000 : 0;
        return 0;
}
