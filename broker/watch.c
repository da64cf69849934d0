/*  watch.c: sender state at dispatch and at the verdict (see watch.h). */
#include "watch.h"
#include "from.h"
#include "header.h"
#include "compromise.h"
#include "diag.h"
#include "xalloc.h"
#include <czmq.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct watch_t {
    senderdb_t *senders;
    compromise_params_t params;
    char cfgfile[4200];         //  models/compromise.cfg, or ""
    char path[4096];
    size_t map_mb;
    int64_t full_warned;
    int64_t flush_ms, last_flush;   //  monotonic ms
    size_t flush_dirty;             //  commit at once beyond this many changed records
    int64_t retry_s;                //  a message deferred for a full state retries after this
};

watch_t *
watch_new (cfg_t *cfg, const char *spool_root)
{
    watch_t *self = xcalloc (1, sizeof *self);
    compromise_params_default (&self->params);
    const char *models = cfg_str (cfg, "models/dir");
    char err[1024];
    if (*models) {
        snprintf (self->cfgfile, sizeof self->cfgfile, "%s/compromise.cfg", models);
        if (access (self->cfgfile, R_OK) == 0) {
            if (compromise_params_load (&self->params, self->cfgfile, err, sizeof err) < 0)
                diag_fatal ("%s", err);
            diag_info ("compromise parameters and rate limits from %s", self->cfgfile);
        }
    }
    const char *path = cfg_str (cfg, "state/path");
    if (*path)
        snprintf (self->path, sizeof self->path, "%s", path);
    else
        snprintf (self->path, sizeof self->path, "%s/senders.mdb", spool_root);
    self->map_mb = (size_t) cfg_int (cfg, "state/map-mb");
    size_t cache = (size_t) cfg_int (cfg, "state/cache-records");
    self->flush_ms = cfg_int (cfg, "state/flush-ms");
    self->retry_s = cfg_int (cfg, "spool/retry-s");
    self->flush_dirty = cache / 4;
    bool aside = cfg_enum (cfg, "state/damaged") == 0;     //  move-aside|refuse
    self->senders = senderdb_new (self->path, self->map_mb, cache, aside, err, sizeof err);
    if (!self->senders)
        diag_fatal ("%s", err);
    size_t records, bytes, map;
    senderdb_usage (self->senders, &records, &bytes, &map);
    diag_info ("sender state %s: %zu record(s), %zu KiB used of %zu MiB, %zu bytes a record",
               self->path, records, bytes >> 10, map >> 20, sizeof (sender_t));
    return self;
}

void
watch_destroy (watch_t **self_p)
{
    watch_t *self = *self_p;
    if (!self)
        return;
    senderdb_destroy (&self->senders);
    free (self);
    *self_p = NULL;
}

senderdb_t *watch_senders (watch_t *self) { return self->senders; }
void
watch_reload (watch_t *self)
{
    if (!*self->cfgfile)
        return;
    char err[1024];
    compromise_params_t p;
    compromise_params_default (&p);
    if (access (self->cfgfile, R_OK) < 0)
        diag_info ("%s: %s; the defaults from now on", self->cfgfile, strerror (errno));
    else if (compromise_params_load (&p, self->cfgfile, err, sizeof err) < 0) {
        diag_error ("%s; keeping the parameters in use", err);
        return;
    }
    else
        diag_info ("compromise parameters and rate limits reread from %s", self->cfgfile);
    self->params = p;
}

const compromise_params_t *watch_params (watch_t *self) { return &self->params; }

const char *
watch_account (const envelope_t *env)
{
    if (env->account && *env->account)
        return env->account;
    if (env->mail_from && *env->mail_from)
        return env->mail_from;
    return "(none)";
}

int64_t
watch_time (const envelope_t *env)
{
    int64_t now = (int64_t) time (NULL);
    int64_t t = envelope_time_plausible (env->received_at, now) ? env->received_at : now;
    return env->retry_at > t && envelope_time_plausible (env->retry_at, now) ? env->retry_at : t;
}

//  The domain of the message's first From: address, into out ("" if none),
//  judged as the worker judges it (from.h).
static void
s_from_domain (const char *msg, size_t len, char *out, size_t outlen)
{
    static const header_limits_t lim = { 1000, 65536, 65536 };
    header_t h;
    header_init (&h);
    header_parse (&h, msg, len < 256 * 1024 ? len : 256 * 1024, &lim);
    from_domain (&h, out, outlen, NULL);
    header_free (&h);
}

