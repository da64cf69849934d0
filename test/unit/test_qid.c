/*  test_qid.c: queue ids: unique, ordered by time, validated. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "qid.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
test_qids_unique_and_ordered (void **state)
{
    char prev[QID_SIZE] = "";
    for (int i = 0; i < 10000; i++) {
        char q[QID_SIZE];
        qid_make (q);
        assert_true (qid_valid (q));
        assert_true (strcmp (q, prev) != 0);
        //  The time prefix never goes backwards within a process.
        assert_true (strncmp (q, prev, 14) >= 0);
        memcpy (prev, q, QID_SIZE);
    }
    assert_false (qid_valid ("0123"));
    assert_false (qid_valid ("0660d811d095645671d9acbZ"));
    assert_false (qid_valid ("0660d811d095645671d9acb5x"));
    assert_false (qid_valid ("../../etc/passwd00000000"));
}

//  A replay's ids: the same for the same time and serial, valid, and in
//  the order of (time, serial).
static void
test_qid_at (void **state)
{
    char a[QID_SIZE], b[QID_SIZE], c[QID_SIZE];
    qid_at (a, 1767225600ull * 1000000u, 0);
    qid_at (b, 1767225600ull * 1000000u, 0);
    assert_string_equal (a, b);
    assert_true (qid_valid (a));
    assert_int_equal (qid_usec (a), 1767225600ull * 1000000u);
    qid_at (b, 1767225600ull * 1000000u, 1);
    qid_at (c, 1767225601ull * 1000000u, 0);
    assert_true (strcmp (a, b) < 0);
    assert_true (strcmp (b, c) < 0);
    qid_at (c, UINT64_MAX, UINT64_MAX);     //  cut to its fields, still valid
    assert_true (qid_valid (c));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_qids_unique_and_ordered),
        cmocka_unit_test (test_qid_at),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
