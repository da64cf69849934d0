/*  sender.c: one account's record: counting, baselines, snapshot, limits
 *  (see sender.h). */
#include "sender.h"
#include "feedback.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

//  Catching up after a long silence folds at most this many empty hours
//  (two weeks): the EWMAs have forgotten everything well before.
#define MAX_CATCH_UP (24 * 14)

static inline int64_t
s_div (int64_t t, int64_t d)
{
    return t >= 0 ? t / d : 0;
}

double
sender_distinct_rcpts (const sender_t *s)
{
    uint8_t r[64];
    for (size_t i = 0; i < 64; i++)
        r[i] = s->rcpt_hll[0][i] > s->rcpt_hll[1][i] ? s->rcpt_hll[0][i] : s->rcpt_hll[1][i];
    return hll_count (r, 64);
}

void
sender_init (sender_t *s, int64_t now)
{
    memset (s, 0, sizeof *s);
    s->version = SENDER_VERSION;
    s->first_seen = s->last_seen = now;
    s->minute_head = s_div (now, 60);
    s->hour_head = s_div (now, 3600);
}

void
sender_advance (sender_t *s, int64_t now, const compromise_params_t *p)
{
    int64_t h = s_div (now, 3600), m = s_div (now, 60);
    if (h > s->hour_head) {
        //  Close the hours from the head up to now: the head's count, then
        //  an empty hour for each hour nobody sent in.
        int64_t last = h - 1, from = s->hour_head;
        if (last - from > MAX_CATCH_UP)
            from = last - MAX_CATCH_UP;
        for (int64_t hh = from; hh <= last; hh++) {
            bool head = hh == s->hour_head;
            //  What it sent, not what was held: a hijacker's burst, held,
            //  must not become the account's normal when its flag lifts.
            double x = head ? (double) s->msgs_hour[hh % 24] - s->held_hour : 0;
            double nx = head ? (double) s->new_hour - s->held_new_hour : 0;
            x = x > 0 ? x : 0;
            nx = nx > 0 ? nx : 0;
            double sx = head ? s->spam_hour : 0;
            float unused = 0;
            ewma_add (&s->slot_mean[hh % 24], &s->slot_var[hh % 24], x, p->slot_alpha);
            ewma_add (&s->all_mean, &s->all_var, x, p->hour_alpha);
            ewma_add (&s->new_mean, &s->new_var, nx, p->hour_alpha);
            ewma_add (&s->new_slot[hh % 24], &unused, nx, p->slot_alpha);
            ewma_add (&s->spam_mean, &unused, sx, p->hour_alpha);
            //  The usual share of new recipients, over hours with mail only:
            //  a shop's is near 1, a person's near 0.1.
            uint32_t r = head ? s->rcpt_hour[hh % 24] : 0;
            if (r) {
                //  Weighed by recipients: a newsletter's daily send to its
                //  list counts for what it is, not as one hour of twenty.
                double a = s->share_hours < 1 / p->share_alpha ? 1.0 / (s->share_hours + 1) : p->share_alpha;
                ewma_add (&s->share_new, &unused, nx > r ? r : nx, a);
                ewma_add (&s->share_rcpt, &unused, r, a);
                bool first = s->slot_rcpt[hh % 24] <= 0;
                ewma_add (&s->slot_new[hh % 24], &unused, nx > r ? r : nx, first ? 1 : p->slot_alpha);
                ewma_add (&s->slot_rcpt[hh % 24], &unused, r, first ? 1 : p->slot_alpha);
                s->share_hours++;
            }
            //  The lateral baselines, over hours with mail sent.
            if (head && x > 0) {
                double a = p->share_alpha;
                ewma_add (&s->newlink_mean, &unused, s->newlink_hour, a);
                ewma_add (&s->text_mean, &unused, s->text_max_hour, a);
                ewma_add (&s->distinct_mean, &unused, hll_count (s->rcpt_hll[hh % 2], 64), a);
            }
            if (head)
                s->new_hr[hh % 24] = s->new_hour;
            //  A spray at a human pace: slowed hour after hour.
            if (head && s->tried_hour)
                s->suspect_hours += s->suspect_hours < UINT16_MAX;
            else
                s->suspect_hours = 0;
            s->hours++;
        }
        int64_t gap = h - s->hour_head;
        for (int64_t k = 1; k <= gap && k <= 24; k++)
            s->msgs_hour[(s->hour_head + k) % 24] = s->rcpt_hour[(s->hour_head + k) % 24] =
                s->new_hr[(s->hour_head + k) % 24] = s->refused_hr[(s->hour_head + k) % 24] =
                s->final_hr[(s->hour_head + k) % 24] = 0;
        if (gap >= 2)
            memset (s->rcpt_hll, 0, sizeof s->rcpt_hll), memset (s->dom_hll, 0, sizeof s->dom_hll);
        else {
            memset (s->rcpt_hll[h % 2], 0, sizeof s->rcpt_hll[0]);
            memset (s->dom_hll[h % 2], 0, sizeof s->dom_hll[0]);
        }
        s->new_hour = s->spam_hour = s->held_hour = s->held_new_hour = 0;
        s->tried_hour = 0;
        s->newlink_hour = s->text_max_hour = 0;
        //  The link domains first delivered in the hour before the one that
        //  closed are its own now; the closed hour's wait one more.
        for (size_t i = 0; i < s->last_links_n && i < SENDER_HOUR_LINKS; i++)
            bloom2_add (&s->links, s->last_links[i]);
        memcpy (s->last_links, s->hour_links, sizeof s->last_links);
        s->last_links_n = gap == 1 ? s->hour_links_n : 0;
        if (gap > 1)
            for (size_t i = 0; i < s->hour_links_n && i < SENDER_HOUR_LINKS; i++)
                bloom2_add (&s->links, s->hour_links[i]);
        s->hour_links_n = 0;
        s->hour_head = h;
    }
    if (m > s->minute_head) {
        int64_t gap = m - s->minute_head;
        for (int64_t k = 1; k <= gap && k <= 60; k++) {
            s->msgs_min[(s->minute_head + k) % 60] = 0;
            s->new_min[(s->minute_head + k) % 60] = 0;
            s->rcpt_min[(s->minute_head + k) % 60] = 0;
            s->spam_min[(s->minute_head + k) % 60] = 0;
            s->tried_min[(s->minute_head + k) % 60] = 0;
            s->newlink_min[(s->minute_head + k) % 60] = 0;
            feedback_fold_minute (s, (size_t) ((s->minute_head + k) % 60), p);
        }
        s->minute_head = m;
    }
}

