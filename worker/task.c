/*  task.c: the per-message pipeline (see task.h).
 *  Every failure becomes a verdict with a reason; nothing here may crash on
 *  what a customer sends, so each stage checks its own bounds. */
#include "task.h"
#include "diag.h"
#include "xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (s_stage_fn) (task_t *task, const task_limits_t *limits);

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
s_stage_envelope (task_t *t, const task_limits_t *lim)
{
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
s_stage_headers (task_t *t, const task_limits_t *lim)
{
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
s_stage_test_defer (task_t *t, const task_limits_t *lim)
{
    if (lim->test_defer_s && t->env->attempts == 0) {
        t->verdict.retry_at = (int64_t) time (NULL) + lim->test_defer_s;
        verdict_reason (&t->verdict, "test-defer: %llds", (long long) lim->test_defer_s);
        s_decide (t, VERDICT_DEFER);
    }
}

static s_stage_fn *s_stages[] = { s_stage_envelope, s_stage_headers, s_stage_test_defer };

void
task_run (task_t *self, const task_limits_t *limits)
{
    for (size_t i = 0; i < sizeof s_stages / sizeof s_stages[0] && !self->decided; i++)
        s_stages[i](self, limits);
    if (!self->decided)
        s_decide (self, VERDICT_DELIVER);
}
