/*  worker.c: a stateless worker (the zguide's Paranoid Pirate worker, on
 *  today's zsock API), for one broker or several. For each broker it is
 *  given (wire/endpoint, comma-separated) it keeps a link: a DEALER socket
 *  that says READY with its credit (how many jobs it may hold from that
 *  broker), answers each JOB with a VERDICT on the same link, and
 *  heartbeats; when a broker has been silent for liveness beats, that link
 *  alone is dropped and connected again, backing off exponentially up to
 *  reconnect-max-ms. On tcp:// each link is a CURVE client of its broker.
 *  It keeps nothing between jobs but what it loaded at start. */
#include "worker.h"
#include "content.h"
#include "curve.h"
#include "diag.h"
#include "hup.h"
#include "recheck.h"
#include "sandbox.h"
#include "model.h"
#include "fileio.h"
#include "task.h"
#include "wire.h"
#include "xalloc.h"
#include <czmq.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINKS 64

typedef struct {
    char endpoint[256];
    char server_key[4096];
    zsock_t *sock;
    zactor_t *monitor;          //  tcp only: tells of a refused handshake
    bool refusal_told;          //  logged once until the broker is heard again
    int64_t heard, backoff, beat_at, retry_at;  //  retry_at: 0 when connected
} s_link_t;

unsigned recheck_generation;

struct worker_t {
    cfg_t *cfg;
    int hupfd;
    s_link_t links[MAX_LINKS];
    size_t nlinks;
    char name[WIRE_MAX_NAME];
    int64_t hb_ms, liveness, credit, backoff_max, delay_ms, max_jobs;
    task_limits_t limits;
    model_t *model;
    keyd_t *keyd;
    lockdown_t *lockdown;
    signer_t *signer;
    content_t content;
    task_ctx_t ctx;
    uint64_t jobs;
};

static void
s_disconnect (s_link_t *l)
{
    zactor_destroy (&l->monitor);
    zsock_destroy (&l->sock);
}

//  Over tcp a broker that refuses our certificate (or whose key is not the
//  one we were given) says nothing we would receive: libzmq's socket monitor
//  is where the worker learns of it, so that its own log says why it idles.
static void
s_monitor (s_link_t *l)
{
    if (strncmp (l->endpoint, "tcp://", 6))
        return;
    l->monitor = zactor_new (zmonitor, l->sock);
    zstr_sendx (l->monitor, "LISTEN", "HANDSHAKE_FAILED_AUTH", "HANDSHAKE_FAILED_PROTOCOL",
                "HANDSHAKE_FAILED_NO_DETAIL", NULL);
    zstr_sendx (l->monitor, "START", NULL);
    zsock_wait (l->monitor);
}

static void
s_on_monitor (s_link_t *l)
{
    if (!(zsock_events (l->monitor) & ZMQ_POLLIN))
        return;
    zmsg_t *m = zmsg_recv (l->monitor);
    if (!m)
        return;
    char *event = zmsg_popstr (m), *value = zmsg_popstr (m);
    if (event && !l->refusal_told) {
        if (streq (event, "HANDSHAKE_FAILED_AUTH"))
            diag_error ("%s: the broker refused us (CURVE, status %s): is this worker's public "
                        "certificate in the broker's curve/allow folder?", l->endpoint,
                        value ? value : "?");
        else
            diag_error ("%s: handshake with the broker failed (%s): is curve/server-key this "
                        "broker's public certificate, and does it use CURVE?", l->endpoint, event);
        l->refusal_told = true;
    }
    zstr_free (&event);
    zstr_free (&value);
    zmsg_destroy (&m);
}

static void
s_connect (worker_t *self, s_link_t *l)
{
    s_disconnect (l);
    l->sock = zsock_new (ZMQ_DEALER);
    zsock_set_linger (l->sock, 0);
    zsock_set_rcvhwm (l->sock, 0);
    //  Never block on a broker that is not there (or refused us): a verdict
    //  that cannot go is leased again by the broker, a DISCONNECT dropped.
    zsock_set_sndtimeo (l->sock, 100);
    char err[1024];
    if (curve_client (self->cfg, l->sock, l->endpoint, l->server_key, err, sizeof err) < 0)
        diag_fatal ("%s", err);
    s_monitor (l);
    if (zsock_connect (l->sock, "%s", l->endpoint) < 0)
        diag_fatal ("connect %s: %s", l->endpoint, zmq_strerror (zmq_errno ()));
    wire_send_ready (l->sock, (uint32_t) self->credit, self->name, model_version (self->model));
    l->heard = zclock_mono ();
    l->beat_at = l->heard + self->hb_ms;
    l->retry_at = 0;
    diag_info ("connected to %s, credit %lld", l->endpoint, (long long) self->credit);
}

