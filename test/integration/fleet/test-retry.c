/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* initrd/pull/retry.c: backoff with full jitter, Retry-After, mirrors, with injected randomness. */
#include <errno.h>
#include <stdint.h>

#include "retry.h"
#include "../../unit/test.h"

/* The "random" numbers the next calls get, in order; then 0. */
static uint64_t queue[8];
static unsigned queued, taken;

static void feed(uint64_t a) {
        if (taken == queued)
                taken = queued = 0;
        if (queued < sizeof queue / sizeof queue[0])
                queue[queued++] = a;
}

static uint64_t next_random(void *userdata) {
        (void) userdata;
        uint64_t v = taken < queued ? queue[taken++] : 0;
        if (taken == queued)
                taken = queued = 0;
        return v;
}

static void decide(const struct retry_policy *p, struct retry_state *s, bool progress, uint64_t retry_after_ms,
                   uint64_t now, struct retry_decision *d) {
        struct retry_outcome o = { .progress = progress, .retry_after_ms = retry_after_ms };
        retry_decide(p, s, &o, now, next_random, NULL, d);
}

static void test_full_jitter(void) {
        struct retry_policy p = { .base_ms = 100, .cap_ms = 30000, .retries = 20, .stall_ms = 60000, .n_urls = 1 };
        struct retry_state s;
        struct retry_decision d;
        const uint64_t ceilings[] = { 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000 };

        retry_state_init(&s);
        for (unsigned i = 0; i < sizeof ceilings / sizeof ceilings[0]; i++) {
                /* rnd == ceiling gives the ceiling itself: the range is [0, ceiling], inclusive. */
                feed(ceilings[i]);
                decide(&p, &s, false, 0, 1000, &d);
                ASSERT_TRUE(!d.give_up);
                ASSERT_EQ(d.next, 0);
                ASSERT_EQ(d.delay_ms, ceilings[i]);
        }
        /* One past the ceiling wraps to 0: the delay is uniform over exactly ceiling + 1 values. */
        retry_state_init(&s);
        feed(101);
        decide(&p, &s, false, 0, 0, &d);
        ASSERT_EQ(d.delay_ms, 0);
        feed(12345);
        decide(&p, &s, false, 0, 0, &d);
        ASSERT_EQ(d.delay_ms, 12345 % 201);
}

static void test_budget(void) {
        struct retry_policy p = { .base_ms = 10, .cap_ms = 1000, .retries = 2, .stall_ms = 60000, .n_urls = 1 };
        struct retry_state s;
        struct retry_decision d;

        retry_state_init(&s);
        decide(&p, &s, false, 0, 0, &d);
        ASSERT_TRUE(!d.give_up);
        decide(&p, &s, false, 0, 0, &d);
        ASSERT_TRUE(!d.give_up);
        /* New bytes earn a fresh budget. */
        decide(&p, &s, true, 0, 0, &d);
        ASSERT_TRUE(!d.give_up);
        ASSERT_EQ(s.failures[0], 0);
        decide(&p, &s, false, 0, 0, &d);
        decide(&p, &s, false, 0, 0, &d);
        ASSERT_TRUE(!d.give_up);
        decide(&p, &s, false, 0, 0, &d);
        ASSERT_TRUE(d.give_up);
        ASSERT_TRUE(!d.timed_out);
}

