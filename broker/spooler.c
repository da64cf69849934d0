/*  spooler.c: verdict -> output spool file, group-committed (see spooler.h).
 *  Crash behaviour: an output is named by queue id and renamed into place
 *  before active/ is unlinked, so after a crash recovery finds either no
 *  output (the message is scanned again) or an output (the message is done);
 *  never two outputs, never none.
 *  Threads: the blocking part of a commit (fsyncs, renames, unlinks) runs in
 *  a committer actor while the broker's loop fills the next batch, so the
 *  loop never waits for the disk and each commit takes whatever gathered
 *  during the one before; the callbacks (logs, observer, retries) run back
 *  on the loop's thread in spooler_commit_done. */
#include "spooler.h"
#include "notice.h"
#include "diag.h"
#include "fileio.h"
#include "spoolfile.h"
#include "strbuf.h"
#include "xalloc.h"
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct {
    char qid[QID_SIZE];
    char bounce_of[QID_SIZE];   //  a reject's bounce: the rejected message's qid
    envelope_t *env;
    verdict_code_t code;
    int64_t claimed_usec;
    uint64_t scan_usec;
} s_out_t;

struct spooler_t {
    spool_t *spool;
    batch_t *batch;
    int logfd;
    char *logpath;              //  the verdict log, or NULL
    spooler_failed_fn *failed;
    void *failed_arg;
    spooler_observer_fn *observer;
    void *observer_arg;
    notice_t *notice;           //  bounces of rejects, or NULL
    int64_t oldest_ms;          //  monotonic ms of the first output queued
    int64_t flush_ms, batch_max;    //  spool/flush-ms, spool/batch
    bool timer;                 //  a one-shot timer will commit the batch
    batch_t *flying;            //  being committed by the committer, or NULL
    batch_t *spare;             //  the other batch, empty, while none flies
    zactor_t *committer;
};

