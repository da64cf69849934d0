/*  broker.c: the broker's set-up and event loop, glue between its parts.
 *
 *  Flow: ingest claims a message into active/; dispatch reads it and leases
 *  it to the least recently used worker with credit; each VERDICT goes
 *  through dispatch to the spooler, which commits outputs in groups (its
 *  committer thread syncs one batch while the next gathers). Jobs in flight
 *  are bounded by lease/max-inflight: the spool is the queue.
 *
 *  Liveness: both sides heartbeat every wire/heartbeat-ms; a worker unheard
 *  for wire/liveness beats is dead and its jobs go to others; a job not
 *  answered within lease/timeout-ms is leased again. A worker we do not
 *  know gets DISCONNECT and must say READY again. */
#include "broker.h"
#include "control.h"
#include "curve.h"
#include "diag.h"
#include "dispatch.h"
#include "held.h"
#include "fileio.h"
#include "hup.h"
#include "ingest.h"
#include "lease.h"
#include "mark.h"
#include "metrics.h"
#include "notice.h"
#include "pool.h"
#include "recover.h"
#include "spool.h"
#include "spoolfile.h"
#include "spooler.h"
#include "watch.h"
#include "outcomes.h"
#include "wire.h"
#include "xalloc.h"
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

struct broker_t {
    cfg_t *cfg;
    spool_t *spool;
    spool_t **extra;
    size_t nextra;
    ingest_t *ingest;
    pool_t *pool;
    lease_table_t *leases;
    spooler_t *spooler;
    watch_t *watch;
    outcomes_t *outcomes;       //  what comes back (with the sender state only)
    control_t *control;
    metrics_t *metrics;
    zsock_t *router;
    curve_t *curve;
    zloop_t *loop;
    zmq_pollitem_t inotify_item, hup_item;
    int hupfd;
    dispatch_t *dispatch;
    mark_t *mark;               //  the seal on an operator's release
    notice_t *notice;
    int64_t hb_ms;
};

static void
s_recover_redo (void *arg, const char *qid)
{
    dispatch_redo (arg, qid, fileio_now_usec ());
}

//  Commit every output queued, now (before answering an operator, at exit).
static void
s_commit (broker_t *self)
{
    if (spooler_pending (self->spooler) || spooler_committing (self->spooler))
        spooler_commit (self->spooler);
    if (self->watch)
        watch_commit (self->watch);
}

//  Start the group commit when it is due (spooler.h); the sender state's
//  own flush when it is.
static void
s_commit_due (broker_t *self)
{
    spooler_commit_due (self->spooler, self->loop);
    if (self->watch)
        watch_commit (self->watch);
}

static int
s_on_committed (zloop_t *loop, zsock_t *sock, void *arg)
{
    broker_t *self = arg;
    spooler_commit_done (self->spooler);
    s_commit_due (self);
    dispatch_pump (self->dispatch);     //  outputs that failed are to be done again
    return 0;
}

//  One message from a worker: to dispatch, which knows the pool.
static void
s_on_message (broker_t *self, zmsg_t *msg)
{
    zframe_t *id = zmsg_pop (msg);
    if (id)
        dispatch_message (self->dispatch, id, msg);
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
        spooler_commit_if_full (self->spooler);
    }
    dispatch_pump (self->dispatch);
    s_commit_due (self);
    return 0;
}

static int
s_on_inotify (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    broker_t *self = arg;
    ingest_notified (self->ingest);
    dispatch_pump (self->dispatch);
    s_commit_due (self);
    return 0;
}

static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    broker_t *self = arg;
    dispatch_heartbeat (self->dispatch);
    return 0;
}

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    broker_t *self = arg;
    dispatch_pump (self->dispatch);
    s_commit_due (self);
    return 0;
}

//  What comes back (outcomes.h): read in steps, often.
static int
s_on_outcomes (zloop_t *loop, int timer_id, void *arg)
{
    broker_t *self = arg;
    if (outcomes_tick (self->outcomes))
        s_commit_due (self);
    return 0;
}

//  Retention of hold/ and reject/ (held_expire): at start and hourly.
static int
s_on_retention (zloop_t *loop, int timer_id, void *arg)
{
    broker_t *self = arg;
    held_expire (self->spool, (int) cfg_int (self->cfg, "hold/max-age-days"),
                 (int) cfg_int (self->cfg, "reject/max-age-days"), (int64_t) time (NULL));
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
    metrics_write (self->metrics, self->spool, self->pool, lease_count (self->leases), self->watch, self->outcomes,
                   false);
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
    dispatch_pump (self->dispatch);
    s_commit (self);
    return 0;
}

//  SIGHUP: what logrotate sends and an operator's reload.
static int
s_on_hup (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    broker_t *self = arg;
    if (!hup_taken (self->hupfd))
        return 0;
    diag_info ("SIGHUP: reopening the verdict log, rereading compromise.cfg");
    spooler_reopen_log (self->spooler);
    if (self->watch)
        watch_reload (self->watch);
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

//  File descriptors: as many as the hard limit allows (each output waiting
//  for its commit holds one; dispatch plans within what there is).
static void
s_raise_nofile (void)
{
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit (RLIMIT_NOFILE, &rl) < 0)
            diag_warn ("cannot raise the open files limit to %llu: %s",
                       (unsigned long long) rl.rlim_max, strerror (errno));
    }
}

