/*  broker.c: the broker's event loop.
 *
 *  Flow: ingest_claim renames a message into active/; s_start reads its
 *  header and leases it to the least recently used worker with credit; the
 *  VERDICT goes to the spooler; after each burst of socket traffic the
 *  spooler commits everything it was given (group commit). Jobs in flight
 *  are bounded by lease/max-inflight: the spool is the queue.
 *
 *  Liveness: both sides heartbeat every wire/heartbeat-ms; a worker unheard
 *  for wire/liveness beats is dead and its jobs go to others; a job not
 *  answered within lease/timeout-ms is leased again. A verdict whose lease
 *  token is not the current one is ignored, so a message is never written
 *  twice. A worker we do not know gets DISCONNECT and must say READY again. */
#include "broker.h"
#include "control.h"
#include "curve.h"
#include "diag.h"
#include "fileio.h"
#include "ingest.h"
#include "lease.h"
#include "metrics.h"
#include "pool.h"
#include "recover.h"
#include "spool.h"
#include "spoolfile.h"
#include "spooler.h"
#include "watch.h"
#include "wire.h"
#include "xalloc.h"
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/file.h>
#include <unistd.h>

typedef struct {
    char qid[QID_SIZE];
    int64_t claimed_usec;
} s_redo_t;

struct broker_t {
    cfg_t *cfg;
    spool_t *spool;
    spool_t **extra;
    size_t nextra;
    int lockfd;
    ingest_t *ingest;
    pool_t *pool;
    lease_table_t *leases;
    spooler_t *spooler;
    watch_t *watch;
    control_t *control;
    metrics_t *metrics;
    strbuf_t snap;
    zsock_t *router;
    curve_t *curve;
    zloop_t *loop;
    zmq_pollitem_t inotify_item;
    zlistx_t *redo;             //  s_redo_t: in active/, to dispatch again
    int64_t hb_ms, liveness, lease_ms, max_inflight, retry_s, max_size;
    int64_t paused_until;       //  ms: no dispatch while outputs fail
    int64_t commit_max, flush_ms;   //  spool/batch, spool/flush-ms
    bool commit_timer;          //  a one-shot timer will commit the batch
    strbuf_t envbuf;
    char *body;
    size_t bodycap;
};

static void
s_redo_push (broker_t *self, const char *qid, int64_t claimed_usec)
{
    s_redo_t *r = xmalloc (sizeof *r);
    memcpy (r->qid, qid, QID_SIZE);
    r->claimed_usec = claimed_usec;
    zlistx_add_end (self->redo, r);
}

static void
s_recover_redo (void *arg, const char *qid)
{
    s_redo_push (arg, qid, fileio_now_usec ());
}

static void
s_redo_free (void **item)
{
    free (*item);
    *item = NULL;
}

//  Every lease of worker w (or, w NULL, every expired lease) back to redo.
static void
s_release (broker_t *self, pool_worker_t *w, const char *why)
{
    char qids[256][QID_SIZE];
    size_t n;
    int64_t now = zclock_mono ();
    do {
        n = lease_collect (self->leases, now, w, qids, 256);
        for (size_t i = 0; i < n; i++) {
            lease_t *l = lease_find (self->leases, qids[i]);
            diag_warn ("%s: lease of worker %s %s; leasing it again", qids[i], l->worker->name, why);
            s_redo_push (self, qids[i], l->claimed_usec);
            lease_remove (self->leases, qids[i], NULL);
        }
    } while (n == 256);
}

static void
s_worker_gone (broker_t *self, pool_worker_t **w, const char *why)
{
    diag_warn ("worker %s %s; %u job(s) to lease again", (*w)->name, why, (*w)->jobs);
    s_release (self, *w, why);
    pool_remove (self->pool, w);
}

static void
s_output_failed (void *arg, const char *qid, int status)
{
    broker_t *self = arg;
    s_redo_push (self, qid, fileio_now_usec ());
    self->paused_until = zclock_mono () + 1000;
}

//  Broker-made verdict (no worker needed): written like any other.
static void
s_verdict_here (broker_t *self, const char *qid, envelope_t **env, off_t body_off,
                verdict_t *v, int64_t claimed)
{
    if (spooler_add (self->spooler, qid, env, body_off, v, claimed, 0) < 0) {
        diag_error ("%s: cannot write its output: %s; will retry", qid, strerror (errno));
        s_output_failed (self, qid, errno);
        envelope_destroy (env);
    }
}

