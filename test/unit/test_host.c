/*  test_host.c: this host's name for mail: never empty, qualified when the
 *  resolver knows a qualified name, and the short name contained in it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "host.h"
#include <string.h>
#include <unistd.h>

static void
test_name (void **state)
{
    char name[256], shortname[256] = "";
    host_name (name, sizeof name);
    assert_true (strlen (name) > 0);
    gethostname (shortname, sizeof shortname - 1);
    //  The short name is where the qualified one starts.
    if (*shortname)
        assert_int_equal (strncmp (name, shortname, strcspn (shortname, ".")), 0);
    char tiny[4];
    host_name (tiny, sizeof tiny);
    assert_true (strlen (tiny) < sizeof tiny);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_name),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
