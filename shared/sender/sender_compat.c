/*  sender_compat.c: records of older versions, upgraded as they are read
 *  (sender_load), so that a new broker keeps every account's history, flag
 *  and own limits. Each older layout is kept here as it was stored. */
#include "sender_compat.h"
#include <string.h>

//  A version-3 record was exactly the fields before texts.
_Static_assert (SENDER_V3_SIZE == 2536, "the version-3 layout moved");
_Static_assert (SENDER_V4_SIZE == 3584, "the version-4 layout moved");


static void
s_from_v1 (const sender_v1_t *o, sender_t *s)
{
    memset (s, 0, sizeof *s);
    s->version = SENDER_VERSION;
#define C(f) memcpy (&s->f, &o->f, sizeof s->f)
    C (flagged); C (first_seen); C (last_seen); C (flagged_at); C (released_at);
    C (minute_head); C (hour_head); C (total); C (msgs_min); C (new_min); C (msgs_hour);
    C (new_hour); C (hours); C (slot_mean); C (slot_var); C (all_mean); C (all_var);
    C (new_mean); C (new_var); C (score_recent); C (score_usual); C (scored);
    C (rcpt_hll); C (dom_hll); C (known);
#undef C
    //  Recipients were not counted: as many as messages, the least there were.
    for (size_t i = 0; i < 60; i++)
        s->rcpt_min[i] = o->msgs_min[i];
    for (size_t i = 0; i < 24; i++)
        s->rcpt_hour[i] = o->msgs_hour[i];
    s->limit[LIMIT_MSG_MINUTE] = o->limit_minute;
    s->limit[LIMIT_MSG_HOUR] = o->limit_hour;
    memcpy (s->reason, o->reason, sizeof o->reason);
    s->reason[sizeof o->reason - 1] = 0;
}

bool
sender_load (const void *raw, size_t len, sender_t *out)
{
    uint32_t v;
    if (len < sizeof v)
        return false;
    memcpy (&v, raw, sizeof v);
    if (v == SENDER_VERSION && len == sizeof (sender_t)) {
        memcpy (out, raw, sizeof *out);
        out->reason[sizeof out->reason - 1] = 0;
        return true;
    }
    //  Versions 3 to 5 appended their fields: they start empty (no usual
    //  share of new recipients yet, no spam counted, the flag the
    //  operator's; no lateral memory; no feedback).
    if ((v == 4 && len == SENDER_V4_SIZE) || (v == 3 && len == SENDER_V3_SIZE)
        || (v == 2 && len == SENDER_V2_SIZE)) {
        memset (out, 0, sizeof *out);
        memcpy (out, raw, len);
        out->version = SENDER_VERSION;
        out->reason[sizeof out->reason - 1] = 0;
        return true;
    }
    if (v == 1 && len == sizeof (sender_v1_t)) {
        sender_v1_t o;
        memcpy (&o, raw, sizeof o);
        s_from_v1 (&o, out);
        return true;
    }
    return false;
}