//  Read active/qid and lease it to a worker (one with credit exists).
static void
s_start (broker_t *self, const char *qid, int64_t claimed)
{
    int active = spool_fd (self->spool, SPOOL_ACTIVE);
    int fd = openat (active, qid, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        diag_error ("%s: open active: %s", qid, strerror (errno));
        if (errno != ENOENT) {
            s_redo_push (self, qid, claimed);
            self->paused_until = zclock_mono () + 1000;
        }
        return;
    }
    envelope_t *env = envelope_new ();
    off_t body_off = 0;
    char err[256];
    int rc = spoolfile_read_header (fd, env, &body_off, err, sizeof err);
    if (rc == SPOOLFILE_CORRUPT) {
        close (fd);
        envelope_destroy (&env);
        spooler_corrupt (self->spooler, qid, err);
        return;
    }
    if (rc) {
        diag_error ("%s: %s; will retry", qid, err);
        close (fd);
        envelope_destroy (&env);
        s_redo_push (self, qid, claimed);
        self->paused_until = zclock_mono () + 1000;
        return;
    }
    if (env->size > self->max_size) {
        close (fd);
        verdict_t v;
        verdict_init (&v);
        v.code = VERDICT_REJECT;
        verdict_reason (&v, "message-size: %" PRId64 " bytes, limit %" PRId64, env->size,
                        self->max_size);
        s_verdict_here (self, qid, &env, body_off, &v, claimed);
        verdict_free (&v);
        return;
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
        diag_error ("%s: read: %s; will retry", qid, strerror (e));
        envelope_destroy (&env);
        s_redo_push (self, qid, claimed);
        self->paused_until = zclock_mono () + 1000;
        return;
    }
    if ((size_t) got < size) {
        envelope_destroy (&env);
        spooler_corrupt (self->spooler, qid, "shorter than its size line says");
        return;
    }
    //  The sender state: held or deferred here, or the snapshot for the job.
    strbuf_reset (&self->snap);
    verdict_t v;
    verdict_init (&v);
    if (self->watch
        && watch_dispatch (self->watch, env, self->body, size, &self->snap, &v) != WATCH_SCAN) {
        s_verdict_here (self, qid, &env, body_off, &v, claimed);
        verdict_free (&v);
        return;
    }
    verdict_free (&v);
    strbuf_reset (&self->envbuf);
    envelope_format (env, &self->envbuf);
    pool_worker_t *w = pool_take (self->pool);
    lease_t *l = lease_add (self->leases, qid, w, zclock_mono () + self->lease_ms, claimed, &env,
                            body_off);
    if (wire_send_job (self->router, w->routing_id, qid, l->token, self->envbuf.data,
                       self->envbuf.len, self->snap.data, self->snap.len, self->body, size) < 0) {
        //  ROUTER_MANDATORY: the worker's connection is gone.
        s_worker_gone (self, &w, "cannot be reached");
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

//  Dispatch while there is work, credit and room in flight.
static void
s_pump (broker_t *self)
{
    if (zclock_mono () < self->paused_until)
        return;
    while (pool_ready (self->pool) && lease_count (self->leases) < (size_t) self->max_inflight) {
        s_redo_t *r = zlistx_first (self->redo);
        if (r) {
            char qid[QID_SIZE];
            memcpy (qid, r->qid, QID_SIZE);
            int64_t claimed = r->claimed_usec;
            zlistx_delete (self->redo, zlistx_cursor (self->redo));
            s_start (self, qid, claimed);
            continue;
        }
        char qid[QID_SIZE];
        bool deferred;
        if (!ingest_claim (self->ingest, qid, &deferred))
            break;
        diag_debug ("%s: claimed%s", qid, deferred ? " (deferred, due)" : "");
        s_start (self, qid, fileio_now_usec ());
    }
}

//  Commit every output queued, now (before answering an operator, at exit).
static void
s_commit (broker_t *self)
{
    if (spooler_pending (self->spooler) || spooler_committing (self->spooler))
        spooler_commit (self->spooler, s_output_failed, self);
    if (self->watch)
        watch_commit (self->watch);
}

static int s_on_commit_timer (zloop_t *loop, int timer_id, void *arg);

//  Group commit: the committer thread takes the batch once it holds
//  spool/batch outputs or its oldest has waited spool/flush-ms, and only
//  when the commit before is done, so that one sync serves all that gathered
//  meanwhile; until then a one-shot timer stands guard.
static void
s_commit_due (broker_t *self)
{
    size_t n = spooler_pending (self->spooler);
    if (n && !spooler_committing (self->spooler)) {
        int64_t wait = self->flush_ms - (zclock_mono () - spooler_oldest_ms (self->spooler));
        if (wait <= 0 || (int64_t) n >= self->commit_max)
            spooler_commit_start (self->spooler, s_output_failed, self);
        else if (!self->commit_timer) {
            zloop_timer (self->loop, (size_t) wait, 1, s_on_commit_timer, self);
            self->commit_timer = true;
        }
    }
    if (self->watch)
        watch_commit (self->watch);
}

//  A full batch: wait for the commit under way, if any, and start this one.
static void
s_commit_full (broker_t *self)
{
    spooler_commit_done (self->spooler);
    spooler_commit_start (self->spooler, s_output_failed, self);
}

static int
s_on_commit_timer (zloop_t *loop, int timer_id, void *arg)
{
    broker_t *self = arg;
    self->commit_timer = false;
    s_commit_due (self);
    return 0;
}

static int
s_on_committed (zloop_t *loop, zsock_t *sock, void *arg)
{
    broker_t *self = arg;
    spooler_commit_done (self->spooler);
    s_commit_due (self);
    s_pump (self);      //  outputs that failed are to be done again
    return 0;
}

static void
s_on_verdict (broker_t *self, pool_worker_t *w, wire_msg_t *m)
{
    pool_give (self->pool, w);
    lease_t *l = lease_find (self->leases, m->qid);
    if (!l || l->token != m->lease || l->worker != w) {
        diag_info ("%s: late verdict from %s ignored (the job was leased again)", m->qid, w->name);
        return;
    }
    int64_t claimed = l->claimed_usec;
    off_t body_off = l->body_off;
    envelope_t *env = NULL;
    lease_remove (self->leases, m->qid, &env);
    verdict_t *v = &m->verdict;
    if (v->code == VERDICT_DEFER && v->retry_at <= 0)
        v->retry_at = (int64_t) time (NULL) + self->retry_s;
    if (self->watch)
        watch_verdict (self->watch, env, v);
    s_verdict_here (self, m->qid, &env, body_off, v, claimed);
}

static void
s_on_message (broker_t *self, zmsg_t *msg)
{
    zframe_t *id = zmsg_pop (msg);
    if (!id)
        return;
    wire_msg_t m;
    wire_msg_init (&m);
    char err[256];
    pool_worker_t *w = pool_find (self->pool, id);
    if (wire_decode (msg, &m, err, sizeof err) < 0) {
        diag_warn ("worker %s: bad message: %s", w ? w->name : "(unknown)", err);
        wire_msg_free (&m);
        zframe_destroy (&id);
        return;
    }
    if (w)
        w->expires = zclock_mono () + self->hb_ms * self->liveness;
    switch (m.cmd) {
        case WIRE_READY:
            if (w)
                s_worker_gone (self, &w, "said READY again");
            w = pool_add (self->pool, id, m.name, m.model, m.credit);
            w->expires = zclock_mono () + self->hb_ms * self->liveness;
            diag_info ("worker %s ready, credit %u, model %s", w->name, m.credit,
                       *m.model ? m.model : "-");
            break;
        case WIRE_HEARTBEAT:
            if (!w)
                wire_send_disconnect (self->router, id);
            break;
        case WIRE_VERDICT:
            if (!w) {
                diag_info ("%s: verdict from an unknown worker ignored", m.qid);
                wire_send_disconnect (self->router, id);
            }
            else
                s_on_verdict (self, w, &m);
            break;
        case WIRE_DISCONNECT:
            if (w)
                s_worker_gone (self, &w, "disconnected");
            break;
        default:
            diag_warn ("worker %s: unexpected command %c", w ? w->name : "(unknown)", m.cmd);
    }
    wire_msg_free (&m);
    zframe_destroy (&id);
}

static int
s_on_router (zloop_t *loop, zsock_t *sock, void *arg)
{
    broker_t *self = arg;
    //  Drain what is there, then commit it all at once.
    for (int i = 0; i < 1000 && (zsock_events (sock) & ZMQ_POLLIN); i++) {
        zmsg_t *msg = zmsg_recv (sock);
        if (!msg)
            break;
        s_on_message (self, msg);
        zmsg_destroy (&msg);
        if ((int64_t) spooler_pending (self->spooler) >= self->commit_max)
            s_commit_full (self);
    }
    s_pump (self);
    s_commit_due (self);
    return 0;
}

static int
s_on_inotify (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    broker_t *self = arg;
    ingest_notified (self->ingest);
    s_pump (self);
    s_commit_due (self);
    return 0;
}

static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    broker_t *self = arg;
    int64_t now = zclock_mono ();
    for (pool_worker_t *w = pool_first (self->pool); w;) {
        pool_worker_t *next = pool_next (self->pool);
        if (w->expires < now) {
            s_worker_gone (self, &w, "silent past its liveness");
            //  The hash changed under the walk: start again (rare).
            next = pool_first (self->pool);
        }
        else
            wire_send_heartbeat (self->router, w->routing_id);
        w = next;
    }
    s_release (self, NULL, "expired");
    return 0;
}

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    broker_t *self = arg;
    s_pump (self);
    s_commit_due (self);
    return 0;
}

