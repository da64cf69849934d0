/*  compromise.c: parameters and the compromise decision (see compromise.h). */
#include "compromise.h"
#include "cfg.h"
#include <czmq.h>
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void
compromise_params_default (compromise_params_t *p)
{
    //  As models/compromise.cfg documents them (tuned with tools/scenario.sh).
    p->threshold = 6;
    p->window_min = 10;
    p->prior_rate = 3;
    p->prior_new = 3;
    p->warmup_h = 72;
    p->slot_alpha = 0.3;
    p->hour_alpha = 0.02;
    p->score_alpha = 0.25;
    p->usual_alpha = 0.02;
    p->slack = 3;
    p->w_rate = 0.5;
    p->w_new = 1;
    p->w_content = 8;
    p->content_margin = 0.15;
    p->known_discount = 0.75;
    p->strangers_min = 0.4;
    p->limit_minute = 120;
    p->limit_hour = 2000;
}

static const struct {
    const char *path;
    size_t off;
    double min, max;
} s_keys[] = {
#define F(f) offsetof (compromise_params_t, f)
    { "compromise/threshold", F (threshold), 0.1, 1000 },
    { "compromise/window-minutes", F (window_min), 1, 60 },
    { "compromise/prior-rate", F (prior_rate), 0.01, 1e6 },
    { "compromise/prior-new", F (prior_new), 0.01, 1e6 },
    { "compromise/warmup-hours", F (warmup_h), 0, 24 * 365 },
    { "compromise/slot-alpha", F (slot_alpha), 0.001, 1 },
    { "compromise/hour-alpha", F (hour_alpha), 0.0001, 1 },
    { "compromise/score-alpha", F (score_alpha), 0.001, 1 },
    { "compromise/usual-alpha", F (usual_alpha), 0.0001, 1 },
    { "compromise/slack", F (slack), 1, 1000 },
    { "compromise/weight-rate", F (w_rate), 0, 100 },
    { "compromise/weight-new", F (w_new), 0, 100 },
    { "compromise/weight-content", F (w_content), 0, 1000 },
    { "compromise/content-margin", F (content_margin), 0, 1 },
    { "compromise/known-discount", F (known_discount), 0, 1 },
    { "compromise/strangers-min", F (strangers_min), 0, 1 },
    { "limits/per-minute", F (limit_minute), 0, 1e9 },
    { "limits/per-hour", F (limit_hour), 0, 1e9 },
#undef F
};

int
compromise_params_load (compromise_params_t *p, const char *file, char *err, size_t errlen)
{
    zconfig_t *root = zconfig_load (file);
    if (!root) {
        snprintf (err, errlen, "%s: cannot read or parse it", file);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < sizeof s_keys / sizeof s_keys[0] && !rc; i++) {
        double *field = (double *) ((char *) p + s_keys[i].off);
        char why[512];
        if (cfg_zpl_number (root, s_keys[i].path, s_keys[i].min, s_keys[i].max, field, why, sizeof why) < 0) {
            snprintf (err, errlen, "%s: %s", file, why);
            rc = -1;
        }
    }
    zconfig_destroy (&root);
    return rc;
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
