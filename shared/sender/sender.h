/*  sender.h: what the farm remembers of one sending account (or one From:
 *  domain), and what it makes of it.
 *
 *  A sender_t is a fixed-size record (sizeof is the bytes per account; the
 *  broker stores it in LMDB as is): messages and envelope recipients per
 *  minute for the last hour and per hour for the last day (rings), new
 *  recipients per minute, sketches of
 *  the distinct recipients and recipient domains this hour and last, a
 *  two-generation Bloom filter of past recipients, exponentially weighted
 *  baselines of the hourly rate (by hour of day and over all hours) and of
 *  new recipients an hour, the recent and the usual content score, its own
 *  limits (caps.h), and the flag with its reason and time. A record of an
 *  older version is upgraded as it is read (sender_compat.c).
 *
 *  Time is always the message's (received-at, or retry-at for a deferred
 *  one), never the clock: replaying a captured week gives that week's state.
 *
 *  The broker updates a record when it dispatches a message (so messages in
 *  flight are counted) and folds the content score in at the verdict; it
 *  sends the worker a snapshot (sender_snap_t, as `key: value` text); the
 *  worker decides (compromise_judge). */
#ifndef FARM_SENDER_H
#define FARM_SENDER_H
#include "baseline.h"
#include "caps.h"
#include "strbuf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SENDER_VERSION 5
#define SENDER_REASON 512

//  What the operator says an account is (farm-ctl kind): it sets the prior
//  of an account with no history and how usual mail to new people is.
typedef enum {
    KIND_DEFAULT,           //  not said: the population's prior
    KIND_PERSON,            //  mails people it knows; new people now and then
    KIND_BULK,              //  sends to lists (newsletters): large sends at its hours
    KIND_TRANSACTIONAL,     //  receipts, sign-ups: almost every recipient new
    KIND_COUNT
} sender_kind_t;
//  Whether the detector's holds apply (farm-ctl mode; compromise/mode).
typedef enum { MODE_DEFAULT, MODE_OBSERVE, MODE_ENFORCE, MODE_COUNT } sender_mode_t;
//  What a flag does to the account's mail (farm-ctl action).
typedef enum { ACTION_DEFAULT, ACTION_HOLD, ACTION_DEFER, ACTION_NOTIFY, ACTION_COUNT } flag_action_t;
//  Who set the flag.
typedef enum { FLAG_BY_OPERATOR, FLAG_BY_DETECTOR, FLAG_BY_ESCALATION } flag_by_t;

//  One text (SimHash) and the recipients it reached in its short window
//  (unix time / 60 / window-minutes) and the one before.
#define SENDER_TEXTS 6
#define SENDER_PRESENT 4
#define SENDER_HOUR_LINKS 16
//  Outcomes of delivery (feedback.h), and the days of mail complaints count against.
typedef enum {
    FEEDBACK_DELIVERED, FEEDBACK_INVALID, FEEDBACK_POLICY, FEEDBACK_REFUSED, FEEDBACK_DEFERRED,
    FEEDBACK_KINDS
} feedback_kind_t;
#define FEEDBACK_DAYS 8
typedef struct {
    uint64_t sim;
    int64_t bucket;
    uint32_t cur, prev;
} sender_text_t;

