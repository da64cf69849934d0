/*  feedback.c: delivery outcomes and complaints in the sender's record (see
 *  feedback.h). */
#include "feedback.h"
#include "baseline.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int64_t
s_div (int64_t t, int64_t d)
{
    return t >= 0 ? t / d : -((-t + d - 1) / d);
}

static void
s_inc16 (uint16_t *c)
{
    *c += *c < UINT16_MAX;
}

static void
s_inc32 (uint32_t *c)
{
    *c += *c < UINT32_MAX;
}

feedback_kind_t
feedback_kind (const bounce_t *b)
{
    if (b->kind == BOUNCE_MALFORMED || b->kind >= BOUNCE_KINDS)
        return FEEDBACK_KINDS;
    if (b->kind == BOUNCE_DELIVERED)
        return FEEDBACK_DELIVERED;
    if (!b->permanent)
        return FEEDBACK_DEFERRED;
    return b->kind == BOUNCE_INVALID ? FEEDBACK_INVALID
           : b->kind == BOUNCE_POLICY ? FEEDBACK_POLICY : FEEDBACK_REFUSED;
}

const char *
feedback_kind_name (feedback_kind_t k)
{
    static const char *names[] = { "delivered", "invalid", "policy", "refused", "deferred" };
    return k < FEEDBACK_KINDS ? names[k] : "malformed";
}

//  Fold n final outcomes, inv of them invalid and pol for policy, into the
//  usual shares: a running mean up to feedback-basis outcomes, then a
//  moving one of about that many.
static void
s_fold (sender_t *s, uint32_t n, uint32_t inv, uint32_t pol, const compromise_params_t *p)
{
    if (!n)
        return;
    double basis = p->feedback_basis > 1 ? p->feedback_basis : 1;
    double behind = s->finals < basis ? s->finals : basis;
    double w = n / (behind + n);
    s->invalid_usual += (float) (w * ((double) inv / n - s->invalid_usual));
    s->policy_usual += (float) (w * ((double) pol / n - s->policy_usual));
    s->finals = s->finals > UINT32_MAX - n ? UINT32_MAX : s->finals + n;
}

void
feedback_fold_minute (sender_t *s, size_t slot, const compromise_params_t *p)
{
    s_fold (s, s->final_min[slot], s->invalid_min[slot], s->policy_min[slot], p);
    s->final_min[slot] = s->invalid_min[slot] = s->policy_min[slot] = 0;
}

void
feedback_count (sender_t *s, int64_t t, feedback_kind_t k, bool fresh, const compromise_params_t *p)
{
    if (k >= FEEDBACK_KINDS)
        return;
    s->outcomes[k] += s->outcomes[k] < UINT64_MAX;
    if (k == FEEDBACK_DEFERRED)
        return;         //  not an outcome yet
    int64_t m = s_div (t, 60);
    if (m > s->minute_head)
        m = s->minute_head;     //  a time ahead of the record's: its newest minute
    int64_t h = s_div (t, 3600);
    if (h > s->hour_head)
        h = s->hour_head;
    if (h <= s->hour_head && s->hour_head - h < 24) {
        size_t hs = (size_t) ((h % 24 + 24) % 24);
        s_inc16 (&s->final_hr[hs]);
        if ((k == FEEDBACK_INVALID || k == FEEDBACK_POLICY) && fresh)
            s_inc16 (&s->refused_hr[hs]);
    }
    if (s->minute_head - m >= 60) {
        //  Mail older than the hour: straight into the usual.
        s_fold (s, 1, k == FEEDBACK_INVALID, k == FEEDBACK_POLICY, p);
        return;
    }
    size_t slot = (size_t) (((m % 60) + 60) % 60);
    s_inc16 (&s->final_min[slot]);
    if (!fresh && (k == FEEDBACK_INVALID || k == FEEDBACK_POLICY)) {
        //  Into the usual at once, not the hour's rise.
        s->final_min[slot]--;
        s_fold (s, 1, k == FEEDBACK_INVALID, k == FEEDBACK_POLICY, p);
        return;
    }
    if (k == FEEDBACK_INVALID)
        s_inc16 (&s->invalid_min[slot]);
    if (k == FEEDBACK_POLICY)
        s_inc16 (&s->policy_min[slot]);
}

