/*  test_baseline.c: the statistics of compromise detection on known
 *  sequences: EWMA, HyperLogLog, the two-generation Bloom filter, the
 *  Poisson surprise; the sender record's windows, baselines and limits; the
 *  snapshot text; the decision. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "compromise.h"
#include "shard.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define T0 1767225600       //  2026-01-01T00:00:00Z

static void
test_ewma_known_sequence (void **state)
{
    float m = 0, v = 0;
    //  A constant converges to itself with no variance.
    for (int i = 0; i < 200; i++)
        ewma_add (&m, &v, 10.0, 0.1);
    assert_true (fabs (m - 10.0) < 1e-3 && v < 1e-3);
    //  One step from 10 toward 20 with alpha 0.5: mean 15, var 0.5*(0+10*5) = 25.
    ewma_add (&m, &v, 20.0, 0.5);
    assert_true (fabs (m - 15.0) < 1e-3);
    assert_true (fabs (v - 25.0) < 0.01);
    //  Alternating 0, 2: mean near 1, variance near 1.
    m = v = 0;
    for (int i = 0; i < 2000; i++)
        ewma_add (&m, &v, (i & 1) * 2.0, 0.01);
    assert_true (fabs (m - 1.0) < 0.05);
    assert_true (fabs (v - 1.0) < 0.1);
}

static void
test_hll_counts (void **state)
{
    static const int ns[] = { 0, 1, 5, 40, 300, 3000 };
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        uint8_t reg[64] = { 0 };
        for (int i = 0; i < ns[k]; i++) {
            char a[32];
            int n = snprintf (a, sizeof a, "r%d@x.example", i);
            hll_add (reg, 64, baseline_hash (a, (size_t) n));
            hll_add (reg, 64, baseline_hash (a, (size_t) n));     //  twice: counted once
        }
        double e = hll_count (reg, 64);
        //  Exact when small; within 30% (about two standard errors) beyond.
        if (ns[k] <= 5)
            assert_true (fabs (e - ns[k]) < 1.5);
        else
            assert_true (fabs (e - ns[k]) < 0.3 * ns[k]);
    }
}

static void
test_bloom_generations (void **state)
{
    bloom2_t b;
    memset (&b, 0, sizeof b);
    assert_true (bloom2_add (&b, baseline_hash ("a@x", 3)));
    assert_false (bloom2_add (&b, baseline_hash ("A@X", 3)));   //  case folded
    assert_true (bloom2_has (&b, baseline_hash ("a@x", 3)));
    //  Fill two generations with others: the first is forgotten.
    size_t fp = 0;
    for (int i = 0; i < 2 * BLOOM_PER_GEN + 1; i++) {
        char a[32];
        int n = snprintf (a, sizeof a, "other%d@y", i);
        fp += !bloom2_add (&b, baseline_hash (a, (size_t) n));
    }
    assert_true (fp < 10);      //  false positives: a few percent at most
    assert_false (bloom2_has (&b, baseline_hash ("a@x", 3)));
}

static void
test_poisson_surprise (void **state)
{
    assert_true (poisson_surprise (0, 1) == 0);
    assert_true (poisson_surprise (1, 1) == 0);
    //  P(X >= 2 | 1) = 1 - 2/e = 0.26424 -> 0.578
    assert_true (fabs (poisson_surprise (2, 1) - 0.5780) < 1e-3);
    //  P(X >= 10 | 1) = 1.1143e-7 -> 6.953
    assert_true (fabs (poisson_surprise (10, 1) - 6.953) < 1e-2);
    //  Large counts stay finite and grow.
    double a = poisson_surprise (500, 2), b = poisson_surprise (1000, 2);
    assert_true (isfinite (a) && isfinite (b) && b > a && a > 100);
}

static void
test_sender_windows_and_baseline (void **state)
{
    compromise_params_t p;
    compromise_params_default (&p);
    sender_t s;
    sender_init (&s, T0);
    char *r1[] = { "<a@x.example>" }, *r2[] = { "b@y.example", "a@x.example" };
    assert_int_equal (sender_count (&s, T0, r1, 1, &p), 1);
    assert_int_equal (sender_count (&s, T0 + 30, r2, 2, &p), 1);     //  a@ known (brackets stripped)
    assert_int_equal (sender_count (&s, T0 + 120, r1, 1, &p), 0);
    sender_snap_t sn;
    sender_snapshot (&s, T0 + 120, &p, &sn);
    assert_int_equal (sn.msgs_1m, 1);
    assert_int_equal (sn.msgs_win, 3);
    assert_int_equal (sn.msgs_1h, 3);
    assert_int_equal (sn.new_1h, 2);
    assert_true (fabs (sn.rcpt_1h - 2) < 0.6);
    assert_true (fabs (sn.domains_1h - 2) < 0.6);
    //  Eleven minutes later the short window is empty, the hour is not.
    sender_snapshot (&s, T0 + 120 + 660, &p, &sn);
    assert_int_equal (sn.msgs_win, 0);
    assert_int_equal (sn.msgs_1h, 3);
    //  Three messages every hour for ten days: the baseline learns 3 an hour.
    for (int h = 1; h < 240; h++)
        for (int k = 0; k < 3; k++)
            sender_count (&s, T0 + h * 3600 + k * 600, r1, 1, &p);
    sender_snapshot (&s, T0 + 240 * 3600 - 1, &p, &sn);
    assert_true (fabs (sn.expect_1h - 3.0) < 0.3);
    assert_int_equal (sn.msgs_24h, 72);
    assert_true (sn.history_h >= 239);
    assert_true (sn.expect_new_1h < 0.1);
    //  A week of silence: the windows empty, the baseline decays.
    sender_count (&s, T0 + 407 * 3600, r1, 1, &p);
    sender_snapshot (&s, T0 + 407 * 3600, &p, &sn);
    assert_int_equal (sn.msgs_24h, 1);
    assert_true (sn.expect_1h < 1.5);
    //  A message dated before the windows counts in the total only.
    uint64_t total = s.total;
    sender_count (&s, T0, r1, 1, &p);
    assert_int_equal (s.total, total + 1);
    sender_snapshot (&s, T0 + 407 * 3600, &p, &sn);
    assert_int_equal (sn.msgs_24h, 1);
}

static void
test_limits (void **state)
{
    compromise_params_t p;
    compromise_params_default (&p);
    p.limit_minute = 5;
    p.limit_hour = 12;
    sender_t s;
    sender_init (&s, T0);
    char *r[] = { "a@x" };
    char why[256];
    for (int i = 0; i < 5; i++) {
        assert_int_equal (sender_limit (&s, T0 + 10, &p, why, sizeof why), 0);
        sender_count (&s, T0 + 10, r, 1, &p);
    }
    //  The sixth in the minute waits for the next minute.
    assert_int_equal (sender_limit (&s, T0 + 10, &p, why, sizeof why), T0 + 60);
    assert_non_null (strstr (why, "limit 5 a minute"));
    for (int m = 1; m < 3; m++)
        for (int i = 0; i < 4 && s.total < 12; i++)
            sender_count (&s, T0 + m * 60, r, 1, &p);
    sender_count (&s, T0 + 180, r, 1, &p);
    //  Twelve in the hour: due when the first minute's five leave the hour.
    int64_t due = sender_limit (&s, T0 + 200, &p, why, sizeof why);
    assert_non_null (strstr (why, "an hour"));
    assert_true (due >= T0 + 3600 && due <= T0 + 3660);
    //  An account's own limits win over the defaults.
    s.limit_hour = 100;
    assert_int_equal (sender_limit (&s, T0 + 200, &p, why, sizeof why), 0);
}

static void
test_snapshot_text_round_trip (void **state)
{
    sender_snap_t a = { .msgs_1m = 1, .msgs_win = 7, .msgs_1h = 30, .msgs_24h = 99, .new_win = 5,
                        .new_1h = 20, .rcpt_1h = 21.5, .domains_1h = 9, .expect_1h = 2.25,
                        .expect_sd = 1.5, .expect_new_1h = 0.5, .history_h = 72, .score_recent = 0.4,
                        .score_usual = 0.05, .total = 1234, .flagged = false, .released = true }, b;
    strbuf_t t;
    strbuf_init (&t);
    sender_snap_format (&a, &t);
    assert_int_equal (sender_snap_parse (t.data, t.len, &b), 0);
    assert_int_equal (b.msgs_win, 7);
    assert_int_equal (b.new_1h, 20);
    assert_true (fabs (b.expect_1h - 2.25) < 1e-6);
    assert_true (b.released && !b.flagged);
    assert_int_equal (b.total, 1234);
    strbuf_free (&t);
    //  Garbage is refused whole.
    const char *bad[] = { "msgs-1m: -3\n", "msgs-1m 3\n", "expect-1h: nan\n", "msgs-1h: 1e99\n", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal (sender_snap_parse (bad[i], strlen (bad[i]), &b), -1);
        assert_int_equal (b.msgs_1m, 0);
    }
}

static void
test_judge (void **state)
{
    compromise_params_t p;
    compromise_params_default (&p);
    //  A quiet account (1 an hour, 0.2 new) suddenly writes to strangers.
    sender_snap_t burst = { .msgs_win = 15, .msgs_1h = 15, .new_win = 15, .new_1h = 15,
                            .expect_1h = 1, .expect_new_1h = 0.2, .history_h = 200,
                            .total = 500 };
    compromise_t c;
    compromise_judge (&burst, 0.01, &p, &c);
    assert_true (c.hold);
    assert_true (c.rate > 0 && c.fresh > 0);
    char line[512];
    compromise_reason (&c, &burst, &p, line, sizeof line);
    assert_non_null (strstr (line, "compromise: score"));
    assert_non_null (strstr (line, "new recipients"));
    //  The same burst to people it knows: a busy day.
    sender_snap_t busy = burst;
    busy.new_win = busy.new_1h = 1;
    compromise_judge (&busy, 0.01, &p, &c);
    assert_false (c.hold);
    //  Its usual pace to strangers now and then: nothing.
    sender_snap_t usual = { .msgs_win = 1, .msgs_1h = 2, .new_win = 1, .new_1h = 1, .expect_1h = 2,
                            .expect_new_1h = 1, .history_h = 200, .total = 500 };
    compromise_judge (&usual, 0.99, &p, &c);
    assert_false (c.hold);
    assert_true (c.content == 0);       //  content alone never holds an account
    //  Spam to strangers at a modest pace: content adds what rate lacks.
    sender_snap_t spammy = { .msgs_win = 5, .msgs_1h = 5, .new_win = 5, .new_1h = 5, .expect_1h = 1,
                             .expect_new_1h = 0.5, .history_h = 200, .score_recent = 0.9,
                             .score_usual = 0.02, .total = 500 };
    compromise_t plain;
    compromise_judge (&spammy, 0.99, &p, &c);
    spammy.score_recent = 0.02;
    compromise_judge (&spammy, 0.01, &p, &plain);
    assert_true (c.content > 0 && c.score > plain.score);
}

static void
test_shard_rendezvous (void **state)
{
    char *three[] = { "b1", "b2", "b3" }, *four[] = { "b1", "b2", "b3", "b4" };
    char *shuffled[] = { "b3", "b1", "b2" };
    size_t counts[3] = { 0 }, moved = 0, moved_elsewhere = 0;
    for (int i = 0; i < 3000; i++) {
        char s[32];
        snprintf (s, sizeof s, "user%d@x.example", i);
        size_t a = shard_pick (s, three, 3), b = shard_pick (s, four, 4);
        counts[a]++;
        //  The order of the list does not matter.
        assert_string_equal (three[a], shuffled[shard_pick (s, shuffled, 3)]);
        if (a != b) {
            moved++;
            moved_elsewhere += b != 3;      //  only to the new broker
        }
    }
    for (int k = 0; k < 3; k++)
        assert_true (counts[k] > 850 && counts[k] < 1150);
    assert_true (moved > 600 && moved < 900);       //  about a quarter
    assert_int_equal (moved_elsewhere, 0);
    assert_int_equal (shard_pick ("USER1@X.EXAMPLE", three, 3), shard_pick ("user1@x.example", three, 3));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_ewma_known_sequence),
        cmocka_unit_test (test_hll_counts),
        cmocka_unit_test (test_bloom_generations),
        cmocka_unit_test (test_poisson_surprise),
        cmocka_unit_test (test_sender_windows_and_baseline),
        cmocka_unit_test (test_limits),
        cmocka_unit_test (test_snapshot_text_round_trip),
        cmocka_unit_test (test_judge),
        cmocka_unit_test (test_shard_rendezvous),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