typedef struct {
    uint32_t version;           //  SENDER_VERSION
    uint32_t flagged;           //  1: every message goes to hold/
    int64_t first_seen, last_seen, flagged_at, released_at;
    int64_t minute_head;        //  the newest minute (unix time / 60) counted
    int64_t hour_head;          //  the newest hour (unix time / 3600) counted
    uint64_t total;             //  messages ever
    uint16_t msgs_min[60];      //  messages by minute, ring (minute % 60)
    uint16_t new_min[60];       //  recipients never seen before, by minute
    uint16_t rcpt_min[60];      //  envelope recipients by minute
    uint32_t msgs_hour[24];     //  messages by hour, ring (hour % 24)
    uint32_t rcpt_hour[24];     //  envelope recipients by hour
    uint32_t new_hour;          //  new recipients in the current hour
    uint32_t hours;             //  hours folded into the baselines
    float slot_mean[24], slot_var[24];  //  messages an hour, by hour of day (UTC)
    float all_mean, all_var;            //  messages an hour, all hours
    float new_mean, new_var;            //  new recipients an hour
    float score_recent, score_usual;    //  content score, fast and slow EWMA
    uint32_t scored;            //  messages whose score was folded in
    uint32_t limit[LIMIT_KINDS];        //  own caps; 0: the default, LIMIT_NONE: none
    uint8_t rcpt_hll[2][64];    //  distinct recipients: hour % 2
    uint8_t dom_hll[2][32];     //  distinct recipient domains: hour % 2
    bloom2_t known;             //  recipients written to before
    char reason[SENDER_REASON]; //  why it was flagged
    //  Version 3 (appended: a version-2 record is this one's first bytes).
    int64_t flag_expires;       //  a detector's flag lifts itself at this time (0: never)
    int64_t flags_since;        //  the start of the 24 hours flags_day counts
    int64_t would_at;           //  observe mode: the last time it would have been flagged
    uint32_t new_hr[24];        //  new recipients by hour, ring (hour % 24)
    float new_slot[24];         //  new recipients an hour, by hour of day (UTC)
    float share_new, share_rcpt;        //  new and all recipients an hour, hours with mail (EWMA)
    float slot_new[24], slot_rcpt[24];  //  ... by hour of day: a newsletter's hour is its own
    float spam_mean;            //  messages an hour scored at or above spam-level
    uint32_t share_hours;       //  hours with mail folded into share_new and share_rcpt
    uint32_t spam_hour;         //  messages scored at or above spam-level this hour
    uint32_t would_count;       //  observe mode: messages it would have had held
    uint32_t held_hour, held_new_hour;  //  this hour's messages (and their new recipients)
                                //  counted while held: not folded into the baselines
    uint16_t spam_min[60];      //  messages scored at or above spam-level, by minute
    uint16_t tried_min[60];     //  new recipients of mail the detector slowed, by minute (at its
                                //  first deferral: what it tried to send beyond what it sent)
    uint16_t flags_day;         //  the detector's flags since flags_since
    uint16_t tried_hour;        //  new recipients slowed this hour (first deferrals)
    uint16_t suspect_hours;     //  hours in a row, up to the last closed, with mail slowed
    uint8_t kind;               //  sender_kind_t, the operator's word
    uint8_t mode;               //  sender_mode_t of its own (MODE_DEFAULT: compromise/mode)
    uint8_t flag_by;            //  flag_by_t, when flagged
    uint8_t action;             //  flag_action_t of its own (ACTION_DEFAULT: hold)
    //  Version 4 (appended): the lateral signals (lateral.h).
    sender_text_t texts[SENDER_TEXTS];  //  texts sent in the short window, by SimHash
    bloom2_t links;             //  registrable domains of the links it has delivered
    uint32_t links_sent;        //  messages with links it has delivered
    uint32_t present[3][SENDER_PRESENT][2]; //  Reply-To, display names, mailers it has used:
                                //  hash and the hour first delivered (its own two hours on)
    uint16_t newlink_min[60];   //  messages with a link domain it never sent, by minute
    uint16_t newlink_hour;      //  ... this hour
    uint16_t text_max_hour;     //  the most recipients one text reached in the short window, this hour
    float newlink_mean;         //  messages with a new link domain an hour, hours with mail (EWMA)
    float text_mean;            //  the most recipients of one text, hours with mail (EWMA)
    float distinct_mean;        //  distinct recipients an hour, hours with mail (EWMA)
    uint64_t hour_links[SENDER_HOUR_LINKS];    //  link domains first delivered this hour
    uint64_t last_links[SENDER_HOUR_LINKS];    //  ... and the hour before: the account's own
                                //  when that one closes (a burst's link stays new through it)
    sender_text_t new_links[SENDER_TEXTS];  //  link domains not its own yet, and the
                                //  messages that carried each this hour and the last (by
                                //  hour: sim holds the domain's hash)
    uint8_t present_n[3];       //  how many of each present[] holds
    uint8_t hour_links_n, last_links_n;
    uint8_t pad4[3];
    //  Version 5 (appended): what came back (feedback.h). Outcomes count by
    //  the minute and day of the message they are about.
    uint16_t invalid_min[60];   //  recipients refused for good as invalid, by minute
    uint16_t policy_min[60];    //  ... for policy or spam
    uint16_t final_min[60];     //  recipients delivered or refused for good, by minute
                                //  (folded into the usual shares as the minute leaves the hour)
    uint64_t outcomes[FEEDBACK_KINDS];  //  recipients by outcome, ever
    float invalid_usual, policy_usual;  //  shares of the final outcomes (a running mean, then EWMA)
    uint32_t finals;            //  final outcomes behind them
    uint32_t complaints;        //  complaints ever
    int64_t day_head;           //  the newest day (unix time / 86400) of the rings below
    uint16_t refused_hr[24];    //  recipients refused (invalid or policy), by hour of the mail (ring)
    uint16_t final_hr[24];      //  final outcomes, by hour of the mail (ring)
    uint32_t sent_day[FEEDBACK_DAYS];       //  messages delivered, by day (ring)
    uint32_t complaint_day[FEEDBACK_DAYS];  //  complaints about the mail of each day (ring)
} sender_t;
//  The size of a version-2 record: the fields before flag_expires; of a
//  version-3 one, those before texts.
#define SENDER_V2_SIZE offsetof (sender_t, flag_expires)
#define SENDER_V3_SIZE offsetof (sender_t, texts)
#define SENDER_V4_SIZE offsetof (sender_t, invalid_min)

