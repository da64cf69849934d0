/*  task.c: the per-message pipeline (see task.h).
 *  Every failure becomes a verdict with a reason; nothing here may crash on
 *  what a customer sends, so each stage checks its own bounds. */
#include "task.h"
#include "traits.h"
#include "feedback.h"
#include "from.h"
#include "diag.h"
#include "xalloc.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

typedef void (s_stage_fn) (task_t *task, task_ctx_t *ctx);

task_t *
task_new (const char *qid, const char *envtext, size_t envlen, const char *state,
          size_t statelen, const char *msg, size_t len)
{
    task_t *self = xcalloc (1, sizeof *self);
    self->qid = qid;
    self->env = envelope_new ();
    self->msg = msg;
    self->len = len;
    header_init (&self->hdr);
    verdict_init (&self->verdict);
    char err[256];
    if (envelope_parse (self->env, envtext, envlen, err, sizeof err) < 0) {
        self->verdict.code = VERDICT_REJECT;
        verdict_reason (&self->verdict, "envelope: %s", err);
        self->decided = true;
        self->stage = "envelope";
    }
    self->has_snap = statelen > 0 && sender_snap_parse (state, statelen, &self->snap) == 0;
    return self;
}

void
task_destroy (task_t **self_p)
{
    task_t *self = *self_p;
    if (!self)
        return;
    envelope_destroy (&self->env);
    header_free (&self->hdr);
    verdict_free (&self->verdict);
    free (self);
    *self_p = NULL;
}

static void
s_decide (task_t *t, verdict_code_t code)
{
    t->verdict.code = code;
    t->decided = true;
}

//  The envelope: someone to deliver to, not too many, a sane size.
static void
s_stage_envelope (task_t *t, task_ctx_t *ctx)
{
    const task_limits_t *lim = ctx->limits;
    if (t->env->rcpt_count == 0) {
        verdict_reason (&t->verdict, "no-recipients");
        s_decide (t, VERDICT_REJECT);
    }
    else if (t->env->rcpt_count > lim->max_rcpt) {
        verdict_reason (&t->verdict, "too-many-recipients: %zu, limit %zu", t->env->rcpt_count,
                        lim->max_rcpt);
        s_decide (t, VERDICT_REJECT);
    }
    else if (t->len > lim->max_size) {
        verdict_reason (&t->verdict, "message-size: %zu bytes, limit %zu", t->len, lim->max_size);
        s_decide (t, VERDICT_REJECT);
    }
    else if (t->len == 0) {
        verdict_reason (&t->verdict, "empty-message");
        s_decide (t, VERDICT_REJECT);
    }
    int64_t at = t->env->received_at;
    if (at != ENVELOPE_NO_TIME && !envelope_time_plausible (at, (int64_t) time (NULL)))
        verdict_reason (&t->verdict, "received-at: %lld is not a plausible time; the time of the "
                        "scan counts instead", (long long) at);
}

//  The header section, bounded; a message needs a From: to be judged later.
static void
s_stage_headers (task_t *t, task_ctx_t *ctx)
{
    const task_limits_t *lim = ctx->limits;
    if (header_parse (&t->hdr, t->msg, t->len, &lim->header) < 0) {
        verdict_reason (&t->verdict, "%s", t->hdr.error);
        s_decide (t, VERDICT_REJECT);
        return;
    }
    if (t->hdr.count == 0) {
        verdict_reason (&t->verdict, "no-headers: the message has no header section");
        s_decide (t, VERDICT_REJECT);
    }
}

//  The From: a reader sees: exactly one field, one address, with a domain;
//  with an accounts table, a domain the account owns (domain lockdown).
static void
s_stage_lockdown (task_t *t, task_ctx_t *ctx)
{
    size_t n;
    from_status_t st = from_domain (&t->hdr, t->from_domain, sizeof t->from_domain, &n);
    switch (st) {
        case FROM_OK:
            break;
        case FROM_NONE:
            verdict_reason (&t->verdict, "no-from: no From: header field");
            break;
        case FROM_SEVERAL:
            verdict_reason (&t->verdict, "several-from: %zu From: header fields", n);
            break;
        case FROM_SEVERAL_ADDRESSES:
            verdict_reason (&t->verdict, "several-from-addresses: From: names more than one address");
            break;
        case FROM_UNREADABLE:
            verdict_reason (&t->verdict, "from-unreadable: no address in From:");
            break;
        case FROM_NO_DOMAIN:
            verdict_reason (&t->verdict, "from-no-domain: the From: address has no domain");
            break;
        case FROM_TOO_LONG:
            verdict_reason (&t->verdict, "from-no-domain: the From: domain is too long");
            break;
    }
    if (st != FROM_OK) {
        t->from_domain[0] = 0;
        s_decide (t, VERDICT_REJECT);
        return;
    }
    if (lockdown_enabled (ctx->lockdown) && !lockdown_loaded (ctx->lockdown)) {
        verdict_reason (&t->verdict, "domain-lockdown: the accounts table %s cannot be read, so no "
                        "account may send as any domain until it can", lockdown_file (ctx->lockdown));
        s_decide (t, VERDICT_REJECT);
    }
    else if (lockdown_enabled (ctx->lockdown)
             && !lockdown_owns (ctx->lockdown, t->env->account, t->from_domain)) {
        verdict_reason (&t->verdict, "domain-lockdown: account %s may not send as %s",
                        t->env->account ? t->env->account : "(none)", t->from_domain);
        s_decide (t, VERDICT_REJECT);
    }
}

