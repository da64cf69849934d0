/*  held.h: an operator's decision on an account's held mail.
 *  release: each hold/ file of the account goes back to incoming/ with a
 *  `released:` line and without its verdict, to be scanned again, signed
 *  and delivered (the content and compromise holds do not apply to it;
 *  domain lockdown does). drop: each goes to reject/ with the reason.
 *
 *  Crash safety: the new file is written under a temporary name, fsync'd
 *  and renamed into place (never over a file) before the hold/ file is
 *  unlinked; a crash between leaves the queue id in two places, and start-up
 *  recovery removes the hold/ copy (recover.c). Nothing is lost or doubled. */
#ifndef FARM_HELD_H
#define FARM_HELD_H
#include "spool.h"
#include <stddef.h>
#include <stdint.h>

typedef enum { HELD_RELEASE, HELD_DROP } held_action_t;

//  Apply action to every hold/ message of account (by the account key the
//  broker uses, watch_account). now: the time written in released:.
//  Returns how many moved, or -1 with errno; *failed counts those that
//  could not be moved (they stay in hold/).
long held_apply (spool_t *spool, const char *account, held_action_t action, int64_t now,
                 size_t *failed);
#endif
