/*  dispatch.h: from active/ to a worker and back. Reads each claimed
 *  message (header, size check, body), asks the sender state whether it may
 *  be scanned (watch), leases it to the least recently used worker with
 *  credit, and turns each VERDICT whose lease is current into an output for
 *  the spooler. Messages that must be tried again (a read that failed, a
 *  worker that went away, an output that could not be written, recovery)
 *  wait in the redo list, which is served before new claims. */
#ifndef FARM_DISPATCH_H
#define FARM_DISPATCH_H
#include "cfg.h"
#include "ingest.h"
#include "lease.h"
#include "pool.h"
#include "spool.h"
#include "spooler.h"
#include "mark.h"
#include "watch.h"
#include "wire.h"
#include <czmq.h>

typedef struct dispatch_t dispatch_t;

//  The parts it works with stay owned by the caller; watch may be NULL.
//  Reads lease/timeout-ms, lease/max-inflight, spool/retry-s and
//  limits/message-size from cfg.
dispatch_t *dispatch_new (cfg_t *cfg, spool_t *spool, ingest_t *ingest, pool_t *pool,
                          lease_table_t *leases, spooler_t *spooler, watch_t *watch,
                          const mark_t *mark, zsock_t *router);
void dispatch_destroy (dispatch_t **self_p);
//  qid (in active/) is to be dispatched again; claimed_usec as when claimed.
void dispatch_redo (dispatch_t *self, const char *qid, int64_t claimed_usec);
//  As spooler_failed_fn (arg is the dispatch_t): the output of qid could not
//  be made durable; try it again after a pause.
void dispatch_output_failed (void *arg, const char *qid, int status);
//  Dispatch while there is work, credit and room in flight (none during a
//  pause after a failure).
void dispatch_pump (dispatch_t *self);
//  Every lease of worker w (w NULL: every expired lease) to redo.
void dispatch_release (dispatch_t *self, pool_worker_t *w, const char *why);
//  Worker *w is gone (logged with why): its leases to redo, and it leaves
//  the pool (*w cleared).
void dispatch_worker_gone (dispatch_t *self, pool_worker_t **w, const char *why);
//  Every heartbeat interval: a heartbeat to each worker still heard from;
//  those silent past their liveness are gone; expired leases to redo.
void dispatch_heartbeat (dispatch_t *self);
//  A message from the worker with routing id id (the frames after it):
//  READY joins the pool, HEARTBEAT keeps it alive (and tells its model),
//  VERDICT goes to dispatch_verdict, DISCONNECT leaves; a worker we do not
//  know is told DISCONNECT and must say READY again. Reads wire/heartbeat-ms
//  and wire/liveness (dispatch_new).
void dispatch_message (dispatch_t *self, zframe_t *id, zmsg_t *msg);
//  A VERDICT from w: gives w its credit back; an output when the lease is
//  current, a log line and nothing else when it is not.
void dispatch_verdict (dispatch_t *self, pool_worker_t *w, wire_msg_t *m);
#endif