//  Feedback-ID (feedback/sender-id): the header line for this message into
//  line, in the message's own line ends; false when there is none to add.
static bool
s_feedback_id (task_t *t, task_ctx_t *ctx, char *line, size_t size)
{
    if (!ctx->feedback_id || !*ctx->feedback_id || !t->env->account || !*t->env->account
        || t->hdr.no_blank_line)
        return false;
    char v[512];
    if (feedback_id_format (t->env->account, ctx->feedback_id, v, sizeof v) < 0)
        return false;
    const char *nl = memchr (t->msg, '\n', t->len);
    bool crlf = nl && nl > t->msg && nl[-1] == '\r';
    int n = snprintf (line, size, "Feedback-ID: %s%s", v, crlf ? "\r\n" : "\n");
    return n > 0 && (size_t) n < size;
}

//  DKIM: mail to be delivered is signed with every key of its From: domain,
//  its Feedback-ID (when the farm adds one) among what is signed.
static void
s_stage_sign (task_t *t, task_ctx_t *ctx)
{
    if (t->verdict.code != VERDICT_DELIVER)
        return;
    char fid[600];
    bool add_fid = s_feedback_id (t, ctx, fid, sizeof fid);
    if (!keyd_enabled (ctx->keyd) || !*t->from_domain) {
        if (add_fid)
            strbuf_adds (&t->verdict.headers, fid);
        return;
    }
    const signkey_t *keys[8];
    size_t n = keyd_find (ctx->keyd, t->from_domain, keys, 8);
    if (n == 0)
        verdict_reason (&t->verdict, "no-key: no DKIM key for %s", t->from_domain);
    else if (t->hdr.no_blank_line)
        verdict_reason (&t->verdict, "not-signed: no empty line ends the header section");
    //  What is signed: the message as it will leave, the Feedback-ID on top.
    const char *msg = t->msg;
    size_t len = t->len;
    const header_t *hdr = &t->hdr;
    char *with = NULL;
    header_t h2;
    header_init (&h2);
    if (add_fid && n > 0 && !t->hdr.no_blank_line) {
        size_t fl = strlen (fid);
        with = xmalloc (fl + len);
        memcpy (with, fid, fl);
        memcpy (with + fl, t->msg, len);
        if (header_parse (&h2, with, fl + len, &ctx->limits->header) == 0)
            msg = with, len = fl + len, hdr = &h2;
    }
    for (size_t i = 0; i < n && !t->hdr.no_blank_line; i++) {
        char err[256];
        if (signer_sign (ctx->signer, keys[i], t->qid, msg, len, hdr, ctx->body_relaxed,
                         &t->verdict.headers, err, sizeof err) < 0)
            verdict_reason (&t->verdict, "dkim-failed: %s/%s: %s", keys[i]->domain,
                            keys[i]->selector, err);
        else
            verdict_dkim (&t->verdict, keys[i]->alg == SIGNKEY_ED25519 ? "ed25519-sha256" : "rsa-sha256",
                          keys[i]->domain, keys[i]->selector);
    }
    if (add_fid)
        strbuf_adds (&t->verdict.headers, fid);
    header_free (&h2);
    free (with);
}

//  Testing only (test/defer-s): exercise the deferred/ path end to end.
static void
s_stage_test_defer (task_t *t, task_ctx_t *ctx)
{
    const task_limits_t *lim = ctx->limits;
    if (lim->test_defer_s && t->env->attempts == 0) {
        t->verdict.retry_at = (int64_t) time (NULL) + lim->test_defer_s;
        verdict_reason (&t->verdict, "test-defer: %llds", (long long) lim->test_defer_s);
        s_decide (t, VERDICT_DEFER);
    }
}

