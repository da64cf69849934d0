/*  test_spoolfile.c: the spool file format, the spool directories and the
 *  group-commit writer: atomic, complete, never replacing, truncation seen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "batch.h"
#include "spool.h"
#include "spoolfile.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_root[64];

static int
s_setup (void **state)
{
    snprintf (s_root, sizeof s_root, "/tmp/farm-unit.XXXXXX");
    assert_non_null (mkdtemp (s_root));
    return 0;
}

static int
s_teardown (void **state)
{
    char cmd[128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_root);
    return system (cmd) == 0 ? 0 : -1;
}

static size_t
s_count (spool_t *spool, spool_dir_t dir)
{
    int fd = dup (spool_fd (spool, dir));
    DIR *d = fdopendir (fd);
    rewinddir (d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir (d)))
        if (e->d_name[0] != '.')
            n++;
    closedir (d);
    return n;
}

static void
test_enter_and_read_back (void **state)
{
    spool_t *spool = spool_new (s_root, true);
    assert_non_null (spool);
    envelope_t *env = envelope_new ();
    envelope_set (&env->account, "alice");
    envelope_set (&env->mail_from, "alice@shop.example");
    envelope_add_rcpt (env, "bob@x.example");
    env->received_at = 1700000000;
    const char *msg = "From: alice@shop.example\r\n\r\nhello\r\n";
    char qid[QID_SIZE];
    assert_int_equal (spool_enter (spool, SPOOL_INCOMING, env, msg, strlen (msg), qid), 0);
    assert_true (qid_valid (qid));
    assert_int_equal (s_count (spool, SPOOL_INCOMING), 1);
    assert_int_equal (s_count (spool, SPOOL_TMP), 0);
    int fd = openat (spool_fd (spool, SPOOL_INCOMING), qid, O_RDONLY);
    assert_true (fd >= 0);
    envelope_t *back = envelope_new ();
    off_t off;
    char err[256];
    assert_int_equal (spoolfile_read_header (fd, back, &off, err, sizeof err), 0);
    assert_string_equal (back->qid, qid);
    assert_string_equal (back->account, "alice");
    assert_int_equal (back->size, (int64_t) strlen (msg));
    char body[128] = "";
    assert_int_equal (pread (fd, body, sizeof body, off), (ssize_t) strlen (msg));
    assert_string_equal (body, msg);
    close (fd);
    envelope_destroy (&back);
    envelope_destroy (&env);
    spool_destroy (&spool);
}

static int
s_parse (const char *data, size_t len, char *err)
{
    envelope_t *env = envelope_new ();
    size_t off;
    int rc = spoolfile_parse (data, len, env, &off, err, 256);
    envelope_destroy (&env);
    return rc;
}

static void
test_truncated_and_malformed (void **state)
{
    char err[256];
    const char good[] = "farm-spool: 1\nsize: 5\n\nhello";
    assert_int_equal (s_parse (good, sizeof good - 1, err), 0);
    //  Every prefix of a good file is corrupt: a crash mid-write is seen.
    for (size_t n = 0; n < sizeof good - 1; n++)
        assert_int_equal (s_parse (good, n, err), SPOOLFILE_CORRUPT);
    const char longer[] = "farm-spool: 1\nsize: 5\n\nhello!";
    assert_int_equal (s_parse (longer, sizeof longer - 1, err), SPOOLFILE_CORRUPT);
    const char noversion[] = "size: 5\n\nhello";
    assert_int_equal (s_parse (noversion, sizeof noversion - 1, err), SPOOLFILE_CORRUPT);
    const char nosize[] = "farm-spool: 1\n\nhello";
    assert_int_equal (s_parse (nosize, sizeof nosize - 1, err), SPOOLFILE_CORRUPT);
    const char future[] = "farm-spool: 2\nsize: 5\n\nhello";
    assert_int_equal (s_parse (future, sizeof future - 1, err), SPOOLFILE_CORRUPT);
    const char noblank[] = "farm-spool: 1\nsize: 5\nhello";
    assert_int_equal (s_parse (noblank, sizeof noblank - 1, err), SPOOLFILE_CORRUPT);
}

static void
test_truncated_file_on_disk (void **state)
{
    spool_t *spool = spool_new (s_root, true);
    envelope_t *env = envelope_new ();
    envelope_add_rcpt (env, "x@y.example");
    char qid[QID_SIZE];
    assert_int_equal (spool_enter (spool, SPOOL_INCOMING, env, "abcdefgh", 8, qid), 0);
    int dir = spool_fd (spool, SPOOL_INCOMING);
    struct stat st;
    assert_int_equal (fstatat (dir, qid, &st, 0), 0);
    int fd = openat (dir, qid, O_RDWR);
    assert_int_equal (ftruncate (fd, st.st_size - 3), 0);
    envelope_t *back = envelope_new ();
    off_t off;
    char err[256];
    assert_int_equal (spoolfile_read_header (fd, back, &off, err, sizeof err), SPOOLFILE_CORRUPT);
    assert_non_null (strstr (err, "truncated"));
    close (fd);
    envelope_destroy (&back);
    envelope_destroy (&env);
    spool_destroy (&spool);
}

static void
test_rename_never_replaces (void **state)
{
    spool_t *spool = spool_new (s_root, true);
    int in = spool_fd (spool, SPOOL_INCOMING), out = spool_fd (spool, SPOOL_OUTGOING);
    int fd = openat (in, "a", O_CREAT | O_WRONLY, 0600);
    close (fd);
    fd = openat (out, "a", O_CREAT | O_WRONLY, 0600);
    assert_int_equal (write (fd, "keep", 4), 4);
    close (fd);
    assert_int_equal (batch_rename (in, "a", out, "a"), -1);
    assert_int_equal (errno, EEXIST);
    struct stat st;
    assert_int_equal (fstatat (out, "a", &st, 0), 0);
    assert_int_equal (st.st_size, 4);
    unlinkat (in, "a", 0);
    unlinkat (out, "a", 0);
    spool_destroy (&spool);
}

static void
s_count_done (void *arg, void *entry, int status)
{
    int *counts = arg;
    counts[status == 0 ? 0 : 1]++;
}

static void
test_batch_commit_many (void **state)
{
    spool_t *spool = spool_new (s_root, true);
    batch_t *batch = batch_new ();
    size_t before = s_count (spool, SPOOL_INCOMING);
    for (int i = 0; i < 100; i++) {
        envelope_t *env = envelope_new ();
        envelope_add_rcpt (env, "x@y.example");
        char qid[QID_SIZE];
        assert_int_equal (spool_write (spool, batch, SPOOL_INCOMING, env, "m", 1, qid, NULL), 0);
        envelope_destroy (&env);
    }
    //  Nothing is visible before the commit.
    assert_int_equal (s_count (spool, SPOOL_INCOMING), before);
    assert_int_equal (s_count (spool, SPOOL_TMP), 100);
    int counts[2] = { 0, 0 };
    assert_int_equal (batch_commit (batch, s_count_done, counts), 0);
    assert_int_equal (counts[0], 100);
    assert_int_equal (s_count (spool, SPOOL_INCOMING), before + 100);
    assert_int_equal (s_count (spool, SPOOL_TMP), 0);
    batch_destroy (&batch);
    spool_destroy (&spool);
}

//  One syncfs a stage: every entry lands but the one whose name is taken,
//  which fails alone, leaves the existing file as it was and no tmp file.
static void
test_batch_commit_filesystem_sync (void **state)
{
    spool_t *spool = spool_new (s_root, true);
    batch_t *batch = batch_new ();
    batch_set_sync (batch, BATCH_SYNC_FILESYSTEM);
    int tmp = spool_fd (spool, SPOOL_TMP), out = spool_fd (spool, SPOOL_OUTGOING);
    int fd = openat (out, "taken", O_WRONLY | O_CREAT | O_EXCL, 0640);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, "old", 3), 3);
    close (fd);
    for (int i = 0; i < 50; i++) {
        char tmpname[32], name[32];
        snprintf (tmpname, sizeof tmpname, "t%d", i);
        snprintf (name, sizeof name, i == 25 ? "taken" : "n%d", i);
        fd = batch_open (batch, tmp, tmpname);
        assert_true (fd >= 0);
        assert_int_equal (write (fd, "new", 3), 3);
        batch_add (batch, fd, tmp, tmpname, out, name, 0, NULL);
    }
    int counts[2] = { 0, 0 };
    assert_int_equal (batch_commit (batch, s_count_done, counts), 1);
    assert_int_equal (counts[0], 49);
    assert_int_equal (counts[1], 1);
    assert_int_equal (s_count (spool, SPOOL_OUTGOING), 50);
    assert_int_equal (s_count (spool, SPOOL_TMP), 0);
    char buf[8] = "";
    fd = openat (out, "taken", O_RDONLY);
    assert_int_equal (read (fd, buf, sizeof buf), 3);
    close (fd);
    assert_memory_equal (buf, "old", 3);
    batch_destroy (&batch);
    spool_destroy (&spool);
}

static void
test_qids_unique_and_ordered (void **state)
{
    char prev[QID_SIZE] = "";
    for (int i = 0; i < 10000; i++) {
        char q[QID_SIZE];
        qid_make (q);
        assert_true (qid_valid (q));
        assert_true (strcmp (q, prev) != 0);
        //  The time prefix never goes backwards within a process.
        assert_true (strncmp (q, prev, 14) >= 0);
        memcpy (prev, q, QID_SIZE);
    }
    assert_false (qid_valid ("0123"));
    assert_false (qid_valid ("0660d811d095645671d9acbZ"));
    assert_false (qid_valid ("0660d811d095645671d9acb5x"));
    assert_false (qid_valid ("../../etc/passwd00000000"));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_enter_and_read_back, s_setup, s_teardown),
        cmocka_unit_test (test_truncated_and_malformed),
        cmocka_unit_test_setup_teardown (test_truncated_file_on_disk, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_rename_never_replaces, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_batch_commit_many, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_batch_commit_filesystem_sync, s_setup, s_teardown),
        cmocka_unit_test (test_qids_unique_and_ordered),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
