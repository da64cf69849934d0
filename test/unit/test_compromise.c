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
    //  A quiet account (1 an hour, 0.2 new, 10% of its recipients new)
    //  suddenly writes to 15 strangers in ten minutes, ordinary content:
    //  surprising, but what a conference follow-up looks like; not held.
    sender_snap_t burst = { .msgs_win = 15, .msgs_1h = 15, .new_win = 15, .new_1h = 15,
                            .rcpts_1h = 15, .expect_1h = 1, .expect_new_1h = 0.2, .history_h = 200,
                            .share_usual = 0.1, .share_basis = 1000, .total = 500, .scored = 500 };
    compromise_t c;
    compromise_judge (&burst, 0.01, &p, &c);
    assert_true (c.rate > 0 && c.fresh > 0 && c.score >= p.threshold);
    assert_true (c.unusual > 0.8 && !c.young);
    assert_false (c.hold);
    //  The same with content that rises (phishing scoring 0.5 and more): held.
    sender_snap_t phish = burst;
    phish.score_recent = 0.5;
    phish.score_usual = 0.02;
    compromise_judge (&phish, 0.6, &p, &c);
    assert_true (c.content >= p.content_min);
    assert_true (c.hold);
    char line[512];
    compromise_reason (&c, &phish, &p, line, sizeof line);
    assert_non_null (strstr (line, "compromise: score"));
    assert_non_null (strstr (line, "new recipients 100% of the hour's, usually 10%"));
    //  Slowed hour after hour (sustained-hours): a conference follow-up
    //  spills over hours while it is slowed, in the account's own words:
    //  slowed still, not held; a slow spray whose content rises: held.
    sender_snap_t slowed = burst;
    slowed.suspect_hours = (uint16_t) p.sustained_hours;
    compromise_judge (&slowed, 0.01, &p, &c);
    assert_true (c.slow && !c.hold);
    slowed.score_recent = 0.2;
    slowed.score_usual = 0.02;
    compromise_judge (&slowed, 0.2, &p, &c);
    assert_true (c.content > 0 && c.content < p.content_min);
    assert_true (c.hold);
    //  Beyond any honest burst (plausible-new strangers in the hour): held
    //  on behaviour alone.
    sender_snap_t spray = burst;
    spray.msgs_1h = spray.new_1h = spray.rcpts_1h = 250;
    spray.msgs_win = spray.new_win = 120;
    compromise_judge (&spray, 0.01, &p, &c);
    assert_true (c.hold);
    //  The same burst to people it knows: a busy day.
    sender_snap_t busy = phish;
    busy.new_win = busy.new_1h = 1;
    compromise_judge (&busy, 0.6, &p, &c);
    assert_false (c.hold);
    //  A shop: almost every recipient new every hour. Its spray of new
    //  people is itself; content is what would tell.
    sender_snap_t shop = spray;
    shop.share_usual = 0.95;
    shop.expect_1h = shop.expect_new_1h = 100;
    compromise_judge (&shop, 0.01, &p, &c);
    assert_false (c.hold);
    assert_true (c.unusual < p.strangers_min);
    //  ... and the same shop sending spam at its usual pace: held on content.
    shop.msgs_1h = shop.new_1h = shop.rcpts_1h = 100;
    shop.msgs_win = shop.new_win = 17;
    shop.spam_1h = 6;
    shop.expect_spam_1h = 0.01;
    compromise_judge (&shop, 0.99, &p, &c);
    assert_true (c.content >= p.threshold && c.hold);
    //  Its usual pace to strangers now and then, one spammy message: nothing.
    sender_snap_t usual = { .msgs_win = 1, .msgs_1h = 2, .new_win = 1, .new_1h = 1, .rcpts_1h = 2,
                            .expect_1h = 2, .expect_new_1h = 1, .history_h = 200, .share_usual = 0.5,
                            .share_basis = 1000, .total = 500, .scored = 500 };
    compromise_judge (&usual, 0.99, &p, &c);
    assert_false (c.hold);
    //  A new account is not judged on its behaviour (the broker paces it)...
    sender_snap_t young = spray;
    young.history_h = 3;
    young.share_basis = 3;
    compromise_judge (&young, 0.01, &p, &c);
    assert_true (c.young && !c.hold);
    //  ... only on content: half its mail in the hour spam.
    young.score_recent = 0.9;
    young.spam_1h = 100;
    compromise_judge (&young, 0.99, &p, &c);
    assert_false (c.hold);
    young.spam_1h = 130;
    compromise_judge (&young, 0.99, &p, &c);
    assert_true (c.hold);
    //  Observe mode: the decision is made and marked, the caller holds nothing.
    spray.observe = true;
    compromise_judge (&spray, 0.01, &p, &c);
    assert_true (c.hold && c.observe);
    //  The kind an operator gave stands for the usual share until there is
    //  history: a transactional account's strangers are usual.
    sender_snap_t fresh = spray;
    fresh.observe = false;
    fresh.share_basis = 0;
    fresh.kind = KIND_TRANSACTIONAL;
    compromise_judge (&fresh, 0.01, &p, &c);
    assert_false (c.hold);
    fresh.kind = KIND_PERSON;
    compromise_judge (&fresh, 0.01, &p, &c);
    assert_true (c.hold);
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
