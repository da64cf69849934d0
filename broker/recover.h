/*  recover.h: crash recovery of a spool at broker start (Postfix's
 *  qmgr_move of active/ in spirit): finished messages are cleared from
 *  active/, unfinished ones are handed back for dispatch, and temporary files
 *  that can never be committed are removed. */
#ifndef FARM_RECOVER_H
#define FARM_RECOVER_H
#include "spool.h"

typedef void (recover_redo_fn) (void *arg, const char *qid);

//  Walk active/ and tmp/ of spool. redo is called for each message to scan
//  again. Returns how many were handed back.
size_t recover_spool (spool_t *spool, recover_redo_fn *redo, void *arg);
#endif
