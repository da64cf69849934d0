/*  senderdb.c: sender records in LMDB behind a write-back cache (see senderdb.h). */
#include "senderdb.h"
#include "diag.h"
#include "flagfile.h"
#include "xalloc.h"
#include <czmq.h>
#include <ctype.h>
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    uint64_t h;             //  hash of key; 0: the entry is free
    char key[SENDERDB_KEY];
    bool dirty, ref;
    sender_t s;
} s_entry_t;

struct senderdb_t {
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *rtxn;          //  read transaction, reset between uses
    s_entry_t *e;           //  the cache: cap entries
    uint32_t *index;        //  open addressing: entry number + 1, 0 empty
    size_t cap, icap, used, dirty, hand;
    int64_t failed_ms;      //  when a commit last failed (monotonic), or 0
    flagfile_t *flags;      //  PATH.flags
    zhashx_t *raw;          //  key -> zchunk_t: other records to write with the next commit
};

static int
s_errno (int rc)
{
    return rc == MDB_MAP_FULL ? ENOSPC : rc > 0 ? rc : EIO;
}

//  The pages of env reach past the end of path: cut short. 0 when whole.
static int
s_cut_short (MDB_env *env, const char *path, char *err, size_t errlen)
{
    MDB_envinfo info;
    MDB_stat st;
    struct stat fs;
    if (mdb_env_info (env, &info) || mdb_env_stat (env, &st) || stat (path, &fs) < 0)
        return 0;
    uint64_t need = ((uint64_t) info.me_last_pgno + 1) * st.ms_psize;
    if ((uint64_t) fs.st_size >= need)
        return 0;
    snprintf (err, errlen, "sender state %s: %lld bytes, but its pages reach %llu: the file is cut "
              "short (truncated, or a copy not finished)", path, (long long) fs.st_size,
              (unsigned long long) need);
    return -1;
}

static int
s_open_env (senderdb_t *self, const char *path, size_t map_mb, char *err, size_t errlen)
{
    //  NOMETASYNC: a commit syncs the data; a crash of the machine may undo
    //  the last commit, never corrupt the file.
    int rc = mdb_env_create (&self->env);
    if (!rc) rc = mdb_env_set_mapsize (self->env, map_mb << 20);
    if (!rc) rc = mdb_env_open (self->env, path, MDB_NOSUBDIR | MDB_NOMETASYNC | MDB_NOTLS, 0600);
    if (rc) {
        snprintf (err, errlen, "sender state %s: %s", path, mdb_strerror (rc));
        return -1;
    }
    return 0;
}

//  A flag of the file the state does not have: put back.
static void
s_restore_flag (void *arg, const char *key, int64_t at, const char *reason)
{
    senderdb_t *self = arg;
    sender_t s;
    int rc = senderdb_get (self, key, &s);
    if (rc < 0 || (rc == 1 && s.flagged))
        return;
    if (rc == 0)
        sender_init (&s, 0);
    sender_flag (&s, at, reason);
    if (senderdb_put (self, key, &s) == 0)
        diag_warn ("sender state: %s was flagged (%s) and the state had lost it: flagged again", key,
                   reason);
}

//  No flags file yet (a state from before it): made from the state's flags.
static void
s_seed_flag (void *arg, const char *key, const sender_t *s)
{
    if (s->flagged)
        flagfile_set (arg, key, s->flagged_at, s->reason);
}