//  wire/endpoint and curve/server-key: comma-separated, in the same order
//  (one key may serve every endpoint).
static void
s_links (worker_t *self, cfg_t *cfg)
{
    char *eps = xstrdup (cfg_str (cfg, "wire/endpoint"));
    char *keys = xstrdup (cfg_str (cfg, "curve/server-key"));
    char *ksave = NULL, *k = strtok_r (keys, ",", &ksave), *first_key = k;
    for (char *save = NULL, *e = strtok_r (eps, ",", &save); e; e = strtok_r (NULL, ",", &save)) {
        if (self->nlinks == MAX_LINKS)
            diag_fatal ("wire/endpoint: more than %d brokers", MAX_LINKS);
        s_link_t *l = &self->links[self->nlinks++];
        if (strlen (e) >= sizeof l->endpoint)
            diag_fatal ("wire/endpoint: '%s' is too long", e);
        snprintf (l->endpoint, sizeof l->endpoint, "%s", e);
        const char *key = k ? k : first_key;
        snprintf (l->server_key, sizeof l->server_key, "%s", key ? key : "");
        if (k)
            k = strtok_r (NULL, ",", &ksave);
        l->backoff = self->hb_ms;
    }
    if (!self->nlinks)
        diag_fatal ("wire/endpoint: no endpoint");
    free (eps);
    free (keys);
}

keyd_t *
worker_keyd_start (cfg_t *cfg)
{
    header_limits_t lim = { (size_t) cfg_int (cfg, "limits/headers"),
                            (size_t) cfg_int (cfg, "limits/header-length"),
                            (size_t) cfg_int (cfg, "limits/line-length") };
    char err[256];
    keyd_t *keyd = keyd_start (cfg_str (cfg, "dkim/keys"), cfg_int (cfg, "dkim/check-ms"),
                               cfg_enum (cfg, "dkim/signer") ? SIGNER_OPENDKIM : SIGNER_OPENSSL,
                               (uint64_t) cfg_int (cfg, "test/dkim-time"), &lim, err, sizeof err);
    if (!keyd)
        diag_fatal ("%s", err);
    return keyd;
}

worker_t *
worker_new (cfg_t *cfg, int hupfd, keyd_t *keyd)
{
    worker_t *self = xcalloc (1, sizeof *self);
    self->cfg = cfg;
    self->hupfd = hupfd;
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
    self->lockdown = lockdown_new (cfg_str (cfg, "dkim/accounts"), check);
    //  dkim/signer: openssl | opendkim.
    self->signer = signer_new ((uint64_t) cfg_int (cfg, "test/dkim-time"),
                               cfg_enum (cfg, "dkim/signer") ? SIGNER_OPENDKIM : SIGNER_OPENSSL);
    if (!self->signer)
        diag_fatal ("libopendkim: dkim_init failed");
    //  header/body, a lone word meaning both: relaxed | relaxed/relaxed |
    //  relaxed/simple, and the simple headers refused.
    int canon = cfg_enum (cfg, "dkim/canonicalization");
    if (canon >= 3)
        diag_fatal ("dkim/canonicalization: '%s' refused: with simple header canonicalization "
                    "libopendkim 2.11.0 returns a DKIM-Signature folded otherwise than the one "
                    "it signed, and verifiers reject it; use relaxed or relaxed/simple",
                    cfg_str (cfg, "dkim/canonicalization"));
    self->ctx.body_relaxed = canon != 2;
    self->ctx.feedback_id = cfg_str (cfg, "feedback/sender-id");
    self->keyd = keyd;
    self->ctx.keyd = keyd;
    signer_set_remote (self->signer, keyd_sign_raw, keyd_sign_message, keyd);
    self->ctx.lockdown = self->lockdown;
    self->ctx.signer = self->signer;
    s_links (self, cfg);
    //  Started: from here on the process that parses the mail can do no
    //  more than it needs (sandbox.h).
    char err[256];
    int in = cfg_bool (cfg, "worker/sandbox") ? sandbox_enter (err, sizeof err) : 1;
    if (in < 0)
        diag_fatal ("%s (worker/sandbox = false runs without it)", err);
    if (in == 0 && cfg_bool (cfg, "test/sandbox-probe"))
        sandbox_probe ();
    return self;
}

void
worker_destroy (worker_t **self_p)
{
    worker_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->nlinks; i++) {
        if (self->links[i].sock)
            wire_send_disconnect (self->links[i].sock, NULL);
        s_disconnect (&self->links[i]);
    }
    model_destroy (&self->model);
    keyd_stop (&self->keyd);
    lockdown_destroy (&self->lockdown);
    signer_destroy (&self->signer);
    content_free (&self->content);
    free (self);
    *self_p = NULL;
}

//  Between jobs: a new model, if one was trained, new keys and a new
//  accounts table take over here (each when its interval has passed, or at
//  once after SIGHUP).
static void
s_refresh (worker_t *self)
{
    model_refresh (self->model);
    lockdown_refresh (self->lockdown);
}

static void
s_job (worker_t *self, s_link_t *l, wire_msg_t *m)
{
    int64_t start = fileio_now_usec ();
    s_refresh (self);
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
    if (wire_send_verdict (l->sock, m->qid, m->lease, &t->verdict, took) < 0)
        diag_error ("%s: cannot send verdict: %s", m->qid, zmq_strerror (zmq_errno ()));
    diag_debug ("%s: scanned in %lluus: %s", m->qid, (unsigned long long) took,
                verdict_name (t->verdict.code));
    task_destroy (&t);
    self->jobs++;
}

