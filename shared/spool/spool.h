/*  spool.h: a spool root and its state directories.
 *
 *      ROOT/tmp/        files being written (never read by anyone else)
 *      ROOT/incoming/   committed, waiting for the broker
 *      ROOT/active/     claimed by the broker, in flight
 *      ROOT/outgoing/   deliver: signed, for the MTA or relay
 *      ROOT/hold/       quarantined, with reasons; an operator releases
 *      ROOT/reject/     rejected, with reasons
 *      ROOT/deferred/   to retry; the file's mtime is its retry time
 *      ROOT/corrupt/    what could not be read, kept for a human
 *      ROOT/feedback/   not mail: delivery outcomes for the broker (broker/outcomes.h)
 *      ROOT/complaints/ not mail: feedback-loop reports (ARF) for the broker
 *
 *  A message is in exactly one of these at any moment, named by its queue id,
 *  and moves only by rename. An ingest spool (one per submitting MTA) uses
 *  only tmp/ and incoming/; it must sit on the broker's filesystem. */
#ifndef FARM_SPOOL_H
#define FARM_SPOOL_H
#include "batch.h"
#include "envelope.h"
#include "qid.h"
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SPOOL_TMP, SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_OUTGOING, SPOOL_HOLD,
    SPOOL_REJECT, SPOOL_DEFERRED, SPOOL_CORRUPT, SPOOL_FEEDBACK, SPOOL_COMPLAINTS, SPOOL_NDIRS
} spool_dir_t;

typedef struct spool_t spool_t;

//  Open the spool at root, creating missing directories when create is true.
//  NULL with errno and a log line when it cannot be opened.
spool_t *spool_new (const char *root, bool create);
void spool_destroy (spool_t **self_p);
const char *spool_root (spool_t *self);
//  Directory fd of one state directory (-1 for feedback/ or complaints/ in
//  a spool opened without create that has none yet).
int spool_fd (spool_t *self, spool_dir_t dir);
//  The state directory's name ("incoming", ...).
const char *spool_dir_name (spool_dir_t dir);
//  Files in one folder of the spool (names not starting with '.'); 0 when
//  it cannot be read.
size_t spool_count (spool_t *self, spool_dir_t dir);
//  Device of the spool (renames work only within one).
dev_t spool_dev (spool_t *self);
//  Take the spool for this process alone (ROOT/broker.lock, flock): one
//  broker per spool, since a second would claim the same files. Held until
//  spool_destroy. 0, or -1 with errno (EWOULDBLOCK: another holds it).
int spool_lock (spool_t *self);
//  True when a broker has set this spool up (its lock file is there, held
//  or not): a writer such as farm-submit must not make a spool of its own
//  where no broker will ever look.
bool spool_set_up (spool_t *self);
//  How batches of files in this spool are made durable (spool/sync; the
//  default BATCH_SYNC_FILES): every writer into it follows the same rule.
void spool_set_sync (spool_t *self, batch_sync_t sync);
batch_sync_t spool_sync (spool_t *self);
//  Write env + message as a new spool file into dir (normally incoming/),
//  queued on batch: give the new queue id in qid (QID_SIZE bytes). Commit with
//  batch_commit. 0, or -1 with errno.
int spool_write (spool_t *self, batch_t *batch, spool_dir_t dir, envelope_t *env,
                 const void *msg, size_t len, char *qid, void *entry_arg);
//  The same under a queue id the caller made (qid_at: a replay's, the same
//  in every run).
int spool_write_id (spool_t *self, batch_t *batch, spool_dir_t dir, envelope_t *env,
                    const void *msg, size_t len, const char *qid, void *entry_arg);
//  Write one message into dir (incoming/ for new mail) and commit it at once.
//  0, or -1 with errno.
int spool_enter (spool_t *self, spool_dir_t dir, envelope_t *env, const void *msg, size_t len,
                 char *qid);
#endif