senderdb_t *
senderdb_new (const char *path, size_t map_mb, size_t cache_records, bool move_aside, char *err,
              size_t errlen)
{
    senderdb_t *self = xcalloc (1, sizeof *self);
    self->cap = cache_records < 64 ? 64 : cache_records;
    self->icap = 1;
    while (self->icap < self->cap * 2)
        self->icap <<= 1;
    self->e = xcalloc (self->cap, sizeof *self->e);
    self->index = xcalloc (self->icap, sizeof *self->index);
    MDB_txn *txn = NULL;
    //  LMDB writes whole pages, two meta pages first: a file of another
    //  size was cut, and its meta pages may be past its end (reading them
    //  through the map would be a SIGBUS).
    struct stat fs;
    long page = sysconf (_SC_PAGESIZE);
    bool cut = false;
    if (stat (path, &fs) == 0 && fs.st_size > 0 && (fs.st_size < 2 * page || fs.st_size % page)) {
        snprintf (err, errlen, "sender state %s: %lld bytes, not whole pages of %ld: the file is cut "
                  "short (truncated, or a copy not finished)", path, (long long) fs.st_size, page);
        cut = true;
    }
    else if (s_open_env (self, path, map_mb, err, errlen) < 0) {
        senderdb_destroy (&self);
        return NULL;
    }
    else
        cut = s_cut_short (self->env, path, err, errlen) < 0;
    if (cut) {
        if (self->env)
            mdb_env_close (self->env);
        self->env = NULL;
        if (!move_aside) {
            size_t n = strlen (err);
            snprintf (err + n, errlen - n, "; not opened (state/damaged = refuse): restore it from a "
                      "copy, or move it aside to begin anew (its flags are kept in %s.flags)", path);
            senderdb_destroy (&self);
            return NULL;
        }
        char aside[4200], when[32];
        time_t now = time (NULL);
        struct tm tm;
        strftime (when, sizeof when, "%Y%m%dT%H%M%SZ", gmtime_r (&now, &tm));
        snprintf (aside, sizeof aside, "%s.damaged-%s", path, when);
        if (rename (path, aside) < 0) {
            size_t n = strlen (err);
            snprintf (err + n, errlen - n, "; cannot move it aside to %s: %s", aside, strerror (errno));
            senderdb_destroy (&self);
            return NULL;
        }
        diag_error ("%s; MOVED ASIDE to %s (state/damaged = move-aside): accounts begin again "
                    "without their history; flags come back from %s.flags", err, aside, path);
        char lock[4200];
        snprintf (lock, sizeof lock, "%s-lock", path);
        unlink (lock);
        if (s_open_env (self, path, map_mb, err, errlen) < 0) {
            senderdb_destroy (&self);
            return NULL;
        }
    }
    int rc = mdb_txn_begin (self->env, NULL, 0, &txn);
    if (!rc) rc = mdb_dbi_open (txn, NULL, 0, &self->dbi);
    if (!rc) {
        rc = mdb_txn_commit (txn);
        txn = NULL;
    }
    if (!rc) {
        rc = mdb_txn_begin (self->env, NULL, MDB_RDONLY, &self->rtxn);
        if (!rc)
            mdb_txn_reset (self->rtxn);
    }
    if (rc) {
        snprintf (err, errlen, "sender state %s: %s", path, mdb_strerror (rc));
        if (txn)
            mdb_txn_abort (txn);
        senderdb_destroy (&self);
        return NULL;
    }
    self->raw = zhashx_new ();
    zhashx_set_destructor (self->raw, (zhashx_destructor_fn *) zchunk_destroy);
    char fpath[4200];
    snprintf (fpath, sizeof fpath, "%s.flags", path);
    bool had_file = access (fpath, F_OK) == 0;
    self->flags = flagfile_new (fpath);
    if (!had_file) {
        senderdb_each (self, "a:", s_seed_flag, self->flags);
        senderdb_each (self, "d:", s_seed_flag, self->flags);
    }
    flagfile_each (self->flags, s_restore_flag, self);
    if (senderdb_commit (self) < 0)
        diag_error ("sender state %s: the flags put back are not written: %s", path, strerror (errno));
    return self;
}

void
senderdb_destroy (senderdb_t **self_p)
{
    senderdb_t *self = *self_p;
    if (!self)
        return;
    if (self->env && (self->dirty || (self->raw && zhashx_size (self->raw))) && senderdb_commit (self) < 0)
        diag_error ("sender state: %zu changed record(s) not written: %s", self->dirty, strerror (errno));
    zhashx_destroy (&self->raw);
    if (self->rtxn)
        mdb_txn_abort (self->rtxn);
    if (self->env)
        mdb_env_close (self->env);
    flagfile_destroy (&self->flags);
    free (self->e);
    free (self->index);
    free (self);
    *self_p = NULL;
}

void
senderdb_key (char *key, char kind, const char *name)
{
    size_t n = strlen (name);
    if (n + 3 > SENDERDB_KEY) {
        snprintf (key, SENDERDB_KEY, "%c:#%016llx", kind, (unsigned long long) baseline_hash (name, n));
        return;
    }
    key[0] = kind;
    key[1] = ':';
    for (size_t i = 0; i <= n; i++)
        key[i + 2] = kind == 'd' ? (char) tolower ((unsigned char) name[i]) : name[i];
}

static uint64_t
s_hash (const char *key)
{
    uint64_t h = baseline_hash (key, strlen (key)) ^ (uint64_t) (unsigned char) key[0] << 56;
    return h ? h : 1;
}

//  The index slot of key: where it is, or the empty slot where it would go.
static size_t
s_slot (senderdb_t *self, uint64_t h, const char *key)
{
    size_t mask = self->icap - 1, i = (size_t) h & mask;
    while (self->index[i]) {
        s_entry_t *e = &self->e[self->index[i] - 1];
        if (e->h == h && strcmp (e->key, key) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

//  Remove index slot i (backward-shift deletion keeps probing exact).
static void
s_unindex (senderdb_t *self, size_t i)
{
    size_t mask = self->icap - 1, j = i;
    self->index[i] = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!self->index[j])
            return;
        size_t home = (size_t) self->e[self->index[j] - 1].h & mask;
        //  Move j back to i when its home is not in (i, j].
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            self->index[i] = self->index[j];
            self->index[j] = 0;
            i = j;
        }
    }
}