static inline void
s_inc16 (uint16_t *c, uint32_t by)
{
    uint32_t v = (uint32_t) *c + by;
    *c = (uint16_t) (v > UINT16_MAX ? UINT16_MAX : v);
}

const char *
sender_rcpt_trim (const char *a, size_t *len)
{
    size_t n = strlen (a);
    while (n && (*a == '<' || *a == ' '))
        a++, n--;
    while (n && (a[n - 1] == '>' || a[n - 1] == ' '))
        n--;
    *len = n;
    return a;
}

static uint32_t s_count (sender_t *s, int64_t now, char *const *rcpt, size_t n,
                         const compromise_params_t *p, bool remember);

uint32_t
sender_count (sender_t *s, int64_t now, char *const *rcpt, size_t n, const compromise_params_t *p)
{
    return s_count (s, now, rcpt, n, p, true);
}

uint32_t
sender_count_pending (sender_t *s, int64_t now, char *const *rcpt, size_t n, const compromise_params_t *p)
{
    return s_count (s, now, rcpt, n, p, false);
}

uint32_t
sender_count_held (sender_t *s, int64_t now, char *const *rcpt, size_t n, const compromise_params_t *p)
{
    uint32_t fresh = s_count (s, now, rcpt, n, p, false);
    if (s_div (now, 3600) == s->hour_head)
        s->held_hour++, s->held_new_hour += fresh;
    return fresh;
}

