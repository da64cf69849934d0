/*  test_envelope.c: the `key: value` envelope reader and writer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "envelope.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
s_parse (envelope_t *env, const char *text, char *err)
{
    return envelope_parse (env, text, strlen (text), err, 256);
}

static void
test_parse_all_keys (void **state)
{
    envelope_t *env = envelope_new ();
    char err[256] = "";
    const char *text = "# a comment\n"
                       "Account: alice\r\n"
                       "mail-from: <alice@shop.example>\n"
                       "rcpt-to: <bob@x.example>\n"
                       "rcpt-to: carol@y.example  \n"
                       "\n"
                       "client-ip: 192.0.2.7\n"
                       "received-at: 1700000000\n"
                       "x-future-key: ignored\n";
    assert_int_equal (s_parse (env, text, err), 0);
    assert_string_equal (env->account, "alice");
    assert_string_equal (env->mail_from, "alice@shop.example");
    assert_int_equal (env->rcpt_count, 2);
    assert_string_equal (env->rcpt[0], "bob@x.example");
    assert_string_equal (env->rcpt[1], "carol@y.example");
    assert_string_equal (env->client_ip, "192.0.2.7");
    assert_int_equal (env->received_at, 1700000000);
    assert_int_equal (env->version, 0);
    envelope_destroy (&env);
    assert_null (env);
}

static void
test_null_sender (void **state)
{
    envelope_t *env = envelope_new ();
    char err[256];
    assert_int_equal (s_parse (env, "mail-from: <>\n", err), 0);
    assert_string_equal (env->mail_from, "");
    envelope_destroy (&env);
}

static void
test_absent_time_is_not_zero (void **state)
{
    envelope_t *env = envelope_new ();
    char err[256];
    assert_int_equal (s_parse (env, "account: a\n", err), 0);
    assert_true (env->received_at == ENVELOPE_NO_TIME);
    assert_int_equal (s_parse (env, "received-at: -5\n", err), 0);
    assert_int_equal (env->received_at, -5);
    envelope_destroy (&env);
}

static void
test_rejects_garbage (void **state)
{
    const char *bad[] = {
        "no colon here\n",
        ": empty key\n",
        "bad key!: x\n",
        "received-at: soon\n",
        "received-at: 99999999999999999999999\n",
        "retry-at: -1\n",
        "attempts: 5000000000\n",
        "rcpt-to: <>\n",
        "spam: 1.5\n",
        "farm-spool: x\n",
        "account: a\x01b\n",
        //  ESMTP parameters smuggled into an address (to the relay's RCPT TO).
        "rcpt-to: <z@b.example>\tNOTIFY=SUCCESS ORCPT=rfc822;x@y\n",
        "rcpt-to: <z@b.example> NOTIFY=NEVER\n",
        "mail-from: <a@b.example> RET=FULL\n",
        "mail-from: <a@b.example>\tSIZE=1\n",
        "rcpt-to: <a<b@c.example>\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        envelope_t *env = envelope_new ();
        char err[256] = "";
        assert_int_equal (s_parse (env, bad[i], err), -1);
        assert_true (strlen (err) > 0);
        envelope_destroy (&env);
    }
}

static void
test_rejects_nul_and_long_lines (void **state)
{
    envelope_t *env = envelope_new ();
    char err[256];
    const char nul[] = "account: a\0b\n";
    assert_int_equal (envelope_parse (env, nul, sizeof nul - 1, err, sizeof err), -1);
    char *longline = malloc (ENVELOPE_MAX_LINE + 64);
    memset (longline, 'a', ENVELOPE_MAX_LINE + 63);
    memcpy (longline, "account: ", 9);
    longline[ENVELOPE_MAX_LINE + 63] = 0;
    assert_int_equal (s_parse (env, longline, err), -1);
    assert_non_null (strstr (err, "longer"));
    free (longline);
    envelope_destroy (&env);
}

static void
test_round_trip (void **state)
{
    envelope_t *a = envelope_new ();
    envelope_set (&a->account, "acct");
    envelope_set (&a->mail_from, "a@b.example");
    envelope_add_rcpt (a, "c@d.example");
    envelope_add_rcpt (a, "e@f.example");
    a->received_at = 1234;
    envelope_set (&a->verdict, "hold");
    envelope_add_reason (a, "rate: 40/min");
    envelope_add_dkim (a, "rsa-sha256:b.example:s1");
    a->spam = 0.25;
    a->retry_at = 99;
    a->attempts = 3;
    strbuf_t out;
    strbuf_init (&out);
    envelope_format (a, &out);
    envelope_t *b = envelope_new ();
    char err[256];
    assert_int_equal (envelope_parse (b, out.data, out.len, err, sizeof err), 0);
    assert_string_equal (b->account, "acct");
    assert_string_equal (b->mail_from, "a@b.example");
    assert_int_equal (b->rcpt_count, 2);
    assert_string_equal (b->rcpt[1], "e@f.example");
    assert_int_equal (b->received_at, 1234);
    assert_string_equal (b->verdict, "hold");
    assert_int_equal (b->reason_count, 1);
    assert_string_equal (b->reasons[0], "rate: 40/min");
    assert_int_equal (b->dkim_count, 1);
    assert_true (fabs (b->spam - 0.25) < 1e-9);
    assert_int_equal (b->retry_at, 99);
    assert_int_equal (b->attempts, 3);
    strbuf_free (&out);
    envelope_destroy (&a);
    envelope_destroy (&b);
}

static void
test_many_recipients (void **state)
{
    strbuf_t text;
    strbuf_init (&text);
    for (int i = 0; i < 10000; i++)
        strbuf_printf (&text, "rcpt-to: <u%d@x.example>\n", i);
    envelope_t *env = envelope_new ();
    char err[256];
    assert_int_equal (envelope_parse (env, text.data, text.len, err, sizeof err), 0);
    assert_int_equal (env->rcpt_count, 10000);
    assert_string_equal (env->rcpt[9999], "u9999@x.example");
    strbuf_free (&text);
    envelope_destroy (&env);
}

//  The DSN parameters of RFC 3461 ride with their recipient through a
//  write and a read; bad ones, or one before any recipient, are refused.
static void
test_dsn_params (void **state)
{
    envelope_t *env = envelope_new ();
    char err[256];
    const char *text = "mail-from: <a@x.example>\n"
                       "rcpt-to: <b@y.example>\n"
                       "rcpt-dsn: NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2B1@y.example\n"
                       "rcpt-to: <c@y.example>\n"
                       "dsn-ret: HDRS\n"
                       "dsn-envid: QQ123\n";
    assert_int_equal (s_parse (env, text, err), 0);
    assert_int_equal (env->rcpt_count, 2);
    assert_string_equal (env->rcpt_dsn[0], "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2B1@y.example");
    assert_null (env->rcpt_dsn[1]);
    strbuf_t out;
    strbuf_init (&out);
    envelope_format (env, &out);
    envelope_t *back = envelope_new ();
    assert_int_equal (envelope_parse (back, out.data, out.len, err, sizeof err), 0);
    assert_string_equal (back->rcpt_dsn[0], env->rcpt_dsn[0]);
    assert_null (back->rcpt_dsn[1]);
    assert_string_equal (back->dsn_ret, "HDRS");
    assert_string_equal (back->dsn_envid, "QQ123");
    strbuf_free (&out);
    envelope_destroy (&back);
    envelope_destroy (&env);
    const char *bad[] = {
        "rcpt-dsn: NOTIFY=NEVER\n",
        "rcpt-to: <b@y.example>\nrcpt-dsn: NOTIFY=NEVER NOTIFY=NEVER\n",
        "rcpt-to: <b@y.example>\nrcpt-dsn: SIZE=5\n",
        "rcpt-to: <b@y.example>\nrcpt-dsn: NOTIFY=\n",
        "dsn-ret: ALL\n",
        "dsn-envid: a b\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        env = envelope_new ();
        assert_int_equal (s_parse (env, bad[i], err), -1);
        envelope_destroy (&env);
    }
    assert_true (envelope_rcpt_dsn_ok ("ORCPT=rfc822;x@y NOTIFY=DELAY"));
    //  Who wants a failure report.
    env = envelope_new ();
    const struct { const char *dsn; bool wants; } cases[] = {
        { NULL, true }, { "NOTIFY=NEVER", false }, { "NOTIFY=SUCCESS,DELAY", false },
        { "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@y", true }, { "NOTIFY=FAILURE", true },
        { "ORCPT=rfc822;FAILURE@y", true }, { "NOTIFY=DELAY ORCPT=rfc822;FAILURE@y", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        envelope_add_rcpt (env, "r@y.example");
        envelope_set_rcpt_dsn (env, cases[i].dsn);
        assert_int_equal (envelope_rcpt_wants_failure (env, i), cases[i].wants);
    }
    assert_true (envelope_rcpt_wants_failure (env, 99));     //  no such recipient: the default
    envelope_destroy (&env);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_parse_all_keys),
        cmocka_unit_test (test_null_sender),
        cmocka_unit_test (test_absent_time_is_not_zero),
        cmocka_unit_test (test_rejects_garbage),
        cmocka_unit_test (test_rejects_nul_and_long_lines),
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_many_recipients),
        cmocka_unit_test (test_dsn_params),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
