/*  test_traits.c: what a message shows of its sender: link domains by the
 *  public suffix list, one text sent to many seen as one (each copy with
 *  its own greeting and numbers), other texts apart, and the hashes of
 *  Reply-To, display name and mailer (a mailer's new version is the same
 *  mailer). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "content.h"
#include "traits.h"
#include <stdio.h>
#include <string.h>

static void
s_traits (const char *msg, verdict_features_t *out)
{
    content_t c;
    content_init (&c);
    content_opts_t o;
    memset (&o, 0, sizeof o);
    o.mime = (mime_limits_t) { 20, 200, 1 << 20, { 1000, 1 << 16, 1 << 16 } };
    o.tok.max_tokens = 10000;
    content_tokenize (&c, msg, strlen (msg), &o);
    traits_of (out, &c.hdr, &c.mime);
    content_free (&c);
}

static void
test_domains (void **state)
{
    char d[256];
    traits_domain ("www.bbc.co.uk", d, sizeof d);
    assert_string_equal (d, "bbc.co.uk");
    traits_domain ("login.secure.example.com", d, sizeof d);
    assert_string_equal (d, "example.com");
    traits_domain ("someone.github.io", d, sizeof d);
    assert_string_equal (d, "someone.github.io");
    traits_domain ("192.0.2.7", d, sizeof d);
    assert_string_equal (d, "192.0.2.7");
    traits_domain ("localhost", d, sizeof d);
    assert_string_equal (d, "localhost");
    traits_domain ("", d, sizeof d);
    assert_string_equal (d, "");
}

static const char *s_note =
    "From: \"Pat Lee\" <pat@home.example>\nReply-To: <pat.lee@elsewhere.example>\n"
    "X-Mailer: Thunderbird 115.3.1\nSubject: shared document\n\n"
    "Hi %s,\n\nI have shared a document with you about the invoice %d. Please review it "
    "before the meeting on Friday, and sign in to view the file online:\n"
    "https://docs.%s/view?id=%d\n\nThank you, and have a good weekend.\nPat\n";

static void
test_same_text (void **state)
{
    char m[2048];
    verdict_features_t a, b, c, other;
    snprintf (m, sizeof m, s_note, "Alice", 1041, "evil-share.example", 77);
    s_traits (m, &a);
    snprintf (m, sizeof m, s_note, "Bernard", 99812, "evil-share.example", 1203);
    s_traits (m, &b);
    assert_int_equal (a.nlinks, 1);
    assert_true (a.links[0] == b.links[0]);
    assert_true (a.text && b.text);
    assert_true (traits_distance (a.text, b.text) <= TRAITS_SAME_BITS);
    //  The same words pointing elsewhere: another link domain.
    snprintf (m, sizeof m, s_note, "Alice", 1041, "example.org", 77);
    s_traits (m, &c);
    assert_true (c.links[0] != a.links[0]);
    //  Another text altogether: far apart.
    s_traits ("From: Pat <pat@home.example>\nSubject: lunch\n\nAre we still on for lunch "
              "tomorrow? The new place near the station has good soup, I hear, and they open "
              "early enough for us.\n", &other);
    assert_true (traits_distance (a.text, other.text) > TRAITS_SAME_BITS);
    assert_int_equal (other.nlinks, 0);
    //  Presentation: the same for both copies; none where absent.
    assert_true (a.reply_to && a.reply_to == b.reply_to);
    assert_true (a.display && a.display == b.display);
    assert_true (a.mailer && a.mailer == b.mailer);
    assert_true (other.reply_to == 0 && other.mailer == 0 && other.display != a.display);
    //  A mailer's new version is the same mailer.
    char up[2048];
    snprintf (m, sizeof m, s_note, "Alice", 1041, "evil-share.example", 77);
    const char *v = strstr (m, "115.3.1");
    snprintf (up, sizeof up, "%.*s128.0%s", (int) (v - m), m, v + 7);
    s_traits (up, &c);
    assert_true (c.mailer == a.mailer);
    //  Too short a text has no fingerprint.
    s_traits ("From: a@b.example\n\nthanks\n", &c);
    assert_true (c.text == 0);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_domains),
        cmocka_unit_test (test_same_text),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
