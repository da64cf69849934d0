/*  test_baseline.c: the statistics of compromise detection on known
 *  sequences: EWMA, HyperLogLog, the two-generation Bloom filter, the
 *  Poisson surprise. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "baseline.h"
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

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_ewma_known_sequence),
        cmocka_unit_test (test_hll_counts),
        cmocka_unit_test (test_bloom_generations),
        cmocka_unit_test (test_poisson_surprise),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
