/*  test_mime.c: the MIME walk on fixtures for each encoding and structure,
 *  and their malformed twins: decoded as far as possible, problems named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "codec.h"
#include "mime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mime_limits_t s_lim = { 5, 50, 1 << 20, { 1000, 65536, 65536 } };

//  Parse msg; the caller frees m with mime_free.
static void
s_walk (mime_t *m, const char *msg, const mime_limits_t *lim)
{
    header_t h;
    header_init (&h);
    assert_int_equal (header_parse (&h, msg, strlen (msg), &lim->header), 0);
    mime_init (m);
    mime_parse (m, msg, strlen (msg), &h, lim);
    header_free (&h);
}

static bool
s_has (const strbuf_t *b, const char *what)
{
    return b->data && strstr (b->data, what) != NULL;
}

static void
test_base64_and_qp (void **state)
{
    mime_t m;
    s_walk (&m, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                "aGVsbG8gd29ybGQ=\n", &s_lim);
    assert_true (s_has (&m.text, "hello world"));
    assert_int_equal (m.problems.len, 0);
    mime_free (&m);
    s_walk (&m, "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n"
                "soft=\nbreak and caf=C3=A9 =3D equals\n", &s_lim);
    assert_true (s_has (&m.text, "softbreak and caf\xc3\xa9 = equals"));
    mime_free (&m);
}

static void
test_broken_base64_and_qp (void **state)
{
    mime_t m;
    //  Junk inside base64: skipped, the rest decoded, the problem named.
    s_walk (&m, "Content-Transfer-Encoding: base64\n\naGVs!!bG8g#d29y*bGQ=\n", &s_lim);
    assert_true (s_has (&m.text, "hello world"));
    assert_true (s_has (&m.problems, "base64"));
    mime_free (&m);
    s_walk (&m, "Content-Transfer-Encoding: quoted-printable\n\nbad =ZZ sequence =\n", &s_lim);
    assert_true (s_has (&m.text, "bad =ZZ sequence"));
    assert_true (s_has (&m.problems, "quoted-printable"));
    mime_free (&m);
}

static void
test_charsets (void **state)
{
    mime_t m;
    s_walk (&m, "Content-Type: text/plain; charset=iso-8859-1\n\nGr\xfc\xdf" "e\n", &s_lim);
    assert_true (s_has (&m.text, "Gr\xc3\xbc\xc3\x9f" "e"));
    mime_free (&m);
    s_walk (&m, "Content-Type: text/plain; charset=\"windows-1252\"\n\n\x93quoted\x94 \x80" "5\n", &s_lim);
    assert_true (s_has (&m.text, "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac" "5"));
    mime_free (&m);
    s_walk (&m, "Content-Type: text/plain; charset=iso-8859-15\n\n\xa4\n", &s_lim);
    assert_true (s_has (&m.text, "\xe2\x82\xac"));
    mime_free (&m);
    //  A charset that does not exist: read as windows-1252, and said so.
    s_walk (&m, "Content-Type: text/plain; charset=x-no-such-charset\n\ncaf\xe9\n", &s_lim);
    assert_true (s_has (&m.text, "caf\xc3\xa9"));
    assert_true (s_has (&m.problems, "unknown charset x-no-such-charset"));
    mime_free (&m);
    //  Invalid UTF-8 labelled UTF-8 becomes U+FFFD, never passes through.
    s_walk (&m, "Content-Type: text/plain; charset=utf-8\n\nbad \xff\xfe bytes\n", &s_lim);
    assert_true (s_has (&m.text, "bad \xef\xbf\xbd\xef\xbf\xbd bytes"));
    mime_free (&m);
}

static void
test_multipart_alternative_html (void **state)
{
    mime_t m;
    s_walk (&m, "Content-Type: multipart/alternative; boundary=\"XX\"\n\npreamble\n--XX\n"
                "Content-Type: text/plain\n\nplain words\n--XX\n"
                "Content-Type: text/html; charset=utf-8\n\n<html><head><style>p{color:red}</style>"
                "</head><body><p>caf&eacute; &amp; &#x263A; <a href=\"http://example.com/x\">link "
                "text</a><!-- hidden comment --><script>var x;</script></p></body></html>\n--XX--\n"
                "epilogue\n", &s_lim);
    assert_true (s_has (&m.text, "plain words"));
    assert_true (s_has (&m.text, "caf\xc3\xa9 & \xe2\x98\xba link text"));
    assert_false (s_has (&m.text, "color:red"));
    assert_false (s_has (&m.text, "hidden comment"));
    assert_false (s_has (&m.text, "var x"));
    assert_false (s_has (&m.text, "<p>"));
    assert_true (s_has (&m.urls, "http://example.com/x"));
    assert_true (m.html);
    assert_true (s_has (&m.types, "multipart/alternative\ntext/plain\ntext/html"));
    assert_int_equal (m.problems.len, 0);
    mime_free (&m);
}

static void
test_nested_and_rfc822 (void **state)
{
    mime_t m;
    s_walk (&m, "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/related; "
                "boundary=b\n\n--b\nContent-Type: text/plain\n\ninner text\n--b--\n--a\n"
                "Content-Type: message/rfc822\n\nSubject: forwarded\nContent-Type: text/plain\n\n"
                "forwarded body\n--a\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\n"
                "R0lGODlh\n--a--\n", &s_lim);
    assert_true (s_has (&m.text, "inner text"));
    assert_true (s_has (&m.text, "forwarded body"));
    assert_false (s_has (&m.text, "GIF"));
    assert_true (s_has (&m.types, "image/gif"));
    assert_int_equal (m.depth, 2);
    assert_int_equal (m.problems.len, 0);
    mime_free (&m);
}

static void
test_broken_structure (void **state)
{
    mime_t m;
    //  No closing boundary: the last part is still read, the problem named.
    s_walk (&m, "Content-Type: multipart/mixed; boundary=q\n\n--q\n\nfirst\n--q\n\nsecond, unterminated\n",
            &s_lim);
    assert_true (s_has (&m.text, "first"));
    assert_true (s_has (&m.text, "second, unterminated"));
    assert_true (s_has (&m.problems, "closing boundary"));
    mime_free (&m);
    s_walk (&m, "Content-Type: multipart/mixed; boundary=never\n\njust text\n", &s_lim);
    assert_true (s_has (&m.problems, "boundary never appears"));
    mime_free (&m);
    s_walk (&m, "Content-Type: multipart/mixed\n\nno boundary parameter\n", &s_lim);
    assert_true (s_has (&m.text, "no boundary parameter"));
    assert_true (s_has (&m.problems, "without a boundary"));
    mime_free (&m);
}

static void
test_limits (void **state)
{
    //  Nesting one deeper than the limit: the inner part is not read.
    char msg[4096] = "";
    size_t n = 0;
    for (int i = 0; i < 7; i++)
        n += (size_t) snprintf (msg + n, sizeof msg - n,
                                "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
    snprintf (msg + n, sizeof msg - n, "Content-Type: text/plain\n\ndeep text\n");
    mime_t m;
    s_walk (&m, msg, &s_lim);
    assert_false (s_has (&m.text, "deep text"));
    assert_true (s_has (&m.problems, "mime-depth"));
    mime_free (&m);
    //  At the depth limit exactly: read.
    mime_limits_t deep = s_lim;
    deep.max_depth = 7;
    s_walk (&m, msg, &deep);
    assert_true (s_has (&m.text, "deep text"));
    mime_free (&m);
    //  More parts than the limit.
    char *many = malloc (100000);
    n = (size_t) sprintf (many, "Content-Type: multipart/mixed; boundary=z\n\n");
    for (int i = 0; i < 80; i++)
        n += (size_t) sprintf (many + n, "--z\n\npart %d\n", i);
    sprintf (many + n, "--z--\n");
    s_walk (&m, many, &s_lim);
    assert_true (m.parts <= 50);
    assert_true (s_has (&m.problems, "mime-parts"));
    assert_true (s_has (&m.text, "part 0"));
    assert_false (s_has (&m.text, "part 79"));
    mime_free (&m);
    free (many);
    //  Text beyond max_text is not kept.
    mime_limits_t small = s_lim;
    small.max_text = 1024;
    char *big = malloc (10000);
    n = (size_t) sprintf (big, "Content-Type: text/plain\n\n");
    memset (big + n, 'a', 5000);
    big[n + 5000] = 0;
    s_walk (&m, big, &small);
    assert_true (m.text.len <= 1025);
    mime_free (&m);
    free (big);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_base64_and_qp),
        cmocka_unit_test (test_broken_base64_and_qp),
        cmocka_unit_test (test_charsets),
        cmocka_unit_test (test_multipart_alternative_html),
        cmocka_unit_test (test_nested_and_rfc822),
        cmocka_unit_test (test_broken_structure),
        cmocka_unit_test (test_limits),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