bool
sender_knows (const sender_t *s, const char *rcpt)
{
    size_t len;
    const char *a = sender_rcpt_trim (rcpt, &len);
    return bloom2_has (&s->known, baseline_hash (a, len));
}

void
sender_remember (sender_t *s, char *const *rcpt, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *a = sender_rcpt_trim (rcpt[i], &len);
        bloom2_add (&s->known, baseline_hash (a, len));
    }
}

static uint32_t
s_count (sender_t *s, int64_t now, char *const *rcpt, size_t n, const compromise_params_t *p,
         bool remember)
{
    sender_advance (s, now, p);
    int64_t m = s_div (now, 60), h = s_div (now, 3600);
    //  A time older than the newest counted (messages are not always
    //  dispatched in order) counts where it falls, when still in the window.
    bool in_min = m > s->minute_head - 60, in_hour = h > s->hour_head - 24;
    uint32_t fresh = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *a = sender_rcpt_trim (rcpt[i], &len);
        uint64_t hash = baseline_hash (a, len);
        fresh += remember ? bloom2_add (&s->known, hash) : !bloom2_has (&s->known, hash);
        const char *at = memchr (a, '@', len);
        if (h >= s->hour_head - 1) {
            hll_add (s->rcpt_hll[h % 2], 64, hash);
            if (at)
                hll_add (s->dom_hll[h % 2], 32, baseline_hash (at + 1, len - (size_t) (at + 1 - a)));
        }
    }
    if (in_min) {
        s_inc16 (&s->msgs_min[m % 60], 1);
        s_inc16 (&s->new_min[m % 60], fresh);
        s_inc16 (&s->rcpt_min[m % 60], n > UINT16_MAX ? UINT16_MAX : (uint32_t) n);
    }
    if (in_hour) {
        s->msgs_hour[h % 24] += s->msgs_hour[h % 24] < UINT32_MAX;
        uint64_t r = (uint64_t) s->rcpt_hour[h % 24] + n;
        s->rcpt_hour[h % 24] = r > UINT32_MAX ? UINT32_MAX : (uint32_t) r;
    }
    if (h == s->hour_head)
        s->new_hour += fresh;
    if (s->total++ == 0)
        s->first_seen = now;
    if (now > s->last_seen)
        s->last_seen = now;
    return fresh;
}

void
sender_score (sender_t *s, int64_t t, double spam, const compromise_params_t *p)
{
    if (!(spam >= 0 && spam <= 1))
        return;
    if (spam >= p->spam_level) {
        //  Where the message's time falls, when still in the windows.
        int64_t m = s_div (t, 60), h = s_div (t, 3600);
        if (m <= s->minute_head && m > s->minute_head - 60)
            s_inc16 (&s->spam_min[m % 60], 1);
        if (h == s->hour_head)
            s->spam_hour += s->spam_hour < UINT32_MAX;
    }
    if (s->scored == 0)
        s->score_recent = s->score_usual = (float) spam;
    else {
        s->score_recent += (float) (p->score_alpha * (spam - s->score_recent));
        s->score_usual += (float) (p->usual_alpha * (spam - s->score_usual));
    }
    s->scored += s->scored < UINT32_MAX;
}

static uint32_t
s_sum16 (const uint16_t *ring, int64_t head, int64_t now_idx, int64_t span)
{
    uint32_t sum = 0;
    for (int64_t k = 0; k < span && k < 60; k++) {
        int64_t idx = now_idx - k;
        if (idx <= head && idx > head - 60)
            sum += ring[((idx % 60) + 60) % 60];
    }
    return sum;
}

