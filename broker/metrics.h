/*  metrics.h: the broker's figures in the Prometheus text format, written
 *  every metrics/interval-ms to metrics/file (under a temporary name, then
 *  renamed: node_exporter's textfile collector never reads half a file).
 *
 *    farm_messages_total{verdict}          messages finished, by verdict
 *    farm_reasons_total{reason}            reasons given, by their name (the
 *                                          part before ':'; at most 64 names)
 *    farm_latency_seconds                  claim to durable output (histogram)
 *    farm_queue_messages{spool}            files in incoming, active, deferred,
 *                                          hold, reject, outgoing, corrupt
 *    farm_jobs_in_flight                   leased, not answered yet
 *    farm_workers{model}                   workers connected, by model version
 *    farm_accounts_flagged                 accounts whose mail is held
 *    farm_sender_records, farm_sender_bytes   the sender state's size
 *    farm_up_seconds                       since the broker started */
#ifndef FARM_METRICS_H
#define FARM_METRICS_H
#include <stdbool.h>
#include "envelope.h"
#include "pool.h"
#include "spool.h"
#include "verdict.h"
#include "watch.h"
#include "outcomes.h"
#include <stdint.h>

typedef struct metrics_t metrics_t;

metrics_t *metrics_new (const char *file);
void metrics_destroy (metrics_t **self_p);
//  One message finished: its verdict name ("deliver", ..., "corrupt"), its
//  reasons, and the time from claim to durable output.
void metrics_finished (metrics_t *self, const char *verdict, const envelope_t *env, int64_t latency_usec);
//  Write the file now; stopping: the last write of a broker that stops
//  (farm_broker_up 0, no workers, nothing in flight). 0, or -1 (logged).
int metrics_write (metrics_t *self, spool_t *spool, pool_t *pool, size_t in_flight, watch_t *watch,
                   outcomes_t *outcomes,
                   bool stopping);
#endif
