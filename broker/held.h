/*  held.h: an operator's decision on held (or rejected, or deferred) mail.
 *  release: each hold/ file of the account goes back to incoming/ with a
 *  `released:` line and without its verdict, to be scanned again, signed
 *  and delivered (the content and compromise holds do not apply to it;
 *  domain lockdown does). drop: each goes to reject/ with the reason.
 *
 *  Crash safety: the new file is written under a temporary name, fsync'd
 *  and renamed into place (never over a file) before the hold/ file is
 *  unlinked; a crash between leaves the queue id in two places, and start-up
 *  recovery removes the old copy, since the new one is scanned again
 *  (recover.c). Nothing is lost or doubled. */
#ifndef FARM_HELD_H
#define FARM_HELD_H
#include "spool.h"
#include <stddef.h>
#include <stdint.h>

#include "mark.h"
#include "strbuf.h"
#include <stdbool.h>

typedef enum { HELD_RELEASE, HELD_DROP, HELD_REQUEUE, HELD_PURGE, HELD_RESCAN } held_action_t;

//  Which messages of a folder: all of those that match every field set.
typedef struct {
    const char *qid;        //  this queue id
    const char *account;    //  this account (the broker's key, watch_account)
    int64_t before;         //  in the folder since before this time (its file's mtime)
    bool dry_run;           //  count and list them, change nothing
    const char *why;        //  DROP: the reason added; PURGE: the log's (NULL: an operator's)
    const mark_t *mark;     //  RELEASE: the broker's seal (mark.h)
    int64_t at;             //  RESCAN: the time it counts at (retry-at), the flag's end
    size_t *rcpts;          //  RESCAN: when set, the envelope recipients moved are added
} held_select_t;

//  Apply action to the messages of spool folder from (hold/, reject/ or
//  deferred/) that sel selects.
//    RELEASE  to incoming/ with released: (no content or compromise hold)
//    DROP     to reject/ with a reason
//    REQUEUE  to incoming/, its verdict forgotten: scanned again as new
//    PURGE    deleted, with a log line per message (an operator's decision)
//    RESCAN   to deferred/ (due at once) with rescan: and retry-at sel->at (the detector's
//             flag ran out): scanned, counted and judged again as an attempt
//             at that time, so that a hijacker's burst is flagged again
//  now: the time written in released:. Returns how many, or -1 with errno;
//  *failed counts those that could not be moved (they stay where they were).
//  With dry_run, list (when not NULL) gets a line for each of the first 100:
//  queue id, account, days in the folder.
long held_apply (spool_t *spool, spool_dir_t from, const held_select_t *sel, held_action_t action,
                 int64_t now, size_t *failed, strbuf_t *list);

//  Retention (the broker at start and hourly): mail in hold/ more than
//  hold_days days (0: kept until an operator acts) goes to reject/ as
//  hold-expired, unbounced like an operator's drop; mail in reject/ more
//  than reject_days days (0: kept) is deleted, each logged.
void held_expire (spool_t *spool, int hold_days, int reject_days, int64_t now);
#endif
