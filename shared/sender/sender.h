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

#define SENDER_VERSION 2
#define SENDER_REASON 512

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
} sender_t;

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
    double strangers_min;       //  new recipients per message below which no account is held
    double limit[LIMIT_KINDS];  //  default caps of an account (0: none)
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
} sender_snap_t;

void sender_init (sender_t *s, int64_t now);
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
//  Fold a content score (0..1) in.
void sender_score (sender_t *s, double spam, const compromise_params_t *p);
//  The state as the worker sees it at now.
void sender_snapshot (const sender_t *s, int64_t now, const compromise_params_t *p,
                      sender_snap_t *out);
//  Flag (reason copied) or clear the flag. An operator's release also takes
//  the burst as normal: the baselines rise to what was seen in the last hour.
void sender_flag (sender_t *s, int64_t now, const char *reason);
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
