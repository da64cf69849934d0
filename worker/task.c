/*  task.c: the per-message pipeline (see task.h).
 *  Every failure becomes a verdict with a reason; nothing here may crash on
 *  what a customer sends, so each stage checks its own bounds. */
#include "task.h"
#include "diag.h"
#include "xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

typedef void (s_stage_fn) (task_t *task, task_ctx_t *ctx);

task_t *
task_new (const char *qid, const char *envtext, size_t envlen, const char *msg, size_t len)
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
    }
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
static void
s_stage_bayes (task_t *t, task_ctx_t *ctx)
{
    if (!ctx->bayes)
        return;
    content_t *c = ctx->content;
    content_tokenize (c, t->msg, t->len, &ctx->content_opts);
    bayes_clue_t clues[8];
    size_t used = 0;
    const bayes_params_t *p = ctx->params;
    double spam = bayes_score (ctx->bayes, &c->tokens, p, ctx->explain ? clues : NULL, 8, &used);
    t->verdict.spam = spam;
    if (ctx->explain) {
        char line[VERDICT_MAX_REASON];
        size_t n = (size_t) snprintf (line, sizeof line, "bayes-tokens:");
        for (size_t i = 0; i < used && i < 8 && n < sizeof line - 1; i++)
            n += (size_t) snprintf (line + n, sizeof line - n, " %s=%.3f",
                                    tokens_text (&c->tokens, clues[i].index), clues[i].f);
        verdict_reason (&t->verdict, "%s", line);
    }
    for (const char *pr = c->mime.problems.data; pr && *pr;) {
        const char *nl = strchr (pr, '\n');
        size_t n = nl ? (size_t) (nl - pr) : strlen (pr);
        verdict_reason (&t->verdict, "%.*s", (int) n, pr);
        pr += n + (nl ? 1 : 0);
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

static s_stage_fn *s_stages[] = { s_stage_envelope, s_stage_headers, s_stage_bayes,
                                  s_stage_test_defer };

void
task_run (task_t *self, task_ctx_t *ctx)
{
    for (size_t i = 0; i < sizeof s_stages / sizeof s_stages[0] && !self->decided; i++)
        s_stages[i](self, ctx);
    if (!self->decided)
        s_decide (self, VERDICT_DELIVER);
}
