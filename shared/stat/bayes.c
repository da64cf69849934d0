/*  bayes.c: model file, token table, training and scoring (see bayes.h). */
#include "bayes.h"
#include "cfg.h"
#include "xalloc.h"
#include <czmq.h>
#include <errno.h>
#include <lmdb.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

//  Every parameter of models/bayes.cfg: its default (as models/bayes.cfg
//  documents them, chosen with farm-bench bayes), range and meaning.
#define F(f) offsetof (bayes_params_t, f)
static const cfg_param_t s_params[] = {
    { "bayes/hold", CFG_PARAM_REAL, F (hold), 0.97, 0, 1,
      "spam probability at or above which mail is held" },
    { "bayes/reject", CFG_PARAM_REAL, F (reject), 0.9999, 0, 1, "... and rejected" },
    { "bayes/prior-strength", CFG_PARAM_REAL, F (robs), 1.0, 0, 100,
      "Robinson's s: the strength of the prior" },
    { "bayes/prior", CFG_PARAM_REAL, F (robx), 0.55, 0.01, 0.99,
      "Robinson's x: the probability of a token never seen" },
    { "bayes/min-deviation", CFG_PARAM_REAL, F (min_dev), 0.1, 0, 0.49,
      "tokens whose probability is nearer 0.5 than this are ignored" },
    { "bayes/max-tokens", CFG_PARAM_SIZE, F (max_tokens), 400, 0, 100000,
      "most significant tokens combined (0: all)" },
    { "bayes/discriminative", CFG_PARAM_REAL, F (discriminative), 0.85, 0, 1,
      "weight of the logistic model against Fisher's, 0..1" },
    { "bayes/epochs", CFG_PARAM_UINT, F (epochs), 10, 0, 1000,
      "training passes of the logistic model" },
    { "bayes/learn-rate", CFG_PARAM_REAL, F (learn_rate), 8.0, 0.001, 1000, "its step size" },
};
#undef F
#define S_NPARAMS (sizeof s_params / sizeof s_params[0])

const cfg_param_t *
bayes_params_table (size_t *n)
{
    *n = S_NPARAMS;
    return s_params;
}

void
bayes_params_default (bayes_params_t *p)
{
    cfg_params_default (s_params, S_NPARAMS, p);
}

int
bayes_params_load (bayes_params_t *p, const char *file, char *err, size_t errlen)
{
    bayes_params_t q = *p;
    if (cfg_params_load (s_params, S_NPARAMS, &q, sizeof q, file, err, errlen) < 0)
        return -1;
    if (q.reject < q.hold) {
        snprintf (err, errlen, "%s: bayes/reject below bayes/hold", file);
        return -1;
    }
    *p = q;
    return 0;
}

//  --- token table: open addressing, linear probing, hash 0 never stored.

typedef struct {
    uint64_t h;
    uint32_t ham, spam;
    float w;                //  the token's weight in the logistic model
} s_slot_t;

//  A message learned since the table was made, kept for bayes_table_fit:
//  its tokens are tok[off .. off + n).
typedef struct {
    size_t off, n;
    bool spam;
} s_example_t;

struct bayes_table_t {
    s_slot_t *slots;
    size_t cap, size;       //  cap a power of two
    uint32_t nham, nspam;
    double bias;            //  the logistic model's intercept
    bool loaded;            //  holds a model read from a file (bias then fixed)
    s_example_t *ex;
    size_t nex, excap;
    uint64_t *tok;
    size_t ntok, tokcap;
};

static inline uint64_t
s_key (uint64_t h)
{
    return h ? h : 1;
}

bayes_table_t *
bayes_table_new (void)
{
    bayes_table_t *self = xcalloc (1, sizeof *self);
    self->cap = 1 << 16;
    self->slots = xcalloc (self->cap, sizeof *self->slots);
    return self;
}

void
bayes_table_destroy (bayes_table_t **self_p)
{
    bayes_table_t *self = *self_p;
    if (!self)
        return;
    free (self->slots);
    free (self->ex);
    free (self->tok);
    free (self);
    *self_p = NULL;
}

static s_slot_t *
s_find (const bayes_table_t *self, uint64_t h)
{
    size_t mask = self->cap - 1, i = (size_t) h & mask;
    while (self->slots[i].h && self->slots[i].h != h)
        i = (i + 1) & mask;
    return &self->slots[i];
}

