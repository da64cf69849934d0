/*  test_sender.c: one account's record: its windows, baselines and limits, and the snapshot text the broker attaches to a job. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "compromise.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define T0 1767225600       //  2026-01-01T00:00:00Z

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

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_sender_windows_and_baseline),
        cmocka_unit_test (test_limits),
        cmocka_unit_test (test_snapshot_text_round_trip),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
