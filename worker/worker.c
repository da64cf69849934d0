/*  worker.c: a stateless worker (the zguide's Paranoid Pirate worker, on
 *  today's zsock API). A DEALER socket says READY with its credit (how many
 *  jobs it may hold), answers each JOB with a VERDICT, and heartbeats; when
 *  the broker has been silent for liveness beats it drops the socket and
 *  connects again, backing off exponentially up to reconnect-max-ms. It keeps
 *  nothing between jobs but what it loaded at start. */
#include "worker.h"
#include "content.h"
#include "diag.h"
#include "model.h"
#include "fileio.h"
#include "task.h"
#include "wire.h"
#include "xalloc.h"
#include <czmq.h>
#include <string.h>
#include <unistd.h>

struct worker_t {
    cfg_t *cfg;
    zsock_t *sock;
    char name[WIRE_MAX_NAME];
    const char *endpoint;
    int64_t hb_ms, liveness, credit, backoff_max, delay_ms, max_jobs;
    task_limits_t limits;
    model_t *model;
    keys_t *keys;
    lockdown_t *lockdown;
    signer_t *signer;
    content_t content;
    task_ctx_t ctx;
    uint64_t jobs;
};

static void
s_connect (worker_t *self)
{
    zsock_destroy (&self->sock);
    self->sock = zsock_new (ZMQ_DEALER);
    zsock_set_linger (self->sock, 0);
    zsock_set_rcvhwm (self->sock, 0);
    if (zsock_connect (self->sock, "%s", self->endpoint) < 0)
        diag_fatal ("connect %s: %s", self->endpoint, zmq_strerror (zmq_errno ()));
    wire_send_ready (self->sock, (uint32_t) self->credit, self->name, model_version (self->model));
    diag_info ("connected to %s, credit %lld", self->endpoint, (long long) self->credit);
}

worker_t *
worker_new (cfg_t *cfg)
{
    worker_t *self = xcalloc (1, sizeof *self);
    self->cfg = cfg;
    self->endpoint = cfg_str (cfg, "wire/endpoint");
    self->hb_ms = cfg_int (cfg, "wire/heartbeat-ms");
    self->liveness = cfg_int (cfg, "wire/liveness");
    self->credit = cfg_int (cfg, "wire/credit");
    self->backoff_max = cfg_int (cfg, "wire/reconnect-max-ms");
    self->delay_ms = cfg_int (cfg, "test/scan-delay-ms");
    self->max_jobs = cfg_int (cfg, "wire/max-jobs");
    self->limits.test_defer_s = cfg_int (cfg, "test/defer-s");
    self->limits.max_size = (size_t) cfg_int (cfg, "limits/message-size");
    self->limits.max_rcpt = (size_t) cfg_int (cfg, "limits/recipients");
    self->limits.header.max_fields = (size_t) cfg_int (cfg, "limits/headers");
    self->limits.header.max_field = (size_t) cfg_int (cfg, "limits/header-length");
    self->limits.header.max_line = (size_t) cfg_int (cfg, "limits/line-length");
    char host[64] = "localhost";
    gethostname (host, sizeof host - 1);
    snprintf (self->name, sizeof self->name, "%s:%d", host, (int) getpid ());
    //  Opened here, in this process: never share an LMDB handle across fork.
    self->model = model_new (cfg_str (cfg, "models/dir"), cfg_int (cfg, "models/check-ms"));
    content_init (&self->content);
    self->ctx.limits = &self->limits;
    self->ctx.content = &self->content;
    content_opts (&self->ctx.content_opts, cfg);
    self->ctx.explain = cfg_bool (cfg, "bayes/explain");
    self->ctx.content_opts.tok.explain = self->ctx.explain;
    int64_t check = cfg_int (cfg, "dkim/check-ms");
    self->keys = keys_new (cfg_str (cfg, "dkim/keys"), check);
    self->lockdown = lockdown_new (cfg_str (cfg, "dkim/accounts"), check);
    self->signer = signer_new ((uint64_t) cfg_int (cfg, "test/dkim-time"));
    if (!self->signer)
        diag_fatal ("libopendkim: dkim_init failed");
    //  header/body; a lone word means both.
    const char *canon = cfg_str (cfg, "dkim/canonicalization");
    if (!strcmp (canon, "relaxed") || !strcmp (canon, "relaxed/relaxed"))
        self->ctx.body_relaxed = true;
    else if (!strcmp (canon, "relaxed/simple"))
        self->ctx.body_relaxed = false;
    else if (!strncmp (canon, "simple", 6))
        diag_fatal ("dkim/canonicalization: '%s' refused: with simple header canonicalization "
                    "libopendkim 2.11.0 returns a DKIM-Signature folded otherwise than the one "
                    "it signed, and verifiers reject it; use relaxed or relaxed/simple", canon);
    else
        diag_fatal ("dkim/canonicalization: '%s' is not relaxed, relaxed/relaxed or relaxed/simple", canon);
    self->ctx.keys = self->keys;
    self->ctx.lockdown = self->lockdown;
    self->ctx.signer = self->signer;
    return self;
}

