/*  compromise.h: the worker's decision on a hijacked account, from the
 *  sender snapshot the broker attached and the message's own content score.
 *
 *  The compromise score is a sum of named parts, each in "bits of surprise"
 *  (-log10 of a Poisson tail, times its weight), each against the account's
 *  own history:
 *    rate     messages in the short window and in the hour against the
 *             account's expected rate now (times slack: people are bursty);
 *    new      recipients never written to before, against its usual number
 *             of new recipients at this hour;
 *    content  the recent content score above the account's usual one, and
 *             the hour's count of spam against its usual count;
 *  rate and new discounted when the hour's share of new recipients is no
 *  more than the account's usual share (a shop's receipts go to new people
 *  every hour, a person's mail to people it knows). What holds is in
 *  compromise_judge: strong content alone; or, for an account with history,
 *  a score at the threshold with an unusual share of strangers and some
 *  content evidence (or a burst beyond any honest one). An account with
 *  too little history is held only for content; the broker paces it. */
#ifndef FARM_COMPROMISE_H
#define FARM_COMPROMISE_H
#include "cfg.h"
#include "sender.h"

typedef struct {
    double score;
    double rate, fresh, content;    //  the parts
    double behaviour;               //  rate and fresh, discounted
    double strangers;               //  the hour's share of recipients that were new
    double usual_share;             //  the account's usual share
    double unusual;                 //  strangers above the usual share
    bool young;                     //  too little history to judge its behaviour
    bool hold;                      //  the decision
    bool slow;                      //  suspicious without evidence: the broker slows it
    bool observe;                   //  observe mode: recorded, not applied
} compromise_t;

//  spam: this message's content score (NAN when none).
void compromise_judge (const sender_snap_t *snap, double spam, const compromise_params_t *p,
                       compromise_t *out);
//  The reason line for a verdict: "compromise: score 9.1 at or above 6 (...)".
void compromise_reason (const compromise_t *c, const sender_snap_t *snap,
                        const compromise_params_t *p, char *out, size_t outlen);
//  The table the parameters (compromise/, limits/) are declared in.
const cfg_param_t *compromise_params_table (size_t *n);
#endif
