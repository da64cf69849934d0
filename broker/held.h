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

typedef enum { HELD_RELEASE, HELD_DROP, HELD_REQUEUE, HELD_PURGE } held_action_t;

//  Apply action to the messages of spool folder from (hold/, reject/ or
//  deferred/) whose queue id is qid, or (qid NULL) whose account is account
//  (the broker's account key, watch_account), or (both NULL) all of them.
//    RELEASE  to incoming/ with released: (no content or compromise hold)
//    DROP     to reject/ with a reason
//    REQUEUE  to incoming/, its verdict forgotten: scanned again as new
//    PURGE    deleted, with a log line per message (an operator's decision)
//  now: the time written in released:. Returns how many, or -1 with errno;
//  *failed counts those that could not be moved (they stay where they were).
long held_apply (spool_t *spool, spool_dir_t from, const char *account, const char *qid,
                 held_action_t action, int64_t now, size_t *failed);
#endif