void
worker_destroy (worker_t **self_p)
{
    worker_t *self = *self_p;
    if (!self)
        return;
    if (self->sock)
        wire_send_disconnect (self->sock, NULL);
    zsock_destroy (&self->sock);
    model_destroy (&self->model);
    keys_destroy (&self->keys);
    lockdown_destroy (&self->lockdown);
    signer_destroy (&self->signer);
    content_free (&self->content);
    free (self);
    *self_p = NULL;
}

static void
s_job (worker_t *self, wire_msg_t *m)
{
    int64_t start = fileio_now_usec ();
    //  Between jobs: a new model, if one was trained, takes over here.
    model_refresh (self->model);
    keys_refresh (self->keys);
    lockdown_refresh (self->lockdown);
    self->ctx.bayes = model_bayes (self->model);
    self->ctx.params = model_params (self->model);
    self->ctx.content_opts.tok.bigrams = model_bigrams (self->model);
    self->ctx.cparams = model_compromise (self->model);
    task_t *t = task_new (m->qid, (const char *) zframe_data (m->envelope), zframe_size (m->envelope),
                          (const char *) zframe_data (m->state), zframe_size (m->state),
                          (const char *) zframe_data (m->message), zframe_size (m->message));
    task_run (t, &self->ctx);
    if (self->delay_ms)
        zclock_sleep ((int) self->delay_ms);
    uint64_t took = (uint64_t) (fileio_now_usec () - start);
    if (wire_send_verdict (self->sock, m->qid, m->lease, &t->verdict, took) < 0)
        diag_error ("%s: cannot send verdict: %s", m->qid, zmq_strerror (zmq_errno ()));
    diag_debug ("%s: scanned in %lluus: %s", m->qid, (unsigned long long) took,
                verdict_name (t->verdict.code));
    task_destroy (&t);
    self->jobs++;
}

int
worker_run (worker_t *self)
{
    s_connect (self);
    int64_t backoff = self->hb_ms;
    int64_t heard = zclock_mono ();
    int64_t beat_at = zclock_mono () + self->hb_ms;
    while (!zsys_interrupted) {
        //  Retire after max-jobs (Postfix's max_use): libopendkim 2.11.0 leaks
        //  about 500 bytes per Ed25519 signature; a fresh process bounds it.
        //  Jobs still queued to us are leased again when the broker sees our
        //  DISCONNECT (sent by worker_destroy).
        if (self->max_jobs && self->jobs >= (uint64_t) self->max_jobs) {
            diag_info ("served %llu jobs (max-jobs): exiting for a fresh process",
                       (unsigned long long) self->jobs);
            break;
        }
        zmq_pollitem_t item = { zsock_resolve (self->sock), 0, ZMQ_POLLIN, 0 };
        int64_t wait = beat_at - zclock_mono ();
        int rc = zmq_poll (&item, 1, wait > 0 ? (long) wait : 0);
        if (rc < 0)
            break;      //  interrupted
        if (item.revents & ZMQ_POLLIN) {
            zmsg_t *msg = zmsg_recv (self->sock);
            if (!msg)
                break;
            wire_msg_t m;
            wire_msg_init (&m);
            char err[256];
            if (wire_decode (msg, &m, err, sizeof err) < 0)
                diag_warn ("bad message from the broker: %s", err);
            else {
                heard = zclock_mono ();
                backoff = self->hb_ms;
                if (m.cmd == WIRE_JOB)
                    s_job (self, &m);
                else if (m.cmd == WIRE_DISCONNECT) {
                    diag_info ("the broker asked us to reconnect");
                    s_connect (self);
                }
            }
            wire_msg_free (&m);
            zmsg_destroy (&msg);
        }
        int64_t now = zclock_mono ();
        if (now - heard > self->hb_ms * self->liveness) {
            diag_warn ("broker silent for %lld ms; reconnecting in %lld ms", (long long) (now - heard),
                       (long long) backoff);
            zclock_sleep ((int) backoff);
            if (zsys_interrupted)
                break;
            backoff = backoff * 2 < self->backoff_max ? backoff * 2 : self->backoff_max;
            s_connect (self);
            heard = zclock_mono ();
        }
        if (now >= beat_at) {
            wire_send_heartbeat (self->sock, NULL);
            beat_at = now + self->hb_ms;
        }
    }
    diag_info ("worker stopping after %llu job(s)", (unsigned long long) self->jobs);
    return 0;
}