broker_t *
broker_new (cfg_t *cfg, int hupfd)
{
    s_raise_nofile ();
    broker_t *self = xcalloc (1, sizeof *self);
    self->hupfd = hupfd;
    self->cfg = cfg;
    self->hb_ms = cfg_int (cfg, "wire/heartbeat-ms");
    self->spool = s_open_spool (cfg_str (cfg, "spool/root"));

    //  One broker per spool: a second would claim the same files.
    if (spool_lock (self->spool) < 0)
        diag_fatal ("%s/broker.lock: %s (is another broker running on this spool?)",
                    spool_root (self->spool), strerror (errno));

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
    if (cfg_enum (cfg, "spool/clock") == 1)
        ingest_stream (self->ingest);
    self->pool = pool_new ();
    self->leases = lease_table_new ();
    //  spool/sync: filesystem | files, in batch.h's order.
    batch_sync_t sync = cfg_enum (cfg, "spool/sync") ? BATCH_SYNC_FILES : BATCH_SYNC_FILESYSTEM;
    spool_set_sync (self->spool, sync);
    self->spooler = spooler_new (self->spool, cfg_str (cfg, "log/verdicts"), sync);
    self->notice = notice_new (cfg);
    spooler_set_notice (self->spooler, self->notice);
    if (cfg_bool (cfg, "state/watch"))
    {
        self->watch = watch_new (cfg, spool_root (self->spool));
        self->outcomes = outcomes_new (cfg, self->spool, self->watch);
    }
    else
        diag_warn ("compromise detection and rate limits are OFF (state/watch = false)");
    self->router = zsock_new (ZMQ_ROUTER);
    char merr[512];
    self->mark = mark_new (spool_root (self->spool), merr, sizeof merr);
    if (!self->mark)
        diag_fatal ("%s", merr);
    self->dispatch = dispatch_new (cfg, self->spool, self->ingest, self->pool, self->leases,
                                   self->spooler, self->watch, self->mark, self->router);
    spooler_set_commit (self->spooler, cfg_int (cfg, "spool/flush-ms"), cfg_int (cfg, "spool/batch"),
                        dispatch_output_failed, self->dispatch);
    recover_spool (self->spool, s_recover_redo, self->dispatch);

    self->control = control_new (cfg_str (cfg, "control/endpoint"), self->spool, self->watch, self->pool,
                                 self->mark);
    control_set_outcomes (self->control, self->outcomes);
    if (*cfg_str (cfg, "metrics/file")) {
        self->metrics = metrics_new (cfg_str (cfg, "metrics/file"));
        spooler_set_observer (self->spooler, s_observe, self);
    }

    zsock_set_router_mandatory (self->router, 1);
    //  A connection that does not finish its handshake (CURVE or not) in
    //  5 s is closed: idle or garbage peers do not hold descriptors long.
    zsock_set_handshake_ivl (self->router, 5000);
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
    pid_t owner;
    if (wire_ipc_in_use (ep, &owner))
        diag_fatal ("wire/endpoint %s is in use by process %d (another broker?): not taking it over",
                    ep, (int) owner);
    if (strncmp (ep, "ipc://", 6) == 0)
        unlink (ep + 6);    //  a stale socket file from a killed broker
    if (zsock_bind (self->router, "%s", ep) < 0)
        diag_fatal ("bind %s: %s", ep, zmq_strerror (zmq_errno ()));
    //  Workers only: the broker's user and its group (the workers' users
    //  are in it, tools/systemd), never every local user.
    if (strncmp (ep, "ipc://", 6) == 0 && chmod (ep + 6, 0660) < 0)
        diag_warn ("chmod %s: %s", ep + 6, strerror (errno));
    diag_info ("broker on %s, spool %s, %zu extra ingest spool(s), %" PRId64 " jobs in flight at most",
               ep, spool_root (self->spool), self->nextra, cfg_int (cfg, "lease/max-inflight"));
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
    dispatch_destroy (&self->dispatch);
    spooler_destroy (&self->spooler);
    notice_destroy (&self->notice);
    outcomes_destroy (&self->outcomes);
    watch_destroy (&self->watch);
    lease_table_destroy (&self->leases);
    pool_destroy (&self->pool);
    ingest_destroy (&self->ingest);
    for (size_t i = 0; i < self->nextra; i++)
        spool_destroy (&self->extra[i]);
    free (self->extra);
    mark_destroy (&self->mark);
    spool_destroy (&self->spool);
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
    if (self->hupfd >= 0) {
        self->hup_item = (zmq_pollitem_t) { .fd = self->hupfd, .events = ZMQ_POLLIN };
        zloop_poller (self->loop, &self->hup_item, s_on_hup, self);
    }
    zloop_timer (self->loop, (size_t) self->hb_ms, 0, s_on_heartbeat, self);
    //  Catches what no event announces: rescans, deferred messages coming due,
    //  the end of a pause after a failed write.
    zloop_timer (self->loop, 100, 0, s_on_tick, self);
    if (self->outcomes)
        zloop_timer (self->loop, OUTCOMES_EVERY_MS, 0, s_on_outcomes, self);
    s_on_retention (self->loop, 0, self);
    zloop_timer (self->loop, 3600 * 1000, 0, s_on_retention, self);
    zloop_start (self->loop);
    if (self->metrics)
        metrics_write (self->metrics, self->spool, self->pool, lease_count (self->leases), self->watch, self->outcomes,
                       true);
    diag_info ("broker stopping: %zu job(s) in flight stay in active/ for the next start",
               lease_count (self->leases));
    return 0;
}
