/*  test_spool.c: the state directories: made when asked, refused when not
 *  there, entered atomically (nothing left in tmp/), counted, named; the
 *  sync rule a spool carries for every writer into it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "spool.h"
#include "unit.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void
test_create_or_refuse (void **state)
{
    char root[128];
    snprintf (root, sizeof root, "%s/spool", unit_root);
    assert_null (spool_new (root, false));          //  a mistyped path is not made
    spool_t *s = spool_new (root, true);
    assert_non_null (s);
    static const char *dirs[] = { "tmp", "incoming", "active", "outgoing", "hold", "reject",
                                  "deferred", "corrupt", "feedback", "complaints" };
    for (int d = 0; d < SPOOL_NDIRS; d++) {
        char p[200];
        struct stat st;
        assert_string_equal (spool_dir_name ((spool_dir_t) d), dirs[d]);
        snprintf (p, sizeof p, "%s/%s", root, dirs[d]);
        assert_int_equal (stat (p, &st), 0);
        assert_true (S_ISDIR (st.st_mode));
        assert_true (spool_fd (s, (spool_dir_t) d) >= 0);
    }
    assert_string_equal (spool_root (s), root);
    assert_int_equal (spool_sync (s), BATCH_SYNC_FILES);
    spool_set_sync (s, BATCH_SYNC_FILESYSTEM);
    assert_int_equal (spool_sync (s), BATCH_SYNC_FILESYSTEM);
    spool_destroy (&s);
    assert_null (s);
    //  Opened again without create, now that it exists.
    s = spool_new (root, false);
    assert_non_null (s);
    spool_destroy (&s);
    //  A spool made before the folders of what comes back opens without them.
    char p[200];
    snprintf (p, sizeof p, "%s/complaints", root);
    assert_int_equal (rmdir (p), 0);
    s = spool_new (root, false);
    assert_non_null (s);
    assert_int_equal (spool_fd (s, SPOOL_COMPLAINTS), -1);
    assert_true (spool_fd (s, SPOOL_CORRUPT) >= 0);
    spool_destroy (&s);
    snprintf (p, sizeof p, "%s/corrupt", root);
    assert_int_equal (rmdir (p), 0);
    assert_null (spool_new (root, false));      //  a mail folder missing is refused
}

static void
test_enter_and_count (void **state)
{
    char root[128];
    snprintf (root, sizeof root, "%s/spool", unit_root);
    spool_t *s = spool_new (root, true);
    envelope_t *env = envelope_new ();
    envelope_set (&env->account, "alice");
    envelope_add_rcpt (env, "bob@x.example");
    char q1[QID_SIZE], q2[QID_SIZE];
    assert_int_equal (spool_enter (s, SPOOL_INCOMING, env, "m1\n", 3, q1), 0);
    assert_int_equal (spool_enter (s, SPOOL_INCOMING, env, "m2\n", 3, q2), 0);
    assert_true (qid_valid (q1) && qid_valid (q2));
    assert_true (strcmp (q1, q2) < 0);             //  later ids sort later
    assert_int_equal (spool_count (s, SPOOL_INCOMING), 2);
    assert_int_equal (spool_count (s, SPOOL_TMP), 0);
    assert_int_equal (spool_count (s, SPOOL_OUTGOING), 0);
    envelope_destroy (&env);
    spool_destroy (&s);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        unit_test_files (test_create_or_refuse),
        unit_test_files (test_enter_and_count),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
