/*  relay.c: farm-relay, the delivery relay. Hands every message in the
 *  farm's outgoing/ to a smarthost over SMTP (normally the MTA's re-injection
 *  listener), and then removes it. A temporary failure (4xx, no connection)
 *  leaves the message where it is with its next attempt as the file's mtime,
 *  keeping only the recipients still to do; a permanent one (5xx), or a
 *  message still refused after relay/max-queue-s, sends a bounce (RFC 3464
 *  DSN) to the message's envelope sender, itself queued in outgoing/.
 *
 *  Never lost: the bounce is durable in outgoing/ before the original is
 *  changed or removed, and a message is removed only after the smarthost
 *  said 250 to its DATA. A crash in between sends a message or a bounce
 *  twice, never none. A refused bounce (null sender) is kept in reject/.
 *
 *  Never sent twice while the relay runs: when it cannot record what an
 *  attempt did (the bounce, the rewrite with the recipients left, the
 *  removal: a full disk), it keeps the outcome in memory and does not send
 *  that message again; each pass tries to record it, until it can.
 *
 *  farm-relay [--spool DIR] [--smarthost HOST:PORT] [--once] ... (--help) */
#include "batch.h"
#include "cfg.h"
#include "diag.h"
#include "dsn.h"
#include "envelope.h"
#include "fileio.h"
#include "host.h"
#include "hup.h"
#include "qid.h"
#include "smtp.h"
#include "spool.h"
#include "spoolfile.h"
#include "strbuf.h"
#include "xalloc.h"
#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *s_usage =
    "usage: farm-relay [--config FILE] [--spool DIR] [--smarthost HOST:PORT] [--once] [flags]\n\n"
    "Hands every message in the spool's outgoing/ to the smarthost over SMTP and removes it;\n"
    "retries on temporary failures, bounces (RFC 3464) to the sender on permanent ones.\n"
    "--once: one pass over the messages that are due, then exit (0 when none is left to\n"
    "retry, 75 when some wait for a later attempt).";

static volatile sig_atomic_t s_stop;

static void
s_on_signal (int sig)
{
    (void) sig;
    s_stop = 1;
}

typedef struct {
    cfg_t *cfg;
    spool_t *spool;
    //  The relay's threads, one a connection to the smarthost, share what
    //  follows; each holds the lock but while it talks to the smarthost.
    pthread_mutex_t lock;
    smtp_t **conns;             //  one a thread, kept while passes find mail
    size_t nconns;
    char **names;               //  the pass's messages, and the next to take
    size_t nnames, next;
    int64_t now;
    int64_t last_relayed_ms;    //  when a pass last relayed a message
    int timeout_s;
    char helo[256];
    const char *smarthost;
    bool down;                  //  the smarthost could not be reached this pass
    smtp_reply_t down_reply;
    int64_t max_size;
    size_t relayed, deferred, bounced, waiting, kept;
    int64_t started, last_up;   //  unix seconds: start, last pass that reached the smarthost
    bool reached;               //  this pass talked to the smarthost
    bool up;                    //  the last connection attempt succeeded
    zhashx_t *unrecorded;       //  name -> s_unrecorded_t: outcomes not yet on disk
    diag_every_t said_unrecorded, said_feedback;
    strbuf_t feedback;          //  outcome lines not written to feedback/ yet
} relay_t;

//  What became of each recipient of one attempt.
typedef enum { FATE_SENT, FATE_LATER, FATE_REFUSED } rcpt_fate_t;

typedef struct {
    rcpt_fate_t fate;
    int code;                   //  the smarthost's reply to it (0: none, the relay's own fate)
    char status[16];
    char diag[512];
} rcpt_result_t;

//  An attempt whose outcome could not be written: the message is not sent
//  again until it is.
typedef struct {
    size_t rcpt_count;
    rcpt_result_t *res;
    bool bounced;               //  its bounce (or reject/ copy) is durable already
} s_unrecorded_t;

static void
s_unrecorded_free (void **item)
{
    s_unrecorded_t *u = *item;
    if (u) {
        free (u->res);
        free (u);
    }
    *item = NULL;
}

static void
s_result (rcpt_result_t *res, rcpt_fate_t fate, const smtp_reply_t *r)
{
    res->fate = fate;
    res->code = r->code;
    dsn_status (r->code, r->status, res->status, sizeof res->status);
    snprintf (res->diag, sizeof res->diag, "%s", r->text);
}

//  The next attempt's wait: grows with the message's age, between the bounds.
static int64_t
s_backoff (relay_t *self, const envelope_t *env, int64_t now)
{
    int64_t lo = cfg_int (self->cfg, "relay/retry-s"), hi = cfg_int (self->cfg, "relay/retry-max-s");
    int64_t age = env->received_at != ENVELOPE_NO_TIME ? now - env->received_at : 0;
    int64_t wait = age / 2;
    return wait < lo ? lo : wait > hi ? hi : wait;
}