static void
s_grow (bayes_table_t *self)
{
    s_slot_t *old = self->slots;
    size_t oldcap = self->cap;
    self->cap *= 2;
    self->slots = xcalloc (self->cap, sizeof *self->slots);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].h)
            *s_find (self, old[i].h) = old[i];
    free (old);
}

static s_slot_t *
s_upsert (bayes_table_t *self, uint64_t h)
{
    if ((self->size + 1) * 2 > self->cap)
        s_grow (self);
    s_slot_t *s = s_find (self, h);
    if (!s->h) {
        s->h = h;
        self->size++;
    }
    return s;
}

void
bayes_table_learn (bayes_table_t *self, const tokens_t *tokens, bool spam)
{
    if (self->nex == self->excap) {
        self->excap = self->excap ? self->excap * 2 : 1024;
        self->ex = xrealloc (self->ex, self->excap * sizeof *self->ex);
    }
    while (self->ntok + tokens->n > self->tokcap) {
        self->tokcap = self->tokcap ? self->tokcap * 2 : 1 << 16;
        self->tok = xrealloc (self->tok, self->tokcap * sizeof *self->tok);
    }
    self->ex[self->nex++] = (s_example_t) { self->ntok, tokens->n, spam };
    for (size_t i = 0; i < tokens->n; i++) {
        self->tok[self->ntok++] = s_key (tokens->t[i].h);
        s_slot_t *s = s_upsert (self, s_key (tokens->t[i].h));
        if (spam)
            s->spam += s->spam < UINT32_MAX;
        else
            s->ham += s->ham < UINT32_MAX;
    }
    if (spam)
        self->nspam++;
    else
        self->nham++;
}

