/*  dispatch.c: claimed message -> worker, verdict -> spooler (see dispatch.h).
 *  Crash behaviour: nothing here is durable; a message stays in active/
 *  until its output is, so whatever was in flight is found again by
 *  recovery at the next start. A verdict whose lease token is not the
 *  current one is ignored, so a message is never written twice. */
#include "dispatch.h"
#include "diag.h"
#include "fileio.h"
#include "held.h"
#include "sequence.h"
#include "spoolfile.h"
#include "xalloc.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char qid[QID_SIZE];
    int64_t claimed_usec;
    int64_t not_before;         //  ms (monotonic): a retry waits until then
} s_redo_t;

//  How long a message whose read or output failed waits before the next
//  try, and the whole dispatch with it (a disk full, no descriptors left).
#define RETRY_WAIT_MS 1000
//  Descriptors kept for what is not an output: ZeroMQ's sockets and
//  signalers, the spool's folders, the sender state, the logs.
#define FD_RESERVE 256
//  A worker that lets this many leases run out in a row is dropped: it takes
//  jobs and does not answer (stuck, or not a worker at all).
#define DISPATCH_MAX_EXPIRED 3
//  Of a message refused as too large, reject/ keeps this much.
#define DISPATCH_KEEP_HEAD (64 * 1024)

struct dispatch_t {
    spool_t *spool;
    ingest_t *ingest;
    pool_t *pool;
    lease_table_t *leases;
    spooler_t *spooler;
    watch_t *watch;
    const mark_t *mark;         //  the seal on an operator's release
    zsock_t *router;
    zlistx_t *redo;             //  s_redo_t: in active/, to dispatch again now
    zlistx_t *retry;            //  s_redo_t: ... after a failure, each at its not_before
    zlistx_t *later;            //  s_redo_t: stream clock: after the deferred mail due before it
    diag_every_t said_read, said_output, said_late, said_full;    //  one line a second of each
    int64_t max_credit, max_workers;    //  wire/max-credit, wire/max-workers
    int64_t lease_ms, max_inflight, retry_s, max_size;
    int64_t max_pending;        //  outputs waiting for a commit, at most (2 x spool/batch)
    int64_t alive_ms;           //  wire/heartbeat-ms times wire/liveness
    int64_t paused_until;       //  ms: no dispatch while outputs fail
    bool stream;                //  spool/clock = messages: the stream's time (ingest_stream)
    sequence_t *seq;            //  ... and verdicts applied in dispatch order (sequence.h)
    bool drained;               //  ... nothing was left to claim at the last look
    bool sync_due;              //  ... a deferral or a hold waits for its commit
    int64_t latency_s;          //  ... spool/stream-latency
    char parked[QID_SIZE];      //  ... the message waiting for older verdicts, or ""
    int64_t parked_claimed;
    strbuf_t envbuf, snap;
    char *body;
    size_t bodycap;
};

static void
s_redo_free (void **item)
{
    free (*item);
    *item = NULL;
}

