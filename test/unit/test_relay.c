/*  test_relay.c: farm-relay's SMTP reply parser against what a hostile or
 *  broken smarthost says (the bounces it writes: test_dsn). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "envelope.h"
#include "smtp.h"
#include "strbuf.h"
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
test_reply_lines (void **state)
{
    smtp_reply_t r;
    int last;
    assert_int_equal (smtp_parse_line ("250-mx.example", &r, &last), 0);
    assert_int_equal (r.code, 250);
    assert_int_equal (last, 0);
    assert_int_equal (smtp_parse_line ("550 5.1.1 <x@y>: no such user", &r, &last), 0);
    assert_int_equal (r.code, 550);
    assert_int_equal (last, 1);
    assert_string_equal (r.status, "5.1.1");
    //  A bare code is a whole reply.
    assert_int_equal (smtp_parse_line ("221", &r, &last), 0);
    assert_int_equal (last, 1);
    assert_string_equal (r.status, "");
    //  An enhanced code of another class than the reply's is not one.
    assert_int_equal (smtp_parse_line ("450 5.1.1 odd", &r, &last), 0);
    assert_string_equal (r.status, "");
    assert_int_equal (smtp_parse_line ("451 4.3.0 try later", &r, &last), 0);
    assert_string_equal (r.status, "4.3.0");
    //  Not an enhanced code: too many parts, empty parts, glued to text.
    assert_int_equal (smtp_parse_line ("550 5.1.1.1 x", &r, &last), 0);
    assert_string_equal (r.status, "");
    assert_int_equal (smtp_parse_line ("550 5..1 x", &r, &last), 0);
    assert_string_equal (r.status, "");
    assert_int_equal (smtp_parse_line ("550 5.1.1x", &r, &last), 0);
    assert_string_equal (r.status, "");
    //  Not replies at all.
    assert_int_equal (smtp_parse_line ("", &r, &last), -1);
    assert_int_equal (smtp_parse_line ("25", &r, &last), -1);
    assert_int_equal (smtp_parse_line ("hello", &r, &last), -1);
    assert_int_equal (smtp_parse_line ("250x", &r, &last), -1);
    assert_int_equal (smtp_parse_line ("150 preliminary", &r, &last), -1);
    assert_int_equal (smtp_parse_line ("650 out of range", &r, &last), -1);
    //  A very long line is cut, never overflows.
    char longline[4096];
    memset (longline, 'a', sizeof longline);
    memcpy (longline, "554 ", 4);
    longline[sizeof longline - 1] = 0;
    assert_int_equal (smtp_parse_line (longline, &r, &last), 0);
    assert_int_equal (strlen (r.text), sizeof r.text - 1);
}

//  A greeting that is not a reply leaves a reply with no code and no
//  status, whatever the caller's memory held (the fuzzer found "$\n" left
//  the status as it was: a bounce would have carried a stale one).
static void
test_not_a_reply (void **state)
{
    int sv[2];
    assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal (write (sv[1], "$\n", 2), 2);
    shutdown (sv[1], SHUT_WR);
    smtp_reply_t r;
    memset (&r, 'x', sizeof r);
    assert_null (smtp_open_fd (sv[0], "unit.test", &r));
    assert_int_equal (r.code, 0);
    assert_string_equal (r.status, "");
    assert_non_null (strstr (r.text, "not an SMTP reply"));
    close (sv[1]);
}

//  DATA as sent: every line end CRLF, a bare CR too ("\r.\r" would end the
//  data at a receiver that takes CR for a line end: SMTP smuggling), and
//  leading dots doubled.
static void
test_data_line_ends (void **state)
{
    int sv[2];
    assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
    const char *replies = "220 hi\r\n250 ok\r\n354 go\r\n250 queued\r\n";
    assert_int_equal (write (sv[1], replies, strlen (replies)), (ssize_t) strlen (replies));
    shutdown (sv[1], SHUT_WR);
    smtp_reply_t r;
    smtp_t *s = smtp_open_fd (sv[0], "unit.test", &r);
    assert_non_null (s);
    static const char msg[] = "a\r.\rb\n.c\r\nd\r";
    assert_int_equal (smtp_data (s, msg, sizeof msg - 1, &r), 250);
    char buf[512];
    ssize_t n = read (sv[1], buf, sizeof buf - 1);
    assert_true (n > 0);
    buf[n] = 0;
    const char *data = strstr (buf, "DATA\r\n");
    assert_non_null (data);
    assert_string_equal (data + 6, "a\r\n..\r\nb\r\n..c\r\nd\r\n.\r\n");
    smtp_destroy (&s);
    close (sv[1]);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_reply_lines),
        cmocka_unit_test (test_not_a_reply),
        cmocka_unit_test (test_data_line_ends),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
