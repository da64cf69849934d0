/*  diag.c: logging and fatal errors.
 *  Lines are "TIME PROG[PID]: LEVEL: text" on stderr, or the same text through
 *  syslog(3). diag_fatal is for a broken environment (_exit 1, a supervisor
 *  restarts us); diag_panic for a broken invariant (abort, leaving a core). */
#include "diag.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *s_prog = "farm";
static bool s_syslog = false;
static diag_level_t s_level = DIAG_INFO;
static const char *s_names[] = { "error", "warning", "info", "debug" };

void
diag_init (const char *progname, bool use_syslog)
{
    s_prog = progname;
    s_syslog = use_syslog;
    if (use_syslog)
        openlog (progname, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
diag_set_level (diag_level_t level)
{
    s_level = level;
}

diag_level_t
diag_level (void)
{
    return s_level;
}

int
diag_level_parse (const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp (name, s_names[i]) == 0 || strncmp (name, s_names[i], 4) == 0)
            return i;
    return -1;
}

static void
s_log (diag_level_t level, const char *fmt, va_list ap)
{
    if (level > s_level)
        return;
    char raw[4096], text[4096];
    vsnprintf (raw, sizeof raw, fmt, ap);
    //  One event, one line: a control character (a newline in a file name
    //  or a header) is written as \xNN, so that no input forges a line.
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *) raw; *p && o + 5 < sizeof text; p++) {
        if (*p < 0x20 || *p == 0x7f)
            o += (size_t) snprintf (text + o, sizeof text - o, "\\x%02x", *p);
        else
            text[o++] = (char) *p;
    }
    text[o] = 0;
    if (s_syslog) {
        static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
        syslog (prio[level], "%s: %s", s_names[level], text);
        return;
    }
    struct timeval tv;
    gettimeofday (&tv, NULL);
    struct tm tm;
    localtime_r (&tv.tv_sec, &tm);
    char when[32], zone[8];
    strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    strftime (zone, sizeof zone, "%z", &tm);    //  local time, with its offset
    //  One write so lines from several processes do not interleave.
    char line[4400];
    int n = snprintf (line, sizeof line, "%s.%03ld%s %s[%d]: %s: %s\n", when,
                      (long) (tv.tv_usec / 1000), zone, s_prog, (int) getpid (),
                      s_names[level], text);
    if (n > (int) sizeof line - 1)
        n = (int) sizeof line - 1, line[n - 1] = '\n';
    if (write (STDERR_FILENO, line, (size_t) n) < 0) {
        //  Nowhere left to report it.
    }
}

#define DIAG_FN(name, level)                                                 \
    void name (const char *fmt, ...)                                         \
    {                                                                        \
        va_list ap;                                                          \
        va_start (ap, fmt);                                                  \
        s_log (level, fmt, ap);                                              \
        va_end (ap);                                                         \
    }
DIAG_FN (diag_error, DIAG_ERROR)
DIAG_FN (diag_warn, DIAG_WARN)
DIAG_FN (diag_info, DIAG_INFO)
DIAG_FN (diag_debug, DIAG_DEBUG)

void
diag_fatal (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    s_log (DIAG_ERROR, fmt, ap);
    va_end (ap);
    //  Not exit(): its handlers would tear down czmq's sockets and actor
    //  threads as they are halfway through a start, and czmq asserts on that
    //  (abort, exit 134, a core and a crash loop under systemd). Nothing of
    //  ours waits for them: files are written with write(2), and made
    //  durable where it matters before anything depends on them.
    fflush (NULL);
    _exit (1);
}

void
diag_panic (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    s_log (DIAG_ERROR, fmt, ap);
    va_end (ap);
    abort ();
}

bool
diag_every (diag_every_t *e, int interval_ms, unsigned long *held)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (now < e->next_ms) {
        e->held++;
        return false;
    }
    e->next_ms = now + interval_ms;
    *held = e->held;
    e->held = 0;
    return true;
}