dispatch_t *
dispatch_new (cfg_t *cfg, spool_t *spool, ingest_t *ingest, pool_t *pool, lease_table_t *leases,
              spooler_t *spooler, watch_t *watch, const mark_t *mark, zsock_t *router)
{
    dispatch_t *self = xcalloc (1, sizeof *self);
    self->spool = spool;
    self->ingest = ingest;
    self->pool = pool;
    self->leases = leases;
    self->spooler = spooler;
    self->watch = watch;
    self->mark = mark;
    self->router = router;
    self->lease_ms = cfg_int (cfg, "lease/timeout-ms");
    self->max_inflight = cfg_int (cfg, "lease/max-inflight");
    self->retry_s = cfg_int (cfg, "spool/retry-s");
    self->max_size = cfg_int (cfg, "limits/message-size");
    self->max_pending = 2 * cfg_int (cfg, "spool/batch");
    self->max_credit = cfg_int (cfg, "wire/max-credit");
    self->max_workers = cfg_int (cfg, "wire/max-workers");
    //  Outputs pending and one batch committing hold a descriptor each;
    //  the rest (sockets, the state, the spool's folders) needs FD_RESERVE.
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        int64_t fit = ((int64_t) rl.rlim_cur - FD_RESERVE) / 2;
        if (fit < self->max_pending) {
            diag_warn ("open files limit %llu: at most %" PRId64 " outputs wait for a commit (not "
                       "%" PRId64 "); raise LimitNOFILE", (unsigned long long) rl.rlim_cur,
                       fit < 16 ? 16 : fit, self->max_pending);
            self->max_pending = fit < 16 ? 16 : fit;
        }
    }
    self->alive_ms = cfg_int (cfg, "wire/heartbeat-ms") * cfg_int (cfg, "wire/liveness");
    self->stream = cfg_enum (cfg, "spool/clock") == 1;
    if (self->stream)
        self->seq = sequence_new ((size_t) cfg_int (cfg, "spool/stream-lag"));
    self->latency_s = cfg_int (cfg, "spool/stream-latency");
    self->redo = zlistx_new ();
    zlistx_set_destructor (self->redo, s_redo_free);
    self->retry = zlistx_new ();
    zlistx_set_destructor (self->retry, s_redo_free);
    self->later = zlistx_new ();
    zlistx_set_destructor (self->later, s_redo_free);
    strbuf_init (&self->envbuf);
    strbuf_init (&self->snap);
    return self;
}

void
dispatch_destroy (dispatch_t **self_p)
{
    dispatch_t *self = *self_p;
    if (!self)
        return;
    zlistx_destroy (&self->redo);
    zlistx_destroy (&self->retry);
    zlistx_destroy (&self->later);
    sequence_destroy (&self->seq);
    strbuf_free (&self->envbuf);
    strbuf_free (&self->snap);
    free (self->body);
    free (self);
    *self_p = NULL;
}

static void
s_redo_add (zlistx_t *list, const char *qid, int64_t claimed_usec, int64_t not_before)
{
    s_redo_t *r = xmalloc (sizeof *r);
    memcpy (r->qid, qid, QID_SIZE);
    r->claimed_usec = claimed_usec;
    r->not_before = not_before;
    zlistx_add_end (list, r);
}

void
dispatch_redo (dispatch_t *self, const char *qid, int64_t claimed_usec)
{
    s_redo_add (self->redo, qid, claimed_usec, 0);
}

//  Something failed that may succeed later (a read, an output): the
//  message waits RETRY_WAIT_MS, and dispatch pauses as long. (The retry
//  list is in not_before order: every entry waits the same.)
static void
s_retry_later (dispatch_t *self, const char *qid, int64_t claimed_usec)
{
    int64_t now = zclock_mono ();
    s_redo_add (self->retry, qid, claimed_usec, now + RETRY_WAIT_MS);
    self->paused_until = now + RETRY_WAIT_MS;
}

void
dispatch_output_failed (void *arg, const char *qid, int status)
{
    dispatch_t *self = arg;
    unsigned long held;
    if (diag_every (&self->said_output, 1000, &held))
        diag_error ("%s: cannot write its output: %s; will retry (%lu more such failures not "
                    "logged)", qid, strerror (status ? status : errno), held);
    s_retry_later (self, qid, fileio_now_usec ());
}

//  Every lease of worker w (or, w NULL, every expired lease) back to redo.
void
dispatch_release (dispatch_t *self, pool_worker_t *w, const char *why)
{
    char qids[256][QID_SIZE];
    size_t n;
    int64_t now = zclock_mono ();
    do {
        n = lease_collect (self->leases, now, w, qids, 256);
        for (size_t i = 0; i < n; i++) {
            lease_t *l = lease_find (self->leases, qids[i]);
            diag_warn ("%s: lease of worker %s %s; leasing it again", qids[i], l->worker->name, why);
            dispatch_redo (self, qids[i], l->claimed_usec);
            if (!w) {
                //  Ran out: the slot is the worker's again (the job is not),
                //  and a worker whose leases keep running out is dropped.
                pool_give (self->pool, l->worker);
                l->worker->expired++;
            }
            lease_remove (self->leases, qids[i], NULL);
        }
    } while (n == 256);
    if (!w)
        for (pool_worker_t *x = pool_first (self->pool); x;) {
            pool_worker_t *next = pool_next (self->pool);
            if (x->expired >= DISPATCH_MAX_EXPIRED) {
                wire_send_disconnect (self->router, x->routing_id);
                dispatch_worker_gone (self, &x, "let its leases run out without a verdict");
                next = pool_first (self->pool);
            }
            x = next;
        }
}