//  An address as SMTP wants it: "<a@b>" ("<>" for the null sender), whether
//  the envelope kept the brackets or not.
static const char *
s_path (const char *addr, char *buf, size_t size)
{
    if (!addr || !*addr)
        return "<>";
    //  One address and nothing else: the envelope's reader refused any
    //  with white space or brackets (envelope_path_ok), so no ESMTP
    //  parameter rides along.
    snprintf (buf, size, "<%s>", addr);
    return buf;
}

//  MAIL FROM for env, with RET= and ENVID= when the server takes DSN.
static void
s_mail_line (const envelope_t *env, bool dsn, char *line, size_t size)
{
    char path[1024];
    int n = snprintf (line, size, "MAIL FROM:%s", s_path (env->mail_from, path, sizeof path));
    if (dsn && env->dsn_ret && n > 0 && (size_t) n < size)
        n += snprintf (line + n, size - (size_t) n, " RET=%s", env->dsn_ret);
    if (dsn && env->dsn_envid && n > 0 && (size_t) n < size)
        snprintf (line + n, size - (size_t) n, " ENVID=%s", env->dsn_envid);
}

static void
s_rcpt_line (const envelope_t *env, size_t i, bool dsn, char *line, size_t size)
{
    char path[1024];
    //  The envelope's reader took only NOTIFY= and ORCPT= of printable
    //  ASCII (envelope_rcpt_dsn_ok): nothing else rides along.
    snprintf (line, size, "RCPT TO:%s%s%s", s_path (env->rcpt[i], path, sizeof path),
              dsn && env->rcpt_dsn[i] ? " " : "", dsn && env->rcpt_dsn[i] ? env->rcpt_dsn[i] : "");
}

//  The transaction one command at a time. True when the connection broke.
static bool
s_transaction_serial (smtp_t *smtp, const envelope_t *env, const char *msg, size_t len,
                      rcpt_result_t *res, bool dsn)
{
    smtp_reply_t r;
    bool broken = false;
    char line[2048];
    s_mail_line (env, dsn, line, sizeof line);
    int code = smtp_command (smtp, &r, "%s", line);
    if (code != 250) {
        for (size_t i = 0; i < env->rcpt_count; i++)
            s_result (&res[i], code >= 500 ? FATE_REFUSED : FATE_LATER, &r);
        return code < 0;
    }
    size_t accepted = 0;
    for (size_t i = 0; i < env->rcpt_count; i++) {
        s_rcpt_line (env, i, dsn, line, sizeof line);
        code = broken ? -1 : smtp_command (smtp, &r, "%s", line);
        if (code == 250 || code == 251) {
            res[i].fate = FATE_SENT;
            res[i].code = code;
            accepted++;
        }
        else {
            broken = broken || code < 0;
            s_result (&res[i], code >= 500 ? FATE_REFUSED : FATE_LATER, &r);
        }
    }
    if (accepted && !broken) {
        code = smtp_data (smtp, msg, len, &r);
        if (code != 250)
            for (size_t i = 0; i < env->rcpt_count; i++)
                if (res[i].fate == FATE_SENT)
                    s_result (&res[i], code >= 500 ? FATE_REFUSED : FATE_LATER, &r);
        broken = code < 0;
    }
    else if (!broken && smtp_command (smtp, &r, "RSET") != 250)
        broken = true;
    if (broken)
        for (size_t i = 0; i < env->rcpt_count; i++)
            if (res[i].fate == FATE_SENT && code != 250) {
                s_result (&res[i], FATE_LATER, &r);
                res[i].code = 0;    //  the connection broke: not the receiver's word
            }
    return broken;
}

//  Recipients a pipelined group carries at most: their replies fit in the
//  socket's buffers, so that neither side waits on the other's writing.
#define PIPELINE_GROUP 100

