/*  test_rfcdate.c: RFC 5322 date-times, the obsolete zones, and what is not a date. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "rfcdate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_dates (void **state)
{
    int64_t t;
    assert_int_equal (rfcdate_parse ("Thu, 01 Jan 2026 00:00:00 +0000", &t), 0);
    assert_int_equal (t, 1767225600);
    assert_int_equal (rfcdate_parse ("1 Jan 2026 01:00 +0100", &t), 0);
    assert_int_equal (t, 1767225600);
    assert_int_equal (rfcdate_parse ("Wed, 31 Dec 2025 19:00:00 EST", &t), 0);
    assert_int_equal (t, 1767225600);
    assert_int_equal (rfcdate_parse ("Thu, 1 Jan 26 00:00:00 GMT (comment)", &t), 0);
    assert_int_equal (t, 1767225600);
    assert_int_equal (rfcdate_parse ("yesterday", &t), -1);
    assert_int_equal (rfcdate_parse ("32 Jan 2026 00:00:00 +0000", &t), -1);
    assert_int_equal (rfcdate_parse ("1 Foo 2026 00:00:00 +0000", &t), -1);
    assert_int_equal (rfcdate_parse ("1 Jan 2026 25:00:00 +0000", &t), -1);
    assert_int_equal (rfcdate_parse ("", &t), -1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_dates),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
