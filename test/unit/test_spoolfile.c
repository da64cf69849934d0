/*  test_spoolfile.c: the spool file format: written whole, read back, a
 *  truncated or malformed one seen for what it is. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "batch.h"
#include "spool.h"
#include "spoolfile.h"
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
test_enter_and_read_back (void **state)
{
    spool_t *spool = spool_new (unit_root, true);
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
    assert_int_equal (unit_count (spool_fd (spool, SPOOL_INCOMING)), 1);
    assert_int_equal (unit_count (spool_fd (spool, SPOOL_TMP)), 0);
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
    spool_t *spool = spool_new (unit_root, true);
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

int
main (void)
{
    const struct CMUnitTest tests[] = {
        unit_test_files (test_enter_and_read_back),
        cmocka_unit_test (test_truncated_and_malformed),
        unit_test_files (test_truncated_file_on_disk),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