static void
s_full (watch_t *self, verdict_t *v, int64_t t)
{
    int64_t now = (int64_t) time (NULL);
    if (now - self->full_warned > 10) {
        diag_error ("sender state %s is full (state/map-mb = %zu): raise state/map-mb; "
                    "messages are deferred until then", self->path, self->map_mb);
        self->full_warned = now;
    }
    v->code = VERDICT_DEFER;
    v->retry_at = now + self->retry_s;
    verdict_reason (v, "state-full: the sender state file is full (state/map-mb %zu); "
                    "deferred", self->map_mb);
}

//  Unix seconds t as an ISO 8601 UTC time, for reasons.
static void
s_utc (int64_t t, char *out, size_t len)
{
    time_t tt = (time_t) t;
    struct tm tm;
    strftime (out, len, "%Y-%m-%dT%H:%M:%SZ", gmtime_r (&tt, &tm));
}

//  The caps of a record (an account's with the defaults, a domain's with
//  none) on a message to nrcpt recipients: defer to when it fits, or reject
//  when it never can. dom: the domain whose record it is, or NULL.
static watch_action_t
s_caps (const sender_t *s, int64_t t, size_t nrcpt, const double *defaults, const char *dom,
        verdict_t *v)
{
    char why[256];
    int64_t due = sender_limit (s, t, nrcpt, defaults, why, sizeof why);
    if (!due)
        return WATCH_SCAN;
    if (due < 0) {
        v->code = VERDICT_REJECT;
        verdict_reason (v, "%s%s%s", why, dom ? " for @" : "", dom ? dom : "");
        return WATCH_REJECT;
    }
    v->code = VERDICT_DEFER;
    v->retry_at = due;
    verdict_reason (v, "%s%s%s; retry at %" PRId64, why, dom ? " for @" : "", dom ? dom : "", due);
    return WATCH_DEFER;
}

//  The From: domain's own record: flagged by an operator (hold), or over
//  limits an operator set on it (defer). The defaults of compromise.cfg do
//  not apply to a whole domain: only limits set on it.
static watch_action_t
s_domain_rules (watch_t *self, const char *dom, int64_t t, size_t env_rcpt, verdict_t *v)
{
    char key[SENDERDB_KEY];
    senderdb_key (key, 'd', dom);
    sender_t d;
    if (senderdb_get (self->senders, key, &d) != 1)
        return WATCH_SCAN;
    if (d.flagged) {
        char when[32];
        s_utc (d.flagged_at, when, sizeof when);
        v->code = VERDICT_HOLD;
        verdict_reason (v, "domain-flagged: @%s flagged at %s until an operator acts (%s)", dom, when,
                        d.reason);
        return WATCH_HOLD;
    }
    sender_advance (&d, t, &self->params);
    return s_caps (&d, t, env_rcpt, NULL, dom, v);
}

watch_action_t
watch_dispatch (watch_t *self, const envelope_t *env, const char *msg, size_t len,
                strbuf_t *snap, verdict_t *v)
{
    int64_t t = watch_time (env);
    const compromise_params_t *p = &self->params;
    char key[SENDERDB_KEY];
    senderdb_key (key, 'a', watch_account (env));
    sender_t s;
    int rc = senderdb_get (self->senders, key, &s);
    if (rc < 0) {
        s_full (self, v, t);
        return WATCH_DEFER;
    }
    if (rc == 0)
        sender_init (&s, t);
    sender_snap_t sn;
    if (env->released) {
        //  Released by an operator: counted when it first came, judged then.
        sender_snapshot (&s, t, p, &sn);
        sn.released = true;
        sender_snap_format (&sn, snap);
        return WATCH_SCAN;
    }
    if (s.flagged) {
        sender_count (&s, t, env->rcpt, env->rcpt_count, p);
        if (senderdb_put (self->senders, key, &s) < 0 && errno == ENOSPC) {
            s_full (self, v, t);
            return WATCH_DEFER;
        }
        char when[32];
        s_utc (s.flagged_at, when, sizeof when);
        v->code = VERDICT_HOLD;
        verdict_reason (v, "account-flagged: %s flagged at %s until an operator acts (%s)",
                        watch_account (env), when, s.reason);
        return WATCH_HOLD;
    }
    //  A bounce (the null sender) is neither counted nor limited: a rate
    //  limit must not hold up the bounces of the mail that was refused.
    if (!env->mail_from || !*env->mail_from || !strcmp (env->mail_from, "<>")) {
        sender_snapshot (&s, t, p, &sn);
        sender_snap_format (&sn, snap);
        return WATCH_SCAN;
    }
    //  The domain-wide record: an operator's flag or limits on the From:
    //  domain bind every account that sends as it.
    char dom[256];
    s_from_domain (msg, len, dom, sizeof dom);
    int dv = *dom ? s_domain_rules (self, dom, t, env->rcpt_count, v) : WATCH_SCAN;
    if (dv != WATCH_SCAN) {
        if (dv == WATCH_HOLD) {
            sender_count (&s, t, env->rcpt, env->rcpt_count, p);
            if (senderdb_put (self->senders, key, &s) < 0 && errno == ENOSPC) {
                s_full (self, v, t);
                return WATCH_DEFER;
            }
        }
        return dv;
    }
    sender_advance (&s, t, p);
    watch_action_t cv = s_caps (&s, t, env->rcpt_count, p->limit, NULL, v);
    if (cv != WATCH_SCAN) {
        //  The windows moved: keep that, though nothing was counted.
        if (senderdb_put (self->senders, key, &s) < 0 && errno == ENOSPC)
            s_full (self, v, t);
        return cv;
    }
    sender_count (&s, t, env->rcpt, env->rcpt_count, p);
    sender_snapshot (&s, t, p, &sn);
    if (senderdb_put (self->senders, key, &s) < 0) {
        s_full (self, v, t);
        return WATCH_DEFER;
    }
    //  The domain-wide view: counted alike, never flagged by itself.
    if (*dom) {
        senderdb_key (key, 'd', dom);
        sender_t d;
        rc = senderdb_get (self->senders, key, &d);
        if (rc >= 0) {
            if (rc == 0)
                sender_init (&d, t);
            sender_count (&d, t, env->rcpt, env->rcpt_count, p);
            if (senderdb_put (self->senders, key, &d) < 0 && errno == ENOSPC) {
                s_full (self, v, t);
                return WATCH_DEFER;
            }
        }
    }
    sender_snap_format (&sn, snap);
    return WATCH_SCAN;
}

