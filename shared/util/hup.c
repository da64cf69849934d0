/*  hup.c: SIGHUP through a signalfd (see hup.h). */
#include "hup.h"
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

int
hup_open (void)
{
    sigset_t set;
    sigemptyset (&set);
    sigaddset (&set, SIGHUP);
    if (sigprocmask (SIG_BLOCK, &set, NULL) < 0)
        return -1;
    int fd = signalfd (-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        sigprocmask (SIG_UNBLOCK, &set, NULL);
    return fd;
}

bool
hup_taken (int fd)
{
    struct signalfd_siginfo si;
    bool any = false;
    while (fd >= 0 && read (fd, &si, sizeof si) == (ssize_t) sizeof si)
        any = true;
    return any;
}
