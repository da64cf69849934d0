/*  compromise.c: parameters and the compromise decision (see compromise.h). */
#include "compromise.h"
#include "cfg.h"
#include <czmq.h>
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

//  Every parameter of models/compromise.cfg: its default (as
//  models/compromise.cfg documents them, tuned with tools/bench/scenario.py),
//  range and meaning.
#define F(f) offsetof (compromise_params_t, f)
#define R CFG_PARAM_REAL
static const cfg_param_t s_params[] = {
    { "compromise/threshold", R, F (threshold), 6, 0.1, 1000,
      "compromise score at which an account is held" },
    { "compromise/window-minutes", R, F (window_min), 10, 1, 60, "the short window, in minutes" },
    { "compromise/prior-rate", R, F (prior_rate), 3, 0.01, 1e6,
      "messages an hour expected of an account with no history" },
    { "compromise/prior-new", R, F (prior_new), 3, 0.01, 1e6,
      "new recipients an hour expected of an account with no history" },
    { "compromise/warmup-hours", R, F (warmup_h), 72, 0, 24 * 365,
      "hours of history before the account's own baseline counts fully" },
    { "compromise/slot-alpha", R, F (slot_alpha), 0.3, 0.001, 1,
      "weight of one day's hour in the hour-of-day baseline" },
    { "compromise/hour-alpha", R, F (hour_alpha), 0.02, 0.0001, 1,
      "weight of one hour in the all-hours baselines" },
    { "compromise/score-alpha", R, F (score_alpha), 0.25, 0.001, 1,
      "weight of one message in the recent content score" },
    { "compromise/usual-alpha", R, F (usual_alpha), 0.02, 0.0001, 1,
      "weight of one message in the usual content score" },
    { "compromise/slack", R, F (slack), 3, 1, 1000, "expected rates are multiplied by this" },
    { "compromise/weight-rate", R, F (w_rate), 0.5, 0, 100, "weight of the rate in the score" },
    { "compromise/weight-new", R, F (w_new), 1, 0, 100, "weight of new recipients in the score" },
    { "compromise/weight-content", R, F (w_content), 8, 0, 1000,
      "weight of the content score's rise in the score" },
    { "compromise/content-margin", R, F (content_margin), 0.15, 0, 1,
      "a recent minus usual content score below this counts nothing" },
    { "compromise/known-discount", R, F (known_discount), 0.75, 0, 1,
      "how much mail to known recipients discounts the score, 0..1" },
    { "compromise/strangers-min", R, F (strangers_min), 0.4, 0, 1,
      "the hour's share of new recipients above the account's usual share below which its "
      "behaviour holds nothing" },
    { "compromise/share-alpha", R, F (share_alpha), 0.05, 0.001, 1,
      "weight of one hour with mail in the account's usual share of new recipients" },
    { "compromise/prior-share", R, F (prior_share), 0.2, 0, 1,
      "the usual share of new recipients of an account with too little history" },
    { "compromise/share-basis", R, F (share_basis), 100, 1, 1e9,
      "recipients behind an account's usual share of new recipients before it counts fully" },
    { "compromise/spam-level", R, F (spam_level), 0.97, 0, 1,
      "a content score at or above which a message counts as spam in the hourly count" },
    { "compromise/weight-spam", R, F (w_spam), 1.5, 0, 100,
      "weight of the hour's count of spam against the account's usual count" },
    { "compromise/content-min", R, F (content_min), 1, 0, 1000,
      "content evidence below which a burst to strangers is not held unless implausible" },
    { "compromise/plausible-new", R, F (plausible_new), 200, 1, 1e9,
      "new recipients an hour beyond any honest burst: behaviour alone holds beyond it" },
    { "compromise/lateral-threshold", R, F (lateral_threshold), 8, 0.1, 1e9,
      "lateral score at which a burst that carries a link domain or a Reply-To the account "
      "never used is held (a hijacker writing to the account's own contacts)" },
    { "compromise/weight-links", R, F (w_links), 1, 0, 100,
      "weight of the hour's messages with link domains the account never sent, against its usual" },
    { "compromise/weight-same-text", R, F (w_same), 1, 0, 100,
      "weight of the recipients one text reached in the short window, against the account's usual" },
    { "compromise/weight-sweep", R, F (w_sweep), 1, 0, 100,
      "weight of the distinct known contacts written to in the hour, against the account's usual "
      "distinct recipients an hour" },
    { "compromise/weight-presentation", R, F (w_present), 2, 0, 100,
      "weight of each new Reply-To, display name or mailer" },
    { "compromise/links-history", R, F (links_history), 10, 0, 1e9,
      "messages an account must have sent before a link domain it never sent counts" },
    { "compromise/links-expected", R, F (links_expected), 0.5, 0.01, 1e6,
      "messages an hour (this and the last) expected to carry one link domain the account never "
      "sent: a link shared once or twice is usual, one in message after message is a round" },
    { "compromise/presentation-history", R, F (present_history), 20, 0, 1e9,
      "messages an account must have sent before a new presentation counts" },
    { "compromise/refused-min", R, F (refused_min), 5, 1, 1e9,
      "recipients of the last hour's mail refused for good as invalid or for policy before a "
      "rise of refusals flags the account" },
    { "compromise/refused-share", R, F (refused_share), 0.1, 0.001, 1,
      "share of the last hour's final outcomes refused as invalid or for policy at which the "
      "account is flagged" },
    { "compromise/refused-surprise", R, F (refused_surprise), 5, 0, 1000,
      "... and this surprising under the account's usual share (-log10 of the Poisson chance of "
      "as many refused among the hour's outcomes; 5: one in 100,000)" },
    { "compromise/refused-hours", R, F (refused_hours), 6, 1, 24,
      "the longer window a slow rise of refused recipients is judged over too, in hours (the "
      "same tests, on the mail of those hours)" },
    { "compromise/feedback-basis", R, F (feedback_basis), 1000, 1, 1e9,
      "final outcomes behind an account's usual shares before they count fully" },
    { "compromise/prior-refused", R, F (prior_refused), 0.03, 0, 1,
      "the usual share of refused recipients of an account with no feedback yet" },
    { "compromise/reputation-invalid", R, F (reputation_invalid), 0.05, 0, 1,
      "a usual share of invalid recipients that is a reputation problem (shown, never held)" },
    { "compromise/reputation-policy", R, F (reputation_policy), 0.01, 0, 1,
      "a usual share of refusals for policy or spam that is a reputation problem" },
    { "compromise/complaint-warn", R, F (complaint_warn), 0.001, 0, 1,
      "complaints per message delivered in 7 days shown as a warning (Gmail's 0.1%)" },
    { "compromise/complaint-flag", R, F (complaint_flag), 0.003, 0, 1,
      "complaints per message delivered in 7 days at which the account is flagged (Gmail's 0.3%)" },
    { "compromise/complaint-min", R, F (complaint_min), 3, 1, 1e9,
      "complaints in 7 days before their rate flags the account" },
    { "compromise/burst-new", R, F (burst_new), 40, 1, 1e9,
      "new recipients in the short window beyond any honest burst (counting what was slowed)" },
    { "compromise/slow-new", R, F (slow_new), 10, 0, 1e9,
      "new recipients an hour a suspect account is slowed to while evidence gathers (0: no "
      "slowing)" },
    { "compromise/sustained-hours", R, F (sustained_hours), 3, 0, 1000,
      "hours in a row with mail slowed that are evidence of a hijack, when its content rises "
      "at all above the account's usual (a spray at a human pace goes on; a conference "
      "follow-up, slowed, spills over hours too, but its content is the account's own; 0: never)" },
    { "compromise/new-hours", R, F (new_hours), 24, 0, 24 * 365,
      "hours of history before an account is judged on its behaviour (before: slowed, held only "
      "for content)" },
    { "compromise/prior-quantile", R, F (prior_quantile), 0.9, 0.5, 1,
      "the quantile of new accounts' busiest hours that new accounts are paced at" },
    { "compromise/pace-messages", R, F (pace_msgs), 60, 0, 1e9,
      "messages an hour a new account may always send, whatever the population's prior" },
    { "compromise/pace-new", R, F (pace_new), 100, 0, 1e9,
      "new recipients an hour a new account may always reach, whatever the population's prior" },
    { "compromise/flag-ttl", R, F (flag_ttl), 3600, 0, 86400 * 365,
      "seconds a detector's flag lasts before its held mail is scanned again (0: until an "
      "operator acts)" },
    { "compromise/escalate-after", R, F (escalate_after), 3, 0, 1000,
      "the detector's flags in 24 hours after which the flag stays until an operator acts "
      "(0: never)" },
    { "limits/messages-per-minute", R, F (limit[LIMIT_MSG_MINUTE]), 120, 0, 1e9,
      "messages an account may send in a minute (0: no cap)" },
    { "limits/messages-per-hour", R, F (limit[LIMIT_MSG_HOUR]), 2000, 0, 1e9,
      "messages an account may send in the last 60 minutes (0: no cap)" },
    { "limits/messages-per-day", R, F (limit[LIMIT_MSG_DAY]), 20000, 0, 1e9,
      "messages an account may send in the last 24 hours (0: no cap)" },
    { "limits/recipients-per-minute", R, F (limit[LIMIT_RCPT_MINUTE]), 2000, 0, 1e9,
      "envelope recipients an account may send to in a minute (0: no cap)" },
    { "limits/recipients-per-hour", R, F (limit[LIMIT_RCPT_HOUR]), 10000, 0, 1e9,
      "envelope recipients in the last 60 minutes (0: no cap)" },
    { "limits/recipients-per-day", R, F (limit[LIMIT_RCPT_DAY]), 50000, 0, 1e9,
      "envelope recipients in the last 24 hours (0: no cap)" },
    { "limits/recipients-per-message", R, F (limit[LIMIT_RCPT_MESSAGE]), 0, 0, 1e9,
      "envelope recipients of one message (0: only the farm's limits/recipients)" },
};
#undef R
#undef F
#define S_NPARAMS (sizeof s_params / sizeof s_params[0])

