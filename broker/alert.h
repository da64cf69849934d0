/*  alert.h: telling someone when the compromise detector acts on an
 *  account (flagged, escalated, its flag ran out): an HTTP POST of a JSON
 *  object to a webhook (libcurl), signed with HMAC-SHA256 so the receiver
 *  can trust it, and/or a command run with the same JSON on its standard
 *  input.
 *
 *  Never in the way of the scan: alert_post queues the event (at most
 *  ALERT_QUEUE; beyond, it is dropped with a log line) and returns; a
 *  thread of its own sends them one at a time, each attempt bounded by
 *  notify/timeout-ms, retried notify/retries times with a doubling pause
 *  (1 s, 2 s, 4 s, ...) when the receiver is down, slow or answers other
 *  than 2xx, then dropped with a log line. The broker's loop is never
 *  blocked by a receiver, only its shutdown, by ALERT_DRAIN_MS at most.
 *
 *  The request: POST with Content-Type application/json, X-Farm-Event (the
 *  event's name), X-Farm-Timestamp (unix seconds) and X-Farm-Signature:
 *  "sha256=" and the hex HMAC-SHA256, under the key in notify/secret-file,
 *  of the timestamp, a ".", and the body. */
#ifndef FARM_ALERT_H
#define FARM_ALERT_H
#include "cfg.h"
#include <stddef.h>
#include <stdint.h>

#define ALERT_QUEUE 1000
//  At a stop, what is queued goes out (its attempts without pauses) for
//  at most this long; the rest is dropped with a log line.
#define ALERT_DRAIN_MS 5000

typedef struct alert_t alert_t;

//  NULL with err when the configuration cannot work (an unreadable secret,
//  a webhook without one); an alert_t that does nothing when neither
//  notify/webhook nor notify/command is set.
alert_t *alert_new (cfg_t *cfg, char *err, size_t errlen);
//  Sends what is queued (within ALERT_DRAIN_MS), then stops the thread.
void alert_destroy (alert_t **self_p);
//  Queue an event: event ("flag", "escalation", "expiry"), the account,
//  the reason in full, the compromise score (NAN when none), the counts of
//  the hour, a few queue ids of the burst (the one that decided it first;
//  ALERT_QIDS at most), the time it counts at.
#define ALERT_QIDS 8
typedef struct {
    const char *event, *account, *reason;
    const char *qids[ALERT_QIDS];           //  NULL-terminated when fewer
    double score;
    uint32_t msgs_1h, new_1h, tried_1h;
    int64_t at, until;          //  until: when the flag lifts (0: until an operator acts)
} alert_event_t;
void alert_post (alert_t *self, const alert_event_t *ev);
//  Events sent, dropped after their retries, dropped for a full queue.
void alert_counts (alert_t *self, uint64_t *sent, uint64_t *failed, uint64_t *overflow);
#endif