//  The committer actor: "COMMIT" + a batch pointer in, a signal out when the
//  batch is durable (statuses set); the loop then finishes it.
static void
s_committer (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_signal (pipe, 0);
    while (true) {
        char *cmd = NULL;
        void *batch = NULL;
        if (zsock_recv (pipe, "sp", &cmd, &batch) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        bool term = !cmd || streq (cmd, "$TERM");
        if (!term && batch) {
            batch_sync (batch);
            zsock_signal (pipe, 0);
        }
        zstr_free (&cmd);
        if (term)
            break;
    }
}

void
spooler_reopen_log (spooler_t *self)
{
    if (!self->logpath)
        return;
    int fd = open (self->logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        diag_error ("verdict log %s: %s; writing on to the one open before", self->logpath,
                    strerror (errno));
        return;
    }
    close (self->logfd);
    self->logfd = fd;
    diag_info ("verdict log %s reopened", self->logpath);
}

void
spooler_set_observer (spooler_t *self, spooler_observer_fn *fn, void *arg)
{
    self->observer = fn;
    self->observer_arg = arg;
}

spooler_t *
spooler_new (spool_t *spool, const char *verdict_log, batch_sync_t sync)
{
    spooler_t *self = xcalloc (1, sizeof *self);
    self->spool = spool;
    self->batch = batch_new ();
    self->spare = batch_new ();
    batch_set_sync (self->batch, sync);
    batch_set_sync (self->spare, sync);
    batch_set_consume (self->batch, spool_fd (spool, SPOOL_ACTIVE));
    batch_set_consume (self->spare, spool_fd (spool, SPOOL_ACTIVE));
    self->committer = zactor_new (s_committer, NULL);
    self->logfd = -1;
    if (verdict_log && *verdict_log) {
        self->logpath = xstrdup (verdict_log);
        self->logfd = open (verdict_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (self->logfd < 0)
            diag_fatal ("verdict log %s: %s", verdict_log, strerror (errno));
    }
    return self;
}

void
spooler_destroy (spooler_t **self_p)
{
    spooler_t *self = *self_p;
    if (!self)
        return;
    if (batch_size (self->batch) || self->flying)
        diag_panic ("spooler destroyed with %zu outputs uncommitted", batch_size (self->batch));
    zactor_destroy (&self->committer);
    batch_destroy (&self->batch);
    batch_destroy (&self->spare);
    if (self->logfd >= 0)
        close (self->logfd);
    free (self->logpath);
    free (self);
    *self_p = NULL;
}

//  What the worker signed ("alg:domain:selector" lines) into env.
static void
s_dkim_list (const verdict_t *v, envelope_t *env)
{
    envelope_clear_dkim (env);
    const char *p = v->dkim.data, *end = p + v->dkim.len;
    while (p < end) {
        const char *nl = memchr (p, '\n', (size_t) (end - p));
        size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
        char *one = xstrndup (p, n);
        envelope_add_dkim (env, one);
        free (one);
        p += n + 1;
    }
}

//  Queue the bounce of qid's reject on the batch, if it is to have one.
static int
s_bounce (spooler_t *self, const char *qid, const envelope_t *env, const verdict_t *v, int in,
          off_t body_off)
{
    strbuf_t dsn;
    strbuf_init (&dsn);
    envelope_t *benv = envelope_new ();
    int rc = 0;
    if (notice_make (self->notice, env, v, in, body_off, &dsn, benv)) {
        s_out_t *out = xcalloc (1, sizeof *out);
        memcpy (out->bounce_of, qid, QID_SIZE);
        rc = spool_write (self->spool, self->batch, SPOOL_OUTGOING, benv, dsn.data, dsn.len, out->qid,
                          out);
        if (rc == 0) {
            out->env = benv;
            benv = NULL;
        }
        else
            free (out);
    }
    envelope_destroy (&benv);
    strbuf_free (&dsn);
    return rc;
}

void
spooler_set_notice (spooler_t *self, notice_t *notice)
{
    self->notice = notice;
}

int
spooler_add (spooler_t *self, const char *qid, envelope_t **env_p, off_t body_off,
             const verdict_t *v, int64_t claimed_usec, uint64_t scan_usec)
{
    envelope_t *env = *env_p;
    int active = spool_fd (self->spool, SPOOL_ACTIVE);
    int tmpdir = spool_fd (self->spool, SPOOL_TMP);
    int64_t body = env->size;
    int in = openat (active, qid, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    //  The output's envelope: the input's, with this scan's verdict.
    envelope_set (&env->verdict, verdict_name (v->code));
    envelope_clear_reasons (env);
    for (const char *r = v->reasons.data; r && *r;) {
        const char *nl = strchr (r, '\n');
        char *one = xstrndup (r, nl ? (size_t) (nl - r) : strlen (r));
        envelope_add_reason (env, one);
        free (one);
        r = nl ? nl + 1 : r + strlen (r);
    }
    env->spam = v->spam;
    env->retry_at = v->code == VERDICT_DEFER ? v->retry_at : 0;
    if (v->code == VERDICT_DEFER && v->reasons.data) {
        //  What deferred it, by the kind of its first reason: "new-account"
        //  of "new-account: ...". Kept on the verdicts after.
        size_t k = strcspn (v->reasons.data, ":\n");
        char kind[64];
        snprintf (kind, sizeof kind, "%.*s", (int) (k < sizeof kind ? k : sizeof kind - 1), v->reasons.data);
        envelope_set (&env->deferred_by, kind);
    }
    env->attempts++;
    bool prepend = v->code == VERDICT_DELIVER && v->headers.len;
    if (prepend)
        s_dkim_list (v, env);
    else
        envelope_clear_dkim (env);
    strbuf_t hdr;
    strbuf_init (&hdr);
    spoolfile_header (env, (size_t) body + (prepend ? v->headers.len : 0), &hdr);
    char tmpname[QID_SIZE + 8];
    snprintf (tmpname, sizeof tmpname, "%s.out", qid);
    int fd = batch_open (self->batch, tmpdir, tmpname);
    if (fd < 0 && errno == EEXIST) {
        //  Left by an attempt whose commit failed: it was never renamed.
        unlinkat (tmpdir, tmpname, 0);
        fd = batch_open (self->batch, tmpdir, tmpname);
    }
    int rc = fd < 0 ? -1 : 0;
    if (!rc)
        rc = fileio_write_all (fd, hdr.data, hdr.len);
    if (!rc && prepend)
        rc = fileio_write_all (fd, v->headers.data, v->headers.len);
    //  The message itself: copied in the kernel, never held in our memory.
    if (!rc)
        rc = fileio_copy (in, body_off, fd, body);
    //  A reject's bounce, renamed into outgoing/ before the reject itself: a
    //  crash between the two scans the message again and bounces it twice,
    //  never not at all.
    if (!rc && v->code == VERDICT_REJECT && self->notice)
        rc = s_bounce (self, qid, env, v, in, body_off);
    int e = errno;
    close (in);
    strbuf_free (&hdr);
    if (rc) {
        if (fd >= 0)
            batch_abort (fd, tmpdir, tmpname);
        env->attempts--;
        errno = e;
        return -1;
    }
    s_out_t *out = xcalloc (1, sizeof *out);
    memcpy (out->qid, qid, QID_SIZE);
    out->env = env;
    *env_p = NULL;
    out->code = v->code;
    out->claimed_usec = claimed_usec;
    out->scan_usec = scan_usec;
    static const spool_dir_t dirs[VERDICT_COUNT] = { SPOOL_OUTGOING, SPOOL_HOLD, SPOOL_REJECT,
                                                     SPOOL_DEFERRED };
    if (batch_size (self->batch) == 0)
        self->oldest_ms = zclock_mono ();
    batch_add (self->batch, fd, tmpdir, tmpname, spool_fd (self->spool, dirs[v->code]), qid,
               v->code == VERDICT_DEFER ? v->retry_at : 0, out);
    return 0;
}

size_t
spooler_pending (spooler_t *self)
{
    return batch_size (self->batch);
}

//  The verdict log: one JSON object a line, after the output is durable.
static void
s_log_json (spooler_t *self, const char *qid, const envelope_t *env, const char *verdict,
            int64_t latency, uint64_t scan_usec)
{
    if (self->logfd < 0)
        return;
    strbuf_t j;
    strbuf_init (&j);
    static const char *dirs[] = { "outgoing", "hold", "reject", "deferred" };
    int code = verdict_parse (verdict);
    strbuf_printf (&j, "{\"qid\":\"%s\",\"latency_us\":%" PRId64 ",\"scan_us\":%" PRIu64
                   ",\"verdict\":\"%s\",\"output\":\"%s/%s\",\"file\":", qid, latency, scan_usec, verdict,
                   code >= 0 && code < VERDICT_COUNT ? dirs[code] : "corrupt", qid);
    strbuf_json_string (&j, env && env->source ? env->source : "");
    strbuf_adds (&j, ",\"account\":");
    strbuf_json_string (&j, env && env->account ? env->account : "");
    envelope_json_tail (env, &j);
    if (fileio_write_all (self->logfd, j.data, j.len) < 0)
        diag_warn ("%s: verdict log: %s", qid, strerror (errno));
    strbuf_free (&j);
}

static void
s_done (void *arg, void *entry_arg, int status)
{
    spooler_t *self = arg;
    s_out_t *out = entry_arg;
    if (*out->bounce_of) {
        if (status)
            diag_error ("%s: its bounce %s was not committed: %s", out->bounce_of, out->qid,
                        strerror (status));
        else
            diag_info ("%s: rejected; bounce %s queued for %s", out->bounce_of, out->qid,
                       out->env && out->env->rcpt_count ? out->env->rcpt[0] : "?");
        envelope_destroy (&out->env);
        free (out);
        return;
    }
    //  EEXIST: an earlier commit of this qid reached its output after all.
    if (status && status != EEXIST) {
        diag_error ("%s: output not committed: %s; will retry", out->qid, strerror (status));
        if (self->failed)
            self->failed (self->failed_arg, out->qid, status);
    }
    else {
        strbuf_t r;
        strbuf_init (&r);
        for (size_t i = 0; i < out->env->reason_count; i++)
            strbuf_printf (&r, "%s%s", i ? "," : "", out->env->reasons[i]);
        int64_t latency = fileio_now_usec () - out->claimed_usec;
        diag_info ("%s: verdict=%s account=%s reasons=%s signed=%zu latency=%.1fms attempts=%u",
                   out->qid, verdict_name (out->code), out->env->account ? out->env->account : "",
                   r.len ? r.data : "-", out->env->dkim_count, latency / 1000.0,
                   out->env->attempts);
        strbuf_free (&r);
        s_log_json (self, out->qid, out->env, verdict_name (out->code), latency, out->scan_usec);
        if (self->observer)
            self->observer (self->observer_arg, verdict_name (out->code), out->env, latency);
    }
    envelope_destroy (&out->env);
    free (out);
}

void
spooler_set_commit (spooler_t *self, int64_t flush_ms, int64_t batch, spooler_failed_fn *failed,
                    void *arg)
{
    self->flush_ms = flush_ms;
    self->batch_max = batch;
    self->failed = failed;
    self->failed_arg = arg;
}

//  Hand the batch to the committer thread; the other batch gathers meanwhile.
static void
s_commit_start (spooler_t *self)
{
    if (self->flying || !batch_size (self->batch))
        return;
    self->flying = self->batch;
    self->batch = self->spare;
    self->spare = NULL;
    if (zsock_send (self->committer, "sp", "COMMIT", self->flying) < 0)
        diag_panic ("committer: %s", zmq_strerror (zmq_errno ()));
}

static int
s_on_timer (zloop_t *loop, int timer_id, void *arg)
{
    spooler_t *self = arg;
    self->timer = false;
    spooler_commit_due (self, loop);
    return 0;
}

void
spooler_commit_due (spooler_t *self, zloop_t *loop)
{
    size_t n = batch_size (self->batch);
    if (!n || self->flying)
        return;
    int64_t wait = self->flush_ms - (zclock_mono () - self->oldest_ms);
    if (wait <= 0 || (int64_t) n >= self->batch_max)
        s_commit_start (self);
    else if (!self->timer && loop) {
        zloop_timer (loop, (size_t) wait, 1, s_on_timer, self);
        self->timer = true;
    }
}

void
spooler_commit_if_full (spooler_t *self)
{
    if ((int64_t) batch_size (self->batch) < self->batch_max)
        return;
    spooler_commit_done (self);
    s_commit_start (self);
}

bool
spooler_committing (spooler_t *self)
{
    return self->flying != NULL;
}

void *
spooler_sock (spooler_t *self)
{
    return zactor_sock (self->committer);
}

void
spooler_commit_done (spooler_t *self)
{
    if (!self->flying)
        return;
    while (zsock_wait (self->committer) < 0)
        if (errno != EINTR)
            diag_panic ("committer: %s", zmq_strerror (zmq_errno ()));
    batch_finish (self->flying, s_done, self);
    self->spare = self->flying;
    self->flying = NULL;
}

size_t
spooler_commit (spooler_t *self)
{
    spooler_commit_done (self);
    return batch_commit (self->batch, s_done, self);
}

int
spooler_corrupt (spooler_t *self, const char *qid, const char *why)
{
    int rc = batch_rename (spool_fd (self->spool, SPOOL_ACTIVE), qid,
                           spool_fd (self->spool, SPOOL_CORRUPT), qid);
    if (rc < 0) {
        diag_error ("%s: unreadable (%s) and cannot be moved to corrupt/: %s", qid, why,
                    strerror (errno));
        return -1;
    }
    batch_sync_dir (spool_fd (self->spool, SPOOL_CORRUPT));
    diag_warn ("%s: moved to corrupt/: %s", qid, why);
    envelope_t *env = envelope_new ();
    envelope_add_reason (env, why);
    s_log_json (self, qid, env, "corrupt", 0, 0);
    if (self->observer)
        self->observer (self->observer_arg, "corrupt", env, 0);
    envelope_destroy (&env);
    return 0;
}
