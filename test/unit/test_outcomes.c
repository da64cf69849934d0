/*  test_outcomes.c: what comes back, charged by the broker (broker/
 *  outcomes.h, sent.h) to the account that sent the mail and to no other:
 *  each line's fate (charged, duplicate, unknown queue id or recipient,
 *  out-of-range code, garbage); a hijacked hour of refused recipients
 *  flags the account; complaints matched by Message-ID (not when two
 *  accounts sent the same one) or by the farm's Feedback-ID; the folders
 *  read a bounded number of files a tick; old records forgotten. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "feedback.h"
#include "outcomes.h"
#include "qid.h"
#include "sent.h"
#include "traits.h"
#include "unit.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define T0 1767225600

typedef struct {
    cfg_t *cfg;
    spool_t *spool;
    watch_t *watch;
    outcomes_t *o;
} s_farm_t;

static void
s_up (s_farm_t *f)
{
    char err[256], path[200], root[200];
    f->cfg = cfg_new (CFG_BROKER);
    snprintf (path, sizeof path, "%s/senders.mdb", unit_root);
    snprintf (root, sizeof root, "%s/spool", unit_root);
    assert_int_equal (cfg_set (f->cfg, "state/path", path, err, sizeof err), 0);
    assert_int_equal (cfg_set (f->cfg, "models/dir", "", err, sizeof err), 0);
    assert_int_equal (cfg_set (f->cfg, "feedback/sender-id", "farm1", err, sizeof err), 0);
    assert_int_equal (cfg_set (f->cfg, "feedback/max-files", "200", err, sizeof err), 0);
    f->spool = spool_new (root, true);
    assert_non_null (f->spool);
    f->watch = watch_new (f->cfg, root);
    f->o = outcomes_new (f->cfg, f->spool, f->watch);
}

static void
s_down (s_farm_t *f)
{
    outcomes_destroy (&f->o);
    watch_destroy (&f->watch);
    spool_destroy (&f->spool);
    cfg_destroy (&f->cfg);
}

//  A delivered message of account at t: its queue id into qid.
static void
s_sent (s_farm_t *f, const char *account, int64_t t, uint64_t serial, char **rcpt, size_t n,
        const char *msgid, char *qid)
{
    senderdb_t *db = watch_senders (f->watch);
    char key[SENDERDB_KEY];
    senderdb_key (key, 'a', account);
    sender_t s;
    if (senderdb_get (db, key, &s) <= 0)
        sender_init (&s, t);
    sender_advance (&s, t, watch_params (f->watch));
    feedback_sent (&s, t);
    assert_int_equal (senderdb_put (db, key, &s), 0);
    qid_at (qid, (uint64_t) t * 1000000, serial);
    bool fresh[8];
    for (size_t i = 0; i < n && i < 8; i++)
        fresh[i] = !sender_knows (&s, rcpt[i]);
    sender_remember (&s, rcpt, n);
    assert_int_equal (senderdb_put (db, key, &s), 0);
    assert_int_equal (sent_record (db, qid, account, t, rcpt, n, fresh,
                                   msgid ? traits_msgid (msgid, strlen (msgid)) : 0), 0);
}

static outcome_result_t
s_line (s_farm_t *f, const char *fmt, ...)
{
    char line[OUTCOMES_MAX_LINE + 100];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (line, sizeof line, fmt, ap);
    va_end (ap);
    return outcomes_line (f->o, line, strlen (line));
}

static sender_t
s_record (s_farm_t *f, const char *account)
{
    char key[SENDERDB_KEY];
    senderdb_key (key, 'a', account);
    sender_t s;
    assert_int_equal (senderdb_get (watch_senders (f->watch), key, &s), 1);
    return s;
}

static void
test_lines (void **state)
{
    (void) state;
    s_farm_t f;
    s_up (&f);
    char q[QID_SIZE], *rcpt[] = { "<a@x.example>", "<b@x.example>", "<c@x.example>" };
    s_sent (&f, "biz", T0, 1, rcpt, 3, "<m1@biz.example>", q);
    assert_int_equal (s_line (&f, "%s\t<a@x.example>\t250\t-\tok", q), OUTCOME_CHARGED);
    assert_int_equal (s_line (&f, "%s\tA@X.example\t250\t-\tok", q), OUTCOME_DUPLICATE);
    assert_int_equal (s_line (&f, "%s\t<z@x.example>\t550\t5.1.1\tno such user", q), OUTCOME_UNKNOWN_RCPT);
    assert_int_equal (s_line (&f, "0123456789abcdef01234567\t<a@x.example>\t550\t5.1.1\tx"),
                      OUTCOME_UNKNOWN_QID);
    assert_int_equal (s_line (&f, "%s\t<b@x.example>\t650\t-\tx", q), OUTCOME_MALFORMED);
    assert_int_equal (s_line (&f, "%s\t<b@x.example>\t550\t5.1.1000\tx", q), OUTCOME_MALFORMED);
    assert_int_equal (s_line (&f, "%s <b@x.example> 550 5.1.1 x", q), OUTCOME_BAD_LINE);
    assert_int_equal (s_line (&f, "%s\t\t550\t5.1.1\tx", q), OUTCOME_BAD_LINE);
    assert_int_equal (s_line (&f, "not-a-qid\t<b@x.example>\t550\t5.1.1\tx"), OUTCOME_BAD_LINE);
    char big[OUTCOMES_MAX_LINE + 10];
    memset (big, 'x', sizeof big);
    assert_int_equal (outcomes_line (f.o, big, sizeof big), OUTCOME_BAD_LINE);
    //  Deferred twice, then refused for good: three charged, the last final.
    assert_int_equal (s_line (&f, "%s\t<b@x.example>\t450\t4.2.1\tbusy", q), OUTCOME_CHARGED);
    assert_int_equal (s_line (&f, "%s\t<b@x.example>\t450\t4.2.1\tbusy", q), OUTCOME_CHARGED);
    assert_int_equal (s_line (&f, "%s\t<b@x.example>\t550\t5.1.1\tno such user", q), OUTCOME_CHARGED);
    assert_int_equal (s_line (&f, "%s\t<b@x.example>\t550\t5.1.1\tno such user", q), OUTCOME_DUPLICATE);
    sender_t s = s_record (&f, "biz");
    assert_int_equal (s.outcomes[FEEDBACK_DELIVERED], 1);
    assert_int_equal (s.outcomes[FEEDBACK_DEFERRED], 2);
    assert_int_equal (s.outcomes[FEEDBACK_INVALID], 1);
    assert_false (s.flagged);
    outcomes_counters_t c;
    outcomes_counters (f.o, &c);
    assert_int_equal (c.results[OUTCOME_CHARGED], 4);
    assert_int_equal (c.results[OUTCOME_DUPLICATE], 2);
    assert_int_equal (c.results[OUTCOME_BAD_LINE], 4);
    s_down (&f);
}

static void
test_rise_flags (void **state)
{
    (void) state;
    s_farm_t f;
    s_up (&f);
    //  A clean week of 300 messages, then an hour of 40 with 30% refused.
    char q[QID_SIZE], r[64], *rcpt[] = { r };
    for (int i = 0; i < 300; i++) {
        snprintf (r, sizeof r, "<p%d@x.example>", i % 50);
        s_sent (&f, "shop", T0 + i * 1800, (uint64_t) i, rcpt, 1, NULL, q);
        assert_int_equal (s_line (&f, "%s\t%s\t250\t2.0.0\tok", q, r), OUTCOME_CHARGED);
    }
    assert_false (s_record (&f, "shop").flagged);
    int64_t t = T0 + 300 * 1800 + 3600;
    int flagged_at = -1;
    for (int i = 0; i < 40; i++) {
        snprintf (r, sizeof r, "<list%d@y.example>", i);
        s_sent (&f, "shop", t + i * 60, 1000 + (uint64_t) i, rcpt, 1, NULL, q);
        if (i % 10 < 3)
            s_line (&f, "%s\t%s\t550\t5.1.1\t<%s>: Recipient address rejected: User unknown", q, r, r);
        else
            s_line (&f, "%s\t%s\t250\t2.0.0\tok", q, r);
        if (flagged_at < 0 && s_record (&f, "shop").flagged)
            flagged_at = i;
    }
    assert_int_equal (flagged_at, 11);     //  at the fifth refused, refused-min
    sender_t s = s_record (&f, "shop");
    assert_non_null (strstr (s.reason, "refused recipients 5 of 12"));
    outcomes_counters_t c;
    outcomes_counters (f.o, &c);
    assert_int_equal (c.flags, 1);
    s_down (&f);
}

static const char *s_arf =
    "Content-Type: multipart/report; report-type=feedback-report; boundary=b1\n\n"
    "--b1\nContent-Type: text/plain\n\nabuse report\n"
    "--b1\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nVersion: 1\n\n"
    "--b1\nContent-Type: text/rfc822-headers\n\n%sFrom: x@biz.example\nMessage-ID: %s\n\n"
    "--b1--\n";

static complaint_result_t
s_complain (s_farm_t *f, const char *fid, const char *msgid, char *account)
{
    char r[2048];
    snprintf (r, sizeof r, s_arf, fid, msgid);
    return outcomes_complaint (f->o, r, strlen (r), account, 256);
}

static void
test_complaints (void **state)
{
    (void) state;
    s_farm_t f;
    s_up (&f);
    char q[QID_SIZE], acc[256], *rcpt[] = { "<a@x.example>" };
    s_sent (&f, "biz", T0, 1, rcpt, 1, "<m1@biz.example>", q);
    s_sent (&f, "other", T0 + 5, 2, rcpt, 1, "<m2@other.example>", q);
    assert_int_equal (s_complain (&f, "", "<m1@biz.example>", acc), COMPLAINT_CHARGED);
    assert_string_equal (acc, "biz");
    assert_int_equal (s_record (&f, "biz").complaints, 1);
    assert_int_equal (s_record (&f, "other").complaints, 0);
    //  Unknown, and by the farm's Feedback-ID instead.
    assert_int_equal (s_complain (&f, "", "<nope@biz.example>", acc), COMPLAINT_UNMATCHED);
    assert_int_equal (s_complain (&f, "Feedback-ID: other:farm1\n", "<nope@x>", acc), COMPLAINT_CHARGED);
    assert_string_equal (acc, "other");
    assert_int_equal (s_complain (&f, "Feedback-ID: other:someone-else\n", "<nope@x>", acc),
                      COMPLAINT_UNMATCHED);
    assert_int_equal (s_complain (&f, "Feedback-ID: ghost:farm1\n", "<nope@x>", acc),
                      COMPLAINT_UNMATCHED);
    //  A second account delivering biz's Message-ID: it names neither.
    s_sent (&f, "other", T0 + 9, 3, rcpt, 1, "<m1@biz.example>", q);
    assert_int_equal (s_complain (&f, "", "<m1@biz.example>", acc), COMPLAINT_UNMATCHED);
    assert_int_equal (s_record (&f, "biz").complaints, 1);
    //  Garbage.
    assert_int_equal (outcomes_complaint (f.o, "hello", 5, acc, sizeof acc), COMPLAINT_NOT_REPORT);
    s_down (&f);
}

static void
s_write (int dir, const char *name, const char *text)
{
    int fd = openat (dir, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, text, strlen (text)), (ssize_t) strlen (text));
    close (fd);
}

static void
test_folders_and_prune (void **state)
{
    (void) state;
    s_farm_t f;
    s_up (&f);
    char q[QID_SIZE], line[256], *rcpt[] = { "<a@x.example>", "<b@x.example>" };
    s_sent (&f, "biz", T0, 1, rcpt, 2, "<m1@biz.example>", q);
    int fb = spool_fd (f.spool, SPOOL_FEEDBACK), cp = spool_fd (f.spool, SPOOL_COMPLAINTS);
    snprintf (line, sizeof line, "%s\t<a@x.example>\t250\t-\tok\r\n%s\t<b@x.example>\t550\t5.7.1\tspam\n", q, q);
    s_write (fb, "one", line);
    s_write (fb, "garbage", "\x01\x02 nothing\n\n\n");
    s_write (fb, ".being-written", line);
    s_write (cp, "report", "not a report at all");
    for (int i = 0; i < 250; i++) {
        char name[32];
        snprintf (name, sizeof name, "flood%03d", i);
        s_write (fb, name, "0123456789abcdef01234567\t<a@x.example>\t550\t5.1.1\tx\n");
    }
    //  At most feedback/max-files of each folder a tick (fewer when a tick's
    //  time runs out: at least 16).
    size_t first = outcomes_tick (f.o), all = first, n;
    assert_in_range (first, 17, 201);
    while ((n = outcomes_tick (f.o)) > 0)
        all += n;
    assert_int_equal (all, 253);        //  252 outcome files and the report
    assert_int_equal (unit_count (fb), 0);
    assert_true (faccessat (fb, ".being-written", F_OK, 0) == 0);
    sender_t s = s_record (&f, "biz");
    assert_int_equal (s.outcomes[FEEDBACK_DELIVERED], 1);
    assert_int_equal (s.outcomes[FEEDBACK_POLICY], 1);
    outcomes_counters_t c;
    outcomes_counters (f.o, &c);
    assert_int_equal (c.results[OUTCOME_UNKNOWN_QID], 250);
    assert_int_equal (c.results[OUTCOME_BAD_LINE], 1);
    assert_int_equal (c.complaints[COMPLAINT_NOT_REPORT], 1);
    //  Forgotten after their time: a week of records, all but the last day's gone.
    senderdb_t *db = watch_senders (f.watch);
    for (int i = 0; i < 700; i++) {
        char name[32];
        snprintf (name, sizeof name, "<p%d@biz.example>", i);
        s_sent (&f, "biz", T0 + i * 864, 10 + (uint64_t) i, rcpt, 2, name, q);
    }
    char cursor[SENDERDB_KEY] = "";
    size_t gone = 0;
    for (int k = 0; k < 20; k++)
        gone += sent_prune (db, T0 + 6 * 86400, 100, cursor);
    //  600 queue ids and 600 Message-IDs of the 700 (and the first message's two).
    assert_int_equal (gone, 1202);
    sent_t st;
    assert_int_equal (sent_find (db, q, &st), 1);
    char mq[QID_SIZE];
    assert_int_equal (sent_by_msgid (db, traits_msgid ("<p699@biz.example>", 18), mq), 1);
    assert_int_equal (sent_by_msgid (db, traits_msgid ("<p0@biz.example>", 16), mq), 0);
    s_down (&f);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_lines, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown (test_rise_flags, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown (test_complaints, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown (test_folders_and_prune, unit_setup, unit_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