void
sender_snapshot (const sender_t *s, int64_t now, const compromise_params_t *p, sender_snap_t *out)
{
    memset (out, 0, sizeof *out);
    int64_t m = s_div (now, 60), h = s_div (now, 3600);
    if (m < s->minute_head)
        m = s->minute_head;
    if (h < s->hour_head)
        h = s->hour_head;
    int64_t win = (int64_t) p->window_min;
    out->msgs_1m = s_sum16 (s->msgs_min, s->minute_head, m, 1);
    out->msgs_win = s_sum16 (s->msgs_min, s->minute_head, m, win);
    out->msgs_1h = s_sum16 (s->msgs_min, s->minute_head, m, 60);
    out->new_win = s_sum16 (s->new_min, s->minute_head, m, win);
    out->new_1h = s_sum16 (s->new_min, s->minute_head, m, 60);
    out->rcpts_1h = s_sum16 (s->rcpt_min, s->minute_head, m, 60);
    out->spam_1h = s_sum16 (s->spam_min, s->minute_head, m, 60);
    out->tried_win = s_sum16 (s->tried_min, s->minute_head, m, win);
    out->tried_1h = s_sum16 (s->tried_min, s->minute_head, m, 60);
    out->suspect_hours = s->suspect_hours + (s->tried_hour ? 1 : 0);
    for (int64_t k = 0; k < 24; k++) {
        int64_t idx = h - k;
        if (idx <= s->hour_head && idx > s->hour_head - 24)
            out->msgs_24h += s->msgs_hour[idx % 24];
    }
    uint8_t d[32];
    for (size_t i = 0; i < 32; i++)
        d[i] = s->dom_hll[0][i] > s->dom_hll[1][i] ? s->dom_hll[0][i] : s->dom_hll[1][i];
    out->rcpt_1h = sender_distinct_rcpts (s);
    out->domains_1h = hll_count (d, 32);
    //  What the account normally sends now: its own baseline (the busier of
    //  this hour of day and all hours) weighed against the prior until it
    //  has warmup hours of history.
    double w = p->warmup_h > 0 ? s->hours / p->warmup_h : 1;
    w = w > 1 ? 1 : w;
    int64_t slot = h % 24;
    double own = s->slot_mean[slot] > s->all_mean ? s->slot_mean[slot] : s->all_mean;
    double own_var = s->slot_var[slot] > s->all_var ? s->slot_var[slot] : s->all_var;
    out->expect_1h = w * own + (1 - w) * p->prior_rate;
    out->expect_sd = sqrt (w * own_var + (1 - w) * p->prior_rate);
    double own_new = s->new_slot[slot] > s->new_mean ? s->new_slot[slot] : s->new_mean;
    out->expect_new_1h = w * own_new + (1 - w) * p->prior_new;
    out->expect_spam_1h = s->spam_mean;
    //  Its usual share of new recipients: over all its hours, or at this
    //  hour of day when that is higher (a newsletter's send to its list).
    //  Its weight is the recipients behind it: a day of a shop's receipts
    //  or one newsletter send says more than a person's first ten notes
    //  (whose recipients were all new to the farm, as every first one is).
    out->share_usual = s->share_rcpt > 0 ? s->share_new / s->share_rcpt : 0;
    out->share_basis = (double) s->share_rcpt * s->share_hours;
    out->slot_share = s->slot_rcpt[slot] > 0 ? s->slot_new[slot] / s->slot_rcpt[slot] : 0;
    out->slot_basis = s->slot_rcpt[slot];
    out->scored = s->scored;
    out->kind = s->kind;
    int mode = s->mode ? s->mode : (int) p->mode;
    out->observe = mode == MODE_OBSERVE;
    out->history_h = s->hours;
    out->score_recent = s->score_recent;
    out->score_usual = s->score_usual;
    out->total = s->total;
    out->flagged = s->flagged != 0;
}

void
sender_flag (sender_t *s, int64_t now, const char *reason)
{
    s->flagged = 1;
    s->flagged_at = now;
    s->flag_by = FLAG_BY_OPERATOR;
    s->flag_expires = 0;
    snprintf (s->reason, sizeof s->reason, "%s", reason ? reason : "");
}

