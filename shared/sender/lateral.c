/*  lateral.c: the lateral signals of compromise (see lateral.h). */
#include "lateral.h"
#include "baseline.h"
#include "traits.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static uint32_t
s_ring_sum (const uint16_t *ring)
{
    uint32_t n = 0;
    for (size_t i = 0; i < 60; i++)
        n += ring[i];
    return n;
}

static int64_t
s_bucket (int64_t t, const compromise_params_t *p)
{
    int64_t w = (int64_t) (p->window_min * 60);
    return w > 0 ? t / w : t;
}

//  Texts (by SimHash, within TRAITS_SAME_BITS) and new link domains (by
//  hash, exactly) are counted alike, in slots by window: this one and the
//  one before (sender_text_t).
//  The slot of key seen in this bucket or the one before, or NULL.
static sender_text_t *
s_slot (sender_text_t *slots, uint64_t key, int bits, int64_t bucket)
{
    if (!key)
        return NULL;
    for (size_t i = 0; i < SENDER_TEXTS; i++) {
        sender_text_t *x = &slots[i];
        if (x->sim && bucket - x->bucket <= 1 && traits_distance (x->sim, key) <= bits)
            return x;
    }
    return NULL;
}

//  Its count in this bucket and the one before.
static uint32_t
s_slot_count (const sender_text_t *x, int64_t bucket)
{
    if (bucket == x->bucket)
        return x->cur + x->prev;
    return bucket == x->bucket + 1 ? x->cur : 0;
}

//  by more for key at bucket (the slot of the oldest gives way to a new
//  key); its count after.
static uint32_t
s_slot_add (sender_text_t *slots, uint64_t key, int bits, int64_t bucket, uint32_t by)
{
    sender_text_t *x = s_slot (slots, key, bits, bucket);
    if (!x) {
        x = &slots[0];
        for (size_t i = 1; i < SENDER_TEXTS; i++)
            if (slots[i].bucket < x->bucket)
                x = &slots[i];
        memset (x, 0, sizeof *x);
        x->sim = key;
        x->bucket = bucket;
    }
    else if (bucket > x->bucket) {
        x->prev = bucket == x->bucket + 1 ? x->cur : 0;
        x->cur = 0;
        x->bucket = bucket;
    }
    if (bucket == x->bucket)
        x->cur = x->cur + by < x->cur ? UINT32_MAX : x->cur + by;
    return s_slot_count (x, bucket);
}

//  Not the account's own yet: never delivered, or first this hour or the one before.
static bool
s_new_link (const sender_t *s, uint64_t d)
{
    return !bloom2_has (&s->links, d);
}

//  The entry of a presentation, or NULL.
static uint32_t *
s_listed (const sender_t *s, int which, uint64_t h)
{
    uint32_t v = (uint32_t) h ? (uint32_t) h : 1;
    for (size_t i = 0; i < s->present_n[which] && i < SENDER_PRESENT; i++)
        if (s->present[which][i][0] == v)
            return (uint32_t *) s->present[which][i];
    return NULL;
}

//  The account's own: first delivered two hours or more before t's hour
//  (like a link domain, a hijacker's new Reply-To stays new through its burst).
static bool
s_known (const sender_t *s, int which, uint64_t h, int64_t t)
{
    const uint32_t *e = s_listed (s, which, h);
    return e && (int64_t) (uint32_t) (t / 3600) - (int64_t) e[1] >= 2;
}

//  Some presentation of this kind is the account's own already.
static bool
s_has_own (const sender_t *s, int which, int64_t t)
{
    for (size_t i = 0; i < s->present_n[which] && i < SENDER_PRESENT; i++)
        if ((int64_t) (uint32_t) (t / 3600) - (int64_t) s->present[which][i][1] >= 2)
            return true;
    return false;
}

void
lateral_judge (const sender_t *s, const verdict_features_t *f, uint32_t n, int64_t t,
               const compromise_params_t *p, lateral_t *out)
{
    memset (out, 0, sizeof *out);
    //  Links: a link domain never delivered, once the account has linked
    //  enough to know its own.
    //  Weighed by how many messages carry the same new domain: a link
    //  shared once is usual, one in message after message is a round.
    int64_t hour = t / 3600;
    uint32_t carried = 0;
    if (s->total >= p->links_history)
        for (size_t i = 0; i < f->nlinks && i < VERDICT_LINKS; i++)
            if (s_new_link (s, f->links[i])) {
                out->new_link = true;
                const sender_text_t *x = s_slot ((sender_text_t *) s->new_links, f->links[i], 0, hour);
                uint32_t c = (x ? s_slot_count (x, hour) : 0) + 1;
                carried = c > carried ? c : carried;
            }
    out->newlink_1h = s_ring_sum (s->newlink_min) + out->new_link;
    out->carried = carried;
    if (out->new_link)
        out->links = p->w_links * poisson_surprise (carried, p->links_expected);
    //  The same text to many in the short window.
    int64_t bucket = s_bucket (t, p);
    const sender_text_t *x = s_slot ((sender_text_t *) s->texts, f->text, TRAITS_SAME_BITS, bucket);
    out->same_rcpts = (x ? s_slot_count (x, bucket) : 0) + n;
    if (f->text) {
        double lam = (s->text_mean > 1 ? s->text_mean : 1) * p->slack;
        out->same = p->w_same * poisson_surprise (out->same_rcpts, lam);
    }
    //  The address book swept: distinct known contacts in the hour.
    double known = sender_distinct_rcpts (s) - s_ring_sum (s->new_min);
    out->known_1h = known > 0 ? known : 0;
    double lam_d = (s->distinct_mean > 1 ? s->distinct_mean : 1) * p->slack;
    out->sweep = p->w_sweep * poisson_surprise (out->known_1h, lam_d);
    //  Presentation: what it never used, once it has a history.
    if (s->total >= p->present_history) {
        if (f->reply_to && !s_known (s, 0, f->reply_to, t))
            out->changed |= 1;
        if (f->display && s_has_own (s, 1, t) && !s_known (s, 1, f->display, t))
            out->changed |= 2;
        if (f->mailer && s_has_own (s, 2, t) && !s_known (s, 2, f->mailer, t))
            out->changed |= 4;
    }
    unsigned k = (out->changed & 1) + (out->changed >> 1 & 1) + (out->changed >> 2 & 1);
    out->present = p->w_present * k;
    out->score = out->links + out->same + out->sweep + out->present;
    //  A new link in one message, however many it went to, is one person
    //  sharing a link (an e-card with a greeting); the hijacker's round
    //  carries it message after message.
    out->carries = (out->new_link && carried >= 2) || (out->changed & 1);
    bool young = (double) (t - s->first_seen) / 3600.0 < p->new_hours;
    //  A burst is one text to more than the account's usual: many
    //  different notes to many contacts with links is a busy day.
    out->hold = !young && out->carries && out->same > 0 && out->score >= p->lateral_threshold;
}

