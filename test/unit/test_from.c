/*  test_from.c: the one judgement of the From: field, as the worker's
 *  lockdown and the broker's domain-wide state both make it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "from.h"
#include <string.h>

static from_status_t
s_judge (const char *msg, char *dom, size_t len, size_t *fields)
{
    static const header_limits_t lim = { 100, 4096, 1000 };
    header_t h;
    header_init (&h);
    assert_int_equal (header_parse (&h, msg, strlen (msg), &lim), 0);
    from_status_t st = from_domain (&h, dom, len, fields);
    header_free (&h);
    return st;
}

static void
test_statuses (void **state)
{
    char d[64];
    size_t n;
    assert_int_equal (s_judge ("From: \"Shop, Inc\" <Sales@SHOP.Example>\n\nx\n", d, sizeof d, &n), FROM_OK);
    assert_string_equal (d, "shop.example");
    assert_int_equal (n, 1);
    assert_int_equal (s_judge ("From: a@b.example (comment)\n folded@nowhere\n\nx\n", d, sizeof d, &n),
                      FROM_OK);
    assert_int_equal (s_judge ("To: a@b.example\n\nx\n", d, sizeof d, &n), FROM_NONE);
    assert_int_equal (n, 0);
    assert_string_equal (d, "");
    //  Two fields: refused, though the first domain is told (the broker counts it).
    assert_int_equal (s_judge ("From: a@one.example\nFROM: b@two.example\n\nx\n", d, sizeof d, &n),
                      FROM_SEVERAL);
    assert_int_equal (n, 2);
    assert_string_equal (d, "one.example");
    assert_int_equal (s_judge ("From: a@one.example, b@two.example\n\nx\n", d, sizeof d, NULL),
                      FROM_SEVERAL_ADDRESSES);
    assert_int_equal (s_judge ("From: undisclosed:;\n\nx\n", d, sizeof d, NULL), FROM_UNREADABLE);
    assert_int_equal (s_judge ("From: root\n\nx\n", d, sizeof d, NULL), FROM_NO_DOMAIN);
    assert_int_equal (s_judge ("From: a@a-rather-long-domain.example\n\nx\n", d, 10, NULL), FROM_TOO_LONG);
    assert_string_equal (d, "");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_statuses),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