//  Bayes: the spam probability of the content; at or above the thresholds
//  the message is held or rejected, with a reason naming the score.
//  The features of the sender it shows (traits.h) come from the same
//  parse, for the broker's lateral signals, whenever there is sender state.
static void
s_stage_bayes (task_t *t, task_ctx_t *ctx)
{
    bool lateral = t->has_snap && !t->snap.released && !t->env->released;
    if (!ctx->bayes && !lateral)
        return;
    content_t *c = ctx->content;
    content_tokenize_parsed (c, t->msg, t->len, &t->hdr, &ctx->content_opts);
    if (lateral)
        traits_of (&t->verdict.features, &t->hdr, &c->mime);
    if (!ctx->bayes)
        return;
    bayes_clue_t clues[8];
    size_t used = 0;
    const bayes_params_t *p = ctx->params;
    double spam = bayes_score (ctx->bayes, &c->tokens, p, ctx->explain ? clues : NULL, 8, &used);
    t->verdict.spam = spam;
    if (ctx->explain) {
        char line[VERDICT_MAX_REASON];
        size_t n = (size_t) snprintf (line, sizeof line, "bayes-tokens:");
        for (size_t i = 0; i < used && i < 8 && n < sizeof line - 1; i++)
            n += (size_t) snprintf (line + n, sizeof line - n, " %s=%.3f/%+.2f",
                                    tokens_text (&c->tokens, clues[i].index), clues[i].f, clues[i].w);
        verdict_reason (&t->verdict, "%s", line);
    }
    for (const char *pr = c->mime.problems.data; pr && *pr;) {
        const char *nl = strchr (pr, '\n');
        size_t n = nl ? (size_t) (nl - pr) : strlen (pr);
        verdict_reason (&t->verdict, "%.*s", (int) n, pr);
        pr += n + (nl ? 1 : 0);
    }
    if (t->env->released) {
        verdict_reason (&t->verdict, "released by an operator: spam probability %.4f not held", spam);
        return;
    }
    if (spam >= p->reject) {
        verdict_reason (&t->verdict, "bayes: spam probability %.4f at or above the reject threshold %.4g",
                        spam, p->reject);
        s_decide (t, VERDICT_REJECT);
    }
    else if (spam >= p->hold) {
        verdict_reason (&t->verdict, "bayes: spam probability %.4f at or above the hold threshold %.4g",
                        spam, p->hold);
        s_decide (t, VERDICT_HOLD);
    }
}

//  Compromise: from the broker's snapshot and this message's score. It runs
//  after the other stages whatever they decided (a rejected message counts
//  as evidence too); a hold flags the account.
static void
s_stage_compromise (task_t *t, task_ctx_t *ctx)
{
    if (!t->has_snap || t->snap.released || t->env->released || !ctx->cparams)
        return;
    compromise_t c;
    compromise_judge (&t->snap, t->verdict.spam, ctx->cparams, &c);
    char line[VERDICT_MAX_REASON];
    //  The reason is written only when it is read: a hold, or a debug log.
    if (!c.hold && diag_level () < DIAG_DEBUG)
        return;
    compromise_reason (&c, &t->snap, ctx->cparams, line, sizeof line);
    if (!c.hold) {
        diag_debug ("%s: not held: %s", t->qid, line);
        return;
    }
    if (c.observe) {
        //  Observe mode: what enforcing would have done, recorded (the
        //  broker counts it, the verdict log's would field shows it); the
        //  message keeps the verdict of the other stages.
        verdict_reason (&t->verdict, "would-hold: %s", line);
        return;
    }
    verdict_reason (&t->verdict, "%s", line);
    t->verdict.flag_account = true;
    if (!t->decided || t->verdict.code == VERDICT_DELIVER || t->verdict.code == VERDICT_DEFER)
        s_decide (t, VERDICT_HOLD);
}

//  The stages in order; the first that decides ends the list. judged: a
//  verdict from this stage is about what the account sent, so the
//  compromise decision still counts it. A message refused before its
//  content was judged (envelope, headers, lockdown) says nothing about the
//  account's behaviour.
static const struct {
    const char *name;
    s_stage_fn *run;
    bool judged;
} s_stages[] = {
    { "envelope", s_stage_envelope, false },
    { "headers", s_stage_headers, false },
    { "lockdown", s_stage_lockdown, false },
    { "bayes", s_stage_bayes, true },
    { "test-defer", s_stage_test_defer, true },
};

void
task_run (task_t *self, task_ctx_t *ctx)
{
    //  Decided before any stage (an envelope that cannot be read): not judged.
    bool judged = !self->decided;
    for (size_t i = 0; i < sizeof s_stages / sizeof s_stages[0] && !self->decided; i++) {
        s_stages[i].run (self, ctx);
        if (self->decided) {
            judged = s_stages[i].judged;
            self->stage = s_stages[i].name;
        }
    }
    if (judged)
        s_stage_compromise (self, ctx);
    if (!self->decided)
        s_decide (self, VERDICT_DELIVER);
    //  Last, and only for what is delivered: nothing else is ever signed.
    s_stage_sign (self, ctx);
}