static void
s_remember (sender_t *s, int which, uint64_t h, int64_t t)
{
    if (!h || s_listed (s, which, h))
        return;
    uint32_t e[2] = { (uint32_t) h ? (uint32_t) h : 1, (uint32_t) (t / 3600) };
    if (s->present_n[which] < SENDER_PRESENT)
        memcpy (s->present[which][s->present_n[which]++], e, sizeof e);
    else {
        //  The first listed gives way.
        memmove (&s->present[which][0], &s->present[which][1], (SENDER_PRESENT - 1) * sizeof e);
        memcpy (s->present[which][SENDER_PRESENT - 1], e, sizeof e);
    }
}

void
lateral_count (sender_t *s, const verdict_features_t *f, uint32_t n, int64_t t,
               const compromise_params_t *p, const lateral_t *j, bool delivered)
{
    int64_t minute = t / 60;
    if (j->new_link)
        for (size_t i = 0; i < f->nlinks && i < VERDICT_LINKS; i++)
            if (s_new_link (s, f->links[i]))
                s_slot_add (s->new_links, f->links[i], 0, t / 3600, 1);
    if (j->new_link && minute <= s->minute_head && minute > s->minute_head - 60) {
        uint32_t v = (uint32_t) s->newlink_min[minute % 60] + 1;
        s->newlink_min[minute % 60] = (uint16_t) (v > UINT16_MAX ? UINT16_MAX : v);
        s->newlink_hour += s->newlink_hour < UINT16_MAX;
    }
    if (f->text) {
        uint32_t r = s_slot_add (s->texts, f->text, TRAITS_SAME_BITS, s_bucket (t, p), n);
        if (r > s->text_max_hour)
            s->text_max_hour = (uint16_t) (r > UINT16_MAX ? UINT16_MAX : r);
    }
    if (!delivered)
        return;
    if (f->nlinks) {
        //  Delivered links are the account's own once the next hour has
        //  closed (sender_advance).
        for (size_t i = 0; i < f->nlinks && i < VERDICT_LINKS; i++) {
            uint64_t d = f->links[i];
            if (!s_new_link (s, d))
                continue;
            bool listed = false;
            for (size_t k = 0; k < s->hour_links_n && k < SENDER_HOUR_LINKS; k++)
                listed |= s->hour_links[k] == d;
            for (size_t k = 0; k < s->last_links_n && k < SENDER_HOUR_LINKS; k++)
                listed |= s->last_links[k] == d;
            if (listed)
                continue;
            //  An hour with more new link domains than fit forgets the rest:
            //  they stay new until an hour with room delivers them again.
            if (s->hour_links_n < SENDER_HOUR_LINKS)
                s->hour_links[s->hour_links_n++] = d;
        }
        s->links_sent += s->links_sent < UINT32_MAX;
    }
    s_remember (s, 0, f->reply_to, t);
    s_remember (s, 1, f->display, t);
    s_remember (s, 2, f->mailer, t);
}

void
lateral_reason (const lateral_t *j, const compromise_params_t *p, char *out, size_t outlen)
{
    char what[64] = "";
    if (j->changed)
        snprintf (what, sizeof what, ": new%s%s%s", j->changed & 1 ? " Reply-To" : "",
                  j->changed & 2 ? " display name" : "", j->changed & 4 ? " mailer" : "");
    snprintf (out, outlen,
              "compromise: lateral score %.1f %s %.3g (links +%.1f: %u message(s) in the hour with "
              "a link domain it never sent%s, %u with this one's; same text +%.1f: %u recipient(s) in %.0f min; "
              "sweep +%.1f: %.0f known contact(s) in the hour; presentation +%.1f%s)",
              j->score, j->hold ? "at or above" : "below", p->lateral_threshold, j->links,
              j->newlink_1h, j->new_link ? ", this one too" : "", j->carried, j->same, j->same_rcpts,
              p->window_min, j->sweep, j->known_1h, j->present, what);
}