//  The tunables (models/compromise.cfg; see models/README.md).
typedef struct {
    double threshold;           //  compromise score at which an account is held
    double window_min;          //  the short window, minutes
    double prior_rate;          //  messages an hour expected of an account with no history
    double prior_new;           //  new recipients an hour expected likewise
    double warmup_h;            //  hours of history before the account's own baseline counts fully
    double slot_alpha;          //  weight of one day's hour in the hour-of-day baseline
    double hour_alpha;          //  weight of one hour in the all-hours baselines
    double score_alpha;         //  weight of one message in the recent content score
    double usual_alpha;         //  ... in the usual content score
    double slack;               //  expected rates are multiplied by this
    double w_rate, w_new, w_content;    //  weights of the score's parts
    double content_margin;      //  recent minus usual score below this counts nothing
    double known_discount;      //  how much mail to known recipients discounts the score, 0..1
    double strangers_min;       //  an unusual share of new recipients below which behaviour holds nothing
    double share_alpha;         //  weight of one hour in the usual share of new recipients
    double prior_share;         //  that share for an account with too little history
    double share_basis;         //  recipients behind its own share before it counts fully
    double spam_level;          //  a content score at or above which a message counts as spam
    double w_spam;              //  weight of the count of spam in the last hour
    double content_min;         //  content below this does not make a burst a hijack
    double plausible_new;       //  new recipients an hour beyond any honest burst
    double burst_new;           //  ... in the short window
    double slow_new;            //  new recipients an hour a suspicious account is slowed to
    double sustained_hours;     //  hours in a row of slowed mail that are evidence
    double new_hours;           //  hours of history before an account is judged on its own
    double prior_quantile;      //  the quantile of new accounts' busiest hours that is the prior
    double pace_msgs, pace_new; //  the least a new account is paced at, an hour
    double mode;                //  sender_mode_t: 1 observe, 2 enforce
    double flag_ttl;            //  seconds a detector's flag lasts (0: until an operator acts)
    double escalate_after;      //  detector flags in 24 hours that make the flag stay
    double limit[LIMIT_KINDS];  //  default caps of an account (0: none)
    //  The lateral signals (lateral.h).
    double lateral_threshold;   //  lateral score at which a burst that carries something new holds
    double w_links, w_same, w_sweep, w_present; //  weights of its parts
    double links_history;       //  messages sent before new link domains count
    double links_expected;      //  messages an hour expected to carry one new link domain
    double present_history;     //  messages before a new presentation counts
    //  Delivery feedback and complaints (feedback.h).
    double refused_min;         //  recipients refused in the hour before a rise counts
    double refused_share;       //  share of the hour's outcomes refused at which a rise flags
    double refused_surprise;    //  ... and this surprising under the account's usual share (-log10 P)
    double refused_hours;       //  the longer window of a slow rise, hours
    double feedback_basis;      //  final outcomes behind the usual shares before they count fully
    double prior_refused;       //  the usual share of refused recipients of an account with none
    double reputation_invalid;  //  a usual share of invalid recipients that is a reputation problem
    double reputation_policy;   //  ... of refusals for policy
    double complaint_warn;      //  complaints per delivered message (7 days): shown as a warning
    double complaint_flag;      //  ... at which the account is flagged
    double complaint_min;       //  complaints in 7 days before the rate flags
} compromise_params_t;

void compromise_params_default (compromise_params_t *p);
//  Read the compromise and limits sections of a ZPL file over p; 0, or -1
//  with err naming the key.
int compromise_params_load (compromise_params_t *p, const char *file, char *err, size_t errlen);

//  What the worker is told, and what farm-ctl shows.
typedef struct {
    uint32_t msgs_1m, msgs_win, msgs_1h, msgs_24h;
    uint32_t new_win, new_1h;
    double rcpt_1h, domains_1h;         //  distinct, estimated
    double expect_1h, expect_sd;        //  messages an hour expected now
    double expect_new_1h;               //  new recipients an hour expected
    double history_h;
    double score_recent, score_usual;
    uint64_t total;
    bool flagged, released;
    //  Version 3.
    uint32_t rcpts_1h;                  //  envelope recipients in the hour
    uint32_t spam_1h;                   //  messages at or above spam-level in the hour
    double expect_spam_1h;              //  ... expected
    double share_usual;                 //  its usual share of new recipients
    uint32_t scored;                    //  messages whose content score was folded in
    uint32_t tried_win, tried_1h;       //  new recipients of slowed mail (tried_min)
    uint32_t suspect_hours;             //  hours in a row it has had mail slowed
    double share_basis;                 //  recipients behind share_usual (its weight)
    double slot_share, slot_basis;      //  the same at this hour of day
    unsigned kind;                      //  sender_kind_t
    bool observe;                       //  the detector's holds do not apply (observe mode)
} sender_snap_t;

