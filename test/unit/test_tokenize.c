/*  test_tokenize.c: the tokens of a known message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "tokenize.h"
#include "content.h"
#include "cfg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static content_opts_t s_opts = {
    { 10, 100, 1 << 20, { 1000, 65536, 65536 } }, { true, 20000, true }
};

static bool
s_has_token (const tokens_t *t, const char *text)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp (tokens_text (t, i), text) == 0)
            return true;
    return false;
}

static void
test_tokens_of_known_input (void **state)
{
    const char *msg = "From: \"Jane Q. Doe\" <jane@Shop.Example>\n"
                      "Subject: =?UTF-8?Q?Free_Money?= now\n"
                      "X-Mailer: SuperMailer 2.0\n"
                      "Received: from relay.example by mx\n"
                      "Content-Type: text/html\n\n"
                      "<p>Click <a href=\"http://WWW.Deals.Example.com/x\">HERE</a> free money "
                      "free money e-mail xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaz"
                      " now!!! Hi</p>\n";
    content_t c;
    content_init (&c);
    assert_int_equal (content_tokenize (&c, msg, strlen (msg), &s_opts), 0);
    const tokens_t *t = &c.tokens;
    const char *want[] = { "s:free", "s:money", "s:now", "fn:jane", "fn:doe", "fd:shop.example",
                           "m:supermailer", "hn:x-mailer", "ct:text/html", "h:html",
                           "u:www.deals.example.com", "ud:example.com", "click", "here", "free",
                           "money", "e-mail", "b2:free money", "b2:click here", "sk:x:7",
                           "C:HERE", "t:p", "t:a", "t:a.href", "pn:!!!" };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!s_has_token (t, want[i]))
            fail_msg ("token %s missing", want[i]);
    //  Transit headers say nothing about the author; words are lowercased;
    //  each token once ("free" and "money" appear three times each).
    assert_false (s_has_token (t, "hn:received"));
    assert_false (s_has_token (t, "Click"));
    assert_false (s_has_token (t, "C:Hi"));
    for (size_t i = 0; i < t->n; i++)
        for (size_t j = i + 1; j < t->n; j++)
            assert_true (t->t[i].h != t->t[j].h);
    //  Hashes are what tokenize_hash says.
    for (size_t i = 0; i < t->n; i++)
        if (strcmp (tokens_text (t, i), "fd:shop.example") == 0)
            assert_true (t->t[i].h == tokenize_hash ("fd:", "shop.example", 12));
    //  Without bigrams there are no pairs.
    content_opts_t o = s_opts;
    o.tok.bigrams = false;
    content_tokenize (&c, msg, strlen (msg), &o);
    assert_false (s_has_token (&c.tokens, "b2:free money"));
    content_free (&c);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_tokens_of_known_input),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