//  A free entry: unused, or a clean one evicted by the clock; when every
//  record is dirty, commit first. NULL with errno when nothing can be freed.
static s_entry_t *
s_free_entry (senderdb_t *self)
{
    if (self->used < self->cap)
        return &self->e[self->used++];
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < 2 * self->cap; k++) {
            s_entry_t *e = &self->e[self->hand];
            self->hand = (self->hand + 1) % self->cap;
            if (e->dirty)
                continue;
            if (e->ref) {
                e->ref = false;
                continue;
            }
            s_unindex (self, s_slot (self, e->h, e->key));
            e->h = 0;
            return e;
        }
        //  Every record is dirty: commit, unless that failed a moment ago
        //  (a full map stays full; do not retry it for every message).
        if (pass == 0 && (zclock_mono () - self->failed_ms < 1000 || senderdb_commit (self) < 0)) {
            errno = ENOSPC;
            return NULL;
        }
    }
    errno = ENOSPC;
    return NULL;
}

static s_entry_t *
s_insert (senderdb_t *self, uint64_t h, const char *key)
{
    s_entry_t *e = s_free_entry (self);
    if (!e)
        return NULL;
    memset (e, 0, sizeof *e);
    e->h = h;
    snprintf (e->key, sizeof e->key, "%s", key);
    //  Eviction may have moved index entries: look for the slot again.
    self->index[s_slot (self, h, key)] = (uint32_t) (e - self->e) + 1;
    return e;
}

int
senderdb_get (senderdb_t *self, const char *key, sender_t *out)
{
    uint64_t h = s_hash (key);
    size_t i = s_slot (self, h, key);
    if (self->index[i]) {
        s_entry_t *e = &self->e[self->index[i] - 1];
        e->ref = true;
        if (e->s.version == 0)
            return 0;       //  known to be absent
        *out = e->s;
        return 1;
    }
    int rc = mdb_txn_renew (self->rtxn);
    MDB_val k = { strlen (key), (void *) key }, v;
    if (!rc)
        rc = mdb_get (self->rtxn, self->dbi, &k, &v);
    int found = 0;
    sender_t s;
    if (rc == 0 && sender_load (v.mv_data, v.mv_size, &s))
        found = 1;
    else if (rc == 0)
        diag_warn ("sender state %s: record of another version or size; starting it afresh", key);
    mdb_txn_reset (self->rtxn);
    if (rc && rc != MDB_NOTFOUND) {
        errno = s_errno (rc);
        return -1;
    }
    s_entry_t *e = s_insert (self, h, key);
    if (!e)
        return -1;
    e->ref = true;
    if (found) {
        e->s = s;
        *out = s;
    }
    return found;
}

int
senderdb_put (senderdb_t *self, const char *key, const sender_t *s)
{
    uint64_t h = s_hash (key);
    size_t i = s_slot (self, h, key);
    s_entry_t *e = self->index[i] ? &self->e[self->index[i] - 1] : s_insert (self, h, key);
    if (!e)
        return -1;
    e->s = *s;
    e->ref = true;
    if (self->flags)
        flagfile_set (self->flags, key, s->flagged_at, s->flagged ? s->reason : NULL);
    if (!e->dirty) {
        e->dirty = true;
        self->dirty++;
    }
    return 0;
}

size_t
senderdb_dirty (senderdb_t *self)
{
    return self->dirty + zhashx_size (self->raw);
}

int
senderdb_put_raw (senderdb_t *self, const char *key, const void *data, size_t len)
{
    if (strlen (key) >= SENDERDB_KEY) {
        errno = EINVAL;
        return -1;
    }
    zhashx_update (self->raw, key, zchunk_new (data, len));
    return 0;
}

int
senderdb_get_raw (senderdb_t *self, const char *key, void *buf, size_t cap, size_t *len)
{
    zchunk_t *c = zhashx_lookup (self->raw, key);
    if (c) {
        *len = zchunk_size (c);
        memcpy (buf, zchunk_data (c), *len < cap ? *len : cap);
        return 1;
    }
    int rc = mdb_txn_renew (self->rtxn);
    MDB_val k = { strlen (key), (void *) key }, v;
    if (!rc)
        rc = mdb_get (self->rtxn, self->dbi, &k, &v);
    if (rc == 0) {
        *len = v.mv_size;
        memcpy (buf, v.mv_data, v.mv_size < cap ? v.mv_size : cap);
    }
    mdb_txn_reset (self->rtxn);
    if (rc && rc != MDB_NOTFOUND) {
        errno = s_errno (rc);
        return -1;
    }
    return rc == 0;
}

