/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/*
 * When and where the next attempt of a transfer goes: the retry rules as a pure function, so
 * they can be tested without a network or a clock (the caller supplies "now" and the random
 * numbers).
 *
 * A fleet that loses its server all at once must not come back all at once: failed attempts wait
 * a uniformly random time in [0, min(cap, base * 2^(n-1))] after the n-th failure in a row ("full
 * jitter"), so N clients spread over the whole window instead of arriving in synchronized waves.
 * A server that answers 429/503 with Retry-After is waited for (a little longer, randomly, so the
 * wave it asked to come back later does not come back in the same second); such waits do not use
 * the retry budget: like a silent server they count against the stall timeout, and only each full
 * stall timeout of them counts as one failed attempt. With mirrors, each URL has its own failure
 * count and its own "not before" time; an attempt that brought nothing moves to the URL that is
 * ready first (the next in rotation on a tie), one that brought bytes stays where it is.
 */

#define RETRY_MAX_URLS 16
/* The longest single Retry-After honoured (also cut to the stall timeout): a typo or a hostile
 * "Retry-After: 31536000" must not park a booting machine. */
#define RETRY_AFTER_MAX_MS (600u * 1000u)
#define RETRY_BACKOFF_CAP_MS 30000u

struct retry_policy {
        unsigned base_ms;               /* ceiling of the first backoff */
        unsigned cap_ms;                /* the ceiling never grows past this */
        unsigned retries;               /* per URL: failed attempts in a row allowed before giving up */
        unsigned stall_ms;              /* server-requested waits without data: one failure per this much */
        unsigned n_urls;                /* 1 + mirrors, at most RETRY_MAX_URLS */
};

struct retry_state {
        unsigned current;               /* the URL of the attempt that just ended */
        unsigned failures[RETRY_MAX_URLS];
        uint64_t ready_ms[RETRY_MAX_URLS]; /* not before this time (caller's monotonic clock) */
        uint64_t waited_ms;             /* Retry-After waits since data last arrived */
};

struct retry_outcome {
        bool progress;                  /* the attempt brought bytes never seen before */
        bool stalled;                   /* it ended because no byte came for the stall timeout */
        uint64_t retry_after_ms;        /* 429/503 with Retry-After: what it asked for; 0: none */
};

struct retry_decision {
        bool give_up;
        bool timed_out;                 /* giving up because of stalls / waits, not errors */
        unsigned next;                  /* URL of the next attempt */
        uint64_t delay_ms;              /* wait this long before it */
        uint64_t honoured_ms;           /* the Retry-After wait applied (after the cap), 0 if none */
        bool capped;                    /* the Retry-After asked for more than the cap */
};

void retry_state_init(struct retry_state *s);

/* Records the outcome of the attempt on s->current at time now_ms, and decides the next one.
 * rnd() returns uniformly random 64-bit numbers; it is called at most twice. Updates s. */
void retry_decide(const struct retry_policy *p, struct retry_state *s, const struct retry_outcome *o,
                  uint64_t now_ms, uint64_t (*rnd)(void *userdata), void *userdata, struct retry_decision *ret);

/* A uniformly random delay in [0, max_s * 1000] ms (pullboot.jitter=, --jitter). */
uint64_t retry_jitter_ms(unsigned max_s, uint64_t random);

/*
 * Retry-After: delay-seconds or an HTTP-date (IMF-fixdate, RFC 850, asctime). A date is taken
 * relative to the response's Date header when there is one (date may be NULL or ""), else to
 * now: an initrd's clock is often wrong, the server's two headers agree with each other.
 * 0 and *ret_ms (0 for a date in the past); -EINVAL if the value is not one of the forms.
 */
int retry_after_parse(const char *value, const char *date, time_t now, uint64_t *ret_ms);

/* An HTTP-date (the three forms) as seconds since the epoch; -EINVAL otherwise. */
int http_date_parse(const char *s, time_t *ret);