void
watch_verdict (watch_t *self, const envelope_t *env, verdict_t *v)
{
    char key[SENDERDB_KEY];
    senderdb_key (key, 'a', watch_account (env));
    sender_t s;
    int rc = senderdb_get (self->senders, key, &s);
    if (rc <= 0)
        return;
    bool changed = false;
    if (!isnan (v->spam) && !env->released) {
        sender_score (&s, v->spam, &self->params);
        changed = true;
    }
    if (v->flag_account && !s.flagged && !env->released) {
        //  The reason that made the worker flag it, for farm-ctl show.
        const char *r = strstr (v->reasons.data ? v->reasons.data : "", "compromise:");
        char reason[SENDER_REASON];
        size_t n = 0;
        if (r)
            while (r[n] && r[n] != '\n' && n < sizeof reason - 1)
                n++;
        snprintf (reason, sizeof reason, "%.*s", (int) n, r ? r : "flagged by a worker");
        sender_flag (&s, watch_time (env), reason);
        diag_warn ("account %s flagged: %s", watch_account (env), reason);
        //  A flag is written at once: a crash must not forget it.
        if (senderdb_put (self->senders, key, &s) < 0 || senderdb_commit (self->senders) < 0)
            diag_error ("%s: flag not saved: %s", key, strerror (errno));
        self->last_flush = zclock_mono ();
        return;
    }
    else if (s.flagged && !env->released && v->code == VERDICT_DELIVER
             && watch_time (env) >= s.flagged_at - (int64_t) (self->params.window_min * 60)) {
        //  Flagged while this one was in flight: it waits with the others,
        //  if it was sent in the short window before the flag or later (the
        //  attacker's mail in flight). Mail sent earlier than that keeps its
        //  own verdict: whether its scan ended before or after the flag's is
        //  a matter of timing (a replay's yesterday is scanned beside today),
        //  and the same spool must give the same verdicts.
        v->code = VERDICT_HOLD;
        strbuf_reset (&v->headers);
        verdict_reason (v, "account-flagged: %s was flagged while this message was being scanned (%s)",
                        watch_account (env), s.reason);
    }
    if (changed && senderdb_put (self->senders, key, &s) < 0)
        diag_error ("%s: sender state not updated: %s", key, strerror (errno));
}

void
watch_commit (watch_t *self)
{
    size_t dirty = senderdb_dirty (self->senders);
    if (!dirty)
        return;
    int64_t now = zclock_mono ();
    if (now - self->last_flush < self->flush_ms && dirty < self->flush_dirty)
        return;
    self->last_flush = now;
    if (senderdb_commit (self->senders) < 0) {
        int64_t wall = (int64_t) time (NULL);
        if (wall - self->full_warned > 10) {
            diag_error ("sender state %s: %zu changed record(s) not written: %s%s", self->path,
                        dirty, strerror (errno), errno == ENOSPC ? " (raise state/map-mb)" : "");
            self->full_warned = wall;
        }
    }
}