//  The day ring moved to day d (days between cleared); false when d is too
//  old for it.
static bool
s_day (sender_t *s, int64_t d)
{
    if (d > s->day_head) {
        int64_t gap = d - s->day_head;
        for (int64_t k = 1; k <= gap && k <= FEEDBACK_DAYS; k++) {
            size_t i = (size_t) (((s->day_head + k) % FEEDBACK_DAYS + FEEDBACK_DAYS) % FEEDBACK_DAYS);
            s->sent_day[i] = s->complaint_day[i] = 0;
        }
        s->day_head = d;
    }
    return s->day_head - d < FEEDBACK_DAYS;
}

static size_t
s_day_slot (int64_t d)
{
    return (size_t) ((d % FEEDBACK_DAYS + FEEDBACK_DAYS) % FEEDBACK_DAYS);
}

void
feedback_sent (sender_t *s, int64_t t)
{
    int64_t d = s_div (t, 86400);
    if (s_day (s, d))
        s_inc32 (&s->sent_day[s_day_slot (d)]);
}

void
feedback_complaint (sender_t *s, int64_t t)
{
    s_inc32 (&s->complaints);
    int64_t d = s_div (t, 86400);
    if (d <= s->day_head && s->day_head - d < FEEDBACK_DAYS)
        s_inc32 (&s->complaint_day[s_day_slot (d)]);
}

void
feedback_judge (const sender_t *s, const compromise_params_t *p, feedback_state_t *out)
{
    memset (out, 0, sizeof *out);
    for (size_t i = 0; i < 60; i++) {
        out->finals_1h += s->final_min[i];
        out->invalid_1h += s->invalid_min[i];
        out->policy_1h += s->policy_min[i];
    }
    out->refused_1h = out->invalid_1h + out->policy_1h;
    out->share_1h = out->finals_1h ? (double) out->refused_1h / out->finals_1h : 0;
    out->finals = s->finals;
    out->invalid_usual = s->invalid_usual;
    out->policy_usual = s->policy_usual;
    double basis = p->feedback_basis, own = s->finals < basis ? s->finals : basis;
    out->usual = basis > 0 ? (own * (s->invalid_usual + s->policy_usual) + (basis - own) * p->prior_refused) / basis
                           : s->invalid_usual + s->policy_usual;
    //  How surprising the hour's refusals are under the usual share (never
    //  below a quarter of the prior: an account clean so far is not one
    //  refusal from a flag).
    double floor = p->prior_refused / 4, u = out->usual > floor ? out->usual : floor;
    out->surprise = poisson_surprise (out->refused_1h, out->finals_1h * u);
    out->rise = out->refused_1h >= p->refused_min && out->share_1h >= p->refused_share
                && out->surprise >= p->refused_surprise;
    //  The same over the last refused-hours hours: a hijacker at the
    //  account's own slow pace.
    for (int64_t k = 0; k < (int64_t) p->refused_hours && k < 24; k++) {
        size_t i = (size_t) (((s->hour_head - k) % 24 + 24) % 24);
        out->refused_long += s->refused_hr[i];
        out->finals_long += s->final_hr[i];
    }
    double share = out->finals_long ? (double) out->refused_long / out->finals_long : 0;
    double sl = poisson_surprise (out->refused_long, out->finals_long * u);
    if (!out->rise && out->refused_long >= p->refused_min && share >= p->refused_share
        && sl >= p->refused_surprise) {
        out->rise = out->slow = true;
        out->surprise = sl;
    }
    out->reputation = s->finals >= basis / 2
                      && (s->invalid_usual >= p->reputation_invalid || s->policy_usual >= p->reputation_policy);
    for (int64_t k = 0; k < 7; k++) {
        size_t i = s_day_slot (s->day_head - k);
        out->sent_7d += s->sent_day[i];
        out->complaints_7d += s->complaint_day[i];
    }
    out->complaint_rate = out->sent_7d ? (double) out->complaints_7d / out->sent_7d : 0;
    out->complaint_warn = out->complaints_7d && out->complaint_rate >= p->complaint_warn;
    out->complaint_flag = out->complaints_7d >= p->complaint_min && out->complaint_rate >= p->complaint_flag;
}

