/*  test_bounce.c: a remote reply to its kind of outcome: by its enhanced
 *  status (RFC 3463) when it has one, by the words of the table in
 *  bounce.h when not, and out-of-range codes refused as malformed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "bounce.h"
#include <string.h>

static bounce_kind_t
s_kind (int code, const char *status, const char *text, bool *permanent)
{
    bounce_t b;
    bounce_classify (code, status, text, &b);
    if (permanent)
        *permanent = b.permanent;
    return b.kind;
}

static void
test_by_status (void **state)
{
    bool perm;
    assert_int_equal (s_kind (250, "2.0.0", "Ok: queued", &perm), BOUNCE_DELIVERED);
    assert_false (perm);
    assert_int_equal (s_kind (550, "5.1.1", "<x@y>: Recipient address rejected", &perm), BOUNCE_INVALID);
    assert_true (perm);
    assert_int_equal (s_kind (550, "5.1.10", "Recipient address rejected: null MX", NULL), BOUNCE_INVALID);
    assert_int_equal (s_kind (452, "4.2.2", "Mailbox full", &perm), BOUNCE_MAILBOX);
    assert_false (perm);
    assert_int_equal (s_kind (554, "5.7.1", "Service unavailable; client host blocked", NULL), BOUNCE_POLICY);
    assert_int_equal (s_kind (421, "4.4.2", "timeout", NULL), BOUNCE_SYSTEM);
    assert_int_equal (s_kind (554, "5.6.0", "content rejected", NULL), BOUNCE_CONTENT);
    //  The status decides over the words.
    assert_int_equal (s_kind (550, "5.7.1", "user unknown", NULL), BOUNCE_POLICY);
}

static void
test_by_words (void **state)
{
    bounce_t b;
    bounce_classify (550, NULL, "Requested action not taken: User Unknown in virtual table", &b);
    assert_int_equal (b.kind, BOUNCE_INVALID);
    assert_true (b.by_words && b.permanent);
    assert_int_equal (s_kind (550, "", "Message rejected as SPAM", NULL), BOUNCE_POLICY);
    assert_int_equal (s_kind (552, "5.0.0", "mailbox over quota", NULL), BOUNCE_MAILBOX);
    assert_int_equal (s_kind (550, NULL, "no", NULL), BOUNCE_OTHER);
    assert_int_equal (s_kind (451, NULL, NULL, NULL), BOUNCE_OTHER);
    //  A long text is read up to its limit, not beyond, and not crashed on.
    char big[5000];
    memset (big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal (s_kind (550, NULL, big, NULL), BOUNCE_OTHER);
}

static void
test_malformed (void **state)
{
    assert_int_equal (s_kind (999, "5.1.1", "", NULL), BOUNCE_MALFORMED);
    assert_int_equal (s_kind (-1, NULL, NULL, NULL), BOUNCE_MALFORMED);
    assert_int_equal (s_kind (354, NULL, NULL, NULL), BOUNCE_MALFORMED);
    assert_int_equal (s_kind (550, "9.1.1", "", NULL), BOUNCE_MALFORMED);
    assert_int_equal (s_kind (550, "5.1", "", NULL), BOUNCE_MALFORMED);
    assert_int_equal (s_kind (550, "5.1.1000", "", NULL), BOUNCE_MALFORMED);
    assert_int_equal (s_kind (550, "5.1.1x", "", NULL), BOUNCE_MALFORMED);
    assert_int_equal (s_kind (550, "5..1", "", NULL), BOUNCE_MALFORMED);
    assert_string_equal (bounce_kind_name (BOUNCE_POLICY), "policy");
    assert_string_equal (bounce_kind_name (BOUNCE_KINDS), "malformed");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_by_status),
        cmocka_unit_test (test_by_words),
        cmocka_unit_test (test_malformed),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
