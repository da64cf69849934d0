/*  task.h: one message's scan: the object that holds all per-message state
 *  and the list of stages it runs through (rspamd's task, synchronous). Each
 *  stage may decide the verdict; the first stage that does ends the scan.
 *  Stages: envelope checks, header parse, domain lockdown, Bayes, then the
 *  compromise decision (which runs whatever Bayes decided, so that a burst
 *  of spam flags its account too) and DKIM signing of what is delivered. */
#ifndef FARM_TASK_H
#define FARM_TASK_H
#include "bayes.h"
#include "compromise.h"
#include "content.h"
#include "envelope.h"
#include "header.h"
#include "keyd.h"
#include "lockdown.h"
#include "signer.h"
#include "verdict.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t max_size, max_rcpt;
    header_limits_t header;
    int64_t test_defer_s;       //  testing: defer first attempts this long
} task_limits_t;

//  What the stages share across messages (owned by the worker).
typedef struct {
    const task_limits_t *limits;
    content_t *content;             //  buffers reused from message to message
    content_opts_t content_opts;
    bayes_t *bayes;                 //  NULL: no scoring
    const bayes_params_t *params;
    const compromise_params_t *cparams;
    bool explain;
    lockdown_t *lockdown;
    keyd_t *keyd;           //  the key process (keyd.h): no key in this one
    signer_t *signer;
    bool body_relaxed;              //  relaxed/relaxed, else relaxed/simple
    const char *feedback_id;        //  feedback/sender-id: a Feedback-ID added ("" or NULL: none)
} task_ctx_t;

typedef struct {
    const char *qid;
    envelope_t *env;
    const char *msg;
    size_t len;
    header_t hdr;
    verdict_t verdict;
    bool decided;
    const char *stage;              //  the stage that decided, or NULL
    char from_domain[256];          //  the RFC 5322 From: domain, lowercase
    sender_snap_t snap;             //  the sender state the broker attached
    bool has_snap;
} task_t;

//  A task over msg (not copied; must outlive the task), the envelope text
//  and the sender snapshot text (state, statelen; may be empty).
task_t *task_new (const char *qid, const char *envtext, size_t envlen, const char *state,
                  size_t statelen, const char *msg, size_t len);
void task_destroy (task_t **self_p);
//  Run every stage; the verdict is in self->verdict afterwards.
void task_run (task_t *self, task_ctx_t *ctx);
#endif
