/*  test_verdict.c: verdict names, reasons made safe, the signature list,
 *  and the checks the broker applies to what a worker sends back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "verdict.h"
#include <math.h>
#include <string.h>

static void
test_names (void **state)
{
    for (int c = 0; c < VERDICT_COUNT; c++)
        assert_int_equal (verdict_parse (verdict_name ((verdict_code_t) c)), c);
    assert_string_equal (verdict_name (VERDICT_DELIVER), "deliver");
    assert_string_equal (verdict_name (VERDICT_HOLD), "hold");
    assert_int_equal (verdict_parse ("bounce"), -1);
}

static void
test_reasons_made_safe (void **state)
{
    verdict_t v;
    verdict_init (&v);
    assert_true (isnan (v.spam));
    assert_int_equal (v.code, VERDICT_DELIVER);
    verdict_reason (&v, "from %s", "a\nb\rc\x7f" "d");
    char longer[2 * VERDICT_MAX_REASON];
    memset (longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    verdict_reason (&v, "%s", longer);
    char err[128];
    assert_int_equal (verdict_check (&v, err, sizeof err), 0);
    assert_memory_equal (v.reasons.data, "from a b c d\n", 13);
    assert_true (strlen (v.reasons.data) < 13 + VERDICT_MAX_REASON + 1);
    verdict_free (&v);
}

static void
test_checks (void **state)
{
    verdict_t v;
    verdict_init (&v);
    char err[128];
    v.spam = 1.5;
    assert_int_equal (verdict_check (&v, err, sizeof err), -1);
    v.spam = 0.25;
    strbuf_adds (&v.headers, "DKIM-Signature: v=1;\n\tb=x\n");
    verdict_dkim (&v, "rsa-sha256", "shop.example", "s1");
    assert_int_equal (verdict_check (&v, err, sizeof err), 0);
    assert_string_equal (v.dkim.data, "rsa-sha256:shop.example:s1\n");
    //  Header lines that would end the header section, or have no name.
    const char *bad_headers[] = { "X-A: 1\n\nX-B: 2\n", " starts folded\n", "X-A: 1", "No colon\n",
                                  "Bad Name: 1\n" };
    for (size_t i = 0; i < sizeof bad_headers / sizeof bad_headers[0]; i++) {
        strbuf_reset (&v.headers);
        strbuf_adds (&v.headers, bad_headers[i]);
        if (verdict_check (&v, err, sizeof err) != -1)
            fail_msg ("headers accepted: %s", bad_headers[i]);
    }
    strbuf_reset (&v.headers);
    //  verdict_reason keeps to the bound; a worker that does not is refused.
    for (int i = 0; i <= VERDICT_MAX_REASONS; i++)
        verdict_reason (&v, "r%d", i);
    assert_int_equal (verdict_check (&v, err, sizeof err), 0);
    for (int i = 0; i <= VERDICT_MAX_REASONS; i++)
        strbuf_printf (&v.reasons, "r%d\n", i);
    assert_int_equal (verdict_check (&v, err, sizeof err), -1);
    strbuf_reset (&v.reasons);
    strbuf_adds (&v.reasons, "no end");
    assert_int_equal (verdict_check (&v, err, sizeof err), -1);
    strbuf_reset (&v.reasons);
    //  More signatures than a message may carry.
    for (int i = 0; i <= VERDICT_MAX_DKIM; i++)
        verdict_dkim (&v, "ed25519-sha256", "a.example", "s");
    assert_int_equal (verdict_check (&v, err, sizeof err), -1);
    verdict_free (&v);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_names),
        cmocka_unit_test (test_reasons_made_safe),
        cmocka_unit_test (test_checks),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
