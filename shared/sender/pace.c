/*  pace.c: the population's prior and the pace of new accounts (see
 *  pace.h). */
#include "pace.h"
#include "xalloc.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pace_learn_t {
    double *rate, *fresh;       //  each account's busiest hour
    size_t n, cap;
};

pace_learn_t *
pace_learn_new (void)
{
    return xcalloc (1, sizeof (pace_learn_t));
}

void
pace_learn_destroy (pace_learn_t **self_p)
{
    pace_learn_t *self = *self_p;
    if (!self)
        return;
    free (self->rate);
    free (self->fresh);
    free (self);
    *self_p = NULL;
}

void
pace_learn_add (pace_learn_t *self, const sender_t *s, int64_t now)
{
    if (!s->total || s->last_seen < now - 86400)
        return;
    //  Its busiest hour of the last day: closed hours from the rings, and
    //  the hour it is in.
    uint32_t top = 0, top_new = s->new_hour;
    for (int64_t k = 0; k < 24; k++) {
        int64_t h = s->hour_head - k;
        if (h < 0)
            break;
        uint32_t m = s->msgs_hour[h % 24], f = k ? s->new_hr[h % 24] : s->new_hour;
        top = m > top ? m : top;
        top_new = f > top_new ? f : top_new;
    }
    if (self->n == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 256;
        self->rate = xrealloc (self->rate, self->cap * sizeof *self->rate);
        self->fresh = xrealloc (self->fresh, self->cap * sizeof *self->fresh);
    }
    self->rate[self->n] = top;
    self->fresh[self->n++] = top_new;
}

static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double
s_quantile (double *v, size_t n, double q)
{
    qsort (v, n, sizeof *v, s_cmp);
    size_t i = (size_t) (q * (double) (n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

void
pace_learn_prior (const pace_learn_t *self, const compromise_params_t *p, pace_prior_t *out)
{
    out->rate = p->prior_rate;
    out->fresh = p->prior_new;
    out->accounts = self->n;
    if (self->n < 10)
        return;
    double r = s_quantile (self->rate, self->n, p->prior_quantile);
    double f = s_quantile (self->fresh, self->n, p->prior_quantile);
    out->rate = r > out->rate ? r : out->rate;
    out->fresh = f > out->fresh ? f : out->fresh;
}

bool
pace_is_new (const sender_t *s, const compromise_params_t *p)
{
    return (double) s->hours < p->new_hours;
}

uint32_t
pace_fresh (const sender_t *s, char *const *rcpt, size_t n)
{
    uint32_t fresh = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *a = sender_rcpt_trim (rcpt[i], &len);
        fresh += !bloom2_has (&s->known, baseline_hash (a, len));
    }
    return fresh;
}

//  The minute at which the count of ring (the last 60 minutes up to the
//  minute head) plus add first fits under cap.
static int64_t
s_due (const uint16_t *ring, int64_t head, uint64_t sum, uint64_t add, double cap)
{
    int j = 1;
    for (; j <= 60 && (double) (sum + add) > cap; j++)
        sum -= ring[(head - 60 + j) % 60];
    return (head + j - 1) * 60;
}

int64_t
pace_check (const sender_t *s, int64_t now, uint32_t fresh, const pace_prior_t *prior,
            const compromise_params_t *p, char *why, size_t whylen)
{
    if (!pace_is_new (s, p))
        return 0;
    int64_t m = now >= 0 ? now / 60 : 0;
    uint64_t msgs = 0, news = 0;
    for (int64_t k = 0; k < 60; k++) {
        int64_t idx = m - k;
        if (idx <= s->minute_head && idx > s->minute_head - 60 && idx >= 0)
            msgs += s->msgs_min[idx % 60], news += s->new_min[idx % 60];
    }
    double max_msgs = p->slack * prior->rate, max_new = p->slack * prior->fresh;
    max_msgs = max_msgs > p->pace_msgs ? max_msgs : p->pace_msgs;
    max_new = max_new > p->pace_new ? max_new : p->pace_new;
    int64_t head = m > s->minute_head ? m : s->minute_head;
    //  The window as it will be at head: minutes before head - 59 have left.
    if ((double) (msgs + 1) > max_msgs && msgs) {
        int64_t due = s_due (s->msgs_min, head, msgs, 1, max_msgs);
        snprintf (why, whylen, "new-account: %" PRIu64 " messages in the last hour, more than a new "
                  "account is paced at (%.0f an hour: %.3g times the %.0f of this provider's busy "
                  "accounts, at least pace-messages); retry at %" PRId64, msgs, max_msgs, p->slack,
                  prior->rate, due);
        return due > now ? due : now + 60;
    }
    bool paced_new = s->kind != KIND_TRANSACTIONAL && s->kind != KIND_BULK;
    if (paced_new && fresh && (double) (news + fresh) > max_new && news) {
        int64_t due = s_due (s->new_min, head, news, fresh, max_new);
        snprintf (why, whylen, "new-account: %" PRIu64 " new recipients in the last hour and %u in "
                  "this message, more than a new account is paced at (%.0f an hour: %.3g times the "
                  "%.0f of this provider's busy accounts, at least pace-new); retry at %" PRId64,
                  news, fresh, max_new,
                  p->slack, prior->fresh, due);
        return due > now ? due : now + 60;
    }
    return 0;
}

int64_t
pace_slow (const sender_t *s, int64_t now, uint32_t fresh, const compromise_params_t *p,
           char *why, size_t whylen)
{
    if (p->slow_new <= 0 || !fresh)
        return 0;
    int64_t head = s->minute_head;
    uint64_t news = 0;
    for (int64_t k = 0; k < 60; k++)
        if (head - k >= 0)
            news += s->new_min[(head - k) % 60];
    //  An account the detector flagged in the last 24 hours has no budget:
    //  a suspect burst after its flag ran out waits at once.
    bool probation = s->flags_day && now >= s->flags_since && now - s->flags_since < 86400;
    if (!probation && (!news || (double) (news + fresh) <= p->slow_new))
        return 0;
    int64_t due = probation ? now + 600 : s_due (s->new_min, head, news, fresh, p->slow_new);
    snprintf (why, whylen, "slowed: a burst to %" PRIu64 " new recipients in the last hour and %u "
              "in this message, unlike the account (not yet evidence of a hijack): paced at %.0f "
              "new recipients an hour; retry at %" PRId64, news, fresh, p->slow_new, due);
    return due > now ? due : now + 60;
}
