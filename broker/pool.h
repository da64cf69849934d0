/*  pool.h: the workers the broker knows: routing id, credit (free job slots),
 *  jobs in flight, and when each is taken for dead. Workers with credit wait
 *  in a ring, so jobs go round them fairly (least recently used first). */
#ifndef FARM_POOL_H
#define FARM_POOL_H
#include <czmq.h>
#include <stdint.h>

typedef struct {
    zframe_t *routing_id;
    char key[80];           //  hex of the routing id
    char name[128];         //  host:pid, as the worker says
    char model[128];
    uint32_t credit;        //  free slots
    uint32_t jobs;          //  leased to it now
    uint32_t max_credit;    //  credit + jobs never exceed it (what READY said, capped)
    uint32_t expired;       //  its leases that ran out since its last good verdict
    int64_t expires;        //  ms (zclock_mono): dead when nothing heard by then
    bool in_ring;
} pool_worker_t;

typedef struct pool_t pool_t;

pool_t *pool_new (void);
void pool_destroy (pool_t **self_p);
//  The worker with this routing id, or NULL.
pool_worker_t *pool_find (pool_t *self, zframe_t *routing_id);
//  Add a worker (READY); replaces nothing: the caller has checked pool_find.
pool_worker_t *pool_add (pool_t *self, zframe_t *routing_id, const char *name,
                         const char *model, uint32_t credit);
//  Forget a worker; its leases must have been dealt with first.
void pool_remove (pool_t *self, pool_worker_t **worker_p);
//  The next worker with credit (taking one slot), or NULL.
pool_worker_t *pool_take (pool_t *self);
//  Give a slot back (a verdict came, or a lease was dropped); never beyond
//  the worker's max_credit.
void pool_give (pool_t *self, pool_worker_t *worker);
size_t pool_size (pool_t *self);
//  True when some worker has free credit.
bool pool_ready (pool_t *self);
//  First, next worker for walking them all (removal is safe after next).
pool_worker_t *pool_first (pool_t *self);
pool_worker_t *pool_next (pool_t *self);
#endif
