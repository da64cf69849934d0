/*  test_address.c: address lists out of From/To/Cc values: display names, comments, quotes, groups, brackets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "address.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_address_lists (void **state)
{
    char *out[8];
    int more;
    size_t n = address_list ("\"Smith, J\" <J@Example.COM>, b@y.example (Bob), "
                             "group: c@z.example, d@w.example;, <e@v.example>", out, 8, &more);
    assert_int_equal (n, 5);
    assert_string_equal (out[0], "J@example.com");
    assert_string_equal (out[1], "b@y.example");
    assert_string_equal (out[2], "c@z.example");
    assert_string_equal (out[3], "d@w.example");
    assert_string_equal (out[4], "e@v.example");
    assert_false (more);
    for (size_t i = 0; i < n; i++)
        free (out[i]);
    n = address_list ("a@x, b@x, c@x", out, 2, &more);
    assert_int_equal (n, 2);
    assert_true (more);
    free (out[0]);
    free (out[1]);
    assert_string_equal (address_domain ("u@d.example"), "d.example");
    assert_null (address_domain ("nodomain"));
    assert_null (address_domain ("trailing@"));
    //  Hostile: unbalanced everything, never a crash, never a read past NUL.
    n = address_list ("\"unterminated <a@b ((( ", out, 8, &more);
    for (size_t i = 0; i < n; i++)
        free (out[i]);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_address_lists),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