void sender_init (sender_t *s, int64_t now);
//  Distinct recipients this hour and the last (estimated, the HyperLogLog sketches).
double sender_distinct_rcpts (const sender_t *s);
//  The record in raw (len bytes, from storage) into out, upgraded when it is
//  of an older version (sender_compat.c); false when it is no record.
bool sender_load (const void *raw, size_t len, sender_t *out);
//  Move the windows forward to now, folding finished hours into the
//  baselines. Times before the newest counted are left as they are.
void sender_advance (sender_t *s, int64_t now, const compromise_params_t *p);
//  Count one message at now to recipients rcpt[0..n) (addresses); returns
//  how many were new to the account.
uint32_t sender_count (sender_t *s, int64_t now, char *const *rcpt, size_t n,
                       const compromise_params_t *p);
//  The same without remembering the recipients as known: the broker counts
//  a message at dispatch and remembers its recipients only when it is
//  delivered (sender_remember), so that what was held or rejected never
//  makes a stranger known, and held mail scanned again after a flag lifts
//  still finds its recipients new.
uint32_t sender_count_pending (sender_t *s, int64_t now, char *const *rcpt, size_t n,
                               const compromise_params_t *p);
//  ... for a message held at dispatch (the account flagged): not folded into
//  the baselines either.
uint32_t sender_count_held (sender_t *s, int64_t now, char *const *rcpt, size_t n,
                            const compromise_params_t *p);
//  Whether the account has delivered to rcpt before.
bool sender_knows (const sender_t *s, const char *rcpt);
//  The recipients of a delivered message are known from now on.
void sender_remember (sender_t *s, char *const *rcpt, size_t n);
//  A recipient address without its angle brackets and spaces: the start,
//  and its length in *len.
const char *sender_rcpt_trim (const char *rcpt, size_t *len);
//  Fold the content score (0..1) of a message sent at t in.
void sender_score (sender_t *s, int64_t t, double spam, const compromise_params_t *p);
//  The state as the worker sees it at now.
void sender_snapshot (const sender_t *s, int64_t now, const compromise_params_t *p,
                      sender_snap_t *out);
//  Flag (reason copied) or clear the flag. An operator's release also takes
//  the burst as normal: the baselines rise to what was seen in the last hour.
void sender_flag (sender_t *s, int64_t now, const char *reason);
//  The detector's flag at now: it lasts p->flag_ttl, or stays when it is
//  the escalate-after'th in 24 hours. Returns true when it escalated.
bool sender_flag_detected (sender_t *s, int64_t now, const char *reason, const compromise_params_t *p);
//  A message of time t counted as sent was held after all (the detector's
//  hold): not folded into the baselines.
void sender_unsent (sender_t *s, int64_t t);
//  Count n new recipients of a message slowed at t (tried_min).
void sender_tried (sender_t *s, int64_t t, uint32_t n);
//  Whether a detector's flag has run out at now.
bool sender_flag_expired (const sender_t *s, int64_t now);
void sender_release (sender_t *s, int64_t now);
//  The held burst was dropped (the attacker's, not the account's): the flag
//  cleared and what it sent in the last hour forgotten, so that the rate of
//  mail it never sent does not flag its next ordinary message.
void sender_drop (sender_t *s);
//  The caps (caps.c): 0 when a message at now to nrcpt recipients is
//  within every cap; the time at which it will be; or -1 when it never can
//  (more recipients than a cap allows). The cap that stopped it is in why
//  ("rate-limit: ..." or "too-many-recipients: ..."). defaults: the default
//  caps (p->limit for an account; NULL for a domain, which has none).
int64_t sender_limit (const sender_t *s, int64_t now, size_t nrcpt, const double *defaults,
                      char *why, size_t whylen);
//  What counts against a cap of kind k at now (messages or recipients in its
//  window; 0 for recipients-per-message).
uint64_t sender_counted (const sender_t *s, int64_t now, limit_kind_t k);
//  The cap of kind k that applies (0: none), and whether it is the record's own.
uint32_t sender_cap (const sender_t *s, limit_kind_t k, const double *defaults, int *own);

void sender_snap_format (const sender_snap_t *snap, strbuf_t *out);
//  0, or -1 when text is not a snapshot (then out is all zero).
int sender_snap_parse (const char *text, size_t len, sender_snap_t *out);
#endif
