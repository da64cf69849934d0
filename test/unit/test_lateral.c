/*  test_lateral.c: the lateral signals on one account's record: a week of
 *  ordinary notes to its contacts (each its own text, its own links);
 *  then a phishing round, one text with a new link to the contacts, held
 *  within 20; a busy day of different notes, a greeting without a link
 *  to everyone, and the same link once it is the account's own are not;
 *  a new Reply-To counts; a burst's new link stays new across the hour's
 *  end; the record of version 3 upgrades with its lateral memory empty. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "lateral.h"
#include "sender_compat.h"
#include "traits.h"
#include <stdio.h>
#include <string.h>

#define T0 1767225600       //  2026-01-01T00:00:00Z

static compromise_params_t s_p;

//  A message at t to contact number c, with text text and link domain link (0: none).
static bool
s_send (sender_t *s, int64_t t, int c, uint64_t text, uint64_t link, uint64_t reply_to, lateral_t *j)
{
    char addr[64], *rc[1] = { addr };
    snprintf (addr, sizeof addr, "contact%03d@corp%d.example", c, c % 7);
    sender_advance (s, t, &s_p);
    sender_count_pending (s, t, rc, 1, &s_p);
    verdict_features_t f = { .text = text, .reply_to = reply_to, .display = 11, .mailer = 22 };
    if (link)
        f.links[f.nlinks++] = link;
    lateral_judge (s, &f, 1, t, &s_p, j);
    lateral_count (s, &f, 1, t, &s_p, j, !j->hold);
    if (!j->hold)
        sender_remember (s, rc, 1);
    return j->hold;
}

//  A week of a business: 6 notes an hour in office hours to 200 contacts,
//  each its own text, a link now and then to one of 20 sites of its own.
static void
s_week (sender_t *s, uint64_t *seed)
{
    sender_init (s, T0);
    lateral_t j;
    for (int d = 0; d < 7; d++)
        for (int h = 8; h < 18; h++)
            for (int k = 0; k < 6; k++) {
                *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
                uint64_t link = (*seed >> 33) % 3 == 0 ? 1000 + (*seed >> 40) % 20 : 0;
                assert_false (s_send (s, T0 + d * 86400 + h * 3600 + k * 600, (int) ((*seed >> 20) % 200),
                                      *seed | 1, link, 0, &j));
            }
}

static void
test_phishing_round (void **state)
{
    compromise_params_default (&s_p);
    sender_t s;
    uint64_t seed = 7;
    s_week (&s, &seed);
    //  Day 8, 10:00: one text with a link to a new domain, to its contacts,
    //  one every 20 s.
    int64_t t = T0 + 7 * 86400 + 10 * 3600;
    lateral_t j;
    int n = 0;
    while (n < 200 && !s_send (&s, t + n * 20, n % 200, 0xfeedfacecafebeefull, 999999, 0, &j))
        n++;
    assert_true (n < 20);
    assert_true (j.new_link && j.same > 0 && j.hold);
    char line[600];
    lateral_reason (&j, &s_p, line, sizeof line);
    assert_non_null (strstr (line, "compromise: lateral score"));
    assert_non_null (strstr (line, "this one too"));
    //  Another account's round without a link but with a new Reply-To
    //  (replies go to the hijacker): it carries something new too.
    s_week (&s, &seed);
    n = 0;
    while (n < 100 && !s_send (&s, t + n * 10, n, 0x0badc0ffee0ddf00ull, 0, 4242, &j))
        n++;
    assert_true (n < 20 && (j.changed & 1));
    lateral_reason (&j, &s_p, line, sizeof line);
    assert_non_null (strstr (line, "new Reply-To"));
}

static void
test_not_held (void **state)
{
    compromise_params_default (&s_p);
    sender_t s;
    uint64_t seed = 9;
    s_week (&s, &seed);
    lateral_t j;
    int64_t t = T0 + 7 * 86400 + 9 * 3600;
    //  A busy day: 60 notes an hour, each its own, links to its own sites.
    for (int k = 0; k < 180; k++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        assert_false (s_send (&s, t + k * 60, k % 200, seed | 1, 1000 + k % 20, 0, &j));
    }
    //  A greeting to everyone, one text, no link.
    t += 5 * 3600;
    for (int k = 0; k < 150; k++)
        assert_false (s_send (&s, t + k * 4, k, 0x1234567890abcdefull, 0, 0, &j));
    assert_true (j.same > 0 && !j.carries);
}

static void
test_link_settles (void **state)
{
    compromise_params_default (&s_p);
    sender_t s;
    uint64_t seed = 3;
    s_week (&s, &seed);
    lateral_t j;
    int64_t t = T0 + 7 * 86400 + 10 * 3600 + 3000;
    //  A new site linked in two notes at 10:50: still new at 11:10 (the
    //  hour after), its own from 12:00.
    s_send (&s, t, 1, 1, 5555, 0, &j);
    assert_true (j.new_link);
    s_send (&s, t + 60, 2, 3, 5555, 0, &j);
    s_send (&s, t + 1200, 3, 5, 5555, 0, &j);
    assert_true (j.new_link);
    s_send (&s, t + 4800, 4, 7, 5555, 0, &j);
    assert_false (j.new_link);
}

static void
test_upgrade_v3 (void **state)
{
    compromise_params_default (&s_p);
    sender_t s;
    sender_init (&s, T0);
    s.version = 3;
    s.total = 77;
    unsigned char raw[sizeof s];
    memcpy (raw, &s, SENDER_V3_SIZE);
    sender_t out;
    memset (&out, 0xff, sizeof out);
    assert_true (sender_load (raw, SENDER_V3_SIZE, &out));
    assert_int_equal (out.version, SENDER_VERSION);
    assert_int_equal (out.total, 77);
    assert_int_equal (out.hour_links_n, 0);
    assert_int_equal (out.texts[0].sim, 0);
    assert_int_equal (out.present_n[0], 0);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_phishing_round),
        cmocka_unit_test (test_not_held),
        cmocka_unit_test (test_link_settles),
        cmocka_unit_test (test_upgrade_v3),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
