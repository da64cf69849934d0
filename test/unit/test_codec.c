/*  test_codec.c: base64, quoted-printable, charsets to UTF-8, RFC 2047 encoded words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "codec.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_rfc2047 (void **state)
{
    char *s = codec_header ("=?UTF-8?B?SGVsbG8=?= =?ISO-8859-1?Q?W=F6rld_again?= plain");
    assert_string_equal (s, "HelloW\xc3\xb6rld again plain");
    free (s);
    s = codec_header ("no encoding at all");
    assert_string_equal (s, "no encoding at all");
    free (s);
    s = codec_header ("broken =?utf-8?X?abc and =?unterminated");
    assert_non_null (strstr (s, "broken"));
    free (s);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_rfc2047),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
