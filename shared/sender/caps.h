/*  caps.h: the caps on an account's (or a From: domain's) mail, by kind.
 *
 *  Six rates (messages and recipients, each a minute, an hour and a day,
 *  over sliding windows: this minute, the last 60 minutes, the last 24
 *  hours) and one size (recipients in one message). Defaults for every
 *  account come from models/compromise.cfg [limits]; an operator sets an
 *  account's or a domain's own with farm-ctl limits. A domain's caps bind
 *  the sum of its accounts' mail, and a domain has no defaults.
 *
 *  A message over a rate cap is deferred to when it fits; a message that can
 *  never fit (more recipients than a cap allows at all) is rejected as
 *  too-many-recipients. What is counted: every message dispatched for the
 *  account, its envelope recipients, and the mail held while it is flagged;
 *  not bounces (the null sender), not released mail (counted when it first
 *  came), not what a cap deferred (counted when it passes). */
#ifndef FARM_CAPS_H
#define FARM_CAPS_H
#include <stddef.h>
#include <stdint.h>

typedef enum {
    LIMIT_MSG_MINUTE,
    LIMIT_MSG_HOUR,
    LIMIT_MSG_DAY,
    LIMIT_RCPT_MINUTE,
    LIMIT_RCPT_HOUR,
    LIMIT_RCPT_DAY,
    LIMIT_RCPT_MESSAGE,
    LIMIT_KINDS
} limit_kind_t;

//  An own cap of "none": no cap, whatever the default. An own cap of 0 is
//  "the default".
#define LIMIT_NONE UINT32_MAX

//  "messages-per-minute", ... (the key in compromise.cfg and farm-ctl).
const char *limit_name (limit_kind_t k);
//  The kind named name[0..n), or -1.
int limit_lookup (const char *name, size_t n);
//  "a minute", "an hour", "a day", "a message".
const char *limit_per (limit_kind_t k);
#endif
