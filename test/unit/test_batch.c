/*  test_batch.c: group commit: files fsync'd (or the filesystem synced) and renamed together, never replacing a file that is there, failures reported one by one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "batch.h"
#include "spool.h"
#include "unit.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
s_count_done (void *arg, void *entry, int status)
{
    int *counts = arg;
    counts[status == 0 ? 0 : 1]++;
}

static void
test_rename_never_replaces (void **state)
{
    spool_t *spool = spool_new (unit_root, true);
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
test_batch_commit_many (void **state)
{
    spool_t *spool = spool_new (unit_root, true);
    batch_t *batch = batch_new ();
    size_t before = unit_count (spool_fd (spool, SPOOL_INCOMING));
    for (int i = 0; i < 100; i++) {
        envelope_t *env = envelope_new ();
        envelope_add_rcpt (env, "x@y.example");
        char qid[QID_SIZE];
        assert_int_equal (spool_write (spool, batch, SPOOL_INCOMING, env, "m", 1, qid, NULL), 0);
        envelope_destroy (&env);
    }
    //  Nothing is visible before the commit.
    assert_int_equal (unit_count (spool_fd (spool, SPOOL_INCOMING)), before);
    assert_int_equal (unit_count (spool_fd (spool, SPOOL_TMP)), 100);
    int counts[2] = { 0, 0 };
    assert_int_equal (batch_commit (batch, s_count_done, counts), 0);
    assert_int_equal (counts[0], 100);
    assert_int_equal (unit_count (spool_fd (spool, SPOOL_INCOMING)), before + 100);
    assert_int_equal (unit_count (spool_fd (spool, SPOOL_TMP)), 0);
    batch_destroy (&batch);
    spool_destroy (&spool);
}

//  One syncfs a stage: every entry lands but the one whose name is taken,
//  which fails alone, leaves the existing file as it was and no tmp file.
static void
test_batch_commit_filesystem_sync (void **state)
{
    spool_t *spool = spool_new (unit_root, true);
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
    assert_int_equal (unit_count (spool_fd (spool, SPOOL_OUTGOING)), 50);
    assert_int_equal (unit_count (spool_fd (spool, SPOOL_TMP)), 0);
    char buf[8] = "";
    fd = openat (out, "taken", O_RDONLY);
    assert_int_equal (read (fd, buf, sizeof buf), 3);
    close (fd);
    assert_memory_equal (buf, "old", 3);
    batch_destroy (&batch);
    spool_destroy (&spool);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        unit_test_files (test_rename_never_replaces),
        unit_test_files (test_batch_commit_many),
        unit_test_files (test_batch_commit_filesystem_sync),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
