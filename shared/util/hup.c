/*  hup.c: SIGHUP through a signalfd (see hup.h). */
#include "hup.h"
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

int
hup_open (bool stop_too)
{
    sigset_t set;
    sigemptyset (&set);
    sigaddset (&set, SIGHUP);
    if (stop_too) {
        sigaddset (&set, SIGTERM);
        sigaddset (&set, SIGINT);
    }
    if (sigprocmask (SIG_BLOCK, &set, NULL) < 0)
        return -1;
    int fd = signalfd (-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        sigprocmask (SIG_UNBLOCK, &set, NULL);
    return fd;
}

int
hup_take (int fd)
{
    struct signalfd_siginfo si;
    int what = 0;
    while (fd >= 0 && read (fd, &si, sizeof si) == (ssize_t) sizeof si)
        what |= si.ssi_signo == SIGHUP ? HUP_RELOAD : HUP_STOP;
    return what;
}

bool
hup_taken (int fd)
{
    return (hup_take (fd) & HUP_RELOAD) != 0;
}