//  The transaction pipelined (RFC 2920): MAIL, the RCPTs and DATA in groups
//  of PIPELINE_GROUP, each group's replies read after it is sent. True when
//  the connection broke.
static bool
s_transaction_pipelined (smtp_t *smtp, const envelope_t *env, const char *msg, size_t len,
                         rcpt_result_t *res, bool dsn)
{
    size_t n = env->rcpt_count;
    char (*lines)[2048] = xmalloc ((PIPELINE_GROUP + 2) * sizeof *lines);
    const char **ptrs = xcalloc (PIPELINE_GROUP + 2, sizeof *ptrs);
    smtp_reply_t *rep = xcalloc (PIPELINE_GROUP + 2, sizeof *rep);
    smtp_reply_t mail_r = { 0 }, data_r = { 0 };
    bool broken = false, mail_ok = false;
    size_t accepted = 0;
    for (size_t start = 0; start < n && !broken; start += PIPELINE_GROUP) {
        size_t k = 0, count = n - start < PIPELINE_GROUP ? n - start : PIPELINE_GROUP;
        bool first = start == 0, last = start + count == n;
        if (first)
            s_mail_line (env, dsn, lines[k++], sizeof lines[0]);
        for (size_t i = 0; i < count; i++)
            s_rcpt_line (env, start + i, dsn, lines[k++], sizeof lines[0]);
        if (last)
            snprintf (lines[k++], sizeof lines[0], "DATA");
        for (size_t i = 0; i < k; i++)
            ptrs[i] = lines[i];
        broken = smtp_pipeline (smtp, ptrs, k, rep) < 0;
        size_t at = 0;
        if (first) {
            mail_r = rep[at++];
            mail_ok = mail_r.code == 250;
        }
        for (size_t i = 0; i < count; i++, at++) {
            rcpt_result_t *x = &res[start + i];
            if (!mail_ok)
                s_result (x, mail_r.code >= 500 ? FATE_REFUSED : FATE_LATER, &mail_r);
            else if (rep[at].code == 250 || rep[at].code == 251) {
                x->fate = FATE_SENT;
                x->code = rep[at].code;
                accepted++;
            }
            else
                s_result (x, rep[at].code >= 500 ? FATE_REFUSED : FATE_LATER, &rep[at]);
        }
        if (last)
            data_r = rep[at];
    }
    if (!broken && data_r.code == 354 && (!accepted || !mail_ok)) {
        //  A server that says 354 with nobody taken (RFC 2920 wants 554):
        //  whatever would end the data could deliver an empty message, so
        //  the connection is dropped instead, and the data with it.
        broken = true;
        data_r.code = 0;
    }
    else if (!broken && data_r.code == 354) {
        smtp_reply_t r;
        if (smtp_data_body (smtp, msg, len, &r) < 0)
            broken = true;
        data_r = r;
    }
    //  Else DATA was refused: data_r says why, for every recipient taken.
    int final = data_r.code;
    for (size_t i = 0; i < n; i++)
        if (res[i].fate == FATE_SENT && final != 250) {
            if (broken || final == 0) {
                s_result (&res[i], FATE_LATER, &data_r);
                res[i].code = 0;    //  the connection broke: not the receiver's word
            }
            else
                s_result (&res[i], final >= 500 ? FATE_REFUSED : FATE_LATER, &data_r);
        }
    smtp_reply_t r;
    if (!broken && final != 250 && smtp_command (smtp, &r, "RSET") != 250)
        broken = true;
    free (lines);
    free (ptrs);
    free (rep);
    return broken;
}

//  One attempt at the smarthost for every recipient of env over *conn (the
//  calling thread's connection, opened here when there is none); fills res.
//  Called without the relay's lock.
static void
s_attempt (relay_t *self, smtp_t **conn, const envelope_t *env, const char *msg, size_t len,
           rcpt_result_t *res)
{
    smtp_reply_t r;
    pthread_mutex_lock (&self->lock);
    bool down = self->down;
    pthread_mutex_unlock (&self->lock);
    if (!*conn && !down) {
        *conn = smtp_connect (self->smarthost, self->helo, self->timeout_s, &r);
        pthread_mutex_lock (&self->lock);
        self->up = *conn != NULL;
        if (*conn)
            self->reached = true;
        else if (!self->down) {
            self->down = true;
            self->down_reply = r;
            diag_warn ("smarthost %s: %s; mail waits", self->smarthost, r.text);
        }
        pthread_mutex_unlock (&self->lock);
    }
    if (!*conn) {
        //  Unreachable, or it refused us at the greeting: temporary unless it
        //  said 5xx there, which is a fault of the setup, not of the mail.
        pthread_mutex_lock (&self->lock);
        smtp_reply_t t = self->down_reply;
        pthread_mutex_unlock (&self->lock);
        if (t.code >= 500)
            t.code = 421;
        for (size_t i = 0; i < env->rcpt_count; i++) {
            s_result (&res[i], FATE_LATER, &t);
            res[i].code = 0;    //  nothing the smarthost said of this mail
        }
        return;
    }
    unsigned ext = smtp_extensions (*conn);
    bool dsn = (ext & SMTP_EXT_DSN) != 0;
    bool broken = ext & SMTP_EXT_PIPELINING
                ? s_transaction_pipelined (*conn, env, msg, len, res, dsn)
                : s_transaction_serial (*conn, env, msg, len, res, dsn);
    if (broken)
        smtp_destroy (conn);
}

