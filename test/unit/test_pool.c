/*  test_pool.c: the broker's workers: found by routing id, each job to the
 *  least recently used worker with credit, credit given back by verdicts,
 *  none taken past what a worker offered, a worker forgotten. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "pool.h"
#include <czmq.h>
#include <string.h>

static void
test_credit_and_order (void **state)
{
    pool_t *p = pool_new ();
    assert_false (pool_ready (p));
    assert_null (pool_take (p));
    zframe_t *ida = zframe_new ("A", 1), *idb = zframe_new ("B", 1), *idc = zframe_new ("C", 1);
    pool_worker_t *a = pool_add (p, ida, "host:1", "m1", 2);
    pool_worker_t *b = pool_add (p, idb, "host:2", "m1", 1);
    assert_ptr_equal (pool_find (p, ida), a);
    assert_ptr_equal (pool_find (p, idb), b);
    assert_null (pool_find (p, idc));
    assert_true (pool_ready (p));
    //  Turn about, then only the one with credit left.
    pool_worker_t *t1 = pool_take (p), *t2 = pool_take (p), *t3 = pool_take (p);
    assert_true (t1 != t2);
    assert_ptr_equal (t3, a);
    assert_null (pool_take (p));
    assert_false (pool_ready (p));
    assert_int_equal (a->jobs, 2);
    assert_int_equal (b->jobs, 1);
    //  A verdict from b: b is next.
    pool_give (p, b);
    assert_true (pool_ready (p));
    assert_ptr_equal (pool_take (p), b);
    assert_null (pool_take (p));
    //  Walking all, and forgetting one.
    int n = 0;
    for (pool_worker_t *w = pool_first (p); w; w = pool_next (p))
        n++;
    assert_int_equal (n, 2);
    pool_remove (p, &a);
    assert_null (a);
    assert_null (pool_find (p, ida));
    assert_ptr_equal (pool_find (p, idb), b);
    pool_give (p, b);
    assert_ptr_equal (pool_take (p), b);
    zframe_destroy (&ida);
    zframe_destroy (&idb);
    zframe_destroy (&idc);
    pool_destroy (&p);
    assert_null (p);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_credit_and_order),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
