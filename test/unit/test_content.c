/*  test_content.c: header parse + MIME + tokenize in one call, as worker,
 *  trainer and benchmark use it: the same tokens whether the header was
 *  parsed here or before; the settings a model records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "cfg.h"
#include "content.h"
#include <string.h>

static const char *s_msg =
    "From: Shop <news@shop.example>\nSubject: =?UTF-8?B?U3VtbWVyIHNhbGU=?=\n"
    "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n"
    "--b\nContent-Type: text/plain\n\nBig summer sale on garden chairs\n"
    "--b\nContent-Type: text/html\n\n<p>Big <b>summer</b> sale <a href=\"http://shop.example/s\">here</a></p>\n"
    "--b--\n";

static void
test_one_call_and_parsed_alike (void **state)
{
    cfg_t *cfg = cfg_new (CFG_WORKER);
    content_opts_t o;
    content_opts (&o, cfg);
    content_t a, b;
    content_init (&a);
    content_init (&b);
    assert_int_equal (content_tokenize (&a, s_msg, strlen (s_msg), &o), 0);
    assert_true (a.tokens.n > 10);
    header_t h;
    header_init (&h);
    assert_int_equal (header_parse (&h, s_msg, strlen (s_msg), &o.mime.header), 0);
    content_tokenize_parsed (&b, s_msg, strlen (s_msg), &h, &o);
    assert_int_equal (a.tokens.n, b.tokens.n);
    //  Again into the same buffers: the same tokens, nothing left over.
    size_t n = a.tokens.n;
    assert_int_equal (content_tokenize (&a, s_msg, strlen (s_msg), &o), 0);
    assert_int_equal (a.tokens.n, n);
    header_free (&h);
    content_free (&a);
    content_free (&b);
    char settings[64];
    content_settings (&o, settings, sizeof settings);
    assert_non_null (strstr (settings, TOKENIZE_VERSION));
    assert_non_null (strstr (settings, "bigrams=1"));
    o.tok.bigrams = false;
    content_settings (&o, settings, sizeof settings);
    assert_non_null (strstr (settings, "bigrams=0"));
    cfg_destroy (&cfg);
}

static void
test_unparsable_header_still_tokens (void **state)
{
    cfg_t *cfg = cfg_new (CFG_WORKER);
    content_opts_t o;
    content_opts (&o, cfg);
    o.mime.header.max_fields = 2;
    const char *m = "Subject: one\nX-A: 1\nX-B: 2\nX-C: 3\n\nwords in the body\n";
    content_t c;
    content_init (&c);
    assert_int_equal (content_tokenize (&c, m, strlen (m), &o), -1);
    assert_true (c.tokens.n > 0);
    content_free (&c);
    cfg_destroy (&cfg);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_one_call_and_parsed_alike),
        cmocka_unit_test (test_unparsable_header_still_tokens),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
