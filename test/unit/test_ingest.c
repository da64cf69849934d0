/*  test_ingest.c: what the broker claims, in which order: the oldest queue
 *  id first however the directory lists them, and beyond one scan's batch;
 *  deferred mail only once its time has come; ingest spools served in turn
 *  so a flood in one does not starve another; a name that is not a queue id
 *  moved to corrupt/, never claimed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ingest.h"
#include "unit.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static spool_t *
s_spool (const char *name)
{
    char root[160];
    snprintf (root, sizeof root, "%s/%s", unit_root, name);
    spool_t *s = spool_new (root, true);
    assert_non_null (s);
    return s;
}

//  Make a file in dir named name (its content does not matter to ingest).
static void
s_file (spool_t *s, spool_dir_t dir, const char *name, time_t mtime)
{
    int fd = openat (spool_fd (s, dir), name, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true (fd >= 0);
    close (fd);
    if (mtime) {
        struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
        assert_int_equal (utimensat (spool_fd (s, dir), name, ts, 0), 0);
    }
}

static void
test_oldest_first_across_batches (void **state)
{
    spool_t *s = s_spool ("main");
    //  Made newest first, so the directory's own order is no help.
    char ids[40][64];
    for (int i = 0; i < 40; i++)
        snprintf (ids[i], sizeof ids[i], "0660d811d0%04d5671d9acb5", 9999 - i);
    for (int i = 0; i < 40; i++)
        s_file (s, SPOOL_INCOMING, ids[i], 0);
    ingest_t *in = ingest_new (s, NULL, 0, 16, 60000);     //  16 ids a scan
    char qid[QID_SIZE], prev[QID_SIZE] = "";
    bool deferred;
    for (int i = 0; i < 40; i++) {
        assert_int_equal (ingest_claim (in, qid, &deferred), 1);
        assert_false (deferred);
        assert_true (strcmp (prev, qid) < 0);
        memcpy (prev, qid, QID_SIZE);
    }
    assert_string_equal (qid, ids[0]);
    assert_int_equal (ingest_claim (in, qid, &deferred), 0);
    assert_int_equal (spool_count (s, SPOOL_ACTIVE), 40);
    assert_int_equal (spool_count (s, SPOOL_INCOMING), 0);
    ingest_destroy (&in);
    spool_destroy (&s);
}

static void
test_deferred_when_due_and_bad_names (void **state)
{
    spool_t *s = s_spool ("main");
    time_t now = time (NULL);
    s_file (s, SPOOL_DEFERRED, "0660d811d095645671d9aca1", now - 5);      //  due
    s_file (s, SPOOL_DEFERRED, "0660d811d095645671d9aca2", now + 3600);   //  not yet
    s_file (s, SPOOL_INCOMING, ".partial", 0);        //  a writer's own: left alone
    s_file (s, SPOOL_INCOMING, "not-a-qid", 0);
    s_file (s, SPOOL_INCOMING, "0660D811D095645671D9ACB5", 0);    //  upper case: not ours
    ingest_t *in = ingest_new (s, NULL, 0, 64, 60000);
    char qid[QID_SIZE];
    bool deferred = false;
    int claimed = 0;
    while (ingest_claim (in, qid, &deferred) == 1) {
        claimed++;
        assert_true (deferred);
        assert_string_equal (qid, "0660d811d095645671d9aca1");
    }
    assert_int_equal (claimed, 1);
    assert_int_equal (spool_count (s, SPOOL_DEFERRED), 1);
    assert_int_equal (spool_count (s, SPOOL_CORRUPT), 2);
    assert_int_equal (spool_count (s, SPOOL_INCOMING), 0);
    assert_int_equal (faccessat (spool_fd (s, SPOOL_INCOMING), ".partial", F_OK, 0), 0);
    ingest_destroy (&in);
    spool_destroy (&s);
}

static void
test_spools_in_turn (void **state)
{
    spool_t *s = s_spool ("main"), *x = s_spool ("mx2");
    char id[64];
    for (int i = 0; i < 30; i++) {
        snprintf (id, sizeof id, "0660d811d0%04d5671d9acb5", i);
        s_file (s, SPOOL_INCOMING, id, 0);
    }
    for (int i = 0; i < 3; i++) {
        snprintf (id, sizeof id, "0660d811d1%04d5671d9acb5", i);
        s_file (x, SPOOL_INCOMING, id, 0);
    }
    spool_t *extra[] = { x };
    ingest_t *in = ingest_new (s, extra, 1, 64, 60000);
    char qid[QID_SIZE];
    bool deferred;
    //  The small spool's three come within the first eight claims, though
    //  every id of the flood is older.
    int small_by = 0;
    for (int i = 0; i < 8; i++) {
        assert_int_equal (ingest_claim (in, qid, &deferred), 1);
        small_by += !strncmp (qid, "0660d811d1", 10);
    }
    assert_int_equal (small_by, 3);
    int rest = 0;
    while (ingest_claim (in, qid, &deferred) == 1)
        rest++;
    assert_int_equal (rest, 25);
    assert_int_equal (spool_count (s, SPOOL_ACTIVE), 33);      //  all claimed into the main spool
    ingest_destroy (&in);
    spool_destroy (&x);
    spool_destroy (&s);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        unit_test_files (test_oldest_first_across_batches),
        unit_test_files (test_deferred_when_due_and_bad_names),
        unit_test_files (test_spools_in_turn),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
