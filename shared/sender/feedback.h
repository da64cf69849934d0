/*  feedback.h: what comes back from delivery, in the sender's record
 *  (version 5): each recipient's outcome at the remote server (farm-relay's,
 *  or any MTA's, through SPOOL/feedback/), and complaints (ARF reports,
 *  SPOOL/complaints/).
 *
 *  Outcomes count by the minute of the message they are about, while it
 *  is in the account's last hour, and fold into the account's usual shares
 *  of invalid recipients (x.1.x) and of refusals for policy or spam (x.7.x)
 *  as that minute leaves the hour (or at once, for mail older than that):
 *  the usual is the account's own, before the hour being judged.
 *    - a rise: of the last hour's final outcomes, at least refused-min
 *      refused as invalid or for policy, a share of them at least
 *      refused-share, and as many as surprising as refused-surprise under
 *      the account's usual share (a Poisson chance of at most 10^-5 by
 *      default; the usual with prior-refused in it, as if feedback-basis
 *      outcomes had shown it until the account's own count, and never below
 *      a quarter of prior-refused): a compromise signal, the account flagged
 *      (a hijacker's list, or mail the receivers refuse); the same tests over
 *      the last refused-hours hours catch a hijacker at a slow pace;
 *    - a reputation problem: a usual share of invalid recipients at or above
 *      reputation-invalid, or of policy refusals at or above
 *      reputation-policy, over at least half of feedback-basis outcomes:
 *      shown (farm-ctl show, the metrics), never a hold;
 *    - complaints: per message delivered in the last 7 days (by the day of
 *      the mail complained about), shown against complaint-warn and
 *      flagged at complaint-flag with at least complaint-min of them
 *      (Gmail asks for under 0.1% and never 0.3%; SES reviews an account
 *      at 0.1% and may pause it at 0.5%). */
#ifndef FARM_FEEDBACK_H
#define FARM_FEEDBACK_H
#include "bounce.h"
#include "sender.h"
#include "strbuf.h"

//  The outcome of a classified reply, or FEEDBACK_KINDS for a malformed one
//  (counted by the caller, never charged): delivered; deferred (4xx); for
//  good: invalid (x.1.x), policy (x.7.x), refused (anything else).
feedback_kind_t feedback_kind (const bounce_t *b);
//  "delivered", "invalid", "policy", "refused", "deferred".
const char *feedback_kind_name (feedback_kind_t k);
//  One recipient's outcome k of a message of time t; fresh: the recipient
//  was new to the account when it was sent. A refusal of a recipient the
//  account had written to before (an old address it keeps using) counts in
//  the usual shares, not in a rise: a hijacker's list is new to it.
void feedback_count (sender_t *s, int64_t t, feedback_kind_t k, bool fresh,
                     const compromise_params_t *p);
//  A message of time t delivered (what complaint rates count against).
void feedback_sent (sender_t *s, int64_t t);
//  A complaint about a message of time t.
void feedback_complaint (sender_t *s, int64_t t);
//  sender_advance: the minute slot leaves the hour; its outcomes fold into
//  the usual shares.
void feedback_fold_minute (sender_t *s, size_t slot, const compromise_params_t *p);

typedef struct {
    uint32_t refused_1h, invalid_1h, policy_1h, finals_1h;  //  the last hour's mail
    double share_1h;            //  refused of the final outcomes
    double usual;               //  the account's usual refused share, with the prior
    double surprise;            //  of the hour's refusals under it (-log10 P)
    double invalid_usual, policy_usual;
    uint32_t finals;            //  outcomes behind the usual
    uint32_t refused_long, finals_long; //  ... over the last refused-hours hours
    bool rise;                  //  a sudden rise of refused recipients
    bool slow;                  //  ... seen over the longer window only
    bool reputation;            //  a sustained one
    uint32_t sent_7d, complaints_7d;
    double complaint_rate;      //  complaints_7d / sent_7d (0 with none sent)
    bool complaint_warn, complaint_flag;
} feedback_state_t;

void feedback_judge (const sender_t *s, const compromise_params_t *p, feedback_state_t *out);
//  The reason of a flag: "compromise: refused recipients ..." (complaint
//  false) or "complaints: ...".
void feedback_reason (const feedback_state_t *f, const compromise_params_t *p, bool complaint,
                      char *out, size_t outlen);
//  farm-ctl show's lines: "  feedback: ..." and "  complaints: ...".
void feedback_show (const sender_t *s, const feedback_state_t *f, const compromise_params_t *p,
                    strbuf_t *out);

//  The Feedback-ID header's value the farm adds (Gmail's format, its
//  identifiers then the sender id): "ACCOUNT:SENDER-ID", the account with
//  ":", "%" and any byte outside printable ASCII as %XX. 0, or -1 when it
//  does not fit out.
int feedback_id_format (const char *account, const char *sender_id, char *out, size_t outlen);
//  The account of a Feedback-ID value the farm made with sender_id into out:
//  0, or -1 when the value is not of that form.
int feedback_id_account (const char *value, const char *sender_id, char *out, size_t outlen);
#endif
