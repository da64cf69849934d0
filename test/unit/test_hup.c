/*  test_hup.c: SIGHUP read from a descriptor: the process lives on, the
 *  signal is seen once, and a poll on the descriptor wakes for it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "hup.h"
#include <poll.h>
#include <signal.h>
#include <unistd.h>

static void
test_hup_is_an_event (void **state)
{
    int fd = hup_open (true);
    assert_true (fd >= 0);
    assert_false (hup_taken (fd));
    kill (getpid (), SIGHUP);           //  would end the process by default
    kill (getpid (), SIGHUP);
    struct pollfd p = { fd, POLLIN, 0 };
    assert_int_equal (poll (&p, 1, 5000), 1);
    assert_true (hup_taken (fd));
    assert_false (hup_taken (fd));      //  taken, both at once
    assert_int_equal (poll (&p, 1, 0), 0);
    //  SIGTERM is a stop to read, not a death, when asked for.
    kill (getpid (), SIGTERM);
    assert_int_equal (poll (&p, 1, 5000), 1);
    assert_int_equal (hup_take (fd), HUP_STOP);
    kill (getpid (), SIGHUP);
    kill (getpid (), SIGINT);
    assert_int_equal (poll (&p, 1, 5000), 1);
    usleep (10000);
    assert_int_equal (hup_take (fd), HUP_RELOAD | HUP_STOP);
    close (fd);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_hup_is_an_event),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