//  splitmix64: a fixed sequence, so that one corpus always gives one model.
static uint64_t
s_next (uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

//  A message's evidence in the logistic model: the bias plus its tokens'
//  weights, scaled by 1/sqrt(tokens + 1) so that long messages do not
//  shout down short ones (measured: AUC 0.9966 unscaled, 0.9990 scaled).
static inline double
s_scale (size_t n)
{
    return 1.0 / sqrt ((double) n + 1.0);
}

size_t
bayes_table_fit (bayes_table_t *self, unsigned epochs, double rate)
{
    //  The table no longer grows: point each example token at its slot.
    for (size_t i = 0; i < self->ntok; i++)
        self->tok[i] = (uint64_t) (s_find (self, self->tok[i]) - self->slots);
    size_t *order = xmalloc ((self->nex ? self->nex : 1) * sizeof *order);
    for (size_t i = 0; i < self->nex; i++)
        order[i] = i;
    uint64_t rng = 0x5eed;
    size_t wrong = 0;
    for (unsigned e = 0; e < epochs; e++) {
        //  Stochastic gradient descent on the log loss, examples shuffled.
        for (size_t i = self->nex; i > 1; i--) {
            size_t j = (size_t) (s_next (&rng) % i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        wrong = 0;
        for (size_t i = 0; i < self->nex; i++) {
            const s_example_t *x = &self->ex[order[i]];
            const uint64_t *tk = self->tok + x->off;
            double sc = s_scale (x->n), z = 0;
            for (size_t k = 0; k < x->n; k++)
                z += self->slots[tk[k]].w;
            z = self->bias + z * sc;
            double prob = 1.0 / (1.0 + exp (-z)), g = (x->spam ? 1.0 : 0.0) - prob;
            wrong += (prob >= 0.5) != x->spam;
            //  Feedback added to a model moves its tokens, not its bias:
            //  a few ham messages must not make every message hammier.
            if (!self->loaded)
                self->bias += rate * g;
            float step = (float) (rate * g * sc);
            for (size_t k = 0; k < x->n; k++)
                self->slots[tk[k]].w += step;
        }
    }
    free (order);
    //  The examples are spent (their tokens are slot numbers now).
    self->nex = self->ntok = 0;
    return wrong;
}

size_t bayes_table_size (bayes_table_t *self) { return self->size; }
uint32_t bayes_table_nham (bayes_table_t *self) { return self->nham; }
uint32_t bayes_table_nspam (bayes_table_t *self) { return self->nspam; }

//  --- model files

#define META_NHAM "nham"
#define META_NSPAM "nspam"
#define META_VERSION "version"
#define META_TOKENIZER "tokenizer"
#define META_FORMAT "format"
#define META_BIAS "bias"
//  Format 2: a token's value is (ham, spam, weight) and meta has the bias.
#define MODEL_FORMAT "2"

struct bayes_t {
    bayes_table_t *table;
    char version[64];
    char tokenizer[64];
};

//  LMDB reads a file through a map: a page past the end of a file cut short
//  (truncated in place, a copy still being written) is a SIGBUS, not an
//  error. The meta page (read with pread by mdb_env_open) says how far the
//  pages reach; a file shorter than that is refused before the map is read.
static int
s_cut_short (MDB_env *env, const char *file, char *err, size_t errlen)
{
    MDB_envinfo info;
    MDB_stat st;
    struct stat fs;
    if (mdb_env_info (env, &info) || mdb_env_stat (env, &st) || stat (file, &fs) < 0) {
        snprintf (err, errlen, "model %s: cannot tell its size", file);
        return -1;
    }
    uint64_t need = ((uint64_t) info.me_last_pgno + 1) * st.ms_psize;
    if ((uint64_t) fs.st_size < need) {
        snprintf (err, errlen, "model %s: %lld bytes, but its pages reach %llu: the file is cut "
                  "short (truncated, or a copy not finished); not read", file,
                  (long long) fs.st_size, (unsigned long long) need);
        return -1;
    }
    return 0;
}

//  Open env + both databases read-only. 0, or -1 with err.
static int
s_open_ro (const char *file, MDB_env **env, MDB_txn **txn, MDB_dbi *tokens, MDB_dbi *meta,
           char *err, size_t errlen)
{
    int rc = mdb_env_create (env);
    if (!rc)
        rc = mdb_env_set_maxdbs (*env, 4);
    if (!rc)
        rc = mdb_env_open (*env, file, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK, 0);
    if (!rc && s_cut_short (*env, file, err, errlen)) {
        mdb_env_close (*env);
        *env = NULL;
        return -1;
    }
    if (!rc)
        rc = mdb_txn_begin (*env, NULL, MDB_RDONLY, txn);
    if (!rc)
        rc = mdb_dbi_open (*txn, "tokens", MDB_INTEGERKEY, tokens);
    if (!rc)
        rc = mdb_dbi_open (*txn, "meta", 0, meta);
    if (rc) {
        snprintf (err, errlen, "model %s: %s", file, mdb_strerror (rc));
        if (*txn)
            mdb_txn_abort (*txn);
        mdb_env_close (*env);
        *env = NULL;
        *txn = NULL;
        return -1;
    }
    return 0;
}

static void
s_meta (MDB_txn *txn, MDB_dbi meta, const char *key, char *out, size_t outlen)
{
    MDB_val k = { strlen (key), (void *) key }, v;
    out[0] = 0;
    if (mdb_get (txn, meta, &k, &v) == 0) {
        size_t n = v.mv_size < outlen - 1 ? v.mv_size : outlen - 1;
        memcpy (out, v.mv_data, n);
        out[n] = 0;
    }
}

//  A fault in the map while it is read (the file cut short after the size
//  was checked) ends the read with an error instead of the process.
static sigjmp_buf s_fault;
static volatile sig_atomic_t s_guarded;
static MDB_env *volatile s_fault_env;

static void
s_on_sigbus (int sig)
{
    if (s_guarded)
        siglongjmp (s_fault, 1);
    signal (sig, SIG_DFL);
    raise (sig);
}

static int s_read_map (bayes_table_t *table, const char *file, char *version, char *tokenizer,
                       char *err, size_t errlen);

//  Read every token of file into table (adding), with the totals.
static int
s_read (bayes_table_t *table, const char *file, char *version, char *tokenizer, char *err,
        size_t errlen)
{
    struct sigaction sa, old;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = s_on_sigbus;
    sigemptyset (&sa.sa_mask);
    sigaction (SIGBUS, &sa, &old);
    int rc;
    s_fault_env = NULL;
    if (sigsetjmp (s_fault, 1)) {
        s_guarded = 0;
        snprintf (err, errlen, "model %s: its file was cut short while it was read; not read", file);
        if (s_fault_env)
            mdb_env_close (s_fault_env);
        rc = -1;
    }
    else {
        s_guarded = 1;
        rc = s_read_map (table, file, version, tokenizer, err, errlen);
        s_guarded = 0;
    }
    s_fault_env = NULL;
    sigaction (SIGBUS, &old, NULL);
    return rc;
}

static int
s_read_map (bayes_table_t *table, const char *file, char *version, char *tokenizer, char *err,
            size_t errlen)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi tokens, meta;
    if (s_open_ro (file, &env, &txn, &tokens, &meta, err, errlen))
        return -1;
    s_fault_env = env;
    char buf[64];
    s_meta (txn, meta, META_NHAM, buf, sizeof buf);
    uint32_t nham = (uint32_t) strtoul (buf, NULL, 10);
    s_meta (txn, meta, META_NSPAM, buf, sizeof buf);
    uint32_t nspam = (uint32_t) strtoul (buf, NULL, 10);
    s_meta (txn, meta, META_VERSION, version, 64);
    s_meta (txn, meta, META_TOKENIZER, tokenizer, 64);
    char format[16];
    s_meta (txn, meta, META_FORMAT, format, sizeof format);
    if (strcmp (format, MODEL_FORMAT) != 0) {
        snprintf (err, errlen, "model %s: format '%s', this program reads format %s; "
                  "build it again with farm-train", file, *format ? format : "1", MODEL_FORMAT);
        mdb_txn_abort (txn);
        mdb_env_close (env);
        return -1;
    }
    s_meta (txn, meta, META_BIAS, buf, sizeof buf);
    double bias = strtod (buf, NULL);
    MDB_cursor *cur;
    int rc = mdb_cursor_open (txn, tokens, &cur);
    MDB_val k, v;
    size_t bad = 0;
    for (int op = MDB_FIRST; !rc && mdb_cursor_get (cur, &k, &v, (MDB_cursor_op) op) == 0; op = MDB_NEXT) {
        if (k.mv_size != 8 || v.mv_size != 12) {
            bad++;
            continue;
        }
        uint64_t h;
        uint32_t c[2];
        float w;
        memcpy (&h, k.mv_data, 8);
        memcpy (c, v.mv_data, 8);
        memcpy (&w, (char *) v.mv_data + 8, 4);
        if (!isfinite (w)) {
            bad++;
            continue;
        }
        s_slot_t *s = s_upsert (table, s_key (h));
        s->ham = s->ham + c[0] < s->ham ? UINT32_MAX : s->ham + c[0];
        s->spam = s->spam + c[1] < s->spam ? UINT32_MAX : s->spam + c[1];
        s->w += w;
    }
    if (!rc)
        mdb_cursor_close (cur);
    mdb_txn_abort (txn);
    s_fault_env = NULL;
    mdb_env_close (env);
    if (rc || bad || !*version || !*tokenizer || !isfinite (bias)) {
        snprintf (err, errlen, "model %s: %s", file,
                  rc ? mdb_strerror (rc) : bad ? "malformed records"
                  : !isfinite (bias) ? "malformed bias" : "no version or tokenizer stamp");
        return -1;
    }
    table->bias += bias;
    table->loaded = true;
    table->nham += nham;
    table->nspam += nspam;
    return 0;
}

int
bayes_table_load (bayes_table_t *self, const char *file, char *err, size_t errlen)
{
    char version[64], tokenizer[64];
    return s_read (self, file, version, tokenizer, err, errlen);
}

static int
s_cmp_u64 (const void *a, const void *b)
{
    uint64_t x = ((const s_slot_t *) a)->h, y = ((const s_slot_t *) b)->h;
    return x < y ? -1 : x > y;
}

int
bayes_table_write (bayes_table_t *self, const char *file, const char *tokenizer, char *version,
                   char *err, size_t errlen)
{
    char tmp[4096], lock[4200];
    snprintf (tmp, sizeof tmp, "%s.new", file);
    snprintf (lock, sizeof lock, "%s-lock", tmp);
    unlink (tmp);
    unlink (lock);
    //  Keys must go in in order for MDB_APPEND: sort the occupied slots.
    s_slot_t *sorted = xmalloc ((self->size ? self->size : 1) * sizeof *sorted);
    size_t n = 0;
    for (size_t i = 0; i < self->cap; i++)
        if (self->slots[i].h)
            sorted[n++] = self->slots[i];
    qsort (sorted, n, sizeof *sorted, s_cmp_u64);
    uint32_t rnd = 0;
    if (getrandom (&rnd, sizeof rnd, 0) != sizeof rnd)
        rnd = (uint32_t) getpid ();
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    char stamp[32];
    strftime (stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf (version, 64, "%s-%08x", stamp, rnd);

    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi tokens, meta;
    //  Map size: the data with room for B-tree overhead, at least 16 MiB.
    size_t mapsize = n * 64 + (16u << 20);
    int rc = mdb_env_create (&env);
    if (!rc) rc = mdb_env_set_maxdbs (env, 4);
    if (!rc) rc = mdb_env_set_mapsize (env, mapsize);
    if (!rc) rc = mdb_env_open (env, tmp, MDB_NOSUBDIR, 0644);
    if (!rc) rc = mdb_txn_begin (env, NULL, 0, &txn);
    if (!rc) rc = mdb_dbi_open (txn, "tokens", MDB_CREATE | MDB_INTEGERKEY, &tokens);
    if (!rc) rc = mdb_dbi_open (txn, "meta", MDB_CREATE, &meta);
    for (size_t i = 0; !rc && i < n; i++) {
        unsigned char val[12];
        memcpy (val, &sorted[i].ham, 4);
        memcpy (val + 4, &sorted[i].spam, 4);
        memcpy (val + 8, &sorted[i].w, 4);
        MDB_val k = { 8, &sorted[i].h }, v = { 12, val };
        rc = mdb_put (txn, tokens, &k, &v, MDB_APPEND);
    }
    char buf[40];
    const char *keys[] = { META_NHAM, META_NSPAM, META_BIAS, META_VERSION, META_TOKENIZER, META_FORMAT };
    for (int i = 0; !rc && i < 6; i++) {
        const char *val = buf;
        if (i == 0) snprintf (buf, sizeof buf, "%u", self->nham);
        else if (i == 1) snprintf (buf, sizeof buf, "%u", self->nspam);
        else if (i == 2) snprintf (buf, sizeof buf, "%.17g", self->bias);
        else val = i == 3 ? version : i == 4 ? tokenizer : MODEL_FORMAT;
        MDB_val k = { strlen (keys[i]), (void *) keys[i] }, v = { strlen (val), (void *) val };
        rc = mdb_put (txn, meta, &k, &v, 0);
    }
    if (!rc) {
        rc = mdb_txn_commit (txn);
        txn = NULL;
    }
    if (!rc)
        rc = mdb_env_sync (env, 1);
    if (txn)
        mdb_txn_abort (txn);
    if (env)
        mdb_env_close (env);
    free (sorted);
    unlink (lock);
    if (rc) {
        snprintf (err, errlen, "writing model %s: %s", tmp, mdb_strerror (rc));
        unlink (tmp);
        return -1;
    }
    if (rename (tmp, file) < 0) {
        snprintf (err, errlen, "rename %s to %s: %s", tmp, file, strerror (errno));
        unlink (tmp);
        return -1;
    }
    return 0;
}

bayes_t *
bayes_open (const char *file, char *err, size_t errlen)
{
    bayes_t *self = xcalloc (1, sizeof *self);
    self->table = bayes_table_new ();
    if (s_read (self->table, file, self->version, self->tokenizer, err, errlen) < 0) {
        bayes_destroy (&self);
        return NULL;
    }
    return self;
}

void
bayes_destroy (bayes_t **self_p)
{
    bayes_t *self = *self_p;
    if (!self)
        return;
    bayes_table_destroy (&self->table);
    free (self);
    *self_p = NULL;
}

const char *bayes_version (bayes_t *self) { return self->version; }
const char *bayes_tokenizer (bayes_t *self) { return self->tokenizer; }
uint32_t bayes_nham (bayes_t *self) { return self->table->nham; }
uint32_t bayes_nspam (bayes_t *self) { return self->table->nspam; }

//  --- scoring

//  P(chi-square with v degrees of freedom >= x2), v even: the sum over
//  i < v/2 of e^-m m^i / i!, m = x2/2. Summed in linear space with a scale
//  kept apart (in log), so hundreds of tokens neither underflow e^-m nor
//  overflow m^i, at one multiplication a term.
static double
s_chi2q (double x2, size_t v)
{
    double m = x2 / 2.0;
    if (m <= 0)
        return 1.0;
    double term = 1.0, sum = 1.0, lscale = -m;
    for (size_t i = 1; i < v / 2; i++) {
        term *= m / (double) i;
        sum += term;
        if (sum > 1e200) {
            term *= 1e-200;
            sum *= 1e-200;
            lscale += 460.51701859880914;     //  200 ln 10
        }
    }
    double l = lscale + log (sum);
    return l >= 0 ? 1.0 : l < -745 ? 0.0 : exp (l);
}

void
bayes_strongest (bayes_clue_t *sig, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1 && k > lo && k < hi) {
        double pivot = fabs (sig[lo + (hi - lo) / 2].f - 0.5);
        size_t i = lo, j = hi - 1;
        while (i <= j) {
            while (fabs (sig[i].f - 0.5) > pivot)
                i++;
            while (j > 0 && fabs (sig[j].f - 0.5) < pivot)
                j--;
            if (i <= j) {
                bayes_clue_t t = sig[i];
                sig[i] = sig[j];
                sig[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j + 1;
        else if (k >= i)
            lo = i;
        else
            break;
    }
}

static int
s_cmp_dev (const void *a, const void *b)
{
    double x = fabs (((const bayes_clue_t *) a)->f - 0.5), y = fabs (((const bayes_clue_t *) b)->f - 0.5);
    return x < y ? 1 : x > y ? -1 : 0;
}

double
bayes_score (bayes_t *self, const tokens_t *tokens, const bayes_params_t *p,
             bayes_clue_t *clues, size_t nclues, size_t *used)
{
    bayes_table_t *t = self->table;
    double nham = t->nham ? t->nham : 1, nspam = t->nspam ? t->nspam : 1;
    //  Tokens worth counting, with their probabilities. One allocation a
    //  message at most (kept between calls by the caller's thread).
    static __thread bayes_clue_t *sig;
    static __thread size_t sigcap;
    if (sigcap < tokens->n) {
        free (sig);
        sigcap = tokens->n * 2;
        sig = xmalloc (sigcap * sizeof *sig);
    }
    size_t k = 0;
    double wsum = 0;
    //  The table is far larger than the caches: ask for slots a few tokens
    //  ahead so that their cache misses overlap instead of queueing.
    const size_t ahead = 12, mask = t->cap - 1;
    for (size_t i = 0; i < ahead && i < tokens->n; i++)
        __builtin_prefetch (&t->slots[(size_t) s_key (tokens->t[i].h) & mask]);
    for (size_t i = 0; i < tokens->n; i++) {
        if (i + ahead < tokens->n)
            __builtin_prefetch (&t->slots[(size_t) s_key (tokens->t[i + ahead].h) & mask]);
        const s_slot_t *s = s_find (t, s_key (tokens->t[i].h));
        if (!s->h)
            continue;
        wsum += s->w;
        double hr = s->ham / nham, sr = s->spam / nspam;
        if (hr + sr <= 0)
            continue;
        double pw = sr / (hr + sr), n = (double) s->ham + s->spam;
        double f = (p->robs * p->robx + n * pw) / (p->robs + n);
        if (fabs (f - 0.5) < p->min_dev)
            continue;
        sig[k++] = (bayes_clue_t) { i, f, s->w, s->ham, s->spam };
    }
    if (p->max_tokens && k > p->max_tokens) {
        bayes_strongest (sig, k, p->max_tokens);
        k = p->max_tokens;
    }
    if (used)
        *used = k;
    if (clues) {
        //  Only --explain needs them in order, and only the first few.
        size_t want = nclues < k ? nclues : k;
        bayes_strongest (sig, k, want);
        qsort (sig, want, sizeof *sig, s_cmp_dev);
        for (size_t i = 0; i < want; i++)
            clues[i] = sig[i];
    }
    double fisher = p->robx;
    if (k > 0) {
        double lh = 0, ls = 0;
        for (size_t i = 0; i < k; i++) {
            double f = sig[i].f < 1e-9 ? 1e-9 : sig[i].f > 1 - 1e-9 ? 1 - 1e-9 : sig[i].f;
            lh += log (f);
            ls += log (1 - f);
        }
        double H = s_chi2q (-2.0 * lh, 2 * k), S = s_chi2q (-2.0 * ls, 2 * k);
        fisher = (1.0 + H - S) / 2.0;
    }
    //  The two opinions meet in log-odds: a * logistic + (1 - a) * Fisher.
    double a = p->discriminative;
    double fc = fisher < 1e-12 ? 1e-12 : fisher > 1 - 1e-12 ? 1 - 1e-12 : fisher;
    double z = a * (t->bias + wsum * s_scale (tokens->n)) + (1 - a) * log (fc / (1 - fc));
    double score = 1.0 / (1.0 + exp (-z));
    return score < 0 ? 0 : score > 1 ? 1 : score;
}