void
dispatch_worker_gone (dispatch_t *self, pool_worker_t **w, const char *why)
{
    diag_warn ("worker %s %s; %u job(s) to lease again", (*w)->name, why, (*w)->jobs);
    dispatch_release (self, *w, why);
    pool_remove (self->pool, w);
}

void
dispatch_heartbeat (dispatch_t *self)
{
    int64_t now = zclock_mono ();
    for (pool_worker_t *w = pool_first (self->pool); w;) {
        pool_worker_t *next = pool_next (self->pool);
        if (w->expires < now) {
            dispatch_worker_gone (self, &w, "silent past its liveness");
            //  The hash changed under the walk: start again (rare).
            next = pool_first (self->pool);
        }
        else
            wire_send_heartbeat (self->router, w->routing_id, "");
        w = next;
    }
    dispatch_release (self, NULL, "expired");
}

//  Broker-made verdict (no worker needed): written like any other.
static void
s_verdict_here (dispatch_t *self, const char *qid, envelope_t **env, off_t body_off,
                verdict_t *v, int64_t claimed, uint64_t scan_usec)
{
    if (spooler_add (self->spooler, qid, env, body_off, v, claimed, scan_usec) < 0) {
        dispatch_output_failed (self, qid, errno);
        envelope_destroy (env);
    }
    else if (self->stream && (v->code == VERDICT_DEFER || v->code == VERDICT_HOLD))
        self->sync_due = true;
}

//  By the stream's clock what is in deferred/ and hold/ decides what comes
//  next, so a deferral or a hold is committed before the next claim or
//  rescan looks there: the same in every run, not when a commit happens to
//  end. (A replay's cost: one commit per deferral.)
static void
s_sync_stream (dispatch_t *self)
{
    if (!self->sync_due)
        return;
    self->sync_due = false;
    spooler_commit (self->spooler);
    ingest_deferred_changed (self->ingest);
}

