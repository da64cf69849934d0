/*  watch.h: the broker's side of compromise detection and rate limits.
 *  At dispatch it counts the message against its account (and the domain
 *  view of its From: domain) in the sender state, holds it when the account
 *  is flagged, defers it when a rate limit is reached, rejects it when it
 *  has more recipients than a cap allows at all, and otherwise gives
 *  the snapshot to send with the job. At the verdict it folds the content
 *  score in, flags the account when the worker says so, and holds a
 *  delivery of an account flagged while the message was in flight. */
#ifndef FARM_WATCH_H
#define FARM_WATCH_H
#include "cfg.h"
#include "envelope.h"
#include "senderdb.h"
#include "strbuf.h"
#include "verdict.h"

typedef struct watch_t watch_t;

watch_t *watch_new (cfg_t *cfg, const char *spool_root);
//  Read models/compromise.cfg again (SIGHUP); a bad file leaves the
//  parameters in use, said in the log.
void watch_reload (watch_t *self);
void watch_destroy (watch_t **self_p);
senderdb_t *watch_senders (watch_t *self);
const compromise_params_t *watch_params (watch_t *self);

typedef enum { WATCH_SCAN, WATCH_HOLD, WATCH_DEFER, WATCH_REJECT } watch_action_t;
//  Decide at dispatch. WATCH_SCAN: snap holds the snapshot for the job;
//  otherwise v is the broker's verdict (hold with the flag's reason, or
//  defer with retry-at and the limit that stopped it, or reject with the
//  cap that the message can never fit).
watch_action_t watch_dispatch (watch_t *self, const envelope_t *env, const char *msg, size_t len,
                               strbuf_t *snap, verdict_t *v);
//  At the verdict, before it is written (v may be changed).
void watch_verdict (watch_t *self, const envelope_t *env, verdict_t *v);
//  Flag account (its record s, at t) as the detector does, with reason:
//  logged, notified (qid: the message that decided it, or NULL), written at
//  once.
void watch_flag (watch_t *self, const char *account, const char *qid, sender_t *s, int64_t t,
                 const char *reason);
//  After s took feedback in (feedback.h): flag it for a rise of refused
//  recipients (complaint false) or for its complaints, or record what it
//  would have done in observe mode. True when it flagged.
bool watch_feedback_judge (watch_t *self, const char *account, sender_t *s, int64_t t, bool complaint);
//  Whether the detector's holds do not apply to s at t (observe mode, the
//  account's or the farm's, or its action notify): what it would do is
//  recorded instead.
bool watch_observing (watch_t *self, const sender_t *s, int64_t t);
//  An account whose detector flag ran out at dispatch, for the caller to
//  free, and in *at the time it ran out (its held mail to be scanned again
//  as an attempt at that time: held_apply HELD_RESCAN); NULL when none.
char *watch_take_expired (watch_t *self, int64_t *at);
//  Count n recipients account tried to reach at t (sender_tried): held
//  mail sent round again after its flag ran out.
void watch_tried (watch_t *self, const char *account, int64_t t, size_t n);
//  A message from the MTA's log (farm-ctl learn): counted for account at t
//  to rcpt[0..n), its recipients known, as if the farm had seen it. 0, or
//  -1 with errno.
int watch_learn (watch_t *self, const char *account, int64_t t, char *const *rcpt, size_t n);
//  The detector's events since the broker started, for the metrics.
typedef struct {
    uint64_t flags, expiries, escalations, would_holds;
} watch_counters_t;
void watch_counters (watch_t *self, watch_counters_t *out);
//  The newest time of a message delivered (0: none yet): the stream's clock
//  for forgetting old records of delivered mail (sent.h).
int64_t watch_newest (watch_t *self);
//  Commit the sender state written since the last call.
void watch_commit (watch_t *self);
//  The account key of a message's envelope.
const char *watch_account (const envelope_t *env);
//  The time a message counts at: received-at, or retry-at when later.
int64_t watch_time (const envelope_t *env);
#endif
