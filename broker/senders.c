/*  senders.c: sender records in LMDB (see senders.h). */
#include "senders.h"
#include "diag.h"
#include "xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct senders_t {
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;           //  the open write transaction, or NULL
    size_t map_mb;
};

static int
s_errno (int rc)
{
    return rc == MDB_MAP_FULL ? ENOSPC : rc > 0 ? rc : EIO;
}

senders_t *
senders_new (const char *path, size_t map_mb, char *err, size_t errlen)
{
    senders_t *self = xcalloc (1, sizeof *self);
    self->map_mb = map_mb;
    MDB_txn *txn = NULL;
    //  NOMETASYNC: a commit syncs the data; a crash of the machine may undo
    //  the last commit, never corrupt the file. A crash of the broker alone
    //  loses nothing committed.
    int rc = mdb_env_create (&self->env);
    if (!rc) rc = mdb_env_set_mapsize (self->env, map_mb << 20);
    if (!rc) rc = mdb_env_open (self->env, path, MDB_NOSUBDIR | MDB_NOMETASYNC | MDB_NOTLS, 0600);
    if (!rc) rc = mdb_txn_begin (self->env, NULL, 0, &txn);
    if (!rc) rc = mdb_dbi_open (txn, NULL, 0, &self->dbi);
    if (!rc) {
        rc = mdb_txn_commit (txn);
        txn = NULL;
    }
    if (rc) {
        snprintf (err, errlen, "sender state %s: %s", path, mdb_strerror (rc));
        if (txn)
            mdb_txn_abort (txn);
        senders_destroy (&self);
        return NULL;
    }
    return self;
}

void
senders_destroy (senders_t **self_p)
{
    senders_t *self = *self_p;
    if (!self)
        return;
    if (self->txn && mdb_txn_commit (self->txn))
        diag_error ("sender state: last commit failed");
    if (self->env)
        mdb_env_close (self->env);
    free (self);
    *self_p = NULL;
}

void
senders_key (char *key, size_t size, char kind, const char *name)
{
    size_t n = strlen (name);
    if (n + 3 > size || n > 400) {
        snprintf (key, size, "%c:#%016llx", kind, (unsigned long long) baseline_hash (name, n));
        return;
    }
    key[0] = kind;
    key[1] = ':';
    for (size_t i = 0; i <= n; i++)
        key[i + 2] = kind == 'd' ? (char) tolower ((unsigned char) name[i]) : name[i];
}

static int
s_begin (senders_t *self)
{
    if (self->txn)
        return 0;
    int rc = mdb_txn_begin (self->env, NULL, 0, &self->txn);
    if (rc) {
        self->txn = NULL;
        errno = s_errno (rc);
        return -1;
    }
    return 0;
}

int
senders_get (senders_t *self, const char *key, sender_t *out)
{
    if (s_begin (self))
        return -1;
    MDB_val k = { strlen (key), (void *) key }, v;
    int rc = mdb_get (self->txn, self->dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc) {
        errno = s_errno (rc);
        return -1;
    }
    if (!sender_valid (v.mv_data, v.mv_size)) {
        diag_warn ("sender state %s: record of another version or size; starting it afresh", key);
        return 0;
    }
    memcpy (out, v.mv_data, sizeof *out);
    return 1;
}

int
senders_put (senders_t *self, const char *key, const sender_t *s)
{
    if (s_begin (self))
        return -1;
    MDB_val k = { strlen (key), (void *) key }, v = { sizeof *s, (void *) s };
    int rc = mdb_put (self->txn, self->dbi, &k, &v, 0);
    if (rc) {
        //  The transaction cannot go on after a failed put.
        mdb_txn_abort (self->txn);
        self->txn = NULL;
        errno = s_errno (rc);
        return -1;
    }
    return 0;
}

int
senders_commit (senders_t *self)
{
    if (!self->txn)
        return 0;
    int rc = mdb_txn_commit (self->txn);
    self->txn = NULL;
    if (rc) {
        errno = s_errno (rc);
        return -1;
    }
    return 0;
}

int
senders_each (senders_t *self, const char *prefix, senders_fn *fn, void *arg)
{
    if (senders_commit (self))
        return -1;
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = mdb_txn_begin (self->env, NULL, MDB_RDONLY, &txn);
    if (rc) {
        errno = s_errno (rc);
        return -1;
    }
    rc = mdb_cursor_open (txn, self->dbi, &cur);
    size_t plen = strlen (prefix);
    MDB_val k = { plen, (void *) prefix }, v;
    char key[512];
    for (int r = rc ? rc : mdb_cursor_get (cur, &k, &v, MDB_SET_RANGE); r == 0;
         r = mdb_cursor_get (cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp (k.mv_data, prefix, plen) != 0)
            break;
        if (k.mv_size >= sizeof key || !sender_valid (v.mv_data, v.mv_size))
            continue;
        memcpy (key, k.mv_data, k.mv_size);
        key[k.mv_size] = 0;
        sender_t s;
        memcpy (&s, v.mv_data, sizeof s);
        fn (arg, key, &s);
    }
    if (!rc)
        mdb_cursor_close (cur);
    mdb_txn_abort (txn);
    return 0;
}

void
senders_usage (senders_t *self, size_t *records, size_t *bytes, size_t *map_bytes)
{
    MDB_stat st;
    MDB_envinfo info;
    mdb_env_stat (self->env, &st);
    mdb_env_info (self->env, &info);
    *records = st.ms_entries;
    *bytes = (info.me_last_pgno + 1) * (size_t) st.ms_psize;
    *map_bytes = info.me_mapsize;
}