bool
sender_flag_detected (sender_t *s, int64_t now, const char *reason, const compromise_params_t *p)
{
    sender_flag (s, now, reason);
    if (now - s->flags_since >= 86400 || now < s->flags_since) {
        s->flags_since = now;
        s->flags_day = 0;
    }
    s->flags_day += s->flags_day < UINT16_MAX;
    bool stays = p->flag_ttl <= 0 || (p->escalate_after >= 1 && s->flags_day >= p->escalate_after);
    s->flag_by = stays && p->flag_ttl > 0 ? FLAG_BY_ESCALATION : FLAG_BY_DETECTOR;
    s->flag_expires = stays ? 0 : now + (int64_t) p->flag_ttl;
    return stays && p->flag_ttl > 0;
}

void
sender_unsent (sender_t *s, int64_t t)
{
    if (s_div (t, 3600) == s->hour_head)
        s->held_hour += s->held_hour < UINT32_MAX;
}

void
sender_tried (sender_t *s, int64_t t, uint32_t n)
{
    int64_t m = s_div (t, 60);
    if (m <= s->minute_head && m > s->minute_head - 60)
        s_inc16 (&s->tried_min[m % 60], n);
    if (s_div (t, 3600) == s->hour_head)
        s_inc16 (&s->tried_hour, n);
}

bool
sender_flag_expired (const sender_t *s, int64_t now)
{
    return s->flagged && s->flag_by == FLAG_BY_DETECTOR && s->flag_expires && now >= s->flag_expires;
}

void
sender_release (sender_t *s, int64_t now)
{
    s->flagged = 0;
    s->flag_expires = 0;
    s->released_at = now;
    //  The burst was the account's own: what it sent in the last hour, and
    //  the new recipients it reached, become normal for it.
    uint32_t hour = 0, fresh = 0;
    for (size_t i = 0; i < 60; i++)
        hour += s->msgs_min[i], fresh += s->new_min[i];
    for (size_t i = 0; i < 24; i++)
        if (s->slot_mean[i] < hour)
            s->slot_mean[i] = (float) hour;
    if (s->all_mean < hour)
        s->all_mean = (float) hour;
    if (s->new_mean < fresh)
        s->new_mean = (float) fresh;
    if (s->hours < 24 * 7)
        s->hours = 24 * 7;
    s->score_usual = s->score_recent > s->score_usual ? s->score_recent : s->score_usual;
}

void
sender_drop (sender_t *s)
{
    s->flagged = 0;
    s->flag_expires = 0;
    memset (s->msgs_min, 0, sizeof s->msgs_min);
    memset (s->new_min, 0, sizeof s->new_min);
    memset (s->rcpt_min, 0, sizeof s->rcpt_min);
    s->msgs_hour[s->hour_head % 24] = s->rcpt_hour[s->hour_head % 24] = 0;
    s->new_hour = 0;
    //  XXX the recipients it reached stay "known" (a Bloom filter forgets
    //  nothing alone); they age out with its generations.
}

//  Snapshot as `key: value` lines (the JOB frame's sender state).
void
sender_snap_format (const sender_snap_t *x, strbuf_t *out)
{
    char buf[1024];
    int n = snprintf (buf, sizeof buf,
                      "msgs-1m: %u\nmsgs-window: %u\nmsgs-1h: %u\nmsgs-24h: %u\n"
                      "new-window: %u\nnew-1h: %u\nrcpt-distinct: %.1f\ndomains-distinct: %.1f\n"
                      "expect-1h: %.3f\nexpect-sd: %.3f\nexpect-new-1h: %.3f\nhistory-h: %.0f\n"
                      "score-recent: %.4f\nscore-usual: %.4f\ntotal: %llu\nflagged: %d\nreleased: %d\n"
                      "rcpts-1h: %u\nspam-1h: %u\nexpect-spam-1h: %.4f\nshare-usual: %.4f\n"
                      "slot-share: %.4f\nslot-basis: %.0f\nshare-basis: %.0f\nkind: %u\nobserve: %d\nscored: %u\n"
                      "tried-window: %u\ntried-1h: %u\nsuspect-hours: %u\n",
                      x->msgs_1m, x->msgs_win, x->msgs_1h, x->msgs_24h, x->new_win, x->new_1h,
                      x->rcpt_1h, x->domains_1h, x->expect_1h, x->expect_sd, x->expect_new_1h,
                      x->history_h, x->score_recent, x->score_usual, (unsigned long long) x->total,
                      x->flagged, x->released, x->rcpts_1h, x->spam_1h, x->expect_spam_1h,
                      x->share_usual, x->slot_share, x->slot_basis, x->share_basis, x->kind, x->observe, x->scored,
                      x->tried_win, x->tried_1h, x->suspect_hours);
    strbuf_add (out, buf, (size_t) n);
}

