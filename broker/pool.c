/*  pool.c: worker registry (zhashx by routing id) and the ready ring
 *  (zlistx of workers with free credit). */
#include "pool.h"
#include "xalloc.h"
#include <string.h>

struct pool_t {
    zhashx_t *workers;      //  key -> pool_worker_t (owned)
    zlistx_t *ring;         //  workers with credit, LRU order (not owned)
};

static void
s_worker_free (void **item)
{
    pool_worker_t *w = *item;
    if (w) {
        zframe_destroy (&w->routing_id);
        free (w);
        *item = NULL;
    }
}

pool_t *
pool_new (void)
{
    pool_t *self = xcalloc (1, sizeof *self);
    self->workers = zhashx_new ();
    zhashx_set_destructor (self->workers, s_worker_free);
    self->ring = zlistx_new ();
    return self;
}

void
pool_destroy (pool_t **self_p)
{
    pool_t *self = *self_p;
    if (!self)
        return;
    zlistx_destroy (&self->ring);
    zhashx_destroy (&self->workers);
    free (self);
    *self_p = NULL;
}

static void
s_key (zframe_t *id, char *key, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = zframe_size (id);
    const uint8_t *d = zframe_data (id);
    size_t o = 0;
    for (size_t i = 0; i < n && o + 2 < size; i++) {
        key[o++] = hex[d[i] >> 4];
        key[o++] = hex[d[i] & 15];
    }
    key[o] = 0;
}

pool_worker_t *
pool_find (pool_t *self, zframe_t *routing_id)
{
    char key[80];
    s_key (routing_id, key, sizeof key);
    return zhashx_lookup (self->workers, key);
}

pool_worker_t *
pool_add (pool_t *self, zframe_t *routing_id, const char *name, const char *model,
          uint32_t credit)
{
    pool_worker_t *w = xcalloc (1, sizeof *w);
    w->routing_id = zframe_dup (routing_id);
    s_key (routing_id, w->key, sizeof w->key);
    snprintf (w->name, sizeof w->name, "%s", name);
    snprintf (w->model, sizeof w->model, "%s", model);
    w->credit = w->max_credit = credit;
    zhashx_insert (self->workers, w->key, w);
    if (credit) {
        zlistx_add_end (self->ring, w);
        w->in_ring = true;
    }
    return w;
}

void
pool_remove (pool_t *self, pool_worker_t **worker_p)
{
    pool_worker_t *w = *worker_p;
    if (!w)
        return;
    if (w->in_ring) {
        void *h = zlistx_find (self->ring, w);
        if (h)
            zlistx_delete (self->ring, h);
    }
    zhashx_delete (self->workers, w->key);
    *worker_p = NULL;
}

pool_worker_t *
pool_take (pool_t *self)
{
    pool_worker_t *w = zlistx_first (self->ring);
    if (!w)
        return NULL;
    zlistx_delete (self->ring, zlistx_cursor (self->ring));
    w->in_ring = false;
    w->credit--;
    w->jobs++;
    if (w->credit) {
        zlistx_add_end (self->ring, w);
        w->in_ring = true;
    }
    return w;
}

void
pool_give (pool_t *self, pool_worker_t *w)
{
    if (w->jobs)
        w->jobs--;
    if (w->credit + w->jobs >= w->max_credit)
        return;
    w->credit++;
    if (!w->in_ring) {
        zlistx_add_end (self->ring, w);
        w->in_ring = true;
    }
}


pool_worker_t *
pool_first (pool_t *self)
{
    return zhashx_first (self->workers);
}

pool_worker_t *
pool_next (pool_t *self)
{
    return zhashx_next (self->workers);
}

bool
pool_ready (pool_t *self)
{
    return zlistx_size (self->ring) > 0;
}

size_t
pool_size (pool_t *self)
{
    return zhashx_size (self->workers);
}