static void test_retry_after(void) {
        struct retry_policy p = { .base_ms = 10, .cap_ms = 1000, .retries = 0, .stall_ms = 20000, .n_urls = 1 };
        struct retry_state s;
        struct retry_decision d;

        retry_state_init(&s);
        /* Waited for, at least as long as asked and at most a quarter more; no retry spent. */
        feed(1250);
        decide(&p, &s, false, 5000, 100, &d);
        ASSERT_TRUE(!d.give_up);
        ASSERT_EQ(d.delay_ms, 6250);
        ASSERT_EQ(d.delay_ms, d.honoured_ms);
        ASSERT_EQ(s.failures[0], 0);
        feed(0);
        decide(&p, &s, false, 5000, 100, &d);
        ASSERT_EQ(d.delay_ms, 5000);
        ASSERT_TRUE(!d.capped);
        /* 6250 + 5000 + 5000: within the 20 s stall budget, then past it: with retries=0 the
         * stall timeout's worth of waiting is the end. */
        feed(0);
        decide(&p, &s, false, 5000, 100, &d);
        ASSERT_TRUE(!d.give_up);
        feed(0);
        decide(&p, &s, false, 5000, 100, &d);
        ASSERT_TRUE(d.give_up);
        ASSERT_TRUE(d.timed_out);

        /* Data in between resets the wait budget. */
        retry_state_init(&s);
        for (unsigned i = 0; i < 10; i++) {
                feed(0);
                decide(&p, &s, false, 15000, 0, &d);
                ASSERT_TRUE(!d.give_up);
                decide(&p, &s, true, 0, 0, &d);
                ASSERT_TRUE(!d.give_up);
        }

        /* Absurd values are cut to the stall timeout (and never past RETRY_AFTER_MAX_MS). */
        retry_state_init(&s);
        p.retries = 5;
        feed(0);
        decide(&p, &s, false, 365ULL * 86400 * 1000, 0, &d);
        ASSERT_TRUE(d.capped);
        ASSERT_EQ(d.delay_ms, 20000);
        p.stall_ms = 24 * 3600 * 1000;
        feed(0);
        decide(&p, &s, false, 365ULL * 86400 * 1000, 0, &d);
        ASSERT_EQ(d.delay_ms, RETRY_AFTER_MAX_MS);
}

static void test_mirrors(void) {
        struct retry_policy p = { .base_ms = 100, .cap_ms = 1000, .retries = 1, .stall_ms = 60000, .n_urls = 3 };
        struct retry_state s;
        struct retry_decision d;

        retry_state_init(&s);
        /* Nothing from the first: the next mirror, which is ready now. */
        feed(50);
        decide(&p, &s, false, 0, 1000, &d);
        ASSERT_EQ(d.next, 1);
        ASSERT_EQ(d.delay_ms, 0);
        /* Bytes from the mirror, then a drop: stay on it. */
        decide(&p, &s, true, 0, 1100, &d);
        ASSERT_EQ(d.next, 1);
        /* The mirror answers 503 Retry-After: 10: the third URL is ready, no wait. */
        feed(0);
        decide(&p, &s, false, 10000, 1200, &d);
        ASSERT_EQ(d.next, 2);
        ASSERT_EQ(d.delay_ms, 0);
        /* The third is dead: back to the first (ready since 1050), not to the waiting mirror. */
        feed(0);
        decide(&p, &s, false, 0, 1300, &d);
        ASSERT_EQ(d.next, 0);
        ASSERT_EQ(d.delay_ms, 0);
        /* The first fails again (its budget is spent): the third, whose backoff is over. */
        feed(0);
        decide(&p, &s, false, 0, 1400, &d);
        ASSERT_EQ(d.next, 2);
        ASSERT_EQ(d.delay_ms, 0);
        /* Its budget spent too: the mirror, after its Retry-After. */
        feed(0);
        decide(&p, &s, false, 0, 1500, &d);
        ASSERT_EQ(d.next, 1);
        ASSERT_EQ(d.delay_ms, 11200 - 1500);
        /* Each URL has its own budget; when all are spent, give up. */
        s.failures[1] = s.failures[2] = 2;
        decide(&p, &s, false, 0, 20000, &d);
        ASSERT_TRUE(d.give_up);
}