//  The bounce for the recipients of res with fate FATE_REFUSED into outgoing/.
static int
s_bounce (relay_t *self, const envelope_t *env, const char *msg, size_t len,
          const rcpt_result_t *res)
{
    dsn_rcpt_t *list = xcalloc (env->rcpt_count, sizeof *list);
    size_t n = 0;
    for (size_t i = 0; i < env->rcpt_count; i++) {
        if (res[i].fate != FATE_REFUSED)
            continue;
        if (!envelope_rcpt_wants_failure (env, i)) {
            diag_info ("%s: %s refused for good; no bounce (%s)", env->qid ? env->qid : "?",
                       env->rcpt[i], env->rcpt_dsn[i]);
            continue;
        }
        list[n++] = (dsn_rcpt_t) { env->rcpt[i], res[i].status, res[i].diag };
    }
    if (n == 0) {
        free (list);
        return 0;
    }
    strbuf_t dsn;
    strbuf_init (&dsn);
    int64_t now = (int64_t) time (NULL);
    dsn_format (&dsn, env, msg, len, list, n, self->helo, self->down ? "" : self->smarthost, "", now);
    free (list);
    envelope_t *b = envelope_new ();
    envelope_set (&b->account, env->account ? env->account : "");
    envelope_set (&b->mail_from, "");
    envelope_add_rcpt (b, env->mail_from);
    envelope_set (&b->verdict, "deliver");
    envelope_add_reason (b, "dsn: a bounce made by farm-relay");
    b->received_at = now;
    char qid[QID_SIZE];
    int rc = spool_enter (self->spool, SPOOL_OUTGOING, b, dsn.data, dsn.len, qid);
    if (rc == 0)
        diag_info ("%s: bounce %s to %s for %zu recipient(s)", env->qid ? env->qid : "?", qid,
                   env->mail_from, n);
    envelope_destroy (&b);
    strbuf_free (&dsn);
    return rc;
}