//  Read active/qid: its envelope (returned, with the body's offset) and its
//  body (into self->body). NULL when it is not to be dispatched now: gone,
//  corrupt, too large (each given its verdict here) or to be tried again.
static envelope_t *
s_read (dispatch_t *self, const char *qid, int64_t claimed, off_t *body_off_p)
{
    int active = spool_fd (self->spool, SPOOL_ACTIVE);
    const char *what = NULL;
    int fd = fileio_open_regular (active, qid, &what);
    if (fd == FILEIO_NOT_REGULAR) {
        char why[96];
        snprintf (why, sizeof why, "not a regular file: %s", what);
        spooler_corrupt (self->spooler, qid, why);
        return NULL;
    }
    if (fd < 0) {
        int e = errno;
        unsigned long held;
        if (diag_every (&self->said_read, 1000, &held))
            diag_error ("%s: open active: %s%s (%lu more such failures not logged)", qid,
                        strerror (e), e == ENOENT ? "" : "; will retry", held);
        if (e != ENOENT)
            s_retry_later (self, qid, claimed);
        return NULL;
    }
    envelope_t *env = envelope_new ();
    off_t body_off = 0;
    char err[256];
    int rc = spoolfile_read_header (fd, env, &body_off, err, sizeof err);
    if (rc == SPOOLFILE_CORRUPT) {
        close (fd);
        envelope_destroy (&env);
        spooler_corrupt (self->spooler, qid, err);
        return NULL;
    }
    if (rc) {
        unsigned long held;
        if (diag_every (&self->said_read, 1000, &held))
            diag_error ("%s: %s; will retry (%lu more such failures not logged)", qid, err, held);
        close (fd);
        envelope_destroy (&env);
        s_retry_later (self, qid, claimed);
        return NULL;
    }
    //  Released by an operator only when the broker sealed it so: anyone
    //  who can write incoming/ can write a released: line.
    if (env->released && !mark_check (self->mark, qid, env->released, env->released_mark)) {
        diag_warn ("%s: a released: line the broker did not seal (written into incoming/ by "
                   "hand?): ignored; scanned as any message", qid);
        env->released = 0;
    }
    envelope_set (&env->released_mark, NULL);
    if (env->size > self->max_size) {
        //  Refused whole, but kept in reject/ with its head only: a size
        //  line of 2 GB (a sparse file) must not become 2 GB copied on the
        //  loop. The head has what the bounce and the operator look at.
        struct stat st;
        int64_t have = fstat (fd, &st) == 0 ? (int64_t) st.st_size - body_off : 0;
        int64_t keep = DISPATCH_KEEP_HEAD < have ? DISPATCH_KEEP_HEAD : have < 0 ? 0 : have;
        close (fd);
        verdict_t v;
        verdict_init (&v);
        v.code = VERDICT_REJECT;
        verdict_reason (&v, "message-size: %" PRId64 " bytes, limit %" PRId64 " (only its first %"
                        PRId64 " bytes kept here)", env->size, self->max_size, keep);
        env->size = keep;
        s_verdict_here (self, qid, &env, body_off, &v, claimed, 0);
        verdict_free (&v);
        return NULL;
    }
    size_t size = (size_t) env->size;
    if (size > self->bodycap) {
        self->bodycap = size;
        self->body = xrealloc (self->body, size);
    }
    ssize_t got = fileio_pread_all (fd, self->body, size, body_off);
    int e = errno;
    close (fd);
    if (got < 0) {
        unsigned long held;
        if (diag_every (&self->said_read, 1000, &held))
            diag_error ("%s: read: %s; will retry (%lu more such failures not logged)", qid,
                        strerror (e), held);
        envelope_destroy (&env);
        s_retry_later (self, qid, claimed);
        return NULL;
    }
    if ((size_t) got < size) {
        envelope_destroy (&env);
        spooler_corrupt (self->spooler, qid, "shorter than its size line says");
        return NULL;
    }
    *body_off_p = body_off;
    return env;
}

//  By the stream's clock: the oldest verdict takes effect (sequence.h).
static void
s_apply_head (dispatch_t *self)
{
    sequence_entry_t *e = sequence_head (self->seq);
    if (self->watch)
        watch_verdict (self->watch, e->env, &e->verdict);
    s_verdict_here (self, e->qid, &e->env, e->body_off, &e->verdict, e->claimed_usec, e->scan_usec);
    sequence_pop (self->seq);
    //  What it did may make deferred mail due: look again before the next.
    self->drained = false;
}

//  ... when it is due by count, or nothing is left to dispatch. true when
//  one was.
static bool
s_apply_due (dispatch_t *self)
{
    if (!self->seq || !sequence_due (self->seq, self->drained))
        return false;
    s_apply_head (self);
    return true;
}

//  ... and each of mail received stream-latency seconds or more before t,
//  before a message of time t is judged: false when one of them has no
//  verdict yet (the message of time t waits for it).
static bool
s_apply_before (dispatch_t *self, int64_t t)
{
    for (sequence_entry_t *e; (e = sequence_head (self->seq)) && e->t + self->latency_s <= t;) {
        if (!e->done)
            return false;
        s_apply_head (self);
    }
    return true;
}

static void s_lease (dispatch_t *self, const char *qid, int64_t claimed, envelope_t **envp,
                     off_t body_off, size_t size);

