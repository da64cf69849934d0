/*  lease.h: jobs in flight. A lease ties a queue id in active/ to the worker
 *  that holds it, a token that changes on every dispatch (so a late verdict
 *  for a re-leased job is recognised and ignored), and a deadline. */
#ifndef FARM_LEASE_H
#define FARM_LEASE_H
#include "envelope.h"
#include "pool.h"
#include "qid.h"
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    char qid[QID_SIZE];
    uint64_t token;
    pool_worker_t *worker;
    int64_t deadline;       //  ms, zclock_mono
    int64_t claimed_usec;   //  wall clock when it entered active/ (latency)
    envelope_t *env;        //  owned
    off_t body_off;
} lease_t;

typedef struct lease_table_t lease_table_t;

lease_table_t *lease_table_new (void);
void lease_table_destroy (lease_table_t **self_p);
//  Record a new lease for qid (none may exist); takes env. Returns the lease.
lease_t *lease_add (lease_table_t *self, const char *qid, pool_worker_t *worker,
                    int64_t deadline, int64_t claimed_usec, envelope_t **env, off_t body_off);
lease_t *lease_find (lease_table_t *self, const char *qid);
//  Remove a lease; hands its envelope to *env when env is not NULL.
void lease_remove (lease_table_t *self, const char *qid, envelope_t **env);
size_t lease_count (lease_table_t *self);
//  Collect (into out, at most max) the qids of leases that are past now, or
//  held by worker when worker is not NULL. Returns how many.
size_t lease_collect (lease_table_t *self, int64_t now, pool_worker_t *worker,
                      char (*out)[QID_SIZE], size_t max);
#endif
