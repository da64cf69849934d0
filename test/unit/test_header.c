/*  test_header.c: the bounded header section parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "address.h"
#include "header.h"
#include "rfcdate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const header_limits_t s_lim = { 100, 4096, 1000 };

static void
test_folded_and_crlf (void **state)
{
    const char *m = "From: A <a@x.example>\r\nSubject: one\r\n two\r\n\tthree\r\nTo: b@y.example\r\n\r\nbody\r\n";
    header_t h;
    header_init (&h);
    assert_int_equal (header_parse (&h, m, strlen (m), &s_lim), 0);
    assert_int_equal (h.count, 3);
    assert_false (h.no_blank_line);
    assert_string_equal (m + h.body_off, "body\r\n");
    char *subj = header_unfold (header_find (&h, "subject", 0));
    assert_string_equal (subj, "one two\tthree");
    free (subj);
    assert_null (header_find (&h, "Cc", 0));
    header_free (&h);
}

static void
test_body_without_blank_line (void **state)
{
    const char *m = "From: a@x.example\nthis is body\n";
    header_t h;
    header_init (&h);
    assert_int_equal (header_parse (&h, m, strlen (m), &s_lim), 0);
    assert_int_equal (h.count, 1);
    assert_true (h.no_blank_line);
    assert_string_equal (m + h.body_off, "this is body\n");
    header_free (&h);
}

static void
test_limits (void **state)
{
    header_t h;
    header_init (&h);
    //  Exactly at the field count limit: fine; one more: refused.
    char *m = malloc (200 * 16);
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t) sprintf (m + n, "X-H%d: v\n", i);
    assert_int_equal (header_parse (&h, m, n, &s_lim), 0);
    n += (size_t) sprintf (m + n, "X-Extra: v\n");
    assert_int_equal (header_parse (&h, m, n, &s_lim), -1);
    assert_non_null (strstr (h.error, "header-count"));
    free (m);
    //  A line just at and just past the line limit.
    char *line = malloc (2100);
    memset (line, 'a', 2100);
    memcpy (line, "X-L: ", 5);
    line[1000] = '\n';
    assert_int_equal (header_parse (&h, line, 1001, &s_lim), 0);
    line[1000] = 'a';
    line[1001] = '\n';
    assert_int_equal (header_parse (&h, line, 1002, &s_lim), -1);
    assert_non_null (strstr (h.error, "line-length"));
    free (line);
    const char nul[] = "From: a\0b\n\n";
    assert_int_equal (header_parse (&h, nul, sizeof nul - 1, &s_lim), -1);
    assert_non_null (strstr (h.error, "header-nul"));
    header_free (&h);
}

//  A line that is not a header field, with fields after it before the empty
//  line: inside the header section (RFC 5322), so refused, and the From:
//  below it cannot escape the checks. Without fields after it, the body
//  merely began without an empty line.
static void
test_broken_line_inside_the_header (void **state)
{
    const char *m = "From: a@x.example\nbroken header line\nFrom: b@y.example\n\nbody\n";
    header_t h;
    header_init (&h);
    assert_int_equal (header_parse (&h, m, strlen (m), &s_lim), -1);
    assert_non_null (strstr (h.error, "header-syntax: line 2"));
    header_free (&h);
    const char *folded = "From: a@x.example\nnot a field\n continued\nTo: b@y.example\n\nbody\n";
    assert_int_equal (header_parse (&h, folded, strlen (folded), &s_lim), -1);
    header_free (&h);
    const char *bodyish = "From: a@x.example\nSubject: s\nHello Bob\nthe text\n\nmore text\n";
    assert_int_equal (header_parse (&h, bodyish, strlen (bodyish), &s_lim), 0);
    assert_int_equal (h.count, 2);
    assert_true (h.no_blank_line);
    header_free (&h);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_folded_and_crlf),
        cmocka_unit_test (test_body_without_blank_line),
        cmocka_unit_test (test_broken_line_inside_the_header),
        cmocka_unit_test (test_limits),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
