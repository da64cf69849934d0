/*  test_sender.c: one account's record: its windows, baselines and limits, and the snapshot text the broker attaches to a job. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "compromise.h"
#include "sender_compat.h"
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
    for (int k = 0; k < LIMIT_KINDS; k++)
        p.limit[k] = 0;
    p.limit[LIMIT_MSG_MINUTE] = 5;
    p.limit[LIMIT_MSG_HOUR] = 12;
    sender_t s;
    sender_init (&s, T0);
    char *r[] = { "a@x" };
    char why[256];
    for (int i = 0; i < 5; i++) {
        assert_int_equal (sender_limit (&s, T0 + 10, 1, p.limit, why, sizeof why), 0);
        sender_count (&s, T0 + 10, r, 1, &p);
    }
    //  The sixth in the minute waits for the next minute.
    assert_int_equal (sender_limit (&s, T0 + 10, 1, p.limit, why, sizeof why), T0 + 60);
    assert_non_null (strstr (why, "limit 5 a minute (the default)"));
    for (int m = 1; m < 3; m++)
        for (int i = 0; i < 4 && s.total < 12; i++)
            sender_count (&s, T0 + m * 60, r, 1, &p);
    sender_count (&s, T0 + 180, r, 1, &p);
    //  Thirteen in the hour (5 in minute 0, 4 in 1, 3 in 2, 1 in 3): the
    //  next is due when minute 0's five have left the hour, at minute 60.
    assert_int_equal (sender_limit (&s, T0 + 200, 1, p.limit, why, sizeof why), T0 + 3600);
    assert_non_null (strstr (why, "13 messages in the last hour, limit 12 an hour"));
    assert_int_equal (sender_counted (&s, T0 + 200, LIMIT_MSG_HOUR), 13);
    //  An account's own limits win over the defaults; none is no cap.
    s.limit[LIMIT_MSG_HOUR] = 100;
    assert_int_equal (sender_limit (&s, T0 + 200, 1, p.limit, why, sizeof why), 0);
    s.limit[LIMIT_MSG_HOUR] = LIMIT_NONE;
    assert_int_equal (sender_limit (&s, T0 + 200, 1, p.limit, why, sizeof why), 0);
    int own;
    assert_int_equal (sender_cap (&s, LIMIT_MSG_HOUR, p.limit, &own), 0);
    assert_true (own);
    //  A domain has no defaults: nothing set, nothing capped.
    sender_t d;
    sender_init (&d, T0);
    for (int i = 0; i < 50; i++)
        sender_count (&d, T0, r, 1, &p);
    assert_int_equal (sender_limit (&d, T0, 1, NULL, why, sizeof why), 0);
}

//  Two messages of 400 recipients each passed a cap of 2 messages a minute
//  before: recipients are counted and capped by themselves.
static void
test_recipient_limits (void **state)
{
    compromise_params_t p;
    compromise_params_default (&p);
    for (int k = 0; k < LIMIT_KINDS; k++)
        p.limit[k] = 0;
    p.limit[LIMIT_RCPT_HOUR] = 1000;
    p.limit[LIMIT_RCPT_MESSAGE] = 500;
    sender_t s;
    sender_init (&s, T0);
    static char addr[600][32];
    char *r[600];
    for (int i = 0; i < 600; i++) {
        snprintf (addr[i], sizeof addr[i], "r%d@x.example", i);
        r[i] = addr[i];
    }
    char why[256];
    assert_int_equal (sender_limit (&s, T0, 400, p.limit, why, sizeof why), 0);
    sender_count (&s, T0, r, 400, &p);
    assert_int_equal (sender_counted (&s, T0, LIMIT_RCPT_HOUR), 400);
    assert_int_equal (sender_limit (&s, T0 + 60, 400, p.limit, why, sizeof why), 0);
    sender_count (&s, T0 + 60, r, 400, &p);
    //  The third: 800 + 400 > 1000; due when the first 400 leave the hour.
    assert_int_equal (sender_limit (&s, T0 + 120, 400, p.limit, why, sizeof why), T0 + 3600);
    assert_non_null (strstr (why, "rate-limit: 800 recipients in the last hour and 400 in this message"));
    //  ... but a message of 200 fits now.
    assert_int_equal (sender_limit (&s, T0 + 120, 200, p.limit, why, sizeof why), 0);
    //  More recipients than one message may have: never fits.
    assert_int_equal (sender_limit (&s, T0 + 120, 501, p.limit, why, sizeof why), -1);
    assert_non_null (strstr (why, "too-many-recipients: 501, limit 500 a message"));
    //  More than a rate cap allows at all: never fits either.
    s.limit[LIMIT_RCPT_MESSAGE] = LIMIT_NONE;
    assert_int_equal (sender_limit (&s, T0 + 120, 1200, p.limit, why, sizeof why), -1);
    assert_non_null (strstr (why, "too-many-recipients: 1200 in one message, more than the limit of 1000"));
    //  A day: the hours' rings, due when the oldest hour leaves the 24.
    p.limit[LIMIT_RCPT_HOUR] = 0;
    p.limit[LIMIT_MSG_DAY] = 3;
    sender_count (&s, T0 + 5 * 3600, r, 1, &p);
    assert_int_equal (sender_counted (&s, T0 + 5 * 3600, LIMIT_MSG_DAY), 3);
    assert_int_equal (sender_counted (&s, T0 + 5 * 3600, LIMIT_RCPT_DAY), 801);
    assert_int_equal (sender_limit (&s, T0 + 5 * 3600, 1, p.limit, why, sizeof why), T0 + 24 * 3600);
    assert_non_null (strstr (why, "3 messages in the last 24 hours, limit 3 a day"));
    //  The next day, the first hour's two have gone.
    sender_advance (&s, T0 + 24 * 3600, &p);
    assert_int_equal (sender_counted (&s, T0 + 24 * 3600, LIMIT_MSG_DAY), 1);
    assert_int_equal (sender_limit (&s, T0 + 24 * 3600, 1, p.limit, why, sizeof why), 0);
}

//  A record of version 1 (farm 0.14) is upgraded as it is read: history,
//  flag, reason and own caps kept.
static void
test_upgrade_v1 (void **state)
{
    sender_v1_t o;
    memset (&o, 0, sizeof o);
    o.version = 1;
    o.flagged = 1;
    o.first_seen = T0;
    o.flagged_at = T0 + 7;
    o.total = 42;
    o.hour_head = T0 / 3600;
    o.minute_head = T0 / 60;
    o.msgs_min[(T0 / 60) % 60] = 3;
    o.msgs_hour[(T0 / 3600) % 24] = 9;
    o.all_mean = 2.5f;
    o.limit_minute = 7;
    o.limit_hour = 70;
    snprintf (o.reason, sizeof o.reason, "compromise: score 9");
    sender_t s;
    assert_true (sender_load (&o, sizeof o, &s));
    assert_int_equal (s.version, SENDER_VERSION);
    assert_true (s.flagged && s.flagged_at == T0 + 7 && s.total == 42 && s.all_mean == 2.5f);
    assert_string_equal (s.reason, "compromise: score 9");
    assert_int_equal (s.limit[LIMIT_MSG_MINUTE], 7);
    assert_int_equal (s.limit[LIMIT_MSG_HOUR], 70);
    assert_int_equal (s.limit[LIMIT_RCPT_DAY], 0);
    assert_int_equal (sender_counted (&s, T0, LIMIT_MSG_MINUTE), 3);
    assert_int_equal (sender_counted (&s, T0, LIMIT_RCPT_DAY), 9);
    //  Not a record: refused.
    assert_false (sender_load (&o, sizeof o - 1, &s));
    o.version = 9;
    assert_false (sender_load (&o, sizeof o, &s));
    sender_init (&s, T0);
    assert_true (sender_load (&s, sizeof s, &s));
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
        cmocka_unit_test (test_recipient_limits),
        cmocka_unit_test (test_upgrade_v1),
        cmocka_unit_test (test_snapshot_text_round_trip),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
