/*  watch.c: sender state at dispatch and at the verdict (see watch.h). */
#include "watch.h"
#include "from.h"
#include "header.h"
#include "compromise.h"
#include "lateral.h"
#include "feedback.h"
#include "sent.h"
#include "diag.h"
#include "alert.h"
#include "pace.h"
#include "qid.h"
#include "xalloc.h"
#include <czmq.h>
#include <ctype.h>
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
    int64_t observe_until;          //  mail received before this is only observed
    pace_prior_t prior;             //  the population's prior (pace.h)
    int64_t prior_hour;             //  the stream's hour it was learned in
    uint64_t flags, escalations, expiries, would_holds;    //  counters, for the metrics
    zlistx_t *expired;              //  accounts whose flag ran out, to rescan (s_expired_t)
    alert_t *alert;                 //  the events to a webhook or a command
    zhashx_t *recent;               //  account -> s_recent_t: its last queue ids, for the events
    int64_t newest;                 //  the newest time of a message delivered
    zhashx_t *dead;                 //  feedback/simulate: addresses that do not exist, or NULL
};

//  The last queue ids an account sent (counted at dispatch), newest at
//  next - 1: what a flag's notification names besides the one that
//  decided it. Memory only; bounded by WATCH_RECENT_ACCOUNTS.
#define WATCH_RECENT_ACCOUNTS 20000
typedef struct {
    char qids[ALERT_QIDS - 1][QID_SIZE];
    uint8_t n, next;
} s_recent_t;

static void
s_recent_add (watch_t *self, const char *account, const char *qid)
{
    if (!qid || !qid_valid (qid))
        return;
    s_recent_t *r = zhashx_lookup (self->recent, account);
    if (!r) {
        if (zhashx_size (self->recent) >= WATCH_RECENT_ACCOUNTS)
            zhashx_purge (self->recent);    //  forgetting is harmless: it only names fewer
        r = xcalloc (1, sizeof *r);
        zhashx_insert (self->recent, account, r);
    }
    memcpy (r->qids[r->next], qid, QID_SIZE);
    r->next = (uint8_t) ((r->next + 1) % (ALERT_QIDS - 1));
    if (r->n < ALERT_QIDS - 1)
        r->n++;
}

//  first, then the account's recent ones, newest first, into ev->qids.
static void
s_recent_fill (watch_t *self, const char *account, const char *first, alert_event_t *ev)
{
    size_t k = 0;
    if (first)
        ev->qids[k++] = first;
    s_recent_t *r = zhashx_lookup (self->recent, account);
    for (uint8_t i = 0; r && i < r->n && k < ALERT_QIDS; i++) {
        const char *q = r->qids[(r->next + ALERT_QIDS - 2 - i) % (ALERT_QIDS - 1)];
        if (!first || strcmp (q, first))
            ev->qids[k++] = q;
    }
}

static void
s_free_recent (void **item)
{
    free (*item);
    *item = NULL;
}

typedef struct {
    char *account;
    int64_t at;                 //  the stream's time its flag ran out
} s_expired_t;

static void
s_free_expired (void **item)
{
    s_expired_t *e = *item;
    if (e)
        free (e->account);
    free (e);
    *item = NULL;
}

//  feedback/simulate: one address a line, lowercased; at most 10 million.
static zhashx_t *
s_load_dead (const char *path)
{
    FILE *f = fopen (path, "r");
    if (!f)
        diag_fatal ("feedback/simulate %s: %s", path, strerror (errno));
    zhashx_t *set = zhashx_new ();
    char line[512];
    size_t n = 0;
    while (fgets (line, sizeof line, f) && n < 10000000) {
        size_t len;
        const char *r = sender_rcpt_trim (line, &len);
        while (len && (r[len - 1] == '\n' || r[len - 1] == '\r'))
            len--;
        if (!len)
            continue;
        char low[512];
        snprintf (low, sizeof low, "%.*s", (int) len, r);
        for (char *c = low; *c; c++)
            *c = (char) tolower ((unsigned char) *c);
        zhashx_update (set, low, (void *) 1);
        n++;
    }
    fclose (f);
    diag_info ("feedback/simulate %s: %zu address(es) answered 550 5.1.1, every other 250", path, n);
    return set;
}

