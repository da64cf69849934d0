/*  test_sequence.c: the stream clock's order of verdicts: an entry is due
 *  only when its verdict is in and the window (the lag) is full, or when
 *  draining; verdicts that come out of order wait for the older ones; a
 *  message leased again keeps its place and its snapshot; a forgotten one
 *  leaves no hole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "sequence.h"
#include <string.h>

static const char *s_q[] = { "0660d811d095645671d9acb5", "0660d811d095645671d9acb6",
                             "0660d811d095645671d9acb7", "0660d811d095645671d9acb8" };

static void
s_done (sequence_t *s, int i, verdict_code_t code)
{
    envelope_t *env = envelope_new ();
    verdict_t v;
    verdict_init (&v);
    v.code = code;
    verdict_reason (&v, "test %d", i);
    assert_true (sequence_done (s, s_q[i], &env, 10 + i, 100 + i, &v, 7));
    assert_null (env);                      //  taken
    assert_null (v.reasons.data);           //  moved
    verdict_free (&v);
}

static void
test_lag_and_order (void **state)
{
    sequence_t *s = sequence_new (3);
    sequence_add (s, s_q[0], 100, "snap0", 5);
    sequence_add (s, s_q[1], 100, "snap1", 5);
    //  The newer one answers first: nothing is due, it waits for the older.
    s_done (s, 1, VERDICT_HOLD);
    assert_null (sequence_due (s, false));
    assert_null (sequence_due (s, true));
    s_done (s, 0, VERDICT_DELIVER);
    //  Both in, but the window (3) is not full: due only when draining.
    assert_null (sequence_due (s, false));
    assert_non_null (sequence_due (s, true));
    assert_string_equal (sequence_head (s)->qid, s_q[0]);
    assert_int_equal (sequence_head (s)->t, 100);
    sequence_add (s, s_q[2], 100, "snap2", 5);
    sequence_entry_t *e = sequence_due (s, false);
    assert_non_null (e);
    assert_string_equal (e->qid, s_q[0]);
    assert_int_equal (e->verdict.code, VERDICT_DELIVER);
    assert_int_equal (e->body_off, 10);
    assert_int_equal (e->claimed_usec, 100);
    sequence_pop (s);
    assert_int_equal (sequence_size (s), 2);
    assert_null (sequence_due (s, false));  //  2 of 3 again
    e = sequence_due (s, true);
    assert_string_equal (e->qid, s_q[1]);
    assert_string_equal (e->verdict.reasons.data, "test 1\n");
    sequence_destroy (&s);                  //  frees what is still owned
    assert_null (s);
}

static void
test_again_and_forget (void **state)
{
    sequence_t *s = sequence_new (2);
    sequence_add (s, s_q[0], 100, "snapshot zero", 13);
    sequence_add (s, s_q[1], 100, "", 0);
    //  Leased again: found with the snapshot it was judged on.
    sequence_entry_t *e = sequence_find (s, s_q[0]);
    assert_non_null (e);
    assert_int_equal (e->snap_len, 13);
    assert_memory_equal (e->snap, "snapshot zero", 13);
    assert_null (sequence_find (s, s_q[3]));
    //  A verdict for what is not waiting here is refused.
    envelope_t *env = envelope_new ();
    verdict_t v;
    verdict_init (&v);
    assert_false (sequence_done (s, s_q[3], &env, 0, 0, &v, 0));
    assert_non_null (env);
    envelope_destroy (&env);
    //  The oldest forgotten (corrupt on its way back): the next is first.
    sequence_forget (s, s_q[0]);
    assert_int_equal (sequence_size (s), 1);
    s_done (s, 1, VERDICT_REJECT);
    assert_null (sequence_find (s, s_q[1]));    //  done: not to be leased again
    assert_string_equal (sequence_due (s, true)->qid, s_q[1]);
    sequence_pop (s);
    assert_int_equal (sequence_size (s), 0);
    assert_null (sequence_due (s, true));
    sequence_pop (s);                           //  empty: nothing happens
    sequence_destroy (&s);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_lag_and_order),
        cmocka_unit_test (test_again_and_forget),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
