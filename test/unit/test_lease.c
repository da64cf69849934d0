/*  test_lease.c: the broker's table of jobs in flight: a new token on every
 *  dispatch (so a late verdict is told from a current one), the envelope
 *  handed back on removal, expired leases and a worker's leases collected. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "lease.h"
#include <string.h>

static const char *s_q[] = { "0660d811d095645671d9acb5", "0660d811d095645671d9acb6",
                             "0660d811d095645671d9acb7" };

static void
test_tokens_and_ownership (void **state)
{
    lease_table_t *t = lease_table_new ();
    pool_worker_t w1 = { .name = "w1" }, w2 = { .name = "w2" };
    envelope_t *env = envelope_new ();
    envelope_set (&env->account, "alice");
    lease_t *l = lease_add (t, s_q[0], &w1, 1000, 5, &env, 77);
    assert_null (env);                      //  taken
    uint64_t first = l->token;
    assert_ptr_equal (lease_find (t, s_q[0]), l);
    assert_null (lease_find (t, s_q[1]));
    assert_int_equal (lease_count (t), 1);
    //  Leased again (after its worker went away): another token.
    envelope_t *back = NULL;
    lease_remove (t, s_q[0], &back);
    assert_non_null (back);
    assert_string_equal (back->account, "alice");
    assert_int_equal (lease_count (t), 0);
    l = lease_add (t, s_q[0], &w2, 2000, 5, &back, 77);
    assert_true (l->token != first);
    assert_ptr_equal (l->worker, &w2);
    assert_int_equal (l->body_off, 77);
    lease_remove (t, s_q[0], NULL);         //  envelope freed with the lease
    lease_table_destroy (&t);
    assert_null (t);
}

static void
test_collect (void **state)
{
    lease_table_t *t = lease_table_new ();
    pool_worker_t w1 = { .name = "w1" }, w2 = { .name = "w2" };
    for (int i = 0; i < 3; i++) {
        envelope_t *env = envelope_new ();
        lease_add (t, s_q[i], i == 2 ? &w2 : &w1, 1000 * (i + 1), 0, &env, 0);
    }
    char out[4][QID_SIZE];
    //  At 2500 ms the first two are past their deadlines.
    assert_int_equal (lease_collect (t, 2500, NULL, out, 4), 2);
    assert_true ((!strcmp (out[0], s_q[0]) && !strcmp (out[1], s_q[1]))
                 || (!strcmp (out[0], s_q[1]) && !strcmp (out[1], s_q[0])));
    //  A worker's leases, whatever their deadline; at most max.
    assert_int_equal (lease_collect (t, 0, &w2, out, 4), 1);
    assert_string_equal (out[0], s_q[2]);
    assert_int_equal (lease_collect (t, 0, &w1, out, 1), 1);
    assert_int_equal (lease_collect (t, 0, NULL, out, 4), 0);
    lease_table_destroy (&t);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_tokens_and_ownership),
        cmocka_unit_test (test_collect),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