//  Replace outgoing/name by the same message for the recipients still to do,
//  due at next. 0 or -1 with errno.
static int
s_keep (relay_t *self, const char *name, envelope_t *env, const char *msg, size_t len,
        const rcpt_result_t *res, int64_t next)
{
    int dir = spool_fd (self->spool, SPOOL_OUTGOING);
    size_t left = 0;
    for (size_t i = 0; i < env->rcpt_count; i++)
        left += res[i].fate == FATE_LATER;
    if (left < env->rcpt_count) {
        //  Some are done: write the rest under the same name (tmp + rename
        //  over it), so that the done ones are never sent again.
        char **all = env->rcpt, **rest = xcalloc (left, sizeof *rest);
        char **all_dsn = env->rcpt_dsn, **rest_dsn = xcalloc (left, sizeof *rest_dsn);
        size_t count = env->rcpt_count, k = 0;
        for (size_t i = 0; i < count; i++)
            if (res[i].fate == FATE_LATER) {
                rest_dsn[k] = all_dsn[i];
                rest[k++] = all[i];
            }
        env->rcpt = rest;
        env->rcpt_dsn = rest_dsn;
        env->rcpt_count = left;
        strbuf_t out;
        strbuf_init (&out);
        spoolfile_header (env, len, &out);
        strbuf_add (&out, msg, len);
        env->rcpt = all;
        env->rcpt_dsn = all_dsn;
        env->rcpt_count = count;
        free (rest);
        free (rest_dsn);
        char tmpname[QID_SIZE + 8];
        snprintf (tmpname, sizeof tmpname, "%s.relay", name);
        int tmp = spool_fd (self->spool, SPOOL_TMP);
        //  Never through a name planted in tmp/: a fresh file or nothing.
        unlinkat (tmp, tmpname, 0);
        int fd = openat (tmp, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
        int rc = fd < 0 ? -1 : 0;
        if (rc == 0 && (write (fd, out.data, out.len) != (ssize_t) out.len || fsync (fd) < 0))
            rc = -1;
        int saved = errno;
        if (fd >= 0)
            close (fd);
        strbuf_free (&out);
        if (rc == 0 && renameat (tmp, tmpname, dir, name) < 0)
            rc = -1, saved = errno;
        if (rc < 0) {
            unlinkat (tmp, tmpname, 0);
            errno = saved;
            return -1;
        }
    }
    struct timespec ts[2] = { { .tv_sec = (time_t) next }, { .tv_sec = (time_t) next } };
    if (utimensat (dir, name, ts, 0) < 0)
        return -1;
    return batch_sync_dir (dir);
}
//  outgoing/name read whole and parsed: its bytes (the caller frees them),
//  with the envelope in env and the message at *body, *size bytes in all.
//  NULL when it is gone, or not a message the relay can send (then moved to
//  corrupt/ with a log line).
static char *
s_read_outgoing (relay_t *self, const char *name, envelope_t *env, size_t *body, size_t *size)
{
    int dir = spool_fd (self->spool, SPOOL_OUTGOING);
    const char *what = NULL;
    int fd = fileio_open_regular (dir, name, &what);
    if (fd == -1) {
        if (errno != ENOENT)
            diag_error ("%s: cannot open: %s", name, strerror (errno));
        return NULL;
    }
    struct stat st = { 0 };
    char *data = NULL;
    ssize_t got = -1;
    if (fd >= 0 && fstat (fd, &st) == 0 && st.st_size <= self->max_size + SPOOLFILE_MAX_HEADER) {
        data = xmalloc ((size_t) st.st_size + 1);
        got = fileio_pread_all (fd, data, (size_t) st.st_size, 0);
    }
    if (fd >= 0)
        close (fd);
    char err[256] = "";
    if (fd == FILEIO_NOT_REGULAR)
        snprintf (err, sizeof err, "not a regular file: %s", what);
    else if (got != (ssize_t) st.st_size)
        snprintf (err, sizeof err, "%s", data ? "cannot be read whole" : "larger than limits/message-size");
    else if (spoolfile_parse (data, (size_t) got, env, body, err, sizeof err) != 0)
        ;   //  err says why
    else if (env->rcpt_count == 0)
        snprintf (err, sizeof err, "no recipients");
    if (*err) {
        diag_error ("%s: not a message the relay can send (%s); moved to corrupt/", name, err);
        if (batch_rename (dir, name, spool_fd (self->spool, SPOOL_CORRUPT), name) == 0)
            batch_sync_dir (spool_fd (self->spool, SPOOL_CORRUPT));
        else
            diag_error ("%s: cannot move it to corrupt/: %s", name, strerror (errno));
        free (data);
        return NULL;
    }
    *size = (size_t) got;
    return data;
}


//  Keep what the attempt did in memory: its outcome could not be written.
static void
s_unrecorded (relay_t *self, const char *name, const envelope_t *env, const rcpt_result_t *res,
              bool bounced, const char *what)
{
    s_unrecorded_t *u = xcalloc (1, sizeof *u);
    u->rcpt_count = env->rcpt_count;
    u->res = xmalloc (env->rcpt_count * sizeof *u->res);
    memcpy (u->res, res, env->rcpt_count * sizeof *u->res);
    u->bounced = bounced;
    zhashx_update (self->unrecorded, name, u);
    unsigned long held;
    if (diag_every (&self->said_unrecorded, 1000, &held))
        diag_error ("%s: cannot record %s: %s; not sent again until it is (%lu more such "
                    "failures not logged)", name, what, strerror (errno), held);
}

//  What the smarthost said of each recipient, for the broker's account of
//  the sender (SPOOL/feedback/, broker/outcomes.h): one line a recipient
//  it answered, gathered in self->feedback and written as one file a pass
//  (or each FEEDBACK_FILE bytes): .NAME, then renamed. Advisory: when it
//  cannot be written the mail still goes, said once a minute.
#define FEEDBACK_FILE (256 * 1024)

static void
s_feedback_flush (relay_t *self)
{
    int dir = spool_fd (self->spool, SPOOL_FEEDBACK);
    if (dir < 0 || !self->feedback.len) {
        strbuf_reset (&self->feedback);
        return;
    }
    char name[64], tmp[72];
    snprintf (name, sizeof name, "relay.%" PRId64 ".%d", fileio_now_usec (), (int) getpid ());
    snprintf (tmp, sizeof tmp, ".%s", name);
    int fd = openat (dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    int rc = fd < 0 ? -1 : fileio_write_all (fd, self->feedback.data, self->feedback.len);
    if (fd >= 0 && close (fd) < 0)
        rc = -1;
    if (rc == 0)
        rc = renameat (dir, tmp, dir, name);
    if (rc < 0) {
        unsigned long held;
        if (diag_every (&self->said_feedback, 60000, &held))
            diag_warn ("feedback/: outcomes not written: %s (%lu more not said)", strerror (errno), held);
        unlinkat (dir, tmp, 0);
    }
    strbuf_reset (&self->feedback);
}

static void
s_feedback (relay_t *self, const envelope_t *env, const rcpt_result_t *res)
{
    if (!env->qid)
        return;
    for (size_t i = 0; i < env->rcpt_count; i++) {
        if (!res[i].code)
            continue;
        //  Tabs and line ends of the reply's text would break the line.
        char text[512];
        size_t n = 0;
        for (const char *p = res[i].fate == FATE_SENT ? "ok" : res[i].diag; *p && n + 1 < sizeof text; p++)
            text[n++] = *p == '\t' || *p == '\r' || *p == '\n' ? ' ' : *p;
        text[n] = 0;
        strbuf_printf (&self->feedback, "%s\t%s\t%d\t%s\t%s\n", env->qid, env->rcpt[i], res[i].code,
                       res[i].fate == FATE_SENT || !*res[i].status ? "-" : res[i].status, text);
    }
    if (self->feedback.len >= FEEDBACK_FILE)
        s_feedback_flush (self);
}

//  One message of the pass, with the lock held (let go while it is sent).
static void
s_deliver (relay_t *self, smtp_t **conn, const char *name, int64_t now)
{
    int dir = spool_fd (self->spool, SPOOL_OUTGOING);
    envelope_t *env = envelope_new ();
    size_t body = 0, got = 0;
    char *data = s_read_outgoing (self, name, env, &body, &got);
    if (!data) {
        envelope_destroy (&env);
        zhashx_delete (self->unrecorded, name);
        return;
    }
    if (!env->qid)
        envelope_set (&env->qid, name);
    const char *msg = data + body;
    size_t len = got - body;
    rcpt_result_t *res = xcalloc (env->rcpt_count, sizeof *res);
    //  An attempt already made whose outcome is not on disk yet: record it,
    //  do not send again.
    s_unrecorded_t *u = zhashx_lookup (self->unrecorded, name);
    bool bounced = false, retrying = u && u->rcpt_count == env->rcpt_count;
    if (retrying) {
        memcpy (res, u->res, env->rcpt_count * sizeof *res);
        bounced = u->bounced;
    }
    else {
        //  Claimed: no other thread takes this name in this pass.
        pthread_mutex_unlock (&self->lock);
        s_attempt (self, conn, env, msg, len, res);
        pthread_mutex_lock (&self->lock);
        s_feedback (self, env, res);
    }

    size_t ok = 0, temp = 0, perm = 0;
    bool expired = env->received_at != ENVELOPE_NO_TIME &&
                   now - env->received_at > cfg_int (self->cfg, "relay/max-queue-s");
    for (size_t i = 0; i < env->rcpt_count; i++) {
        if (res[i].fate == FATE_LATER && expired) {
            res[i].fate = FATE_REFUSED;
            char d[512];
            snprintf (d, sizeof d, "still refused after %" PRId64 " s in the queue; last: %s",
                      now - env->received_at, res[i].diag);
            snprintf (res[i].diag, sizeof res[i].diag, "%s", d);
        }
        ok += res[i].fate == FATE_SENT;
        temp += res[i].fate == FATE_LATER;
        perm += res[i].fate == FATE_REFUSED;
        if (res[i].fate != FATE_SENT && !retrying)
            diag_info ("%s: %s %s: %s", name, env->rcpt[i],
                       res[i].fate == FATE_REFUSED ? "refused for good" : "refused for now", res[i].diag);
    }
    if (ok && !retrying)
        diag_info ("%s: relayed to %s for %zu recipient(s)", name, self->smarthost, ok);

    bool null_sender = !env->mail_from || !*env->mail_from || !strcmp (env->mail_from, "<>");
    if (perm && !bounced && null_sender) {
        //  A bounce is never bounced: a copy stays in reject/ for the operator.
        char qid[QID_SIZE];
        envelope_add_reason (env, "relay: refused for good, and a bounce is never bounced");
        if (spool_enter (self->spool, SPOOL_REJECT, env, msg, len, qid) < 0) {
            s_unrecorded (self, name, env, res, false, "the refused bounce in reject/");
            goto out;
        }
        diag_warn ("%s: a bounce refused for good; kept in reject/ as %s", name, qid);
        self->kept++;
    }
    else if (perm && !bounced && s_bounce (self, env, msg, len, res) < 0) {
        s_unrecorded (self, name, env, res, false, "its bounce");
        goto out;
    }
    if (perm && !bounced)
        self->bounced++;
    bounced = bounced || perm;
    if (temp) {
        int64_t next = now + s_backoff (self, env, now);
        if (s_keep (self, name, env, msg, len, res, next) < 0) {
            s_unrecorded (self, name, env, res, bounced, "the recipients left and the next attempt");
            goto out;
        }
        diag_info ("%s: %zu recipient(s) wait; next attempt in %" PRId64 " s", name, temp, next - now);
        self->deferred++;
        self->waiting++;
    }
    else {
        if (unlinkat (dir, name, 0) < 0 && errno != ENOENT) {
            s_unrecorded (self, name, env, res, bounced, "that it was sent (by removing it)");
            goto out;
        }
        self->relayed += ok > 0;
    }
    if (retrying)
        diag_info ("%s: the outcome of its last attempt recorded at last", name);
    zhashx_delete (self->unrecorded, name);
out:
    free (res);
    free (data);
    envelope_destroy (&env);
}

//  The Prometheus textfile: what the relay did since it started, and now.
static void
s_metrics (relay_t *self, size_t due)
{
    const char *file = cfg_str (self->cfg, "relay/metrics-file");
    if (!*file)
        return;
    strbuf_t o;
    strbuf_init (&o);
    strbuf_printf (&o, "# HELP farm_relay_messages_total Messages by what became of them at the smarthost.\n"
                   "# TYPE farm_relay_messages_total counter\n"
                   "farm_relay_messages_total{outcome=\"relayed\"} %zu\n"
                   "farm_relay_messages_total{outcome=\"deferred\"} %zu\n"
                   "farm_relay_messages_total{outcome=\"bounced\"} %zu\n"
                   "farm_relay_messages_total{outcome=\"bounce_kept_in_reject\"} %zu\n",
                   self->relayed, self->deferred, self->bounced, self->kept);
    strbuf_printf (&o, "# HELP farm_relay_queue Messages in outgoing/: due at the last pass, or waiting for a later attempt.\n"
                   "# TYPE farm_relay_queue gauge\nfarm_relay_queue{state=\"due\"} %zu\n"
                   "farm_relay_queue{state=\"waiting\"} %zu\n", due, self->waiting);
    strbuf_printf (&o, "# HELP farm_relay_smarthost_up Whether the last connection to the smarthost succeeded (1 before any).\n"
                   "# TYPE farm_relay_smarthost_up gauge\nfarm_relay_smarthost_up %d\n"
                   "# HELP farm_relay_smarthost_last_reached_seconds When the smarthost last answered (unix time, 0: never).\n"
                   "# TYPE farm_relay_smarthost_last_reached_seconds gauge\n"
                   "farm_relay_smarthost_last_reached_seconds %" PRId64 "\n"
                   "# HELP farm_relay_up_seconds Since the relay started.\n# TYPE farm_relay_up_seconds gauge\n"
                   "farm_relay_up_seconds %" PRId64 "\n",
                   self->up, self->last_up, (int64_t) time (NULL) - self->started);
    size_t open = 0;
    for (size_t i = 0; i < self->nconns; i++)
        open += self->conns[i] != NULL;
    strbuf_printf (&o, "# HELP farm_relay_connections Connections to the smarthost kept open, and the most allowed (relay/connections).\n"
                   "# TYPE farm_relay_connections gauge\nfarm_relay_connections{state=\"open\"} %zu\n"
                   "farm_relay_connections{state=\"max\"} %zu\n", open, self->nconns);
    if (fileio_replace (file, o.data, o.len, 0644) < 0) {
        static int64_t warned;
        if (time (NULL) - warned > 60) {
            diag_warn ("metrics file %s: %s", file, strerror (errno));
            warned = time (NULL);
        }
    }
    strbuf_free (&o);
}

static int
s_name_cmp (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static relay_t *s_relay;    //  for the threads of a pass

//  Take the pass's messages one by one over the connection conn.
static void
s_work (relay_t *self, smtp_t **conn)
{
    pthread_mutex_lock (&self->lock);
    while (self->next < self->nnames && !s_stop) {
        const char *name = self->names[self->next++];
        s_deliver (self, conn, name, self->now);
    }
    pthread_mutex_unlock (&self->lock);
}

static void *
s_thread (void *arg)
{
    s_work (s_relay, arg);
    return NULL;
}

//  One pass over outgoing/: every message that is due, oldest queue id
//  first, spread over relay/connections connections. How many were relayed.
static size_t
s_pass (relay_t *self)
{
    int dir = spool_fd (self->spool, SPOOL_OUTGOING);
    dirwalk_t *w = dirwalk_new (dir);
    if (!w) {
        diag_error ("outgoing/: %s", strerror (errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int64_t now = (int64_t) time (NULL);
    self->waiting = 0;
    //  An output whose active/ twin is still there is being committed by
    //  the broker: sent now and the broker killed before it removes the
    //  twin, recovery would scan it again and it would go twice. The
    //  fsync first makes every removal seen here durable (a twin back
    //  after a power cut would do the same).
    int active = spool_fd (self->spool, SPOOL_ACTIVE);
    batch_sync_dir (active);
    for (const char *name; (name = dirwalk_next (w));) {
        if (!qid_valid (name))
            continue;
        struct stat st, twin;
        if (fstatat (active, name, &twin, AT_SYMLINK_NOFOLLOW) == 0)
            continue;       //  the next pass takes it
        if (fstatat (dir, name, &st, 0) < 0)
            continue;
        if (st.st_mtime > now) {
            self->waiting++;
            continue;
        }
        if (n == cap)
            names = xrealloc (names, (cap = cap ? cap * 2 : 256) * sizeof *names);
        names[n++] = xstrdup (name);
    }
    dirwalk_destroy (&w);
    if (n)
        qsort (names, n, sizeof *names, s_name_cmp);
    self->down = false;
    self->reached = false;
    size_t relayed = self->relayed;
    self->names = names;
    self->nnames = n;
    self->next = 0;
    self->now = now;
    //  As many threads as connections, but no more than messages.
    size_t k = n < self->nconns ? n : self->nconns;
    pthread_t *threads = xcalloc (k ? k : 1, sizeof *threads);
    size_t started = 0;
    for (size_t i = 1; i < k; i++, started++) {
        int rc = pthread_create (&threads[i], NULL, s_thread, &self->conns[i]);
        if (rc) {
            diag_warn ("cannot start relay thread %zu: %s; the others go on", i, strerror (rc));
            break;
        }
    }
    if (n)
        s_work (self, &self->conns[0]);
    for (size_t i = 1; i <= started; i++)
        pthread_join (threads[i], NULL);
    free (threads);
    for (size_t i = 0; i < n; i++)
        free (names[i]);
    free (names);
    self->names = NULL;
    s_feedback_flush (self);
    if (self->reached)
        self->last_up = now;
    s_metrics (self, n);
    //  Removals durable, so that a crash does not send them again.
    if (n)
        batch_sync_dir (dir);
    //  The connections stay while mail flows; after 2 s without a message
    //  they are closed (the smarthost would time an idle one out).
    int64_t now_ms = fileio_now_usec () / 1000;
    if (self->relayed != relayed)
        self->last_relayed_ms = now_ms;
    else if (now_ms - self->last_relayed_ms > 2000)
        for (size_t i = 0; i < self->nconns; i++)
            smtp_destroy (&self->conns[i]);
    return self->relayed - relayed;
}

int
main (int argc, char **argv)
{
    bool once = false;
    int nargs = 0;
    for (int i = 0; i < argc; i++)
        if (strcmp (argv[i], "--once"))
            argv[nargs++] = argv[i];
        else
            once = true;
    cfg_t *cfg = cfg_new (CFG_RELAY);
    int rc = cfg_daemon_start (cfg, "farm-relay", nargs, argv, s_usage);
    if (rc >= 0) {
        cfg_destroy (&cfg);
        return rc;
    }
    relay_t self = { .cfg = cfg, .smarthost = cfg_str (cfg, "relay/smarthost"),
                     .started = (int64_t) time (NULL), .up = true, .unrecorded = zhashx_new () };
    zhashx_set_destructor (self.unrecorded, s_unrecorded_free);
    strbuf_init (&self.feedback);
    pthread_mutex_init (&self.lock, NULL);
    self.nconns = (size_t) cfg_int (cfg, "relay/connections");
    self.conns = xcalloc (self.nconns, sizeof *self.conns);
    self.timeout_s = (int) cfg_int (cfg, "relay/timeout-s");
    s_relay = &self;
    //  What the worker adds (signatures, our header lines) stays far below 1 MiB.
    self.max_size = cfg_int (cfg, "limits/message-size") + 1024 * 1024;
    snprintf (self.helo, sizeof self.helo, "%s", cfg_str (cfg, "relay/helo"));
    if (!*self.helo)
        host_name (self.helo, sizeof self.helo);       //  qualified, as EHLO and a DSN want it
    self.spool = spool_new (cfg_str (cfg, "spool/root"), false);
    if (!self.spool)
        diag_fatal ("spool %s: cannot open it (is it the broker's spool root?)", cfg_str (cfg, "spool/root"));
    signal (SIGPIPE, SIG_IGN);
    struct sigaction sa = { .sa_handler = s_on_signal };
    sigaction (SIGTERM, &sa, NULL);
    sigaction (SIGINT, &sa, NULL);
    //  SIGHUP (logrotate, a reload): nothing to reread that is not read anew
    //  on every pass; said, and not the end of the relay.
    int hupfd = hup_open (false);
    diag_info ("relay from %s/outgoing to %s over %zu connection(s) at most", spool_root (self.spool),
               self.smarthost, self.nconns);
    int64_t scan_ms = cfg_int (cfg, "relay/scan-ms");
    while (!s_stop) {
        if (hup_taken (hupfd))
            diag_info ("SIGHUP: nothing to reread (outgoing/ is read anew on every pass)");
        //  While mail flows the next pass starts at once.
        if (s_pass (&self) && !once && !s_stop)
            continue;
        if (once)
            break;
        struct timespec ts = { .tv_sec = scan_ms / 1000, .tv_nsec = (scan_ms % 1000) * 1000000 };
        nanosleep (&ts, NULL);
    }
    diag_info ("relay stopping: %zu relayed, %zu bounced, %zu deferred; %zu waiting", self.relayed,
               self.bounced, self.deferred, self.waiting);
    if (zhashx_size (self.unrecorded))
        diag_error ("relay stopping with %zu outcome(s) not recorded: those messages will be "
                    "sent again to the recipients that took them", zhashx_size (self.unrecorded));
    for (size_t i = 0; i < self.nconns; i++)
        smtp_destroy (&self.conns[i]);
    free (self.conns);
    pthread_mutex_destroy (&self.lock);
    zhashx_destroy (&self.unrecorded);
    strbuf_free (&self.feedback);
    spool_destroy (&self.spool);
    cfg_destroy (&cfg);
    return once && self.waiting ? 75 : 0;
}
