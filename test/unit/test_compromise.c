/*  test_compromise.c: the compromise decision from a sender snapshot, and its parameters' defaults and file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "compromise.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1767225600       //  2026-01-01T00:00:00Z

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
test_params_file (void **state)
{
    compromise_params_t p;
    compromise_params_default (&p);
    assert_true (p.threshold == 6 && p.window_min == 10 && p.limit[LIMIT_MSG_MINUTE] == 120 && p.limit[LIMIT_RCPT_MESSAGE] == 0);
    char dir[] = "/tmp/farm-unit.XXXXXX", file[64], err[256];
    assert_non_null (mkdtemp (dir));
    snprintf (file, sizeof file, "%s/compromise.cfg", dir);
    FILE *f = fopen (file, "w");
    fputs ("compromise\n    threshold = 8\nlimits\n    messages-per-minute = 5\n    recipients-per-day = 7\n", f);
    fclose (f);
    assert_int_equal (compromise_params_load (&p, file, err, sizeof err), 0);
    assert_true (p.threshold == 8 && p.limit[LIMIT_MSG_MINUTE] == 5 && p.limit[LIMIT_RCPT_DAY] == 7 && p.window_min == 10);
    //  Out of range: refused by name, the parameters as they were.
    f = fopen (file, "w");
    fputs ("compromise\n    threshold = 2\n    slot-alpha = 7\n", f);
    fclose (f);
    assert_int_equal (compromise_params_load (&p, file, err, sizeof err), -1);
    assert_non_null (strstr (err, "compromise/slot-alpha"));
    assert_true (p.threshold == 8);
    unlink (file);
    rmdir (dir);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_judge),
        cmocka_unit_test (test_params_file),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