watch_t *
watch_new (cfg_t *cfg, const char *spool_root)
{
    watch_t *self = xcalloc (1, sizeof *self);
    compromise_params_default (&self->params);
    char aerr[1024];
    self->alert = alert_new (cfg, aerr, sizeof aerr);
    if (!self->alert)
        diag_fatal ("%s", aerr);
    self->recent = zhashx_new ();
    zhashx_set_destructor (self->recent, s_free_recent);
    self->expired = zlistx_new ();
    zlistx_set_destructor (self->expired, s_free_expired);
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
    self->params.mode = cfg_enum (cfg, "compromise/mode") == 0 ? MODE_OBSERVE : MODE_ENFORCE;
    self->observe_until = cfg_int (cfg, "compromise/observe-until");
    if (self->params.mode == MODE_OBSERVE || self->observe_until)
        diag_info ("compromise detection in observe mode%s: what it would hold is recorded, "
                   "nothing is held for it", self->params.mode == MODE_OBSERVE ? ""
                   : " for mail received before compromise/observe-until");
    self->prior = (pace_prior_t) { self->params.prior_rate, self->params.prior_new, 0 };
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
    const char *dead = cfg_str (cfg, "feedback/simulate");
    if (*dead)
        self->dead = s_load_dead (dead);
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
    zlistx_destroy (&self->expired);
    zhashx_destroy (&self->recent);
    zhashx_destroy (&self->dead);
    alert_destroy (&self->alert);
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
    p.mode = self->params.mode;         //  farm.cfg's, not the model's
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

//  The detector's flag on account (key) ran out at t: lifted, and its held
//  mail queued to be scanned again (watch_take_expired).
static void
s_expire (watch_t *self, const char *key, const char *account, sender_t *s, int64_t t)
{
    char when[32], at[32];
    s_utc (s->flagged_at, when, sizeof when);
    s_utc (s->flag_expires, at, sizeof at);
    s->flagged = 0;
    s->flag_expires = 0;
    self->expiries++;
    diag_warn ("account %s: the detector's flag of %s ran out at %s (compromise/flag-ttl); its "
               "held mail is scanned again", account, when, at);
    if (senderdb_put (self->senders, key, s) < 0 || senderdb_commit (self->senders) < 0)
        diag_error ("%s: the flag's end not saved: %s", key, strerror (errno));
    sender_snap_t sn;
    sender_snapshot (s, t, &self->params, &sn);
    alert_post (self->alert, &(alert_event_t) { .event = "expiry", .account = account,
                                                 .reason = s->reason, .score = NAN, .msgs_1h = sn.msgs_1h,
                                                 .new_1h = sn.new_1h, .tried_1h = sn.tried_1h, .at = t });
    if (zlistx_size (self->expired) < 10000) {
        s_expired_t *e = xcalloc (1, sizeof *e);
        e->account = xstrdup (account);
        e->at = t;
        zlistx_add_end (self->expired, e);
    }
}

int
watch_learn (watch_t *self, const char *account, int64_t t, char *const *rcpt, size_t n)
{
    char key[SENDERDB_KEY];
    senderdb_key (key, 'a', account);
    sender_t s;
    int rc = senderdb_get (self->senders, key, &s);
    if (rc < 0)
        return -1;
    if (rc == 0)
        sender_init (&s, t);
    //  As if the farm had seen it: counted, and its recipients known.
    sender_count (&s, t, rcpt, n, &self->params);
    return senderdb_put (self->senders, key, &s);
}

void
watch_counters (watch_t *self, watch_counters_t *out)
{
    *out = (watch_counters_t) { self->flags, self->expiries, self->escalations, self->would_holds };
}

void
watch_tried (watch_t *self, const char *account, int64_t t, size_t n)
{
    char key[SENDERDB_KEY];
    senderdb_key (key, 'a', account);
    sender_t s;
    if (!n || senderdb_get (self->senders, key, &s) != 1)
        return;
    sender_advance (&s, t, &self->params);
    sender_tried (&s, t, n > UINT16_MAX ? UINT16_MAX : (uint32_t) n);
    diag_info ("account %s: its held mail, %zu recipient(s), comes back as one attempt at %" PRId64,
               account, n, t);
    if (senderdb_put (self->senders, key, &s) < 0)
        diag_error ("%s: sender state not updated: %s", key, strerror (errno));
}

char *
watch_take_expired (watch_t *self, int64_t *at)
{
    s_expired_t *e = zlistx_detach (self->expired, NULL);
    if (!e)
        return NULL;
    char *account = e->account;
    *at = e->at;
    free (e);
    return account;
}

static void
s_learn_one (void *arg, const char *key, const sender_t *s)
{
    void **a = arg;
    pace_learn_add (a[0], s, *(int64_t *) a[1]);
}

//  The population's prior, learned again when the stream's hour moves on
//  (by the messages' time, so that a replay learns what it would have).
static void
s_learn_prior (watch_t *self, int64_t t)
{
    int64_t hour = t / 3600;
    if (hour <= self->prior_hour)
        return;
    self->prior_hour = hour;
    if (senderdb_commit (self->senders) < 0)
        return;
    pace_learn_t *learn = pace_learn_new ();
    void *arg[2] = { learn, &t };
    if (senderdb_each (self->senders, "a:", s_learn_one, arg) == 0)
        pace_learn_prior (learn, &self->params, &self->prior);
    pace_learn_destroy (&learn);
    diag_debug ("new accounts paced at %.1f messages and %.1f new recipients an hour (x%.3g), "
                "from %zu accounts", self->prior.rate, self->prior.fresh, self->params.slack,
                self->prior.accounts);
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
    if (s.flagged && sender_flag_expired (&s, t))
        s_expire (self, key, watch_account (env), &s, t);
    if (s.flagged && s.action != ACTION_NOTIFY) {
        sender_count_held (&s, t, env->rcpt, env->rcpt_count, p);
        if (senderdb_put (self->senders, key, &s) < 0 && errno == ENOSPC) {
            s_full (self, v, t);
            return WATCH_DEFER;
        }
        char when[32], until[64] = "until an operator acts";
        s_utc (s.flagged_at, when, sizeof when);
        if (s.flag_expires) {
            char at[32];
            s_utc (s.flag_expires, at, sizeof at);
            snprintf (until, sizeof until, "until %s, then scanned again", at);
        }
        if (s.action == ACTION_DEFER) {
            //  The account's own choice: its mail waits instead of being held.
            v->code = VERDICT_DEFER;
            v->retry_at = s.flag_expires > t ? s.flag_expires : t + 900;
            verdict_reason (v, "account-flagged: %s flagged at %s, its mail deferred %s (%s); "
                            "retry at %" PRId64, watch_account (env), when, until, s.reason, v->retry_at);
            return WATCH_DEFER;
        }
        v->code = VERDICT_HOLD;
        verdict_reason (v, "account-flagged: %s flagged at %s %s (%s)", watch_account (env), when,
                        until, s.reason);
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
            sender_count_held (&s, t, env->rcpt, env->rcpt_count, p);
            if (senderdb_put (self->senders, key, &s) < 0 && errno == ENOSPC) {
                s_full (self, v, t);
                return WATCH_DEFER;
            }
        }
        return dv;
    }
    sender_advance (&s, t, p);
    watch_action_t cv = s_caps (&s, t, env->rcpt_count, p->limit, NULL, v);
    if (cv == WATCH_SCAN && pace_is_new (&s, p)) {
        //  A new account is paced at what the population does, not judged.
        s_learn_prior (self, t);
        char why[400];
        int64_t due = pace_check (&s, t, pace_fresh (&s, env->rcpt, env->rcpt_count), &self->prior,
                                  p, why, sizeof why);
        if (due) {
            v->code = VERDICT_DEFER;
            v->retry_at = due;
            verdict_reason (v, "%s", why);
            cv = WATCH_DEFER;
        }
    }
    if (cv != WATCH_SCAN) {
        //  The windows moved: keep that, though nothing was counted.
        if (senderdb_put (self->senders, key, &s) < 0 && errno == ENOSPC)
            s_full (self, v, t);
        return cv;
    }
    //  Counted, and judged on its behaviour as the worker will: a suspect
    //  burst without evidence is slowed (pace.h) instead of sent.
    sender_t counted = s;
    uint32_t fresh = sender_count_pending (&counted, t, env->rcpt, env->rcpt_count, p);
    sender_snapshot (&counted, t, p, &sn);
    if (t < self->observe_until)
        sn.observe = true;
    compromise_t c;
    compromise_judge (&sn, NAN, p, &c);
    char why[400];
    int64_t due = c.slow && !sn.observe ? pace_slow (&s, t, fresh, p, why, sizeof why) : 0;
    if (due) {
        //  What it tried counts once, at its first deferral.
        if (!env->deferred_by || strcmp (env->deferred_by, "slowed"))
            sender_tried (&s, t, fresh);
        v->code = VERDICT_DEFER;
        v->retry_at = due;
        verdict_reason (v, "%s", why);
        if (senderdb_put (self->senders, key, &s) < 0 && errno == ENOSPC)
            s_full (self, v, t);
        return WATCH_DEFER;
    }
    s = counted;
    if (senderdb_put (self->senders, key, &s) < 0) {
        s_full (self, v, t);
        return WATCH_DEFER;
    }
    s_recent_add (self, watch_account (env), env->qid);
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

//  A message held by a detector's flag, scanned again when the flag ran
//  out, that is spam, of an account that is not flagged now and whose
//  flags hold mail (enforced, action hold or defer).
static bool
s_rescan_spam (watch_t *self, const envelope_t *env, const verdict_t *v, const sender_t *s)
{
    if (!env->rescan || env->released || s->flagged || s->action == ACTION_NOTIFY || isnan (v->spam)
        || v->spam < self->params.spam_level)
        return false;
    int64_t t = watch_time (env);
    sender_snap_t sn;
    sender_snapshot (s, t, &self->params, &sn);
    return !sn.observe && t >= self->observe_until;
}

void
watch_flag (watch_t *self, const char *account, const char *qid, sender_t *s, int64_t t,
            const char *reason)
{
    char key[SENDERDB_KEY];
    senderdb_key (key, 'a', account);
    bool escalated = sender_flag_detected (s, t, reason, &self->params);
    self->flags++;
    self->escalations += escalated;
    if (s->flag_expires) {
        char until[32];
        s_utc (s->flag_expires, until, sizeof until);
        diag_warn ("account %s flagged until %s (%u time(s) in 24 hours): %s", account, until,
                   s->flags_day, reason);
    }
    else {
        char esc[64] = "";
        if (escalated)
            snprintf (esc, sizeof esc, " (escalated: flagged %u times in 24 hours)", s->flags_day);
        diag_warn ("account %s flagged%s until an operator acts: %s", account, esc, reason);
    }
    sender_snap_t sn;
    sender_snapshot (s, t, &self->params, &sn);
    double score = NAN;
    sscanf (reason, "compromise: score %lf", &score);
    alert_event_t ev = {
        .event = escalated ? "escalation" : "flag", .account = account, .reason = reason,
        .score = score, .msgs_1h = sn.msgs_1h, .new_1h = sn.new_1h, .tried_1h = sn.tried_1h,
        .at = t, .until = s->flag_expires };
    s_recent_fill (self, account, qid, &ev);
    alert_post (self->alert, &ev);
    //  A flag is written at once: a crash must not forget it.
    if (senderdb_put (self->senders, key, s) < 0 || senderdb_commit (self->senders) < 0)
        diag_error ("%s: flag not saved: %s", key, strerror (errno));
    self->last_flush = zclock_mono ();
}

bool
watch_feedback_judge (watch_t *self, const char *account, sender_t *s, int64_t t, bool complaint)
{
    feedback_state_t f;
    feedback_judge (s, &self->params, &f);
    if (s->flagged || !(complaint ? f.complaint_flag : f.rise))
        return false;
    char reason[SENDER_REASON - 16];
    feedback_reason (&f, &self->params, complaint, reason, sizeof reason);
    if (watch_observing (self, s, t)) {
        s->would_count += s->would_count < UINT32_MAX;
        s->would_at = t;
        snprintf (s->reason, sizeof s->reason, "would-hold: %s", reason);
        self->would_holds++;
        diag_info ("account %s would be flagged: %s", account, reason);
        return false;
    }
    watch_flag (self, account, NULL, s, t, reason);
    return true;
}

bool
watch_observing (watch_t *self, const sender_t *s, int64_t t)
{
    sender_snap_t sn;
    sender_snapshot (s, t, &self->params, &sn);
    return sn.observe || t < self->observe_until || s->action == ACTION_NOTIFY;
}

void
watch_verdict (watch_t *self, const envelope_t *env, verdict_t *v)
{
    bool fresh[SENT_RCPTS] = { false };     //  delivered: which recipients were new to it
    char key[SENDERDB_KEY];
    senderdb_key (key, 'a', watch_account (env));
    sender_t s;
    int rc = senderdb_get (self->senders, key, &s);
    if (rc <= 0)
        return;
    bool changed = false;
    bool again = env->released;     //  counted and judged when it first came
    if (!isnan (v->spam) && !again) {
        sender_score (&s, watch_time (env), v->spam, &self->params);
        changed = true;
    }
    //  The lateral signals (lateral.h): what the message shows of its sender
    //  against the account's memory. A bounce is not the account's writing.
    lateral_t lj;
    bool lateral = !again && !s.flagged && env->mail_from && *env->mail_from
                   && strcmp (env->mail_from, "<>");
    bool lateral_hold = false;
    char lreason[VERDICT_MAX_REASON] = "";
    if (lateral) {
        int64_t t = watch_time (env);
        lateral_judge (&s, &v->features, (uint32_t) env->rcpt_count, t, &self->params, &lj);
        if (lj.hold && v->code != VERDICT_REJECT && !v->flag_account) {
            lateral_reason (&lj, &self->params, lreason, sizeof lreason);
            if (watch_observing (self, &s, t))
                verdict_reason (v, "would-hold: %s", lreason);
            else
                lateral_hold = true;
        }
        else if (diag_level () >= DIAG_DEBUG && (lj.carries || lj.same > 0 || lj.sweep > 0)) {
            lateral_reason (&lj, &self->params, lreason, sizeof lreason);
            diag_debug ("%s: not held: %s", env->qid ? env->qid : "-", lreason);
        }
    }
    //  Observe mode: what enforcing would have done, kept for farm-ctl show.
    const char *would = strstr (v->reasons.data ? v->reasons.data : "", "would-hold: ");
    if (would && !again) {
        s.would_count += s.would_count < UINT32_MAX;
        s.would_at = watch_time (env);
        if (!s.flagged) {
            size_t n = 0;
            while (would[n] && would[n] != '\n' && n < sizeof s.reason - 1)
                n++;
            snprintf (s.reason, sizeof s.reason, "%.*s", (int) n, would);
        }
        self->would_holds++;
        changed = true;
    }
    char reason[SENDER_REASON];
    bool flag = false;
    if (v->flag_account && !s.flagged && !again) {
        //  The reason that made the worker flag it, for farm-ctl show.
        const char *r = strstr (v->reasons.data ? v->reasons.data : "", "compromise:");
        size_t n = 0;
        if (r)
            while (r[n] && r[n] != '\n' && n < sizeof reason - 1)
                n++;
        snprintf (reason, sizeof reason, "%.*s", (int) n, r ? r : "flagged by a worker");
        flag = true;
    }
    else if (lateral_hold) {
        //  A phishing round to the account's own contacts: this one is held
        //  and the account flagged, like the worker's own flags.
        snprintf (reason, sizeof reason, "%s", lreason);
        v->code = VERDICT_HOLD;
        strbuf_reset (&v->headers);
        strbuf_reset (&v->dkim);
        verdict_reason (v, "%s", lreason);
        flag = true;
    }
    else if (s_rescan_spam (self, env, v, &s)) {
        //  Its flag ran out and the mail it held, scanned again, is spam:
        //  the burst goes on, so the flag does. Judged as a whole burst
        //  come back at once, the rest of it would otherwise pass on a
        //  snapshot from before its own content was seen.
        char when[32];
        s_utc (watch_time (env), when, sizeof when);     //  retry-at: the flag's end
        snprintf (reason, sizeof reason, "compromise: its mail held until the flag ran out at %s, "
                  "scanned again, is spam (probability %.4f, spam-level %.3g)", when, v->spam,
                  self->params.spam_level);
        flag = true;
    }
    if (flag) {
        sender_unsent (&s, watch_time (env));
        if (lateral)
            lateral_count (&s, &v->features, (uint32_t) env->rcpt_count, watch_time (env),
                           &self->params, &lj, false);
        watch_flag (self, watch_account (env), env->qid, &s, watch_time (env), reason);
        return;
    }
    else if (s.flagged && s.action != ACTION_NOTIFY && !env->released && v->code == VERDICT_DELIVER
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
        sender_unsent (&s, watch_time (env));
        changed = true;
    }
    if (v->code == VERDICT_DELIVER && env->mail_from && *env->mail_from) {
        //  Delivered: its recipients are known to the account from now on,
        //  and what comes back about it is the account's (sent.h).
        for (size_t i = 0; i < env->rcpt_count && i < SENT_RCPTS; i++)
            fresh[i] = !sender_knows (&s, env->rcpt[i]);
        sender_remember (&s, env->rcpt, env->rcpt_count);
        feedback_sent (&s, watch_time (env));
        if (watch_time (env) > self->newest)
            self->newest = watch_time (env);
        if (env->qid && sent_record (self->senders, env->qid, watch_account (env), watch_time (env),
                                     env->rcpt, env->rcpt_count, fresh, v->features.msgid) < 0)
            diag_error ("%s: not recorded for its feedback: %s", env->qid, strerror (errno));
        changed = true;
    }
    if (lateral) {
        //  Its text counted; delivered, its links and presentation its own.
        lateral_count (&s, &v->features, (uint32_t) env->rcpt_count, watch_time (env),
                       &self->params, &lj, v->code == VERDICT_DELIVER);
        changed = true;
    }
    if (v->code == VERDICT_DELIVER && self->dead && env->mail_from && *env->mail_from && !again) {
        //  A scenario's remote servers (feedback/simulate): each recipient
        //  answered at once, 550 5.1.1 for the addresses that do not exist.
        for (size_t i = 0; i < env->rcpt_count; i++) {
            size_t n;
            const char *r = sender_rcpt_trim (env->rcpt[i], &n);
            char low[512];
            snprintf (low, sizeof low, "%.*s", (int) (n < sizeof low ? n : sizeof low - 1), r);
            for (char *c = low; *c; c++)
                *c = (char) tolower ((unsigned char) *c);
            feedback_count (&s, watch_time (env), zhashx_lookup (self->dead, low) ? FEEDBACK_INVALID
                            : FEEDBACK_DELIVERED, i >= SENT_RCPTS || fresh[i], &self->params);
        }
        watch_feedback_judge (self, watch_account (env), &s, watch_time (env), false);
        changed = true;
    }
    if (changed && senderdb_put (self->senders, key, &s) < 0)
        diag_error ("%s: sender state not updated: %s", key, strerror (errno));
}

int64_t watch_newest (watch_t *self) { return self->newest; }

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
