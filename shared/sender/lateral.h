/*  lateral.h: the signals of a hijacker who writes to the account's own
 *  contacts, where the share of strangers says nothing: judged by the
 *  broker when the verdict comes back, from what the message shows
 *  (verdict_features_t, shared/stat/traits.h) against the account's
 *  memory (sender_t, version 4):
 *    - links: messages this hour and the last carrying this message's link
 *      domain that the account has never sent (links-expected of them an
 *      hour are usual: a link shared once or twice);
 *    - same text: the recipients one text (SimHash within TRAITS_SAME_BITS)
 *      reached in the short window, against the account's usual most;
 *    - sweep: distinct known contacts written to in the hour, against the
 *      account's usual distinct recipients an hour;
 *    - presentation: a Reply-To, display name or mailer it never used.
 *  Held (the account flagged) when the message carries something new (a
 *  link domain the account never used, in this message and another of the
 *  hour; or a Reply-To it never used), the lateral score
 *  reaches lateral-threshold, and it is one text sent to more recipients
 *  than the account's usual: a phishing round to the contacts. A greeting
 *  to every contact carries nothing new and is not held; a busy day of
 *  different notes is not one text; a legitimate announcement with a link
 *  to a site the account never linked to, sent to every contact at once,
 *  is held (see models/README.md), and so is not a hijacker who writes
 *  each note anew (the sweep and the links still count, not enough alone). */
#ifndef FARM_LATERAL_H
#define FARM_LATERAL_H
#include "sender.h"
#include "verdict.h"

typedef struct {
    double links, same, sweep, present, score;  //  the parts, weighted
    uint32_t newlink_1h;        //  messages with a new link domain in the hour, this one too
    uint32_t carried;           //  ... with this one's new domain, this hour and the last
    uint32_t same_rcpts;        //  recipients of this text in the short window, this one's too
    double known_1h;            //  distinct known contacts in the hour (estimated)
    unsigned changed;           //  1 Reply-To, 2 display name, 4 mailer: new
    bool new_link;              //  this message links to a domain the account never sent
    bool carries;               //  ... or has a new Reply-To
    bool hold;
} lateral_t;

//  Judge a message of time t to n recipients with features f, on s moved to
//  t (sender_advance) and counted (sender_count_pending) at dispatch.
void lateral_judge (const sender_t *s, const verdict_features_t *f, uint32_t n, int64_t t,
                    const compromise_params_t *p, lateral_t *out);
//  Fold the message into the memory: its text, its new link domain; and,
//  delivered, its link domains and presentation become the account's own.
void lateral_count (sender_t *s, const verdict_features_t *f, uint32_t n, int64_t t,
                    const compromise_params_t *p, const lateral_t *j, bool delivered);
//  The reason: "compromise: lateral score ...", each part and its figures.
void lateral_reason (const lateral_t *j, const compromise_params_t *p, char *out, size_t outlen);
#endif