size_t
senderdb_prune (senderdb_t *self, const char *prefix, char *from, size_t max, senderdb_prune_fn *fn,
                void *arg)
{
    if (senderdb_commit (self) < 0)
        return 0;
    MDB_txn *txn;
    MDB_cursor *cur = NULL;
    if (mdb_txn_begin (self->env, NULL, 0, &txn))
        return 0;
    size_t plen = strlen (prefix), n = 0, walked = 0;
    int rc = mdb_cursor_open (txn, self->dbi, &cur);
    MDB_val k = { *from ? strlen (from) : plen, *from ? from : (void *) prefix }, v;
    int r = rc ? rc : mdb_cursor_get (cur, &k, &v, MDB_SET_RANGE);
    //  Resumed: past the one walked last.
    if (r == 0 && *from && k.mv_size == strlen (from) && !memcmp (k.mv_data, from, k.mv_size))
        r = mdb_cursor_get (cur, &k, &v, MDB_NEXT);
    bool end = true;
    for (; r == 0; r = mdb_cursor_get (cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp (k.mv_data, prefix, plen) != 0 || k.mv_size >= SENDERDB_KEY)
            break;
        if (walked++ == max) {
            end = false;
            break;
        }
        char key[SENDERDB_KEY];
        memcpy (key, k.mv_data, k.mv_size);
        key[k.mv_size] = 0;
        int what = fn (arg, key, v.mv_data, v.mv_size);
        if (what < 0) {
            end = true;
            break;
        }
        snprintf (from, SENDERDB_KEY, "%s", key);
        if (what > 0 && mdb_cursor_del (cur, 0) == 0)
            n++;
    }
    if (end)
        *from = 0;
    if (cur)
        mdb_cursor_close (cur);
    if (n == 0)
        mdb_txn_abort (txn);
    else if (mdb_txn_commit (txn))
        return 0;
    return n;
}

int
senderdb_commit (senderdb_t *self)
{
    if (!self->dirty && !zhashx_size (self->raw))
        return 0;
    //  The flags first: their file never lags what the state made durable.
    if (self->flags && flagfile_save (self->flags) < 0) {
        self->failed_ms = zclock_mono ();
        return -1;
    }
    MDB_txn *txn;
    int rc = mdb_txn_begin (self->env, NULL, 0, &txn);
    for (size_t i = 0; !rc && i < self->used; i++) {
        s_entry_t *e = &self->e[i];
        if (!e->h || !e->dirty)
            continue;
        MDB_val k = { strlen (e->key), e->key }, v = { sizeof e->s, &e->s };
        rc = mdb_put (txn, self->dbi, &k, &v, 0);
    }
    for (zchunk_t *c = zhashx_first (self->raw); !rc && c; c = zhashx_next (self->raw)) {
        const char *key = zhashx_cursor (self->raw);
        MDB_val k = { strlen (key), (void *) key }, v = { zchunk_size (c), zchunk_data (c) };
        rc = mdb_put (txn, self->dbi, &k, &v, 0);
    }
    if (rc) {
        mdb_txn_abort (txn);
        self->failed_ms = zclock_mono ();
        errno = s_errno (rc);
        return -1;
    }
    rc = mdb_txn_commit (txn);
    if (rc) {
        self->failed_ms = zclock_mono ();
        errno = s_errno (rc);
        return -1;
    }
    self->failed_ms = 0;
    for (size_t i = 0; i < self->used; i++)
        self->e[i].dirty = false;
    self->dirty = 0;
    zhashx_purge (self->raw);
    return 0;
}

int
senderdb_each (senderdb_t *self, const char *prefix, senderdb_fn *fn, void *arg)
{
    if (senderdb_commit (self))
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
        sender_t s;
        if (k.mv_size >= sizeof key || !sender_load (v.mv_data, v.mv_size, &s))
            continue;
        memcpy (key, k.mv_data, k.mv_size);
        key[k.mv_size] = 0;
        fn (arg, key, &s);
    }
    if (!rc)
        mdb_cursor_close (cur);
    mdb_txn_abort (txn);
    return 0;
}

void
senderdb_usage (senderdb_t *self, size_t *records, size_t *bytes, size_t *map_bytes)
{
    MDB_stat st;
    MDB_envinfo info;
    mdb_env_stat (self->env, &st);
    mdb_env_info (self->env, &info);
    *records = st.ms_entries;
    *bytes = (info.me_last_pgno + 1) * (size_t) st.ms_psize;
    *map_bytes = info.me_mapsize;
}
