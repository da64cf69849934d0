/*  caps.c: the caps on an account's or a domain's mail, checked against
 *  its record's rings (see caps.h). */
#include "caps.h"
#include "sender.h"
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name, *per;
    bool rcpt;              //  counts recipients, not messages
    int span;               //  slots in the window
    int slot_s;             //  seconds a slot
} s_kinds[LIMIT_KINDS] = {
    [LIMIT_MSG_MINUTE] = { "messages-per-minute", "a minute", false, 1, 60 },
    [LIMIT_MSG_HOUR] = { "messages-per-hour", "an hour", false, 60, 60 },
    [LIMIT_MSG_DAY] = { "messages-per-day", "a day", false, 24, 3600 },
    [LIMIT_RCPT_MINUTE] = { "recipients-per-minute", "a minute", true, 1, 60 },
    [LIMIT_RCPT_HOUR] = { "recipients-per-hour", "an hour", true, 60, 60 },
    [LIMIT_RCPT_DAY] = { "recipients-per-day", "a day", true, 24, 3600 },
    [LIMIT_RCPT_MESSAGE] = { "recipients-per-message", "a message", true, 0, 0 },
};

const char *
limit_name (limit_kind_t k)
{
    return k < LIMIT_KINDS ? s_kinds[k].name : "?";
}

const char *
limit_per (limit_kind_t k)
{
    return k < LIMIT_KINDS ? s_kinds[k].per : "?";
}

int
limit_lookup (const char *name, size_t n)
{
    for (int k = 0; k < LIMIT_KINDS; k++)
        if (strlen (s_kinds[k].name) == n && !strncmp (s_kinds[k].name, name, n))
            return k;
    return -1;
}

static inline int64_t
s_div (int64_t t, int64_t d)
{
    return t >= 0 ? t / d : 0;
}

//  The count of slot idx of kind k's ring (0 outside the ring's window).
static uint64_t
s_slot (const sender_t *s, limit_kind_t k, int64_t idx)
{
    bool by_minute = s_kinds[k].slot_s == 60;
    int64_t head = by_minute ? s->minute_head : s->hour_head, size = by_minute ? 60 : 24;
    if (idx > head || idx <= head - size || idx < 0)
        return 0;
    size_t i = (size_t) (idx % size);
    if (by_minute)
        return s_kinds[k].rcpt ? s->rcpt_min[i] : s->msgs_min[i];
    return s_kinds[k].rcpt ? s->rcpt_hour[i] : s->msgs_hour[i];
}

//  The slot now falls in for kind k: never before the newest counted.
static int64_t
s_now_slot (const sender_t *s, limit_kind_t k, int64_t now)
{
    bool by_minute = s_kinds[k].slot_s == 60;
    int64_t idx = s_div (now, s_kinds[k].slot_s), head = by_minute ? s->minute_head : s->hour_head;
    return idx < head ? head : idx;
}

uint64_t
sender_counted (const sender_t *s, int64_t now, limit_kind_t k)
{
    if (k >= LIMIT_KINDS || !s_kinds[k].span)
        return 0;
    int64_t idx = s_now_slot (s, k, now);
    uint64_t sum = 0;
    for (int j = 0; j < s_kinds[k].span; j++)
        sum += s_slot (s, k, idx - j);
    return sum;
}

uint32_t
sender_cap (const sender_t *s, limit_kind_t k, const double *defaults, int *own)
{
    uint32_t c = s->limit[k];
    *own = c != 0;
    if (c == LIMIT_NONE)
        return 0;
    if (c)
        return c;
    double d = defaults ? defaults[k] : 0;
    return d >= 1 ? (d >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t) d) : 0;
}

int64_t
sender_limit (const sender_t *s, int64_t now, size_t nrcpt, const double *defaults, char *why,
              size_t whylen)
{
    //  First what can never fit, however long it waits (rejected), then
    //  what fits later (deferred).
    for (int pass = 0; pass < 2; pass++)
        for (int ki = 0; ki < LIMIT_KINDS; ki++) {
            limit_kind_t k = (limit_kind_t) ki;
            int own;
            uint32_t cap = sender_cap (s, k, defaults, &own);
            if (!cap)
                continue;
            const char *whose = own ? "its own" : "the default";
            uint64_t add = s_kinds[k].rcpt ? nrcpt : 1;
            if (pass == 0) {
                if (add <= cap)
                    continue;
                if (k == LIMIT_RCPT_MESSAGE)
                    snprintf (why, whylen, "too-many-recipients: %zu, limit %u a message (%s)", nrcpt,
                              cap, whose);
                else
                    snprintf (why, whylen,
                              "too-many-recipients: %zu in one message, more than the limit of %u "
                              "recipients %s (%s)", nrcpt, cap, s_kinds[k].per, whose);
                return -1;
            }
            if (!s_kinds[k].span)
                continue;
            int64_t idx = s_now_slot (s, k, now);
            uint64_t sum = sender_counted (s, now, k);
            if (sum + add <= cap)
                continue;
            //  Due at the first slot at which enough of the oldest have
            //  left the window (if more is counted meanwhile, the check
            //  then defers it again).
            int span = s_kinds[k].span, j = 1;
            uint64_t left = sum;
            for (; j <= span && left + add > cap; j++)
                left -= s_slot (s, k, idx - span + j);
            //  j - 1 slots left: the window then ends at slot idx + j - 1.
            int64_t due = (idx + j - 1) * s_kinds[k].slot_s;
            const char *when = span == 1 ? "this minute"
                               : s_kinds[k].slot_s == 60 ? "in the last hour" : "in the last 24 hours";
            if (s_kinds[k].rcpt)
                snprintf (why, whylen, "rate-limit: %" PRIu64 " recipients %s and %zu in this message, "
                          "limit %u %s (%s)", sum, when, nrcpt, cap, s_kinds[k].per, whose);
            else
                snprintf (why, whylen, "rate-limit: %" PRIu64 " messages %s, limit %u %s (%s)", sum,
                          when, cap, s_kinds[k].per, whose);
            return due;
        }
    return 0;
}