void
feedback_reason (const feedback_state_t *f, const compromise_params_t *p, bool complaint,
                 char *out, size_t outlen)
{
    if (!complaint && f->slow)
        snprintf (out, outlen,
                  "compromise: refused recipients %u of %u in the last %g hours' mail (%.0f%%), usual "
                  "%.1f%%: surprise %.1f at or above %g", f->refused_long, f->finals_long,
                  p->refused_hours, f->finals_long ? 100.0 * f->refused_long / f->finals_long : 0,
                  100 * f->usual, f->surprise, p->refused_surprise);
    else if (complaint)
        snprintf (out, outlen,
                  "complaints: %u about the %u messages delivered in 7 days (%.2f%%, complaint-flag %.2f%%)",
                  f->complaints_7d, f->sent_7d, 100 * f->complaint_rate, 100 * p->complaint_flag);
    else
        snprintf (out, outlen,
                  "compromise: refused recipients %u of %u in the last hour's mail (%.0f%%: %u invalid, "
                  "%u for policy), usual %.1f%%: surprise %.1f at or above %g",
                  f->refused_1h, f->finals_1h, 100 * f->share_1h, f->invalid_1h, f->policy_1h,
                  100 * f->usual, f->surprise, p->refused_surprise);
}

void
feedback_show (const sender_t *s, const feedback_state_t *f, const compromise_params_t *p,
               strbuf_t *out)
{
    strbuf_printf (out,
                   "  feedback:       %llu delivered, %llu invalid, %llu for policy, %llu refused otherwise, "
                   "%llu deferred; last hour %u of %u refused (%.1f%%); usual invalid %.2f%%, "
                   "policy %.2f%% over %u outcome(s)%s\n",
                   (unsigned long long) s->outcomes[FEEDBACK_DELIVERED],
                   (unsigned long long) s->outcomes[FEEDBACK_INVALID],
                   (unsigned long long) s->outcomes[FEEDBACK_POLICY],
                   (unsigned long long) s->outcomes[FEEDBACK_REFUSED],
                   (unsigned long long) s->outcomes[FEEDBACK_DEFERRED], f->refused_1h, f->finals_1h,
                   100 * f->share_1h, 100 * f->invalid_usual, 100 * f->policy_usual, f->finals,
                   f->reputation ? "; reputation: poor" : f->rise ? "; a sudden rise" : "");
    strbuf_printf (out, "  complaints:     %u ever; %u about %u messages delivered in 7 days (%.3f%%; "
                   "warn at %.2f%%, flag at %.2f%%)%s\n",
                   s->complaints, f->complaints_7d, f->sent_7d, 100 * f->complaint_rate,
                   100 * p->complaint_warn, 100 * p->complaint_flag,
                   f->complaint_flag ? "; over complaint-flag"
                   : f->complaint_warn ? "; over complaint-warn" : "");
}

int
feedback_id_format (const char *account, const char *sender_id, char *out, size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *a = (const unsigned char *) account; *a; a++) {
        bool plain = *a > ' ' && *a < 127 && *a != ':' && *a != '%' && *a != ';';
        if (n + 4 >= outlen)
            return -1;
        if (plain)
            out[n++] = (char) *a;
        else {
            out[n++] = '%';
            out[n++] = hex[*a >> 4];
            out[n++] = hex[*a & 15];
        }
    }
    int w = snprintf (out + n, outlen - n, ":%s", sender_id);
    return w < 0 || (size_t) w >= outlen - n ? -1 : 0;
}

static int
s_hexval (char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
feedback_id_account (const char *value, const char *sender_id, char *out, size_t outlen)
{
    while (*value == ' ' || *value == '\t')
        value++;
    const char *colon = strchr (value, ':');
    size_t sl = strlen (sender_id);
    if (!*sender_id || !colon || colon == value || strncmp (colon + 1, sender_id, sl))
        return -1;
    const char *rest = colon + 1 + sl;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (*rest)
        return -1;
    size_t n = 0;
    for (const char *p = value; p < colon; p++) {
        char c = *p;
        if (c == '%') {
            int hi = p + 2 < colon ? s_hexval (p[1]) : -1, lo = hi >= 0 ? s_hexval (p[2]) : -1;
            if (lo < 0)
                return -1;
            c = (char) (hi * 16 + lo);
            p += 2;
        }
        if (c == 0 || n + 1 >= outlen)
            return -1;
        out[n++] = c;
    }
    out[n] = 0;
    return 0;
}
