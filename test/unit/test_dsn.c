/*  test_dsn.c: RFC 3464 bounces: the status from a reply, and a DSN that keeps hostile senders, recipients and replies out of its header fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "dsn.h"
#include "strbuf.h"
#include <string.h>

//  Header lines of the DSN itself (before its first blank line).
static int
s_header_has (const char *dsn, const char *name)
{
    const char *end = strstr (dsn, "\r\n\r\n");
    size_t nl = strlen (name);
    for (const char *p = dsn; p && p < end; p = strstr (p, "\r\n"), p = p ? p + 2 : NULL)
        if (strncmp (p, name, nl) == 0)
            return 1;
    return 0;
}

static void
test_status (void **state)
{
    char s[16];
    dsn_status (550, "5.7.1", s, sizeof s);
    assert_string_equal (s, "5.7.1");
    dsn_status (554, "", s, sizeof s);
    assert_string_equal (s, "5.0.0");
    dsn_status (0, "", s, sizeof s);
    assert_string_equal (s, "4.4.1");
}

static void
test_dsn_is_safe (void **state)
{
    envelope_t *env = envelope_new ();
    envelope_set (&env->qid, "0660dbb713ccd9320ef44a8c");
    //  A sender, a recipient and a reply that try to add header fields.
    envelope_set (&env->mail_from, "<a@b.example>\r\nBcc: victim@c.example");
    envelope_add_rcpt (env, "<x@y.example>");
    env->received_at = 1700000000;
    const char *msg = "From: a@b.example\nSubject: hi\n\nbody with\n--farm-dsn-fake--\n";
    dsn_rcpt_t r = { "<x@y.example>\nX-Injected: 1", "5.1.1", "550 5.1.1 no\r\nX-Evil: yes" };
    strbuf_t out;
    strbuf_init (&out);
    dsn_format (&out, env, msg, strlen (msg), &r, 1, "relay.example", "mx.example:25", "", 1700000100);
    strbuf_addc (&out, 0);
    const char *d = out.data;
    assert_true (s_header_has (d, "Content-Type: multipart/report; report-type=delivery-status;"));
    assert_true (s_header_has (d, "Auto-Submitted: auto-replied"));
    assert_false (s_header_has (d, "Bcc:"));
    assert_null (strstr (d, "\nX-Injected"));
    assert_null (strstr (d, "\nX-Evil"));
    //  The hostile recipient stays on its line, its spaces and breaks made harmless.
    assert_non_null (strstr (d, "\r\nFinal-Recipient: rfc822; <x@y.example>_X-Injected:_1\r\n"));
    assert_non_null (strstr (d, "\r\nAction: failed\r\nStatus: 5.1.1\r\n"));
    assert_non_null (strstr (d, "\r\nRemote-MTA: dns; mx.example:25\r\n"));
    assert_non_null (strstr (d, "\r\nArrival-Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
    //  Only the original's header section comes back, not its body.
    assert_non_null (strstr (d, "Content-Type: text/rfc822-headers\r\n\r\nFrom: a@b.example\r\nSubject: hi\r\n\r\n--farm-dsn-"));
    assert_null (strstr (d, "body with"));
    strbuf_free (&out);
    envelope_destroy (&env);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_status),
        cmocka_unit_test (test_dsn_is_safe),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