//  What came on link l.
static void
s_receive (worker_t *self, s_link_t *l)
{
    zmsg_t *msg = zmsg_recv (l->sock);
    if (!msg)
        return;
    wire_msg_t m;
    wire_msg_init (&m);
    char err[256];
    if (wire_decode (msg, &m, err, sizeof err) < 0)
        diag_warn ("%s: bad message from the broker: %s", l->endpoint, err);
    else {
        l->heard = zclock_mono ();
        l->backoff = self->hb_ms;
        l->refusal_told = false;    //  a later refusal is news again
        if (m.cmd == WIRE_JOB)
            s_job (self, l, &m);
        else if (m.cmd == WIRE_DISCONNECT) {
            diag_info ("%s: the broker asked us to reconnect", l->endpoint);
            s_connect (self, l);
        }
    }
    wire_msg_free (&m);
    zmsg_destroy (&msg);
}

int
worker_run (worker_t *self)
{
    for (size_t i = 0; i < self->nlinks; i++)
        s_connect (self, &self->links[i]);
    zmq_pollitem_t items[MAX_LINKS * 2 + 1];
    while (!zsys_interrupted) {
        //  Retire after max-jobs (Postfix's max_use): libopendkim 2.11.0 leaks
        //  about 500 bytes per Ed25519 signature; a fresh process bounds it.
        //  Jobs still queued to us are leased again when the brokers see our
        //  DISCONNECT (sent by worker_destroy).
        if (self->max_jobs && self->jobs >= (uint64_t) self->max_jobs) {
            diag_info ("served %llu jobs (max-jobs): exiting for a fresh process",
                       (unsigned long long) self->jobs);
            break;
        }
        int64_t now = zclock_mono (), wait = self->hb_ms;
        size_t n = 0;
        s_link_t *polled[MAX_LINKS * 2];
        for (size_t i = 0; i < self->nlinks; i++) {
            s_link_t *l = &self->links[i];
            int64_t next = l->retry_at ? l->retry_at : l->beat_at;
            if (next - now < wait)
                wait = next - now;
            if (!l->retry_at) {
                items[n] = (zmq_pollitem_t) { zsock_resolve (l->sock), 0, ZMQ_POLLIN, 0 };
                polled[n++] = l;
            }
            if (!l->retry_at && l->monitor) {
                items[n] = (zmq_pollitem_t) { zsock_resolve (l->monitor), 0, ZMQ_POLLIN, 0 };
                polled[n++] = l;
            }
        }
        //  SIGHUP last, apart from the links.
        size_t nhup = self->hupfd >= 0;
        if (nhup)
            items[n] = (zmq_pollitem_t) { NULL, self->hupfd, ZMQ_POLLIN, 0 };
        if (zmq_poll (items, (int) (n + nhup), wait > 0 ? (long) wait : 0) < 0) {
            if (errno == EINTR && !zsys_interrupted)
                continue;
            break;      //  interrupted
        }
        int sig = nhup && (items[n].revents & ZMQ_POLLIN) ? hup_take (self->hupfd) : 0;
        if (sig & HUP_STOP)
            break;      //  SIGTERM, SIGINT: stop cleanly
        if (sig & HUP_RELOAD) {
            diag_info ("SIGHUP: rereading the model, its thresholds, the keys and the accounts table");
            recheck_all ();
            keyd_reload (self->keyd);
            s_refresh (self);
        }
        for (size_t i = 0; i < n; i++) {
            if (!(items[i].revents & ZMQ_POLLIN))
                continue;
            //  A link handled earlier in this round may have been connected
            //  anew: its old sockets are gone, so match the current ones.
            s_link_t *l = polled[i];
            if (l->monitor && items[i].socket == zsock_resolve (l->monitor))
                s_on_monitor (l);
            else if (l->sock && items[i].socket == zsock_resolve (l->sock))
                s_receive (self, l);
        }
        now = zclock_mono ();
        for (size_t i = 0; i < self->nlinks; i++) {
            s_link_t *l = &self->links[i];
            if (l->retry_at) {
                //  Back-off over: try this broker again.
                if (now >= l->retry_at && !zsys_interrupted)
                    s_connect (self, l);
                continue;
            }
            if (now - l->heard > self->hb_ms * self->liveness) {
                diag_warn ("%s: broker silent for %lld ms; reconnecting in %lld ms", l->endpoint,
                           (long long) (now - l->heard), (long long) l->backoff);
                //  This link waits; the others go on working meanwhile.
                s_disconnect (l);
                l->retry_at = now + l->backoff;
                l->backoff = l->backoff * 2 < self->backoff_max ? l->backoff * 2 : self->backoff_max;
                continue;
            }
            if (now >= l->beat_at) {
                wire_send_heartbeat (l->sock, NULL, model_version (self->model));
                l->beat_at = now + self->hb_ms;
            }
        }
    }
    diag_info ("worker stopping after %llu job(s)", (unsigned long long) self->jobs);
    return 0;
}
