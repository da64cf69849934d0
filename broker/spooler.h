/*  spooler.h: the delivery spooler. Turns each verdict into a file in the
 *  right spool (outgoing/ with the worker's header lines prepended, hold/ and
 *  reject/ with reasons, deferred/ with its retry time as the file's mtime),
 *  commits outputs in batches (tmp, fsync, rename, dir fsync), and only then
 *  unlinks the message from active/. */
#ifndef FARM_SPOOLER_H
#define FARM_SPOOLER_H
#include "batch.h"
#include "envelope.h"
#include "spool.h"
#include "verdict.h"
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct spooler_t spooler_t;
//  Called for each output that could not be made durable: the message is
//  still in active/ and must be tried again later.
typedef void (spooler_failed_fn) (void *arg, const char *qid, int status);

//  Told of every finished message (metrics): its verdict name ("deliver",
//  ..., "corrupt"), its envelope with the reasons, claim-to-output latency.
typedef void (spooler_observer_fn) (void *arg, const char *verdict, const envelope_t *env,
                                    int64_t latency_usec);

//  verdict_log: path of the JSON-lines verdict log, or "" for none; sync:
//  how each batch is made durable (see batch.h).
spooler_t *spooler_new (spool_t *spool, const char *verdict_log, batch_sync_t sync);
void spooler_destroy (spooler_t **self_p);
//  Open the verdict log again by its name (after logrotate moved it, on
//  SIGHUP); the one open before stays when it cannot be.
void spooler_reopen_log (spooler_t *self);
void spooler_set_observer (spooler_t *self, spooler_observer_fn *fn, void *arg);
//  Bounce rejects as notice says (notice.h), in the same commit as the
//  reject; notice stays the caller's.
typedef struct notice_t notice_t;
void spooler_set_notice (spooler_t *self, notice_t *notice);
//  Write the output of v for qid (in active/; env read from it, taken) to a
//  temporary file and queue it for commit. 0, or -1 with errno when it could
//  not be written (the message stays in active/; nothing was queued).
int spooler_add (spooler_t *self, const char *qid, envelope_t **env, off_t body_off,
                 const verdict_t *v, int64_t claimed_usec, uint64_t scan_usec);
//  Group commit: outputs gather for at most flush_ms (spool/flush-ms) or
//  until batch (spool/batch) wait, then commit together; each output that
//  cannot be made durable is reported to failed. Set once, before any add.
void spooler_set_commit (spooler_t *self, int64_t flush_ms, int64_t batch,
                         spooler_failed_fn *failed, void *arg);
//  Outputs waiting for commit.
size_t spooler_pending (spooler_t *self);
//  Start committing what waits, in the committer thread, when it is due (a
//  full batch, or its oldest has waited flush_ms) and no commit is under way,
//  so that one sync serves all that gathered meanwhile; otherwise a one-shot
//  timer on loop does it when it is due. New outputs gather in the next
//  batch meanwhile.
void spooler_commit_due (spooler_t *self, zloop_t *loop);
//  After each output added: a full batch waits for the commit under way, if
//  any, and starts at once.
void spooler_commit_if_full (spooler_t *self);
//  A commit is under way.
bool spooler_committing (spooler_t *self);
//  The socket that turns readable when the commit under way is durable
//  (for zloop_reader); then call spooler_commit_done.
void *spooler_sock (spooler_t *self);
//  Wait for the commit under way (if any) and finish it: the active/ copies
//  are gone, failures reported, logs written.
void spooler_commit_done (spooler_t *self);
//  Finish the commit under way, then commit what waits here and now (before
//  answering an operator, at exit); returns how many of the latter failed.
size_t spooler_commit (spooler_t *self);
//  Move active/qid to corrupt/ because it cannot be read, with a log line
//  and a verdict-log entry. 0 or -1.
int spooler_corrupt (spooler_t *self, const char *qid, const char *why);
#endif