//  Read active/qid and lease it to a worker (one with credit exists).
static void
s_start (dispatch_t *self, const char *qid, int64_t claimed)
{
    off_t body_off = 0;
    envelope_t *env = s_read (self, qid, claimed, &body_off);
    if (!env) {
        //  Gone or unreadable on its way back to a worker: it has its
        //  verdict (corrupt) or will come again; its place is not kept.
        if (self->seq)
            sequence_forget (self->seq, qid);
        return;
    }
    size_t size = (size_t) env->size;
    //  Leased again (its worker went): the same job, judged as it was.
    sequence_entry_t *again = self->seq ? sequence_find (self->seq, qid) : NULL;
    if (again) {
        strbuf_reset (&self->snap);
        strbuf_add (&self->snap, again->snap, again->snap_len);
        s_lease (self, qid, claimed, &env, body_off, size);
        return;
    }
    if (self->stream) {
        int64_t t = watch_time (env);
        //  By the stream's clock the verdicts of what came a scan's time
        //  before it count for this one, as they would live.
        if (!s_apply_before (self, t)) {
            memcpy (self->parked, qid, QID_SIZE);
            self->parked_claimed = claimed;
            envelope_destroy (&env);
            return;
        }
        //  Time moves on with this message; deferred mail due by then goes
        //  first (it is older), this one after it.
        s_sync_stream (self);
        if (ingest_stream_advance (self->ingest, t)) {
            s_redo_add (self->later, qid, claimed, 0);
            envelope_destroy (&env);
            return;
        }
    }
    //  The sender state: held or deferred here, or the snapshot for the job.
    strbuf_reset (&self->snap);
    verdict_t v;
    verdict_init (&v);
    if (self->watch
        && watch_dispatch (self->watch, env, self->body, size, &self->snap, &v) != WATCH_SCAN) {
        s_verdict_here (self, qid, &env, body_off, &v, claimed, 0);
        verdict_free (&v);
        return;
    }
    verdict_free (&v);
    if (self->seq)
        sequence_add (self->seq, qid, watch_time (env), self->snap.data ? self->snap.data : "",
                      self->snap.len);
    s_lease (self, qid, claimed, &env, body_off, size);
}

//  Lease env's message (its body in self->body, its snapshot in self->snap)
//  to a worker with credit.
static void
s_lease (dispatch_t *self, const char *qid, int64_t claimed, envelope_t **envp, off_t body_off,
         size_t size)
{
    envelope_t *env = *envp;
    *envp = NULL;
    strbuf_reset (&self->envbuf);
    envelope_format (env, &self->envbuf);
    pool_worker_t *w = pool_take (self->pool);
    lease_t *l = lease_add (self->leases, qid, w, zclock_mono () + self->lease_ms, claimed, &env,
                            body_off);
    if (wire_send_job (self->router, w->routing_id, qid, l->token, self->envbuf.data,
                       self->envbuf.len, self->snap.data, self->snap.len, self->body, size) < 0) {
        //  ROUTER_MANDATORY: the worker's connection is gone.
        dispatch_worker_gone (self, &w, "cannot be reached");
        return;
    }
    diag_debug ("%s: leased to %s", qid, w->name);
    //  Do not keep a large message's buffer between jobs.
    if (self->bodycap > 1024 * 1024) {
        free (self->body);
        self->body = NULL;
        self->bodycap = 0;
    }
}

//  Dispatch while there is work, credit and room in flight, and room in
//  the spooler: verdicts made here (held, deferred, rejected mail) take no
//  credit, and each keeps a descriptor open until its commit, so a backlog
//  of them waits for the commits like jobs wait for workers. A failure
//  pauses it all (paused_until), looked at before every message.
//  The held mail of accounts whose detector flag ran out goes back to be
//  scanned again (a flag that lifts itself must not release unseen mail).
static void
s_rescan_expired (dispatch_t *self)
{
    char *account;
    int64_t at;
    while (self->watch && (account = watch_take_expired (self->watch, &at))) {
        size_t failed = 0, rcpts = 0;
        held_select_t sel = { .account = account, .at = at, .rcpts = &rcpts };
        long n = held_apply (self->spool, SPOOL_HOLD, &sel, HELD_RESCAN, (int64_t) time (NULL),
                             &failed, NULL);
        //  The held burst comes back as one attempt: what it tries is judged
        //  whole, not a message at a time under the threshold.
        watch_tried (self->watch, account, at, rcpts);
        if (n > 0 && self->stream)
            ingest_deferred_changed (self->ingest);
        if (n < 0)
            diag_error ("account %s: its held mail not rescanned: %s (farm-ctl requeue hold @%s "
                        "does it by hand)", account, strerror (errno), account);
        else
            diag_info ("account %s: %ld held message(s) back to be scanned again%s", account, n,
                       failed ? "; some could not be moved (see above)" : "");
        free (account);
    }
}

