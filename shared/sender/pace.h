/*  pace.h: what an account with too little history may send, and the prior
 *  it is judged against: learned from the population.
 *
 *  An account is new until it has compromise/new-hours of history. The
 *  detector does not hold a new account for its behaviour (a shop's first
 *  hour of receipts looks like a hijack against any fixed prior); the
 *  broker paces it instead: at most slack times the population's prior of
 *  messages, and of new recipients, in the last 60 minutes; a message beyond
 *  is deferred to the minute it fits (one message an hour always passes).
 *  The population's prior is the prior-quantile (0.9) of the busiest hour of
 *  every account seen in the last day: what this provider's accounts
 *  really do, never below the configured prior-rate and prior-new. An
 *  account the operator calls transactional or bulk (farm-ctl kind) is not
 *  paced on new recipients: they are its normal.
 *
 *  An account with history whose burst to strangers is suspect but not yet
 *  evidence of a hijack is slowed likewise (pace_slow), so that what it
 *  sends while the evidence gathers waits instead of going out. */
#ifndef FARM_PACE_H
#define FARM_PACE_H
#include "sender.h"

//  The population's prior, built from records one at a time.
typedef struct {
    double rate, fresh;         //  messages and new recipients in a busy hour
    size_t accounts;            //  records it was learned from
} pace_prior_t;

typedef struct pace_learn_t pace_learn_t;
pace_learn_t *pace_learn_new (void);
void pace_learn_destroy (pace_learn_t **self_p);
//  Count a record seen at now (the stream's newest time); records not seen
//  in the last 24 hours are skipped.
void pace_learn_add (pace_learn_t *self, const sender_t *s, int64_t now);
//  The prior: the quantile of the busiest hours, never below p's prior;
//  p's alone when fewer than 10 accounts were counted.
void pace_learn_prior (const pace_learn_t *self, const compromise_params_t *p, pace_prior_t *out);

//  Whether s is new at now (fewer than p->new_hours of history).
bool pace_is_new (const sender_t *s, const compromise_params_t *p);
//  Recipients of rcpt[0..n) the account has not written to (not counted).
uint32_t pace_fresh (const sender_t *s, char *const *rcpt, size_t n);
//  0 when a new account's message at now with fresh new recipients is within
//  its pace; else the time it fits, with why ("new-account: ..."). Not new
//  accounts are never paced.
int64_t pace_check (const sender_t *s, int64_t now, uint32_t fresh, const pace_prior_t *prior,
                    const compromise_params_t *p, char *why, size_t whylen);
//  A suspect account (compromise_t.slow: a burst to strangers without the
//  evidence that holds it) is slowed to p->slow_new new recipients in the
//  last 60 minutes: 0 when a message with fresh new recipients fits, else
//  the time it does, with why ("slowed: ..."). Its first deferral counts
//  what it tried (sender_tried), which is evidence in turn.
int64_t pace_slow (const sender_t *s, int64_t now, uint32_t fresh, const compromise_params_t *p,
                   char *why, size_t whylen);
#endif