const cfg_param_t *
compromise_params_table (size_t *n)
{
    *n = S_NPARAMS;
    return s_params;
}

void
compromise_params_default (compromise_params_t *p)
{
    memset (p, 0, sizeof *p);
    cfg_params_default (s_params, S_NPARAMS, p);
    p->mode = MODE_ENFORCE;
}

int
compromise_params_load (compromise_params_t *p, const char *file, char *err, size_t errlen)
{
    return cfg_params_load (s_params, S_NPARAMS, p, sizeof *p, file, err, errlen);
}

//  The usual share of new recipients: its own over its hours with mail,
//  blended with the prior (or what its kind says) until share-basis
//  recipients stand behind it.
static double
s_blend (double share, double basis, double prior, const compromise_params_t *p)
{
    double w = basis / p->share_basis;
    w = w > 1 ? 1 : w;
    return w * share + (1 - w) * prior;
}

//  ... over all its hours, or at this hour of day (a newsletter's send to
//  its list), whichever is higher.
static double
s_usual_share (const sender_snap_t *s, const compromise_params_t *p)
{
    double prior = s->kind == KIND_TRANSACTIONAL ? 1 : s->kind == KIND_BULK ? 0.5
                   : s->kind == KIND_PERSON ? 0.1 : p->prior_share;
    double all = s_blend (s->share_usual, s->share_basis, prior, p);
    double slot = s_blend (s->slot_share, s->slot_basis, all, p);
    return all > slot ? all : slot;
}