void
dispatch_pump (dispatch_t *self)
{
    if (!self->stream)
        s_rescan_expired (self);
    size_t room = (size_t) self->max_pending;
    for (;;) {
        if (self->stream) {
            //  Each step in the order the messages came, whatever the
            //  timing: commits first, then rescans, then due verdicts.
            s_sync_stream (self);
            s_rescan_expired (self);
            if (s_apply_due (self))
                continue;
        }
        //  A full window waits for the oldest's verdict; only what is leased
        //  again (its worker went: it has its place already) goes meanwhile.
        bool full = self->seq && sequence_size (self->seq) >= sequence_lag (self->seq);
        if (full && !zlistx_size (self->redo))
            break;
        if (zclock_mono () < self->paused_until || !pool_ready (self->pool)
            || lease_count (self->leases) >= (size_t) self->max_inflight
            || spooler_pending (self->spooler) >= room)
            break;
        zlistx_t *from = self->redo;
        s_redo_t *r = zlistx_first (from);
        if (full) {
            //  One of the window's; what is not (recovered at start) waits
            //  with the rest.
            while (r && !sequence_find (self->seq, r->qid))
                r = zlistx_next (from);
            if (!r)
                break;
        }
        if (!r && self->parked[0]) {
            //  Waiting for the verdict of mail a scan's time before it.
            char qid[QID_SIZE];
            memcpy (qid, self->parked, QID_SIZE);
            self->parked[0] = 0;
            s_start (self, qid, self->parked_claimed);
            spooler_commit_if_full (self->spooler);
            if (self->parked[0])
                break;
            continue;
        }
        if (!r) {
            from = self->retry;
            r = zlistx_first (from);
            if (r && r->not_before > zclock_mono ())
                r = NULL;
        }
        if (!r && zlistx_size (self->later)) {
            //  Held back for the deferred mail due before it: that first.
            char qid[QID_SIZE];
            if (ingest_claim_deferred (self->ingest, qid)) {
                self->drained = false;
                s_start (self, qid, fileio_now_usec ());
                spooler_commit_if_full (self->spooler);
                continue;
            }
            from = self->later;
            r = zlistx_first (from);
        }
        if (r) {
            char qid[QID_SIZE];
            memcpy (qid, r->qid, QID_SIZE);
            int64_t claimed = r->claimed_usec;
            zlistx_delete (from, zlistx_cursor (from));
            self->drained = false;
            s_start (self, qid, claimed);
            spooler_commit_if_full (self->spooler);
            continue;
        }
        char qid[QID_SIZE];
        bool deferred;
        if (!ingest_claim (self->ingest, qid, &deferred)) {
            if (self->seq && !self->drained) {
                //  Nothing to claim: the verdicts waiting are due now.
                self->drained = true;
                continue;
            }
            //  By the stream's clock, a farm with nothing left to do but
            //  deferred mail moves on to when the next of it is due.
            if (self->stream && !lease_count (self->leases) && !spooler_pending (self->spooler)
                && !zlistx_size (self->retry) && !sequence_size (self->seq)) {
                ingest_notified (self->ingest);
                int64_t next = ingest_stream_next (self->ingest);
                if (next) {
                    ingest_stream_at (self->ingest, next);
                    self->drained = false;
                    continue;
                }
            }
            break;
        }
        self->drained = false;
        diag_debug ("%s: claimed%s", qid, deferred ? " (deferred, due)" : "");
        s_start (self, qid, fileio_now_usec ());
        spooler_commit_if_full (self->spooler);
    }
}

