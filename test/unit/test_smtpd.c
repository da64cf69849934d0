/*  test_smtpd.c: farm-smtpd's parts without a socket: the command parser,
 *  the trusted networks, the accounts file and its hashes, and the session
 *  (the order of the account's sources, the end of the data). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "accounts.h"
#include "command.h"
#include "session.h"
#include "trust.h"
#include <arpa/inet.h>
#include <crypt.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
test_verbs (void **state)
{
    const char *arg;
    assert_int_equal (command_verb ("ehlo  client", &arg), CMD_EHLO);
    assert_string_equal (arg, "client");
    assert_int_equal (command_verb ("MAIL FROM:<a@b>", &arg), CMD_MAIL);
    assert_string_equal (arg, "FROM:<a@b>");
    assert_int_equal (command_verb ("QUIT", &arg), CMD_QUIT);
    assert_int_equal (command_verb ("QUITX", &arg), CMD_UNKNOWN);
    assert_int_equal (command_verb ("MAIL:x", &arg), CMD_UNKNOWN);
    assert_int_equal (command_verb ("", &arg), CMD_UNKNOWN);
}

static void
test_paths (void **state)
{
    command_path_t p;
    char reply[COMMAND_MAX_REPLY];
    assert_int_equal (command_path ("FROM:<a@b.example> SIZE=123 BODY=8BITMIME SMTPUTF8 RET=hdrs ENVID=x+2By",
                                    false, &p, reply, sizeof reply), 0);
    assert_string_equal (p.path, "a@b.example");
    assert_int_equal (p.size, 123);
    assert_true (p.eight_bit && p.smtputf8);
    assert_string_equal (p.ret, "HDRS");
    assert_string_equal (p.envid, "x+2By");
    assert_int_equal (command_path ("FROM:<>", false, &p, reply, sizeof reply), 0);
    assert_string_equal (p.path, "");
    assert_int_equal (command_path ("from: <@relay.example:a@b.example>", false, &p, reply, sizeof reply), 0);
    assert_string_equal (p.path, "a@b.example");
    assert_int_equal (command_path ("TO:<c@d.example> NOTIFY=success,failure ORCPT=rfc822;c@d.example",
                                    true, &p, reply, sizeof reply), 0);
    assert_string_equal (p.dsn, "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c@d.example");
    assert_true (envelope_rcpt_dsn_ok (p.dsn));
    assert_int_equal (command_path ("TO:<Postmaster>", true, &p, reply, sizeof reply), 0);
    const struct { const char *arg; bool rcpt; const char *code; } bad[] = {
        { "TO:<>", true, "553" },
        { "FROM:<a b@c.example>", false, "553" },
        { "FROM:<a@b.example", false, "501" },
        { "FROM:<a@b.example> SIZE=x", false, "501" },
        { "FROM:<a@b.example> FOO=1", false, "555" },
        { "TO:<a@b.example> NOTIFY=NEVER,SUCCESS", true, "501" },
        { "TO:<a@b.example> NOTIFY=SUCCESS NOTIFY=DELAY", true, "501" },
        { "TO:<a@b.example> ORCPT=nosemicolon", true, "501" },
        { "TO:<a@b.example> SIZE=5", true, "555" },
        { "FROM:<a@b.example> ENVID=a=b", false, "501" },
        { "FROM:a@b.example", true, "501" },
        { "TO:<noat>", true, "553" },
        { "TO:<a@b\x01.example>", true, "553" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal (command_path (bad[i].arg, bad[i].rcpt, &p, reply, sizeof reply), -1);
        assert_memory_equal (reply, bad[i].code, 3);
    }
}

static void
test_attrs_and_sasl (void **state)
{
    command_attrs_t a = { 0 };
    char reply[COMMAND_MAX_REPLY];
    assert_int_equal (command_attrs ("NAME=pc ADDR=IPV6:2001:db8::1 LOGIN=sh+40p", true, &a, reply,
                                     sizeof reply), 0);
    assert_string_equal (a.addr, "2001:db8::1");
    assert_string_equal (a.login, "sh@p");
    assert_int_equal (command_attrs ("ADDR=[UNAVAILABLE]", false, &a, reply, sizeof reply), 0);
    assert_string_equal (a.addr, "");
    assert_int_equal (command_attrs ("IDENT=x", true, &a, reply, sizeof reply), -1);   //  XFORWARD's
    assert_int_equal (command_attrs ("LOGIN=x", false, &a, reply, sizeof reply), -1);  //  XCLIENT's
    assert_int_equal (command_attrs ("ADDR=a+0Ab", false, &a, reply, sizeof reply), -1);
    assert_int_equal (command_attrs ("", false, &a, reply, sizeof reply), -1);
    char user[64], pass[64];
    //  "\0alice\0secret" and "alice\0alice\0secret"
    assert_int_equal (command_sasl_plain ("AGFsaWNlAHNlY3JldA==", user, sizeof user, pass, sizeof pass), 0);
    assert_string_equal (user, "alice");
    assert_string_equal (pass, "secret");
    assert_int_equal (command_sasl_plain ("YWxpY2UAYWxpY2UAc2VjcmV0", user, sizeof user, pass, sizeof pass), 0);
    //  "bob\0alice\0secret": acting as another is refused
    assert_int_equal (command_sasl_plain ("Ym9iAGFsaWNlAHNlY3JldA==", user, sizeof user, pass, sizeof pass), -1);
    assert_int_equal (command_sasl_plain ("not base64!", user, sizeof user, pass, sizeof pass), -1);
    assert_int_equal (command_sasl_plain ("YWxpY2U=", user, sizeof user, pass, sizeof pass), -1);
    assert_int_equal (command_base64 ("dXNlcg==", user, sizeof user), 0);
    assert_string_equal (user, "user");
    assert_int_equal (command_base64 ("dXNlcg=", user, sizeof user), -1);
}

static struct sockaddr_storage
s_addr (const char *text)
{
    struct sockaddr_storage ss = { 0 };
    if (strchr (text, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *) &ss;
        a->sin6_family = AF_INET6;
        inet_pton (AF_INET6, text, &a->sin6_addr);
    }
    else {
        struct sockaddr_in *a = (struct sockaddr_in *) &ss;
        a->sin_family = AF_INET;
        inet_pton (AF_INET, text, &a->sin_addr);
    }
    return ss;
}

static void
test_trust (void **state)
{
    char err[128];
    trust_t *t = trust_new ("127.0.0.0/8, 10.1.2.0/23,2001:db8::/32,192.0.2.7", err, sizeof err);
    assert_non_null (t);
    const char *in[] = { "127.0.0.1", "10.1.3.255", "2001:db8::5", "192.0.2.7", "::ffff:10.1.2.1" };
    const char *out[] = { "10.1.4.0", "192.0.2.8", "2001:db9::1", "::1", "::ffff:10.1.4.1" };
    for (size_t i = 0; i < 5; i++) {
        struct sockaddr_storage a = s_addr (in[i]), b = s_addr (out[i]);
        assert_true (trust_match (t, (struct sockaddr *) &a));
        assert_false (trust_match (t, (struct sockaddr *) &b));
    }
    trust_destroy (&t);
    assert_null (trust_new ("10.0.0.0/33", err, sizeof err));
    assert_null (trust_new ("example.com", err, sizeof err));
    assert_null (trust_new ("10.0.0.0/", err, sizeof err));
    t = trust_new ("", err, sizeof err);       //  nobody trusted
    struct sockaddr_storage a = s_addr ("127.0.0.1");
    assert_false (trust_match (t, (struct sockaddr *) &a));
    trust_destroy (&t);
}

static void
test_accounts (void **state)
{
    char dir[] = "/tmp/test_smtpd.XXXXXX", path[64], err[256];
    assert_non_null (mkdtemp (dir));
    snprintf (path, sizeof path, "%s/accounts", dir);
    char salt_y[CRYPT_GENSALT_OUTPUT_SIZE], salt_6[CRYPT_GENSALT_OUTPUT_SIZE];
    assert_non_null (crypt_gensalt_rn ("$y$", 0, NULL, 0, salt_y, sizeof salt_y));
    assert_non_null (crypt_gensalt_rn ("$6$", 0, NULL, 0, salt_6, sizeof salt_6));
    struct crypt_data cd;
    memset (&cd, 0, sizeof cd);
    char hy[CRYPT_OUTPUT_SIZE], h6[CRYPT_OUTPUT_SIZE];
    snprintf (hy, sizeof hy, "%s", crypt_r ("pw-yes", salt_y, &cd));
    snprintf (h6, sizeof h6, "%s", crypt_r ("pw-sha", salt_6, &cd));
    FILE *f = fopen (path, "w");
    fprintf (f, "# comment\n\nyes:%s\nsha:%s\r\n", hy, h6);
    fclose (f);
    chmod (path, 0644);
    assert_null (accounts_new (path, err, sizeof err));     //  others can read it
    assert_non_null (strstr (err, "readable by others"));
    chmod (path, 0600);
    accounts_t *a = accounts_new (path, err, sizeof err);
    assert_non_null (a);
    assert_int_equal (accounts_count (a), 2);
    assert_true (accounts_check (a, "yes", "pw-yes"));
    assert_true (accounts_check (a, "sha", "pw-sha"));
    assert_false (accounts_check (a, "yes", "pw-sha"));
    assert_false (accounts_check (a, "nobody", "pw-yes"));
    assert_false (accounts_check (a, "sha", ""));
    //  A weak hash in a new version: refused, the old accounts stay.
    sleep (1);
    f = fopen (path, "w");
    fprintf (f, "yes:%s\nold:$1$abc$def\n", hy);
    fclose (f);
    assert_int_equal (accounts_reload (a, err, sizeof err), -1);
    assert_non_null (strstr (err, "not yescrypt"));
    assert_true (accounts_check (a, "sha", "pw-sha"));
    f = fopen (path, "w");
    fprintf (f, "yes:%s\n", hy);
    fclose (f);
    struct timespec ts[2] = { { .tv_sec = 2000000000 }, { .tv_sec = 2000000000 } };
    utimensat (AT_FDCWD, path, ts, 0);
    assert_int_equal (accounts_reload (a, err, sizeof err), 1);
    assert_int_equal (accounts_count (a), 1);
    assert_false (accounts_check (a, "sha", "pw-sha"));
    accounts_destroy (&a);
    unlink (path);
    rmdir (dir);
}

//  Feed text to a session; the replies so far in out.
static session_event_t
s_feed (session_t *s, const char *text, char *out, size_t len)
{
    session_event_t ev = session_input (s, text, strlen (text));
    const char *o;
    size_t n;
    session_output (s, &o, &n);
    snprintf (out, len, "%.*s", (int) n, o);
    session_sent (s, n);
    return ev;
}

static void
test_session_account_order (void **state)
{
    session_conf_t conf = { .hostname = "farm.test", .max_size = 10000, .max_rcpt = 10,
                            .max_headers = 50, .max_line = 1000, .max_errors = 10,
                            .account_header = "X-AuthUser"};
    char err[128], out[2048];
    assert_int_equal (session_parse_order (&conf, "sender,header", err, sizeof err), 0);
    assert_int_equal (session_parse_order (&conf, "header,header", err, sizeof err), -1);
    assert_int_equal (session_parse_order (&conf, "", err, sizeof err), -1);
    const char *msg = "EHLO x\r\nMAIL FROM:<s@shop.example>\r\nRCPT TO:<r@y.example>\r\nDATA\r\n"
                      "X-AuthUser: shop\r\nSubject: s\r\n\r\nbody\r\n.\r\n";
    struct { const char *order; bool trusted; const char *account; } cases[] = {
        { "header,sender", true, "shop" },
        { "sender,header", true, "s@shop.example" },
        { "header,sender", false, "s@shop.example" },
        { "header", false, NULL },          //  nothing found: refused
    };
    //  A name with white space inside (found by the fuzzer: tabs) is no name.
    assert_int_equal (session_parse_order (&conf, "received,header,sender", err, sizeof err), 0);
    session_t *t = session_new (&conf, "192.0.2.1", true);
    assert_int_equal (s_feed (t, "EHLO x\r\nMAIL FROM:<s@shop.example>\r\nRCPT TO:<r@y.example>\r\nDATA\r\n"
                              "Received: from x\r\n\t(Authenticated sender: \t\tbob)\r\n\tby y; Tue, 1 Dec 2026 10:00:00 +0000\r\n"
                              "X-AuthUser: a\tb\r\n\r\nbody\r\n.\r\n", out, sizeof out), SESSION_MESSAGE);
    const char *tm;
    size_t tn;
    envelope_t *tenv = session_take (t, &tm, &tn);
    assert_string_equal (tenv->account, "s@shop.example");
    envelope_destroy (&tenv);
    session_destroy (&t);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal (session_parse_order (&conf, cases[i].order, err, sizeof err), 0);
        session_t *s = session_new (&conf, "192.0.2.1", cases[i].trusted);
        session_event_t ev = s_feed (s, msg, out, sizeof out);
        if (!cases[i].account) {
            assert_int_equal (ev, SESSION_MORE);
            assert_non_null (strstr (out, "550 5.7.1"));
        }
        else {
            assert_int_equal (ev, SESSION_MESSAGE);
            const char *m;
            size_t n;
            envelope_t *env = session_take (s, &m, &n);
            assert_string_equal (env->account, cases[i].account);
            assert_string_equal (env->client_ip, "192.0.2.1");
            assert_null (strstr (m, "X-AuthUser"));         //  removed in every case
            assert_string_equal (m, "Subject: s\n\nbody\n");
            envelope_destroy (&env);
            session_committed (s, "0123");
            s_feed (s, "", out, sizeof out);
            assert_non_null (strstr (out, "250 2.0.0 Ok: queued as 0123"));
        }
        session_destroy (&s);
    }
}

//  Input that arrives while a message commits waits for the 250, which
//  comes before the replies to it.
static void
test_session_waits_for_commit (void **state)
{
    session_conf_t conf = { .hostname = "farm.test", .max_size = 10000, .max_rcpt = 10,
                            .max_headers = 50, .max_line = 1000, .max_errors = 10,
                            .account_header = "X-AuthUser"};
    char err[128], out[2048];
    assert_int_equal (session_parse_order (&conf, "sender", err, sizeof err), 0);
    session_t *s = session_new (&conf, "192.0.2.1", false);
    s_feed (s, "", out, sizeof out);
    assert_int_equal (s_feed (s, "EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n"
                              "Subject: x\r\n\r\n.\r\nNOOP\r\nQUIT\r\n", out, sizeof out), SESSION_MESSAGE);
    assert_true (session_waiting (s));
    assert_true (session_buffered (s) > 0);
    assert_null (strstr (out, "221"));
    const char *m;
    size_t n;
    envelope_t *env = session_take (s, &m, &n);
    envelope_destroy (&env);
    session_committed (s, NULL);     //  not written: 451
    assert_int_equal (s_feed (s, "", out, sizeof out), SESSION_CLOSE);
    const char *a = strstr (out, "451 4.3.0"), *b = strstr (out, "250 2.0.0 Ok\r\n"),
               *c = strstr (out, "221");
    assert_true (a && b && c && a < b && b < c);
    session_destroy (&s);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_verbs),
        cmocka_unit_test (test_paths),
        cmocka_unit_test (test_attrs_and_sasl),
        cmocka_unit_test (test_trust),
        cmocka_unit_test (test_accounts),
        cmocka_unit_test (test_session_account_order),
        cmocka_unit_test (test_session_waits_for_commit),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