static void test_retry_after_parse(void) {
        uint64_t ms;
        time_t t;

        ASSERT_EQ(retry_after_parse("120", NULL, 0, &ms), 0);
        ASSERT_EQ(ms, 120000);
        ASSERT_EQ(retry_after_parse(" 0 ", NULL, 0, &ms), 0);
        ASSERT_EQ(ms, 0);
        ASSERT_EQ(retry_after_parse("99999999999999999999999", NULL, 0, &ms), 0);
        ASSERT_TRUE(ms > RETRY_AFTER_MAX_MS);
        ASSERT_EQ(retry_after_parse("-5", NULL, 0, &ms), -EINVAL);
        ASSERT_EQ(retry_after_parse("5s", NULL, 0, &ms), -EINVAL);
        ASSERT_EQ(retry_after_parse("soon", NULL, 0, &ms), -EINVAL);
        ASSERT_EQ(retry_after_parse("", NULL, 0, &ms), -EINVAL);

        ASSERT_EQ(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
        ASSERT_EQ(t, 784111777);
        ASSERT_EQ(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
        ASSERT_EQ(t, 784111777);
        ASSERT_EQ(http_date_parse("Sun Nov  6 08:49:37 1994", &t), 0);
        ASSERT_EQ(t, 784111777);
        ASSERT_EQ(http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", &t), -EINVAL);
        ASSERT_EQ(http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t), -EINVAL);
        ASSERT_EQ(http_date_parse("Sun, 06 Nov 1994 25:49:37 GMT", &t), -EINVAL);
        ASSERT_EQ(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT trailing", &t), -EINVAL);

        /* A date counts from the server's Date header, not from our clock (which may be years off). */
        ASSERT_EQ(retry_after_parse("Sun, 06 Nov 1994 08:50:07 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", 2000000000, &ms), 0);
        ASSERT_EQ(ms, 30000);
        ASSERT_EQ(retry_after_parse("Sun, 06 Nov 1994 08:50:07 GMT", NULL, 784111777 + 10, &ms), 0);
        ASSERT_EQ(ms, 20000);
        ASSERT_EQ(retry_after_parse("Sun, 06 Nov 1994 08:50:07 GMT", "garbage", 784111777 + 10, &ms), 0);
        ASSERT_EQ(ms, 20000);
        /* In the past: now. */
        ASSERT_EQ(retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", NULL, 784111777 + 10, &ms), 0);
        ASSERT_EQ(ms, 0);
}

static void test_jitter(void) {
        ASSERT_EQ(retry_jitter_ms(0, 12345), 0);
        ASSERT_EQ(retry_jitter_ms(10, 10000), 10000);
        ASSERT_EQ(retry_jitter_ms(10, 10001), 0);
        ASSERT_TRUE(retry_jitter_ms(10, UINT64_MAX) <= 10000);
}

/* 1000 clients failing at the same instant: with full jitter no 100 ms slot of the window gets
 * more than a few times its share (a plain doubling would put all of them in one slot). */
static uint64_t xs = 88172645463325252ULL;
static uint64_t xorshift(void *userdata) {
        (void) userdata;
        xs ^= xs << 13;
        xs ^= xs >> 7;
        xs ^= xs << 17;
        return xs;
}

static void test_spread(void) {
        struct retry_policy p = { .base_ms = 1000, .cap_ms = 30000, .retries = 10, .stall_ms = 60000, .n_urls = 1 };
        unsigned slots[11] = {};
        for (unsigned c = 0; c < 1000; c++) {
                struct retry_state s;
                struct retry_decision d;
                struct retry_outcome o = {};
                retry_state_init(&s);
                retry_decide(&p, &s, &o, 0, xorshift, NULL, &d);
                ASSERT_TRUE(d.delay_ms <= 1000);
                slots[d.delay_ms / 100]++;
        }
        for (unsigned i = 0; i < 10; i++)
                ASSERT_TRUE(slots[i] > 50 && slots[i] < 150);
}

int main(void) {
        test_full_jitter();
        test_budget();
        test_retry_after();
        test_mirrors();
        test_retry_after_parse();
        test_jitter();
        test_spread();
        return 0;
}