void
compromise_judge (const sender_snap_t *s, double spam, const compromise_params_t *p,
                  compromise_t *out)
{
    memset (out, 0, sizeof *out);
    double frac = p->window_min / 60.0;
    //  Rate: the surprise of the short window and of the hour; the larger.
    double lam_h = (s->expect_1h > 0.1 ? s->expect_1h : 0.1) * p->slack;
    double r_win = poisson_surprise (s->msgs_win, lam_h * frac);
    double r_hour = poisson_surprise (s->msgs_1h, lam_h);
    out->rate = p->w_rate * (r_win > r_hour ? r_win : r_hour);
    //  Strangers: new recipients likewise.
    //  Strangers it tried to reach count with those it reached: mail the
    //  broker slowed (tried) is part of the burst.
    double lam_n = (s->expect_new_1h > 0.1 ? s->expect_new_1h : 0.1) * p->slack;
    double n_win = poisson_surprise ((double) s->new_win + s->tried_win, lam_n * frac);
    double n_hour = poisson_surprise ((double) s->new_1h + s->tried_1h, lam_n);
    out->fresh = p->w_new * (n_win > n_hour ? n_win : n_hour);
    //  Content: the recent score with this message in it, above the usual;
    //  and the hour's count of spam against the account's usual count.
    double recent = s->score_recent;
    bool scored = spam >= 0 && spam <= 1;
    if (scored)
        recent = s->total > 1 ? recent + p->score_alpha * (spam - recent) : spam;
    //  (The usual score means something only after a few messages.)
    double rise = s->scored >= 3 ? recent - s->score_usual - p->content_margin : 0;
    out->content = rise > 0 ? p->w_content * rise : 0;
    double nspam = s->spam_1h + (scored && spam >= p->spam_level);
    double lam_s = (s->expect_spam_1h > 0.02 ? s->expect_spam_1h : 0.02) * p->slack;
    out->content += p->w_spam * poisson_surprise (nspam, lam_s);
    //  Strangers against itself: the hour's share of recipients that are new
    //  above the account's usual share. A shop's receipts go to new people
    //  every hour; a person's mail, to people it knows.
    double rc = (s->rcpts_1h ? s->rcpts_1h : s->msgs_1h) + (double) s->tried_1h;
    double strangers = rc > 0 ? ((double) s->new_1h + s->tried_1h) / rc : 0;
    strangers = strangers > 1 ? 1 : strangers;
    out->strangers = strangers;
    out->usual_share = s_usual_share (s, p);
    double unusual = strangers - out->usual_share;
    out->unusual = unusual = unusual > 0 ? unusual : 0;
    //  Behaviour is discounted by how much of the burst goes where the
    //  account usually writes.
    out->behaviour = (out->rate + out->fresh) * (1 - p->known_discount * (1 - unusual));
    out->score = out->behaviour + out->content;
    out->young = s->history_h < p->new_hours;
    //  What holds:
    //  - content alone, when strong (a burst of spam, at any pace), for an
    //    account with history;
    //  - for an account with history: behaviour and content together, with
    //    an unusual share of strangers, and some content evidence unless the
    //    burst is beyond any honest one (plausible-new new recipients in the
    //    hour, or burst-new in the short window, counting what was slowed):
    //    a conference follow-up is ordinary mail to many new people at a
    //    human pace, a hijack's phishing is not, nor is a spray. Suspect
    //    without that evidence, it is slowed (watch.c), so that it does not
    //    deliver while the evidence gathers;
    //  - an account with too little history is not judged on its behaviour
    //    (the broker paces it instead, pace.h), only on content: at least
    //    five of its messages in the hour, and half of them, spam.
    bool strong = !out->young && out->content >= p->threshold;
    //  The burst's size counts what it tried to send, slowed or not.
    double tried_1h = (double) s->new_1h + s->tried_1h, tried_win = (double) s->new_win + s->tried_win;
    bool evidence = out->content >= p->content_min || tried_1h >= p->plausible_new
                    || tried_win >= p->burst_new
                    || (p->sustained_hours >= 1 && s->suspect_hours >= p->sustained_hours
                        && out->content > 0);
    bool suspect = !out->young && out->score >= p->threshold && unusual >= p->strangers_min;
    bool behaved = suspect && evidence;
    bool young_hold = out->young && out->score >= p->threshold && nspam >= 5
                      && nspam >= 0.5 * (s->msgs_1h ? s->msgs_1h : 1);
    out->hold = strong || behaved || young_hold;
    out->slow = suspect && !out->hold;
    out->observe = s->observe;
}

void
compromise_reason (const compromise_t *c, const sender_snap_t *s, const compromise_params_t *p,
                   char *out, size_t outlen)
{
    snprintf (out, outlen,
              "compromise: score %.1f %s %.3g (rate +%.1f: %u in %.0f min, %u in the hour, "
              "%.1f an hour expected; new recipients +%.1f: %u in %.0f min, %u in the hour, "
              "%u tried in the hour, %.1f an hour expected; content +%.1f: recent %.2f, usual "
              "%.2f, %u spam in the hour; new recipients %.0f%% of the hour's, usually %.0f%%%s)",
              c->score, c->hold ? "at or above" : "below", p->threshold, c->rate, s->msgs_win,
              p->window_min, s->msgs_1h, s->expect_1h, c->fresh, s->new_win, p->window_min,
              s->new_1h, s->tried_1h, s->expect_new_1h, c->content, s->score_recent, s->score_usual, s->spam_1h,
              100 * c->strangers, 100 * c->usual_share, c->young ? "; a new account" : "");
}
