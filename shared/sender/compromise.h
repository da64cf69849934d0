/*  compromise.h: the worker's decision on a hijacked account, from the
 *  sender snapshot the broker attached and the message's own content score.
 *
 *  The compromise score is a sum of named parts, each in "bits of surprise"
 *  (-log10 of a Poisson tail, times its weight):
 *    rate     messages in the short window and in the hour against the
 *             account's expected rate (times slack: people are bursty);
 *    new      recipients never written to before, against the account's
 *             usual number of new recipients;
 *    content  the recent content score above the account's usual one;
 *  their sum discounted when the burst goes to people the account knows
 *  (known-discount times the share of messages without a new recipient).
 *  At or above the threshold the message is held and the account flagged. */
#ifndef FARM_COMPROMISE_H
#define FARM_COMPROMISE_H
#include "cfg.h"
#include "sender.h"

typedef struct {
    double score;
    double rate, fresh, content;    //  the parts
    double strangers;               //  new recipients per message, at most 1
    bool hold;
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