void
dispatch_verdict (dispatch_t *self, pool_worker_t *w, wire_msg_t *m)
{
    //  Credit moves only with a lease of this worker's: a verdict for a job
    //  it does not hold (unknown, late, forged) gives it nothing.
    lease_t *l = lease_find (self->leases, m->qid);
    if (!l || l->token != m->lease || l->worker != w) {
        unsigned long held;
        if (diag_every (&self->said_late, 1000, &held))
            diag_info ("%s: verdict from %s for no lease of its own ignored (late: the job was "
                       "leased again; or unknown) (%lu more not logged)", m->qid, w->name, held);
        return;
    }
    pool_give (self->pool, w);
    w->expired = 0;
    int64_t claimed = l->claimed_usec;
    off_t body_off = l->body_off;
    envelope_t *env = NULL;
    lease_remove (self->leases, m->qid, &env);
    verdict_t *v = &m->verdict;
    if (v->code == VERDICT_DEFER && v->retry_at <= 0)
        v->retry_at = (int64_t) time (NULL) + self->retry_s;
    //  By the stream's clock it takes effect in its turn (dispatch_pump).
    if (self->seq && sequence_done (self->seq, m->qid, &env, body_off, claimed, v, m->scan_usec))
        return;
    if (self->watch)
        watch_verdict (self->watch, env, v);
    s_verdict_here (self, m->qid, &env, body_off, v, claimed, m->scan_usec);
}


void
dispatch_message (dispatch_t *self, zframe_t *id, zmsg_t *msg)
{
    wire_msg_t m;
    wire_msg_init (&m);
    char err[256];
    pool_worker_t *w = pool_find (self->pool, id);
    if (wire_decode (msg, &m, err, sizeof err) < 0) {
        diag_warn ("worker %s: bad message: %s", w ? w->name : "(unknown)", err);
        wire_msg_free (&m);
        return;
    }
    if (w)
        w->expires = zclock_mono () + self->alive_ms;
    switch (m.cmd) {
        case WIRE_READY:
            if (w)
                dispatch_worker_gone (self, &w, "said READY again");
            if (pool_size (self->pool) >= (size_t) self->max_workers) {
                unsigned long held;
                if (diag_every (&self->said_full, 1000, &held))
                    diag_warn ("worker %s refused: %zu workers connected, wire/max-workers (%lu more "
                               "not logged)", m.name, pool_size (self->pool), held);
                wire_send_disconnect (self->router, id);
                break;
            }
            w = pool_add (self->pool, id, m.name, m.model,
                          m.credit > self->max_credit ? (uint32_t) self->max_credit : m.credit);
            w->expires = zclock_mono () + self->alive_ms;
            diag_info ("worker %s ready, credit %u, model %s", w->name, m.credit,
                       *m.model ? m.model : "-");
            break;
        case WIRE_HEARTBEAT:
            if (!w)
                wire_send_disconnect (self->router, id);
            else if (strcmp (w->model, m.model)) {
                //  A worker loads a new model between jobs: say which it runs now.
                diag_info ("worker %s now runs model %s (was %s)", w->name, *m.model ? m.model : "-",
                           *w->model ? w->model : "-");
                snprintf (w->model, sizeof w->model, "%s", m.model);
            }
            break;
        case WIRE_VERDICT:
            if (!w) {
                diag_info ("%s: verdict from an unknown worker ignored", m.qid);
                wire_send_disconnect (self->router, id);
            }
            else
                dispatch_verdict (self, w, &m);
            break;
        case WIRE_DISCONNECT:
            if (w)
                dispatch_worker_gone (self, &w, "disconnected");
            break;
        default:
            diag_warn ("worker %s: unexpected command %c", w ? w->name : "(unknown)", m.cmd);
    }
    wire_msg_free (&m);
}
