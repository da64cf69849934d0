/*  test_xalloc.c: allocations that never return NULL: zero sizes give a
 *  pointer, copies are whole and terminated. (Exhaustion aborts through
 *  diag_panic, tested in test_diag.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "xalloc.h"
#include <stdlib.h>
#include <string.h>

static void
test_never_null (void **state)
{
    void *a = xmalloc (0), *b = xcalloc (0, 8), *c = xrealloc (NULL, 0);
    assert_non_null (a);
    assert_non_null (b);
    assert_non_null (c);
    free (a);
    free (b);
    free (c);
    unsigned char *z = xcalloc (16, 4);
    for (int i = 0; i < 64; i++)
        assert_int_equal (z[i], 0);
    z = xrealloc (z, 4096);
    z[4095] = 1;
    free (z);
}

static void
test_copies (void **state)
{
    char *s = xstrdup ("queue");
    assert_string_equal (s, "queue");
    char *t = xstrndup ("queue-id", 5);
    assert_string_equal (t, "queue");
    char *u = xstrndup ("ab", 10);
    assert_string_equal (u, "ab");
    free (s);
    free (t);
    free (u);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_never_null),
        cmocka_unit_test (test_copies),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
