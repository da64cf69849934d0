/*  diag.h: logging and fatal errors for every farm program.
 *  One line per event on stderr (journald picks it up) or syslog; messages
 *  about a queued message begin with its queue id; control characters in a
 *  line are escaped (\xNN). */
#ifndef FARM_DIAG_H
#define FARM_DIAG_H
#include <stdbool.h>
#include <stdint.h>

typedef enum { DIAG_ERROR = 0, DIAG_WARN = 1, DIAG_INFO = 2, DIAG_DEBUG = 3 } diag_level_t;

//  Set the program name shown on each line, and where lines go.
void diag_init (const char *progname, bool use_syslog);
//  Lines above this level are dropped.
void diag_set_level (diag_level_t level);
//  Parse "error|warn|info|debug"; -1 when unknown.
int diag_level_parse (const char *name);
diag_level_t diag_level (void);

void diag_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void diag_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void diag_info (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void diag_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
//  At most one line of a kind an interval, so that a failure that repeats
//  (a disk full, no descriptors left, an entry that cannot be read) is said
//  once a second, not a million times: true when a line may be written now,
//  with *held the number of lines held back since the last one.
typedef struct {
    int64_t next_ms;
    unsigned long held;
} diag_every_t;
bool diag_every (diag_every_t *e, int interval_ms, unsigned long *held);

//  The environment is wrong (missing dir, bad config): log and exit(1).
void diag_fatal (const char *fmt, ...) __attribute__ ((format (printf, 1, 2), noreturn));
//  An invariant is broken (a bug): log and abort() for a core.
void diag_panic (const char *fmt, ...) __attribute__ ((format (printf, 1, 2), noreturn));
#endif
