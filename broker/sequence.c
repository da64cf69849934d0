/*  sequence.c: verdicts applied in dispatch order (see sequence.h). */
#include "sequence.h"
#include "xalloc.h"
#include <czmq.h>
#include <string.h>

struct sequence_t {
    zlistx_t *entries;          //  sequence_entry_t, oldest first
    size_t lag;
};

static void
s_entry_free (void **item)
{
    sequence_entry_t *e = *item;
    if (e) {
        free (e->snap);
        envelope_destroy (&e->env);
        verdict_free (&e->verdict);
        free (e);
    }
    *item = NULL;
}

sequence_t *
sequence_new (size_t lag)
{
    sequence_t *self = xcalloc (1, sizeof *self);
    self->lag = lag ? lag : 1;
    self->entries = zlistx_new ();
    zlistx_set_destructor (self->entries, s_entry_free);
    return self;
}

void
sequence_destroy (sequence_t **self_p)
{
    sequence_t *self = *self_p;
    if (!self)
        return;
    zlistx_destroy (&self->entries);
    free (self);
    *self_p = NULL;
}

size_t sequence_lag (sequence_t *self) { return self->lag; }
size_t sequence_size (sequence_t *self) { return zlistx_size (self->entries); }

void
sequence_add (sequence_t *self, const char *qid, int64_t t, const char *snap, size_t snap_len)
{
    sequence_entry_t *e = xcalloc (1, sizeof *e);
    memcpy (e->qid, qid, QID_SIZE);
    e->t = t;
    e->snap = xmalloc (snap_len + 1);
    if (snap_len)
        memcpy (e->snap, snap, snap_len);
    e->snap[snap_len] = 0;
    e->snap_len = snap_len;
    verdict_init (&e->verdict);
    zlistx_add_end (self->entries, e);
}

sequence_entry_t *
sequence_head (sequence_t *self)
{
    return zlistx_first (self->entries);
}

sequence_entry_t *
sequence_find (sequence_t *self, const char *qid)
{
    //  The window is small (the lag): a walk is cheaper than an index.
    for (sequence_entry_t *e = zlistx_first (self->entries); e; e = zlistx_next (self->entries))
        if (!e->done && !strcmp (e->qid, qid))
            return e;
    return NULL;
}

void
sequence_forget (sequence_t *self, const char *qid)
{
    if (sequence_find (self, qid))
        zlistx_delete (self->entries, zlistx_cursor (self->entries));
}

bool
sequence_done (sequence_t *self, const char *qid, envelope_t **env, off_t body_off,
               int64_t claimed_usec, verdict_t *v, uint64_t scan_usec)
{
    sequence_entry_t *e = sequence_find (self, qid);
    if (!e)
        return false;
    e->done = true;
    e->env = *env;
    *env = NULL;
    e->body_off = body_off;
    e->claimed_usec = claimed_usec;
    e->scan_usec = scan_usec;
    e->verdict = *v;
    verdict_init (v);
    return true;
}

sequence_entry_t *
sequence_due (sequence_t *self, bool drain)
{
    sequence_entry_t *e = zlistx_first (self->entries);
    if (!e || !e->done)
        return NULL;
    return drain || zlistx_size (self->entries) >= self->lag ? e : NULL;
}

void
sequence_pop (sequence_t *self)
{
    if (zlistx_first (self->entries))
        zlistx_delete (self->entries, zlistx_cursor (self->entries));
}
