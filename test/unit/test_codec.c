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

static void
test_base64_and_qp (void **state)
{
    strbuf_t o;
    strbuf_init (&o);
    assert_true (codec_base64 ("SGVs bG8*=", 9, &o) >= 1);     //  '*' skipped, counted
    assert_string_equal (o.data, "Hello");
    strbuf_reset (&o);
    //  =3D is '=', "=\n" a soft line break, =ZZ not a sequence (kept, counted).
    assert_int_equal (codec_qp ("a=3Db=\nc=ZZ_d", 14, false, &o), 1);
    assert_string_equal (o.data, "a=bc=ZZ_d");
    strbuf_reset (&o);
    //  In a header, '_' is a space.
    assert_int_equal (codec_qp ("a_b=3F", 6, true, &o), 0);
    assert_string_equal (o.data, "a b?");
    strbuf_free (&o);
}

static void
test_charsets (void **state)
{
    strbuf_t o;
    strbuf_init (&o);
    assert_int_equal (codec_to_utf8 ("ISO-8859-1", "caf\xe9", 4, &o), 0);
    assert_string_equal (o.data, "caf\xc3\xa9");
    strbuf_reset (&o);
    //  Unknown: read as windows-1252, and said so.
    assert_int_equal (codec_to_utf8 ("x-nonsense", "caf\xe9", 4, &o), -1);
    assert_string_equal (o.data, "caf\xc3\xa9");
    strbuf_reset (&o);
    //  Invalid UTF-8: U+FFFD for each bad sequence, counted.
    assert_int_equal (codec_to_utf8 ("utf-8", "ok\xff!", 4, &o), 1);
    assert_string_equal (o.data, "ok\xef\xbf\xbd!");
    strbuf_free (&o);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_rfc2047),
        cmocka_unit_test (test_base64_and_qp),
        cmocka_unit_test (test_charsets),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
