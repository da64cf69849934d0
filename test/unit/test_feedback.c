/*  test_feedback.c: delivery outcomes and complaints in the sender's record
 *  (shared/sender/feedback.h): each reply to its kind; a hijacker's hour of
 *  refused recipients is a rise against an account whose usual is clean
 *  (at the fifth refused), not against one whose list is always that dirty; what leaves the hour
 *  becomes the usual; a sustained share is a reputation problem; complaint
 *  rates by the day of the mail; the Feedback-ID made and read back, and
 *  forged or foreign ones refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "compromise.h"
#include "feedback.h"
#include <string.h>

#define T0 1767225600       //  2026-01-01 00:00 UTC

static feedback_kind_t
s_kind (int code, const char *status, const char *text)
{
    bounce_t b;
    bounce_classify (code, status, text, &b);
    return feedback_kind (&b);
}

static void
test_kinds (void **state)
{
    (void) state;
    assert_int_equal (s_kind (250, "2.0.0", "ok"), FEEDBACK_DELIVERED);
    assert_int_equal (s_kind (550, "5.1.1", "no such user"), FEEDBACK_INVALID);
    assert_int_equal (s_kind (554, "5.7.1", "rejected"), FEEDBACK_POLICY);
    assert_int_equal (s_kind (552, "5.2.2", "mailbox full"), FEEDBACK_REFUSED);
    assert_int_equal (s_kind (450, "4.2.1", "try later"), FEEDBACK_DEFERRED);
    assert_int_equal (s_kind (550, NULL, "User unknown in virtual table"), FEEDBACK_INVALID);
    assert_int_equal (s_kind (550, "9.1.1", "x"), FEEDBACK_KINDS);      //  out of range
    assert_int_equal (s_kind (999, NULL, "x"), FEEDBACK_KINDS);
    assert_string_equal (feedback_kind_name (FEEDBACK_POLICY), "policy");
}

//  An account that has sent for a day and had n outcomes, inv of them
//  invalid, spread over the day.
static void
s_history (sender_t *s, const compromise_params_t *p, int n, int inv)
{
    sender_init (s, T0);
    for (int i = 0; i < n; i++) {
        int64_t t = T0 + i * (86400 / n);
        sender_advance (s, t, p);
        feedback_count (s, t, (i * inv) % n < inv ? FEEDBACK_INVALID : FEEDBACK_DELIVERED, true, p);
    }
    sender_advance (s, T0 + 86400 + 3 * 3600, p);   //  all of it left the hour
}

static void
test_rise_against_own_usual (void **state)
{
    (void) state;
    compromise_params_t p;
    compromise_params_default (&p);
    sender_t s;
    s_history (&s, &p, 400, 4);         //  1% invalid
    feedback_state_t f;
    feedback_judge (&s, &p, &f);
    assert_int_equal (f.finals_1h, 0);
    assert_false (f.rise);
    assert_false (f.reputation);
    assert_in_range ((long) (f.invalid_usual * 1000), 6, 12);     //  a moving mean of about 200
    //  The hijacker's hour: 40 recipients, 12 refused as unknown.
    int64_t t = T0 + 86400 + 4 * 3600;
    int first = -1;
    for (int i = 0; i < 40; i++) {
        sender_advance (&s, t + i * 60, &p);
        feedback_count (&s, t + i * 60, i % 10 < 3 ? FEEDBACK_INVALID : FEEDBACK_DELIVERED, true, &p);
        feedback_judge (&s, &p, &f);
        if (f.rise && first < 0)
            first = i;
    }
    //  At the fifth refused (refused-min), 5 of 12: far beyond a 1% usual.
    assert_int_equal (first, 11);
    feedback_judge (&s, &p, &f);
    assert_int_equal (f.refused_1h, 12);
    assert_int_equal (f.finals_1h, 40);
    assert_true (f.rise);
    char why[512];
    feedback_reason (&f, &p, false, why, sizeof why);
    assert_non_null (strstr (why, "refused recipients 12 of 40"));
    //  Deferrals are no outcome.
    feedback_count (&s, t + 39 * 60, FEEDBACK_DEFERRED, true, &p);
    feedback_judge (&s, &p, &f);
    assert_int_equal (f.finals_1h, 40);
    assert_int_equal (s.outcomes[FEEDBACK_DEFERRED], 1);
}

static void
test_dirty_list_is_its_usual (void **state)
{
    (void) state;
    compromise_params_t p;
    compromise_params_default (&p);
    sender_t s;
    s_history (&s, &p, 800, 240);       //  30% invalid, always: no rise, a reputation problem
    feedback_state_t f;
    int64_t t = T0 + 86400 + 4 * 3600;
    for (int i = 0; i < 40; i++) {
        sender_advance (&s, t + i * 60, &p);
        feedback_count (&s, t + i * 60, i % 10 < 3 ? FEEDBACK_INVALID : FEEDBACK_DELIVERED, true, &p);
    }
    feedback_judge (&s, &p, &f);
    assert_int_equal (f.refused_1h, 12);
    assert_false (f.rise);
    assert_true (f.reputation);
    //  A new account has the prior's usual: the same hour is a rise.
    sender_t n;
    sender_init (&n, t);
    for (int i = 0; i < 40; i++) {
        sender_advance (&n, t + i * 60, &p);
        feedback_count (&n, t + i * 60, i % 10 < 3 ? FEEDBACK_INVALID : FEEDBACK_DELIVERED, true, &p);
    }
    feedback_judge (&n, &p, &f);
    assert_true (f.rise);
    assert_false (f.reputation);        //  too few outcomes to say
    //  Outcomes of mail older than the hour go straight into the usual.
    uint32_t before = n.finals;
    feedback_count (&n, t - 7200, FEEDBACK_POLICY, true, &p);
    assert_int_equal (n.finals, before + 1);
}

//  A hijacker at the account's own slow pace: ten messages an hour to a
//  bought list, four in ten dead, beside the account's own twenty an hour
//  (2% dead). Never five refused in one hour's share; flagged over the
//  longer window in its third hour. The account alone, a day of it, never.
static void
test_slow_rise (void **state)
{
    (void) state;
    compromise_params_t p;
    compromise_params_default (&p);
    sender_t s, honest;
    s_history (&s, &p, 1200, 24);
    s_history (&honest, &p, 1200, 24);
    int64_t t = T0 + 86400 + 4 * 3600;
    feedback_state_t f;
    int first = -1;
    for (int m = 0; m < 6 * 60; m += 2) {
        int64_t now = t + m * 60;
        sender_advance (&s, now, &p);
        sender_advance (&honest, now, &p);
        //  The account's own mail, one in fifty dead.
        feedback_count (&s, now, m % 100 == 0 ? FEEDBACK_INVALID : FEEDBACK_DELIVERED, true, &p);
        feedback_count (&honest, now, m % 100 == 0 ? FEEDBACK_INVALID : FEEDBACK_DELIVERED, true, &p);
        if (m % 6 == 0)     //  the hijacker's, ten an hour, four in ten dead
            feedback_count (&s, now + 1, (m / 6) % 5 < 2 ? FEEDBACK_INVALID : FEEDBACK_DELIVERED, true, &p);
        feedback_judge (&s, &p, &f);
        if (f.rise && first < 0) {
            first = m;
            assert_true (f.slow);
            char why[512];
            feedback_reason (&f, &p, false, why, sizeof why);
            assert_non_null (strstr (why, "in the last 6 hours' mail"));
        }
        feedback_judge (&honest, &p, &f);
        assert_false (f.rise);
    }
    assert_in_range (first, 60, 180);       //  in its second or third hour
}

static void
test_complaints (void **state)
{
    (void) state;
    compromise_params_t p;
    compromise_params_default (&p);
    sender_t s;
    sender_init (&s, T0);
    for (int d = 0; d < 7; d++)
        for (int i = 0; i < 200; i++)
            feedback_sent (&s, T0 + d * 86400 + i);
    feedback_state_t f;
    feedback_judge (&s, &p, &f);
    assert_int_equal (f.sent_7d, 1400);
    feedback_complaint (&s, T0 + 6 * 86400);
    feedback_judge (&s, &p, &f);
    assert_int_equal (f.complaints_7d, 1);
    assert_false (f.complaint_warn);    //  0.07%
    feedback_complaint (&s, T0 + 5 * 86400);
    feedback_judge (&s, &p, &f);
    assert_true (f.complaint_warn);     //  0.14%
    assert_false (f.complaint_flag);    //  below complaint-min and 0.3%
    for (int i = 0; i < 3; i++)
        feedback_complaint (&s, T0 + 4 * 86400);
    feedback_judge (&s, &p, &f);
    assert_int_equal (f.complaints_7d, 5);
    assert_true (f.complaint_flag);     //  0.36%
    assert_int_equal (s.complaints, 5);
    //  A complaint about mail older than the days kept counts ever, not in the rate.
    feedback_complaint (&s, T0 - 30 * 86400);
    assert_int_equal (s.complaints, 6);
    feedback_judge (&s, &p, &f);
    assert_int_equal (f.complaints_7d, 5);
    //  A week later the days have gone.
    feedback_sent (&s, T0 + 20 * 86400);
    feedback_judge (&s, &p, &f);
    assert_int_equal (f.complaints_7d, 0);
    assert_int_equal (f.sent_7d, 1);
}

static void
test_feedback_id (void **state)
{
    (void) state;
    char v[256], a[256];
    assert_int_equal (feedback_id_format ("alice@shop.example", "farm1", v, sizeof v), 0);
    assert_string_equal (v, "alice@shop.example:farm1");
    assert_int_equal (feedback_id_account (v, "farm1", a, sizeof a), 0);
    assert_string_equal (a, "alice@shop.example");
    //  Colons, spaces and bytes beyond ASCII encoded, and read back.
    assert_int_equal (feedback_id_format ("a:b c\xc3\xa9%", "farm1", v, sizeof v), 0);
    assert_string_equal (v, "a%3Ab%20c%C3%A9%25:farm1");
    assert_int_equal (feedback_id_account (v, "farm1", a, sizeof a), 0);
    assert_string_equal (a, "a:b c\xc3\xa9%");
    //  Another sender id, no account, a NUL, a broken escape: not ours.
    assert_int_equal (feedback_id_account ("alice:other", "farm1", a, sizeof a), -1);
    assert_int_equal (feedback_id_account (":farm1", "farm1", a, sizeof a), -1);
    assert_int_equal (feedback_id_account ("a%00b:farm1", "farm1", a, sizeof a), -1);
    assert_int_equal (feedback_id_account ("a%4:farm1", "farm1", a, sizeof a), -1);
    assert_int_equal (feedback_id_account ("alice:farm1x", "farm1", a, sizeof a), -1);
    assert_int_equal (feedback_id_account ("alice:farm1", "", a, sizeof a), -1);
    //  Too long for the buffer.
    assert_int_equal (feedback_id_format ("alice", "farm1", v, 8), -1);
}

static void
test_old_record_upgrades (void **state)
{
    (void) state;
    sender_t s, out;
    sender_init (&s, T0);
    s.total = 77;
    s.version = 4;
    assert_true (sender_load (&s, SENDER_V4_SIZE, &out));
    assert_int_equal (out.version, SENDER_VERSION);
    assert_int_equal (out.total, 77);
    assert_int_equal (out.finals, 0);
    assert_int_equal (out.complaints, 0);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_kinds),
        cmocka_unit_test (test_rise_against_own_usual),
        cmocka_unit_test (test_dirty_list_is_its_usual),
        cmocka_unit_test (test_slow_rise),
        cmocka_unit_test (test_complaints),
        cmocka_unit_test (test_feedback_id),
        cmocka_unit_test (test_old_record_upgrades),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
