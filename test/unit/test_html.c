/*  test_html.c: HTML to text as the tokenizer sees it: text and entities
 *  kept, scripts, styles and comments dropped, link targets and tag names
 *  apart; hostile markup neither crashes nor runs past its input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "html.h"
#include <stdlib.h>
#include <string.h>

static void
test_text_links_tags (void **state)
{
    const char *h = "<html><head><style>p{color:red}</style><script>var a=1;</script></head>"
                    "<body><p>Hello&nbsp;&amp; <b>world</b> &#233;&#x263A;</p>"
                    "<a href=\"http://Evil.example/x?a=1\">click</a><img src='http://img.example/p.gif'>"
                    "<!-- hidden words --></body></html>";
    strbuf_t t, u, g;
    strbuf_init (&t);
    strbuf_init (&u);
    strbuf_init (&g);
    html_to_text (h, strlen (h), &t, &u, &g);
    assert_non_null (strstr (t.data, "Hello & world \xc3\xa9\xe2\x98\xba"));
    assert_non_null (strstr (t.data, "click"));
    assert_null (strstr (t.data, "color"));
    assert_null (strstr (t.data, "var a"));
    assert_null (strstr (t.data, "hidden"));
    assert_string_equal (u.data, "http://Evil.example/x?a=1\nhttp://img.example/p.gif\n");
    assert_non_null (strstr (g.data, "a.href"));
    assert_non_null (strstr (g.data, "img.src"));
    strbuf_free (&t);
    strbuf_free (&u);
    strbuf_free (&g);
}

static void
test_hostile_markup (void **state)
{
    const char *cases[] = { "<", "<a href=", "<a href=\"unterminated", "&#99999999999;&#x;&;&",
                            "<!-- never closed", "<script>no end", "<<<>>>", "<a\0b>" };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        strbuf_t t, u;
        strbuf_init (&t);
        strbuf_init (&u);
        html_to_text (cases[i], strlen (cases[i]), &t, &u, NULL);
        assert_true (t.len < 64);
        strbuf_free (&t);
        strbuf_free (&u);
    }
    //  A code point out of range becomes U+FFFD.
    strbuf_t o;
    strbuf_init (&o);
    html_utf8 (&o, 0x110000);
    html_utf8 (&o, 0x41);
    assert_string_equal (o.data, "\xef\xbf\xbd" "A");
    strbuf_free (&o);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_text_links_tags),
        cmocka_unit_test (test_hostile_markup),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
