/*  diag.h: logging and fatal errors for every farm program.
 *  One line per event on stderr (journald picks it up) or syslog; messages
 *  about a queued message begin with its queue id. */
#ifndef FARM_DIAG_H
#define FARM_DIAG_H
#include <stdbool.h>

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
//  The environment is wrong (missing dir, bad config): log and exit(1).
void diag_fatal (const char *fmt, ...) __attribute__ ((format (printf, 1, 2), noreturn));
//  An invariant is broken (a bug): log and abort() for a core.
void diag_panic (const char *fmt, ...) __attribute__ ((format (printf, 1, 2), noreturn));
#endif
