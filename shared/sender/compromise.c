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
      "new recipients per message below which no account is held" },
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
    cfg_params_default (s_params, S_NPARAMS, p);
}

int
compromise_params_load (compromise_params_t *p, const char *file, char *err, size_t errlen)
{
    return cfg_params_load (s_params, S_NPARAMS, p, sizeof *p, file, err, errlen);
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
    double lam_n = (s->expect_new_1h > 0.1 ? s->expect_new_1h : 0.1) * p->slack;
    double n_win = poisson_surprise (s->new_win, lam_n * frac);
    double n_hour = poisson_surprise (s->new_1h, lam_n);
    out->fresh = p->w_new * (n_win > n_hour ? n_win : n_hour);
    //  Content: the recent score with this message in it, above the usual.
    double recent = s->score_recent;
    if (spam >= 0 && spam <= 1)
        recent = s->total > 1 ? recent + p->score_alpha * (spam - recent) : spam;
    double rise = recent - s->score_usual - p->content_margin;
    out->content = rise > 0 ? p->w_content * rise : 0;
    //  Content alone never holds an account that sends at its usual pace to
    //  its usual people: a spammy newsletter is the Bayes stage's business.
    if (out->rate + out->fresh < 1)
        out->content = 0;
    //  A burst to people the account knows is a busy day; to strangers, a
    //  hijack: the score is discounted by the share of known recipients.
    //  (Over the hour: a few messages in the short window say little.)
    double strangers = s->msgs_1h ? (double) s->new_1h / s->msgs_1h : 0;
    strangers = strangers > 1 ? 1 : strangers;
    out->strangers = strangers;
    out->score = (out->rate + out->fresh + out->content) * (1 - p->known_discount * (1 - strangers));
    //  An account writing mostly to people it knows is having a busy day,
    //  however busy: the rate limits are what stops it.
    out->hold = out->score >= p->threshold && strangers >= p->strangers_min;
}

void
compromise_reason (const compromise_t *c, const sender_snap_t *s, const compromise_params_t *p,
                   char *out, size_t outlen)
{
    snprintf (out, outlen,
              "compromise: score %.1f %s %.3g (rate +%.1f: %u in %.0f min, %u in the hour, "
              "%.1f an hour expected; new recipients +%.1f: %u in %.0f min, %u in the hour, "
              "%.1f an hour expected; content +%.1f: recent %.2f, usual %.2f; "
              "new recipients per message %.2f)",
              c->score, c->score >= p->threshold ? "at or above" : "below", p->threshold, c->rate, s->msgs_win,
              p->window_min, s->msgs_1h, s->expect_1h, c->fresh, s->new_win, p->window_min,
              s->new_1h, s->expect_new_1h, c->content, s->score_recent, s->score_usual, c->strangers);
}
