/*  test_shard.c: rendezvous hashing of senders to brokers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "shard.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

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
        cmocka_unit_test (test_shard_rendezvous),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