int
sender_snap_parse (const char *text, size_t len, sender_snap_t *out)
{
    memset (out, 0, sizeof *out);
    const char *p = text, *end = text + len;
    int seen = 0;
    while (p < end) {
        const char *nl = memchr (p, '\n', (size_t) (end - p));
        const char *le = nl ? nl : end;
        const char *colon = memchr (p, ':', (size_t) (le - p));
        char val[64];
        size_t vl = colon ? (size_t) (le - colon - 1) : 0;
        if (!colon || vl == 0 || vl >= sizeof val) {
            memset (out, 0, sizeof *out);
            return -1;
        }
        memcpy (val, colon + 1, vl);
        val[vl] = 0;
        char *e;
        double d = strtod (val, &e);
        if (e == val || *e || !isfinite (d) || d < 0 || d > 1e15) {
            memset (out, 0, sizeof *out);
            return -1;
        }
        size_t kl = (size_t) (colon - p);
#define K(name) (kl == strlen (name) && strncasecmp (p, name, kl) == 0)
        uint32_t u = d > UINT32_MAX ? UINT32_MAX : (uint32_t) d;
        if (K ("msgs-1m")) out->msgs_1m = u;
        else if (K ("msgs-window")) out->msgs_win = u;
        else if (K ("msgs-1h")) out->msgs_1h = u;
        else if (K ("msgs-24h")) out->msgs_24h = u;
        else if (K ("new-window")) out->new_win = u;
        else if (K ("new-1h")) out->new_1h = u;
        else if (K ("rcpt-distinct")) out->rcpt_1h = d;
        else if (K ("domains-distinct")) out->domains_1h = d;
        else if (K ("expect-1h")) out->expect_1h = d;
        else if (K ("expect-sd")) out->expect_sd = d;
        else if (K ("expect-new-1h")) out->expect_new_1h = d;
        else if (K ("history-h")) out->history_h = d;
        else if (K ("score-recent")) out->score_recent = d;
        else if (K ("score-usual")) out->score_usual = d;
        else if (K ("total")) out->total = (uint64_t) d;
        else if (K ("flagged")) out->flagged = d != 0;
        else if (K ("released")) out->released = d != 0;
        else if (K ("rcpts-1h")) out->rcpts_1h = u;
        else if (K ("spam-1h")) out->spam_1h = u;
        else if (K ("expect-spam-1h")) out->expect_spam_1h = d;
        else if (K ("share-usual")) out->share_usual = d > 1 ? 1 : d;
        else if (K ("share-basis")) out->share_basis = d;
        else if (K ("slot-share")) out->slot_share = d > 1 ? 1 : d;
        else if (K ("slot-basis")) out->slot_basis = d;
        else if (K ("kind")) out->kind = u < KIND_COUNT ? u : 0;
        else if (K ("observe")) out->observe = d != 0;
        else if (K ("scored")) out->scored = u;
        else if (K ("tried-window")) out->tried_win = u;
        else if (K ("tried-1h")) out->tried_1h = u;
        else if (K ("suspect-hours")) out->suspect_hours = u;
#undef K
        seen++;
        p = nl ? nl + 1 : end;
    }
    return seen ? 0 : -1;
}
