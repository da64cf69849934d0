/*  commit.h: the group commit of farm-smtpd. Each message is written to
 *  the spool's tmp/ at once, by the loop; a thread of its own makes them
 *  durable together (batch_sync: fsyncs or one syncfs, renames into
 *  incoming/, one directory fsync), while the loop goes on reading the next
 *  ones: every message whose DATA ended during one sync shares the next.
 *  Only then does a session say 250. */
#ifndef FARM_SMTPD_COMMIT_H
#define FARM_SMTPD_COMMIT_H
#include "spool.h"
#include <stddef.h>

typedef struct commit_t commit_t;
//  A message is durable as qid (status 0), or is not (status an errno
//  value; nothing of it is left in the spool).
typedef void (commit_done_fn) (void *arg, void *entry, const char *qid, int status);

//  Commits into spool's incoming/; the thread is started. NULL with errno.
commit_t *commit_new (spool_t *spool);
//  Stops the thread after the batch it is on, finishing every entry.
void commit_destroy (commit_t **self_p, commit_done_fn *done, void *arg);
//  A batch is handed to the thread once its first message has waited ms
//  milliseconds, or it holds max messages, or the thread is idle and ms is
//  0 (the defaults: 0 and 256). A few milliseconds let the messages of many
//  sessions share one sync, where each sync costs the same.
void commit_set_window (commit_t *self, int ms, size_t max);
//  Milliseconds until the waiting batch is due (for the loop's poll), or -1
//  when nothing waits.
int commit_timeout (commit_t *self);
//  Readable when a sync has ended: call commit_poll.
int commit_fd (commit_t *self);
//  Write the message to tmp/ and queue it, under env's queue id when it has
//  one (a new one when not). 0; or -1 with errno (nothing
//  queued, nothing left in tmp/: the session says 451 at once).
int commit_add (commit_t *self, envelope_t *env, const void *msg, size_t len, void *entry);
//  Finish what the thread synced (done for each entry) and hand it what
//  waits. Cheap when there is nothing to do; call after every loop turn.
//  Called again from a done callback, it does nothing (the outer call goes
//  on with what the callback added).
void commit_poll (commit_t *self, commit_done_fn *done, void *arg);
//  Messages written and not yet durable.
size_t commit_pending (commit_t *self);
//  Batches synced, and messages in them, since the start (for the log).
void commit_stats (commit_t *self, size_t *batches, size_t *messages);
#endif
