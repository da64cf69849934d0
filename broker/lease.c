/*  lease.c: the table of leases (zhashx by queue id). Tokens are a random
 *  per-process prefix and a counter, so tokens from before a broker restart
 *  never match a new lease. */
#include "lease.h"
#include "xalloc.h"
#include <string.h>
#include <sys/random.h>

struct lease_table_t {
    zhashx_t *leases;
    uint64_t next_token;
};

static void
s_lease_free (void **item)
{
    lease_t *l = *item;
    if (l) {
        envelope_destroy (&l->env);
        free (l);
        *item = NULL;
    }
}

lease_table_t *
lease_table_new (void)
{
    lease_table_t *self = xcalloc (1, sizeof *self);
    self->leases = zhashx_new ();
    zhashx_set_destructor (self->leases, s_lease_free);
    uint32_t prefix = 0;
    if (getrandom (&prefix, sizeof prefix, 0) != sizeof prefix)
        prefix = (uint32_t) zclock_time ();
    self->next_token = (uint64_t) prefix << 32;
    return self;
}

void
lease_table_destroy (lease_table_t **self_p)
{
    lease_table_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->leases);
    free (self);
    *self_p = NULL;
}

lease_t *
lease_add (lease_table_t *self, const char *qid, pool_worker_t *worker, int64_t deadline,
           int64_t claimed_usec, envelope_t **env, off_t body_off)
{
    lease_t *l = xcalloc (1, sizeof *l);
    memcpy (l->qid, qid, QID_SIZE);
    l->token = ++self->next_token;
    l->worker = worker;
    l->deadline = deadline;
    l->claimed_usec = claimed_usec;
    l->env = *env;
    *env = NULL;
    l->body_off = body_off;
    zhashx_insert (self->leases, l->qid, l);
    return l;
}

lease_t *
lease_find (lease_table_t *self, const char *qid)
{
    return zhashx_lookup (self->leases, qid);
}

void
lease_remove (lease_table_t *self, const char *qid, envelope_t **env)
{
    lease_t *l = zhashx_lookup (self->leases, qid);
    if (!l)
        return;
    if (env) {
        *env = l->env;
        l->env = NULL;
    }
    zhashx_delete (self->leases, qid);
}

size_t
lease_count (lease_table_t *self)
{
    return zhashx_size (self->leases);
}

size_t
lease_collect (lease_table_t *self, int64_t now, pool_worker_t *worker,
               char (*out)[QID_SIZE], size_t max)
{
    size_t n = 0;
    for (lease_t *l = zhashx_first (self->leases); l && n < max; l = zhashx_next (self->leases))
        if (worker ? l->worker == worker : l->deadline <= now)
            memcpy (out[n++], l->qid, QID_SIZE);
    return n;
}
