/*  test_arf.c: feedback-loop reports (RFC 5965) read for what names the
 *  original: a report with the whole message, one with only its header
 *  (text/rfc822-headers), CRLF line ends; and what is not a report, a
 *  report without an original or a boundary, a truncated one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "arf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const header_limits_t s_lim = { 1000, 65536, 65536 };

static const char *s_report =
    "From: staff@fbl.example\n"
    "To: abuse@provider.example\n"
    "Subject: FW: note\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=feedback-report;\n"
    "    boundary=\"part_1\"\n"
    "\n"
    "This is a multi-part message.\n"
    "--part_1\n"
    "Content-Type: text/plain\n"
    "\n"
    "This is an email abuse report.\n"
    "--part_1\n"
    "Content-Type: message/feedback-report\n"
    "\n"
    "Feedback-Type: abuse\n"
    "User-Agent: SomeGenerator/1.0\n"
    "Version: 1\n"
    "Original-Mail-From: <office@biz.example>\n"
    "Arrival-Date: Thu, 8 Mar 2026 14:00:00 EDT\n"
    "\n"
    "--part_1\n"
    "Content-Type: %s\n"
    "Content-Disposition: inline\n"
    "\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=biz.example; s=s1; b=abc\n"
    "Feedback-ID: office@biz.example:farm1\n"
    "Feedback-ID: theirs:other\n"
    "From: Biz <office@biz.example>\n"
    "Message-ID: <note-17@biz.example>\n"
    "Subject: note\n"
    "\n"
    "Hello.\n"
    "--part_1--\n";

static char *
s_fill (const char *type)
{
    char *out = malloc (4096);
    snprintf (out, 4096, s_report, type);
    return out;
}

static void
test_full_and_headers (void **state)
{
    (void) state;
    arf_t a;
    char *r = s_fill ("message/rfc822");
    assert_int_equal (arf_parse (r, strlen (r), &s_lim, &a), ARF_OK);
    assert_string_equal (a.type, "abuse");
    assert_string_equal (a.msgid, "<note-17@biz.example>");
    assert_string_equal (a.feedback_id, "office@biz.example:farm1");     //  the topmost
    free (r);
    r = s_fill ("text/rfc822-headers");
    assert_int_equal (arf_parse (r, strlen (r), &s_lim, &a), ARF_OK);
    assert_string_equal (a.msgid, "<note-17@biz.example>");
    //  CRLF throughout.
    char crlf[8192];
    size_t n = 0;
    for (const char *p = r; *p && n + 2 < sizeof crlf; p++) {
        if (*p == '\n')
            crlf[n++] = '\r';
        crlf[n++] = *p;
    }
    assert_int_equal (arf_parse (crlf, n, &s_lim, &a), ARF_OK);
    assert_string_equal (a.msgid, "<note-17@biz.example>");
    assert_string_equal (a.type, "abuse");
    free (r);
}

static void
test_not_reports (void **state)
{
    (void) state;
    arf_t a;
    const char *plain = "From: a@b\nSubject: hi\n\nhello\n";
    assert_int_equal (arf_parse (plain, strlen (plain), &s_lim, &a), ARF_NOT_REPORT);
    const char *dsn = "Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\n\n--x--\n";
    assert_int_equal (arf_parse (dsn, strlen (dsn), &s_lim, &a), ARF_NOT_REPORT);
    const char *nob = "Content-Type: multipart/report; report-type=feedback-report\n\n--x\n\n--x--\n";
    assert_int_equal (arf_parse (nob, strlen (nob), &s_lim, &a), ARF_MALFORMED);
    //  A report whose original part is missing.
    char *r = s_fill ("application/octet-stream");
    assert_int_equal (arf_parse (r, strlen (r), &s_lim, &a), ARF_NO_ORIGINAL);
    assert_string_equal (a.type, "abuse");
    free (r);
    //  Cut anywhere: never a crash, never more than it holds.
    r = s_fill ("message/rfc822");
    for (size_t cut = 0; cut < strlen (r); cut++) {
        char *c = malloc (cut + 1);
        memcpy (c, r, cut);
        arf_status_t st = arf_parse (c, cut, &s_lim, &a);
        assert_true (st <= ARF_MALFORMED);
        free (c);
    }
    free (r);
    assert_int_equal (arf_parse ("", 0, &s_lim, &a), ARF_NOT_REPORT);
    assert_string_equal (arf_status_name (ARF_NO_ORIGINAL), "no-original");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_full_and_headers),
        cmocka_unit_test (test_not_reports),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
