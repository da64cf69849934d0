/*  ingest.h: where the broker finds work. Sources are the main spool's
 *  incoming/, each extra ingest spool's incoming/ (one per submitting MTA),
 *  and deferred/ (a file there is due when its mtime has passed). Sources are
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
#endif