static void
s_observe (void *arg, const char *verdict, const envelope_t *env, int64_t latency_usec)
{
    broker_t *self = arg;
    metrics_finished (self->metrics, verdict, env, latency_usec);
}

static int
s_on_metrics (zloop_t *loop, int timer_id, void *arg)
{
    broker_t *self = arg;
    metrics_write (self->metrics, self->spool, self->pool, lease_count (self->leases), self->watch);
    return 0;
}

static int
s_on_control (zloop_t *loop, zsock_t *sock, void *arg)
{
    broker_t *self = arg;
    //  Whatever the dispatch wrote first, so that the operator sees it.
    s_commit (self);
    control_handle (self->control);
    //  A release put mail back in incoming/.
    s_pump (self);
    s_commit (self);
    return 0;
}

static spool_t *
s_open_spool (const char *root)
{
    spool_t *s = spool_new (root, true);
    if (!s)
        diag_fatal ("cannot open spool %s", root);
    return s;
}

broker_t *
broker_new (cfg_t *cfg)
{
    broker_t *self = xcalloc (1, sizeof *self);
    self->cfg = cfg;
    self->hb_ms = cfg_int (cfg, "wire/heartbeat-ms");
    self->liveness = cfg_int (cfg, "wire/liveness");
    self->lease_ms = cfg_int (cfg, "lease/timeout-ms");
    self->max_inflight = cfg_int (cfg, "lease/max-inflight");
    self->retry_s = cfg_int (cfg, "spool/retry-s");
    self->commit_max = cfg_int (cfg, "spool/batch");
    self->flush_ms = cfg_int (cfg, "spool/flush-ms");
    self->max_size = cfg_int (cfg, "limits/message-size");
    strbuf_init (&self->envbuf);
    self->spool = s_open_spool (cfg_str (cfg, "spool/root"));

    //  One broker per spool: a second would claim the same files.
    char lockpath[4096];
    snprintf (lockpath, sizeof lockpath, "%s/broker.lock", spool_root (self->spool));
    self->lockfd = open (lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (self->lockfd < 0 || flock (self->lockfd, LOCK_EX | LOCK_NB) < 0)
        diag_fatal ("%s: %s (is another broker running on this spool?)", lockpath,
                    strerror (errno));

    const char *ingest = cfg_str (cfg, "spool/ingest");
    char *list = xstrdup (ingest);
    for (char *save = NULL, *tok = strtok_r (list, ",", &save); tok; tok = strtok_r (NULL, ",", &save)) {
        spool_t *s = s_open_spool (tok);
        if (spool_dev (s) != spool_dev (self->spool))
            diag_fatal ("ingest spool %s is on another filesystem than %s", tok,
                        spool_root (self->spool));
        self->extra = xrealloc (self->extra, (self->nextra + 1) * sizeof *self->extra);
        self->extra[self->nextra++] = s;
    }
    free (list);
    self->ingest = ingest_new (self->spool, self->extra, self->nextra,
                               (size_t) cfg_int (cfg, "spool/scan-batch"),
                               cfg_int (cfg, "spool/rescan-ms"));
    self->pool = pool_new ();
    self->leases = lease_table_new ();
    const char *sync = cfg_str (cfg, "spool/sync");
    if (strcmp (sync, "filesystem") && strcmp (sync, "files"))
        diag_fatal ("spool/sync: '%s' is not filesystem or files", sync);
    self->spooler = spooler_new (self->spool, cfg_str (cfg, "log/verdicts"),
                                 strcmp (sync, "files") ? BATCH_SYNC_FILESYSTEM : BATCH_SYNC_FILES);
    if (cfg_bool (cfg, "state/watch"))
        self->watch = watch_new (cfg, spool_root (self->spool));
    else
        diag_warn ("compromise detection and rate limits are OFF (state/watch = false)");
    strbuf_init (&self->snap);
    self->redo = zlistx_new ();
    zlistx_set_destructor (self->redo, s_redo_free);
    recover_spool (self->spool, s_recover_redo, self);

    self->control = control_new (cfg_str (cfg, "control/endpoint"), self->spool, self->watch, self->pool);
    if (*cfg_str (cfg, "metrics/file")) {
        self->metrics = metrics_new (cfg_str (cfg, "metrics/file"));
        spooler_set_observer (self->spooler, s_observe, self);
    }

    self->router = zsock_new (ZMQ_ROUTER);
    zsock_set_router_mandatory (self->router, 1);
    zsock_set_maxmsgsize (self->router, 1024 * 1024);
    zsock_set_sndhwm (self->router, 0);
    zsock_set_linger (self->router, 0);
    const char *ep = cfg_str (cfg, "wire/endpoint");
    if (strchr (ep, ','))
        diag_fatal ("wire/endpoint: a broker binds one endpoint ('%s' has several)", ep);
    char err[1024];
    self->curve = curve_server (cfg, self->router, ep, err, sizeof err);
    if (!self->curve)
        diag_fatal ("%s", err);
    if (strncmp (ep, "ipc://", 6) == 0)
        unlink (ep + 6);    //  a stale socket file from a killed broker
    if (zsock_bind (self->router, "%s", ep) < 0)
        diag_fatal ("bind %s: %s", ep, zmq_strerror (zmq_errno ()));
    diag_info ("broker on %s, spool %s, %zu extra ingest spool(s), %" PRId64 " jobs in flight at most",
               ep, spool_root (self->spool), self->nextra, self->max_inflight);
    return self;
}

void
broker_destroy (broker_t **self_p)
{
    broker_t *self = *self_p;
    if (!self)
        return;
    s_commit (self);
    for (pool_worker_t *w = pool_first (self->pool); w; w = pool_next (self->pool))
        wire_send_disconnect (self->router, w->routing_id);
    zsock_destroy (&self->router);
    curve_destroy (&self->curve);
    control_destroy (&self->control);
    metrics_destroy (&self->metrics);
    zloop_destroy (&self->loop);
    zlistx_destroy (&self->redo);
    spooler_destroy (&self->spooler);
    watch_destroy (&self->watch);
    strbuf_free (&self->snap);
    lease_table_destroy (&self->leases);
    pool_destroy (&self->pool);
    ingest_destroy (&self->ingest);
    for (size_t i = 0; i < self->nextra; i++)
        spool_destroy (&self->extra[i]);
    free (self->extra);
    spool_destroy (&self->spool);
    close (self->lockfd);
    strbuf_free (&self->envbuf);
    free (self->body);
    free (self);
    *self_p = NULL;
}

int
broker_run (broker_t *self)
{
    self->loop = zloop_new ();
    zloop_reader (self->loop, self->router, s_on_router, self);
    zloop_reader (self->loop, spooler_sock (self->spooler), s_on_committed, self);
    if (self->control)
        zloop_reader (self->loop, control_sock (self->control), s_on_control, self);
    if (self->metrics) {
        s_on_metrics (self->loop, 0, self);
        zloop_timer (self->loop, (size_t) cfg_int (self->cfg, "metrics/interval-ms"), 0, s_on_metrics, self);
    }
    if (ingest_fd (self->ingest) >= 0) {
        self->inotify_item = (zmq_pollitem_t) { .fd = ingest_fd (self->ingest), .events = ZMQ_POLLIN };
        zloop_poller (self->loop, &self->inotify_item, s_on_inotify, self);
    }
    zloop_timer (self->loop, (size_t) self->hb_ms, 0, s_on_heartbeat, self);
    //  Catches what no event announces: rescans, deferred messages coming due,
    //  the end of a pause after a failed write.
    zloop_timer (self->loop, 100, 0, s_on_tick, self);
    zloop_start (self->loop);
    if (self->metrics)
        metrics_write (self->metrics, self->spool, self->pool, lease_count (self->leases), self->watch);
    diag_info ("broker stopping: %zu job(s) in flight stay in active/ for the next start",
               lease_count (self->leases));
    return 0;
}
