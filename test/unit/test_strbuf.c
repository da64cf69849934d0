/*  test_strbuf.c: the growable buffer: appends of every kind, always
 *  NUL-terminated, detach and reset; JSON strings that stay valid JSON
 *  whatever bytes they are given. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "strbuf.h"
#include <stdlib.h>
#include <string.h>

static void
test_appends_grow_and_terminate (void **state)
{
    strbuf_t b;
    strbuf_init (&b);
    assert_null (b.data);
    strbuf_adds (&b, "abc");
    strbuf_addc (&b, '-');
    strbuf_add (&b, "xyz\0hidden", 3);
    strbuf_printf (&b, "%d:%s", 42, "end");
    assert_string_equal (b.data, "abc-xyz42:end");
    assert_int_equal (b.len, 13);
    //  Past many doublings the content is whole and terminated.
    for (int i = 0; i < 10000; i++)
        strbuf_addc (&b, (char) ('a' + i % 26));
    assert_int_equal (b.len, 10013);
    assert_int_equal (b.data[b.len], 0);
    assert_true (b.cap > b.len);
    assert_int_equal (b.data[13], 'a');
    assert_int_equal (b.data[13 + 25], 'z');
    strbuf_reset (&b);
    assert_int_equal (b.len, 0);
    assert_string_equal (b.data, "");
    strbuf_free (&b);
    assert_null (b.data);
}

static void
test_detach_leaves_it_empty (void **state)
{
    strbuf_t b;
    strbuf_init (&b);
    strbuf_printf (&b, "%s", "taken");
    char *s = strbuf_detach (&b);
    assert_string_equal (s, "taken");
    assert_int_equal (b.len, 0);
    strbuf_adds (&b, "again");
    assert_string_equal (b.data, "again");
    assert_string_equal (s, "taken");
    free (s);
    strbuf_free (&b);
}

static void
test_json_strings (void **state)
{
    strbuf_t b;
    strbuf_init (&b);
    strbuf_json_string (&b, "plain");
    strbuf_addc (&b, ' ');
    strbuf_json_string (&b, "q\"b\\s\n\t\x01");
    strbuf_addc (&b, ' ');
    strbuf_json_string (&b, "caf\xc3\xa9");         //  valid UTF-8 kept as it is
    strbuf_addc (&b, ' ');
    strbuf_json_string (&b, "bad\xff\xc3");         //  invalid bytes escaped
    assert_string_equal (b.data, "\"plain\" \"q\\\"b\\\\s\\n\\t\\u0001\" \"caf\xc3\xa9\" "
                                 "\"bad\\u00ff\\u00c3\"");
    strbuf_free (&b);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_appends_grow_and_terminate),
        cmocka_unit_test (test_detach_leaves_it_empty),
        cmocka_unit_test (test_json_strings),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
