/*  test_task.c: the worker's stage rules on one message: the first stage
 *  that decides ends the list; a message refused for its envelope, its
 *  headers or its From: domain is not judged for compromise (it says nothing
 *  of the account's behaviour), while one the content stages saw is; only
 *  delivered mail reaches the signer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "task.h"
#include "unit.h"
#include <stdio.h>
#include <string.h>

static task_limits_t s_lim = { 1 << 20, 100, { 100, 4096, 1000 }, 0 };

typedef struct {
    compromise_params_t cp;
    bayes_params_t bp;
    lockdown_t *lockdown;
    keyd_t *keyd;
    signer_t *signer;
    content_t content;
    task_ctx_t ctx;
} s_fix_t;

static int
s_setup (void **state)
{
    unit_setup (state);
    s_fix_t *f = calloc (1, sizeof *f);
    compromise_params_default (&f->cp);
    bayes_params_default (&f->bp);
    char table[160];
    snprintf (table, sizeof table, "%s/accounts", unit_root);
    FILE *t = fopen (table, "w");
    fputs ("alice shop.example\n", t);
    fclose (t);
    f->lockdown = lockdown_new (table, 0);
    char err[64];
    f->keyd = keyd_start ("", 0, SIGNER_OPENSSL, 0, NULL, err, sizeof err);
    f->signer = signer_new (1700000000, SIGNER_OPENSSL);
    content_init (&f->content);
    f->ctx = (task_ctx_t) { .limits = &s_lim, .content = &f->content, .params = &f->bp,
                            .cparams = &f->cp, .lockdown = f->lockdown, .keyd = f->keyd,
                            .signer = f->signer, .body_relaxed = true };
    *state = f;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fix_t *f = *state;
    lockdown_destroy (&f->lockdown);
    keyd_stop (&f->keyd);
    signer_destroy (&f->signer);
    content_free (&f->content);
    free (f);
    return unit_teardown (state);
}

//  The snapshot of a quiet account suddenly writing to hundreds of strangers.
static void
s_burst (strbuf_t *out)
{
    sender_snap_t b = { .msgs_win = 150, .msgs_1h = 250, .new_win = 150, .new_1h = 250,
                        .rcpts_1h = 250, .expect_1h = 1, .expect_new_1h = 0.2, .history_h = 200,
                        .share_usual = 0.1, .share_basis = 1000, .total = 500 };
    sender_snap_format (&b, out);
}

//  Run one message; the task for the caller to look at and destroy.
static task_t *
s_run (s_fix_t *f, const char *env, const char *msg)
{
    strbuf_t snap;
    strbuf_init (&snap);
    s_burst (&snap);
    task_t *t = task_new ("0660d811d095645671d9acb5", env, strlen (env), snap.data, snap.len, msg,
                          strlen (msg));
    task_run (t, &f->ctx);
    strbuf_free (&snap);
    return t;
}

static const char *s_env = "account: alice\nmail-from: <a@shop.example>\nrcpt-to: <x@far.example>\n";

static void
test_judged_stages_flag (void **state)
{
    s_fix_t *f = *state;
    //  An ordinary message from a burst: content seen, so held and flagged.
    task_t *t = s_run (f, s_env, "From: a@shop.example\nSubject: hi\n\nhello\n");
    assert_int_equal (t->verdict.code, VERDICT_HOLD);
    assert_true (t->verdict.flag_account);
    assert_non_null (strstr (t->verdict.reasons.data, "compromise: score"));
    assert_null (t->stage);                 //  no stage decided: compromise did
    assert_int_equal (t->verdict.headers.len, 0);
    task_destroy (&t);
}

static void
test_refusals_not_judged (void **state)
{
    s_fix_t *f = *state;
    //  A header line longer than limits/line-length (1000 here).
    static char longline[1600];
    snprintf (longline, sizeof longline, "From: a@shop.example\nX-Long: %01200d\n\nx\n", 7);
    struct {
        const char *env, *msg, *stage, *reason;
    } cases[] = {
        { "account: alice\nmail-from: <a@shop.example>\n", "From: a@shop.example\n\nx\n", "envelope",
          "no-recipients" },
        { "account: alice\n\x01\n", "From: a@shop.example\n\nx\n", "envelope", "envelope:" },
        { s_env, longline, "headers", "line-length" },
        { s_env, "Subject: no from\n\nx\n", "lockdown", "no-from" },
        { s_env, "From: a@other.example\n\nx\n", "lockdown", "domain-lockdown: account alice may not send as other.example" },
        { s_env, "From: a@shop.example, b@shop.example\n\nx\n", "lockdown", "several-from-addresses" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        task_t *t = s_run (f, cases[i].env, cases[i].msg);
        if (t->verdict.code != VERDICT_REJECT || !t->stage || strcmp (t->stage, cases[i].stage)
            || !strstr (t->verdict.reasons.data ? t->verdict.reasons.data : "", cases[i].reason))
            fail_msg ("case %zu: verdict %s stage %s reasons %s", i, verdict_name (t->verdict.code),
                      t->stage ? t->stage : "-", t->verdict.reasons.data);
        //  Refused before its content was seen: the burst is not held against it.
        assert_false (t->verdict.flag_account);
        assert_null (strstr (t->verdict.reasons.data, "compromise:"));
        assert_int_equal (t->verdict.headers.len, 0);
        task_destroy (&t);
    }
}

//  Observe mode: the same burst is judged, recorded as would-hold, delivered.
static void
test_observe_mode (void **state)
{
    s_fix_t *f = *state;
    sender_snap_t b;
    strbuf_t snap;
    strbuf_init (&snap);
    s_burst (&snap);
    assert_int_equal (sender_snap_parse (snap.data, snap.len, &b), 0);
    b.observe = true;
    strbuf_reset (&snap);
    sender_snap_format (&b, &snap);
    const char *msg = "From: a@shop.example\nSubject: hi\n\nhello\n";
    task_t *t = task_new ("0660d811d095645671d9acb5", s_env, strlen (s_env), snap.data, snap.len, msg,
                          strlen (msg));
    task_run (t, &f->ctx);
    assert_int_equal (t->verdict.code, VERDICT_DELIVER);
    assert_false (t->verdict.flag_account);
    assert_non_null (strstr (t->verdict.reasons.data, "would-hold: compromise: score"));
    task_destroy (&t);
    strbuf_free (&snap);
}

static void
test_delivered_without_key (void **state)
{
    s_fix_t *f = *state;
    //  Not a burst: a snapshot of its usual pace, and no keys folder.
    const char *msg = "From: a@shop.example\nSubject: hi\n\nhello\n";
    sender_snap_t u = { .msgs_win = 1, .msgs_1h = 2, .new_win = 0, .new_1h = 0, .expect_1h = 2,
                        .expect_new_1h = 1, .history_h = 200, .total = 500 };
    strbuf_t snap;
    strbuf_init (&snap);
    sender_snap_format (&u, &snap);
    task_t *t = task_new ("0660d811d095645671d9acb5", s_env, strlen (s_env), snap.data, snap.len, msg,
                          strlen (msg));
    task_run (t, &f->ctx);
    assert_int_equal (t->verdict.code, VERDICT_DELIVER);
    assert_false (t->verdict.flag_account);
    assert_string_equal (t->from_domain, "shop.example");
    assert_int_equal (t->verdict.dkim.len, 0);
    task_destroy (&t);
    strbuf_free (&snap);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_judged_stages_flag, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_refusals_not_judged, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_observe_mode, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_delivered_without_key, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
