/*  test_fileio.c: whole writes and reads, a file replaced whole, a copy in
 *  the kernel, the directory walk and the test of a changed file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "fileio.h"
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
s_path (char *out, size_t len, const char *name)
{
    snprintf (out, len, "%s/%s", unit_root, name);
}

static void
test_write_read_copy_replace (void **state)
{
    char p[128], q[128], buf[64] = "";
    s_path (p, sizeof p, "a");
    int fd = open (p, O_RDWR | O_CREAT | O_EXCL, 0600);
    assert_true (fd >= 0);
    assert_int_equal (fileio_write_all (fd, "0123456789", 10), 0);
    //  A read past the end is short, not an error; from an offset.
    assert_int_equal (fileio_pread_all (fd, buf, sizeof buf, 4), 6);
    assert_memory_equal (buf, "456789", 6);
    s_path (q, sizeof q, "b");
    int out = open (q, O_RDWR | O_CREAT | O_EXCL, 0600);
    assert_int_equal (fileio_write_all (out, "head:", 5), 0);
    assert_int_equal (fileio_copy (fd, 2, out, 5), 0);
    assert_int_equal (fileio_pread_all (out, buf, sizeof buf, 0), 10);
    assert_memory_equal (buf, "head:23456", 10);
    //  Asked for more than there is: EIO, not a silent short copy.
    assert_int_equal (fileio_copy (fd, 8, out, 5), -1);
    assert_int_equal (errno, EIO);
    close (out);
    close (fd);
    //  Replaced whole, with its mode; no temporary file left beside it.
    assert_int_equal (fileio_replace (p, "new", 3, 0640), 0);
    struct stat st;
    assert_int_equal (stat (p, &st), 0);
    assert_int_equal (st.st_size, 3);
    assert_int_equal (st.st_mode & 0777, 0640);
    assert_int_equal (unit_count (open (unit_root, O_RDONLY | O_DIRECTORY)), 2);
}

static void
test_dirwalk (void **state)
{
    char p[128];
    const char *names[] = { "one", ".hidden", "two" };
    for (int i = 0; i < 3; i++) {
        s_path (p, sizeof p, names[i]);
        close (open (p, O_WRONLY | O_CREAT, 0600));
    }
    s_path (p, sizeof p, "sub");
    mkdir (p, 0700);
    dirwalk_t *w = dirwalk_open (unit_root);
    assert_non_null (w);
    int seen = 0, dots = 0;
    for (const char *n; (n = dirwalk_next (w));) {
        seen++;
        dots += !strcmp (n, ".") || !strcmp (n, "..");
    }
    assert_int_equal (seen, 4);         //  hidden files are the caller's to skip
    assert_int_equal (dots, 0);
    dirwalk_destroy (&w);
    assert_null (w);
    //  Twice over one descriptor: each walk from the start.
    int fd = open (unit_root, O_RDONLY | O_DIRECTORY);
    for (int k = 0; k < 2; k++) {
        w = dirwalk_new (fd);
        int n = 0;
        while (dirwalk_next (w))
            n++;
        assert_int_equal (n, 4);
        dirwalk_destroy (&w);
    }
    close (fd);
    s_path (p, sizeof p, "absent");
    assert_null (dirwalk_open (p));
    assert_int_equal (errno, ENOENT);
    dirwalk_destroy (&w);   //  NULL-safe
}

static void
test_filewatch (void **state)
{
    char p[128], t[128];
    s_path (p, sizeof p, "model");
    filewatch_t w = { 0 };
    assert_int_equal (filewatch_check (&w, p), FILEWATCH_GONE);      //  missing: said once
    assert_int_equal (filewatch_check (&w, p), FILEWATCH_MISSING);
    assert_int_equal (fileio_replace (p, "v1", 2, 0600), 0);
    assert_int_equal (filewatch_check (&w, p), FILEWATCH_CHANGED);
    assert_int_equal (filewatch_check (&w, p), FILEWATCH_SAME);
    //  A new file renamed over it, even of the same size and second.
    s_path (t, sizeof t, "model.new");
    int fd = open (t, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_int_equal (fileio_write_all (fd, "v2", 2), 0);
    close (fd);
    assert_int_equal (rename (t, p), 0);
    assert_int_equal (filewatch_check (&w, p), FILEWATCH_CHANGED);
    assert_int_equal (filewatch_check (&w, p), FILEWATCH_SAME);
    unlink (p);
    assert_int_equal (filewatch_check (&w, p), FILEWATCH_GONE);
    assert_int_equal (filewatch_check (&w, p), FILEWATCH_MISSING);
    assert_int_equal (fileio_replace (p, "v3", 2, 0600), 0);
    assert_int_equal (filewatch_check (&w, p), FILEWATCH_CHANGED);
}

static void
test_clock (void **state)
{
    int64_t a = fileio_now_usec ();
    usleep (2000);
    int64_t b = fileio_now_usec ();
    assert_true (a > 1700000000LL * 1000000);
    assert_true (b > a);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        unit_test_files (test_write_read_copy_replace),
        unit_test_files (test_dirwalk),
        unit_test_files (test_filewatch),
        cmocka_unit_test (test_clock),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
