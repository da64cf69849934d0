/*  test_diag.c: log lines (program, level, text; levels above the one set
 *  dropped), and the two ways out: diag_fatal exits 1 for a broken
 *  environment, diag_panic aborts for a broken invariant. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "diag.h"
#include "xalloc.h"
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

//  Run fn in a child with stderr captured in out; the child's wait status.
static int
s_child (void (*fn) (void), char *out, size_t len)
{
    int p[2];
    assert_int_equal (pipe (p), 0);
    pid_t pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        dup2 (p[1], STDERR_FILENO);
        close (p[0]);
        signal (SIGABRT, SIG_DFL);
        fn ();
        _exit (0);
    }
    close (p[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < len && (r = read (p[0], out + n, len - 1 - n)) > 0)
        n += (size_t) r;
    out[n] = 0;
    close (p[0]);
    int status;
    waitpid (pid, &status, 0);
    return status;
}

static void
s_lines (void)
{
    diag_init ("unit-prog", false);
    diag_set_level (DIAG_INFO);
    diag_info ("%s: claimed", "0660d811d095645671d9acb5");
    diag_debug ("not shown at info");
    diag_warn ("careful");
}

static void s_fatal (void) { diag_init ("unit-prog", false); diag_fatal ("spool %s: missing", "/x"); }
static void s_panic (void) { diag_init ("unit-prog", false); diag_panic ("invariant %d broken", 7); }

static void
test_lines_and_levels (void **state)
{
    char out[1024];
    int st = s_child (s_lines, out, sizeof out);
    assert_true (WIFEXITED (st) && WEXITSTATUS (st) == 0);
    assert_non_null (strstr (out, "unit-prog["));
    assert_non_null (strstr (out, "info: 0660d811d095645671d9acb5: claimed\n"));
    assert_non_null (strstr (out, "warning: careful\n"));
    assert_null (strstr (out, "not shown"));
    assert_int_equal (diag_level_parse ("debug"), DIAG_DEBUG);
    assert_int_equal (diag_level_parse ("warn"), DIAG_WARN);
    assert_int_equal (diag_level_parse ("loud"), -1);
}

static void
test_fatal_exits_panic_aborts (void **state)
{
    char out[1024];
    int st = s_child (s_fatal, out, sizeof out);
    assert_true (WIFEXITED (st));
    assert_int_equal (WEXITSTATUS (st), 1);
    assert_non_null (strstr (out, "spool /x: missing"));
    st = s_child (s_panic, out, sizeof out);
    assert_true (WIFSIGNALED (st));
    assert_int_equal (WTERMSIG (st), SIGABRT);
    assert_non_null (strstr (out, "invariant 7 broken"));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_lines_and_levels),
        cmocka_unit_test (test_fatal_exits_panic_aborts),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
