/*  ingest.h: where the broker finds work. Sources are the main spool's
 *  incoming/, each extra ingest spool's incoming/ (one per submitting MTA),
 *  and deferred/ (a file there is due when its mtime has passed: by the
 *  wall clock, or by the stream's in a replay, ingest_stream). Sources are
 *  served round-robin, one message each in turn, so a flood in one does not
 *  starve the others. inotify says when a directory changed; a periodic
 *  rescan covers what inotify misses. Memory is bounded: each scan keeps the
 *  oldest scan-batch queue ids of a source, however many files wait. */
#ifndef FARM_INGEST_H
#define FARM_INGEST_H
#include "qid.h"
#include "spool.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct ingest_t ingest_t;

//  main: the broker's spool (its active/ receives claims); extra: more
//  ingest spools. Fatal errors are logged; NULL when inotify is unavailable
//  is not one (rescans carry on alone).
ingest_t *ingest_new (spool_t *main, spool_t **extra, size_t nextra, size_t scan_batch,
                      int64_t rescan_ms);
void ingest_destroy (ingest_t **self_p);
//  inotify descriptor to poll, or -1.
int ingest_fd (ingest_t *self);
//  Read inotify events and mark changed sources for a rescan.
void ingest_notified (ingest_t *self);
//  Claim the next message by rename into active/. 1 with qid set and
//  *deferred telling whether it came from deferred/; 0 when nothing is ready.
int ingest_claim (ingest_t *self, char *qid, bool *deferred);
//  The stream's clock (farm-replay, spool/clock = messages): a deferred
//  message is due when the newest message time dispatched (ingest_stream_at)
//  has passed its retry-at, and is claimed before incoming/; when the farm
//  is idle, the caller moves the clock to the next one due
//  (ingest_stream_next: 0 when none is known, or deferred/ is to be read).
void ingest_stream (ingest_t *self);
void ingest_stream_at (ingest_t *self, int64_t t);
int64_t ingest_stream_next (ingest_t *self);
//  The stream's clock moves to t (a message of that time is about to go):
//  true when deferred mail may be due by then, to go before it.
bool ingest_stream_advance (ingest_t *self, int64_t t);
//  Something was put in deferred/ (and is durable): look there again
//  before the next claim from it, not when inotify says so.
void ingest_deferred_changed (ingest_t *self);
//  Claim from deferred/ only, what is due by the stream's clock: 1 with qid.
int ingest_claim_deferred (ingest_t *self, char *qid);
#endif
