/*  maillog.h: the submissions in a Postfix maillog, for farm-ctl learn.
 *
 *  A maillog names each message by Postfix's queue id across the lines of
 *  its daemons: smtpd ("QID: client=..., sasl_username=alice"), qmgr
 *  ("QID: from=<a@b>, size=N, nrcpt=N"), the delivery agents ("QID:
 *  to=<c@d>, relay=..., status=...") and qmgr again ("QID: removed"). A
 *  message is one account (the SASL login, or the envelope sender when
 *  there is none), its time (the from= line's) and the recipients it was
 *  delivered, deferred or bounced to. Not counted: the null sender
 *  (bounces), and what went into the farm (relay=farm, the pipe; or a reply
 *  "queued as" a farm queue id, farm-smtpd's): its copy re-injected after
 *  the scan is the one that went out.
 *
 *  Every line is hostile: a line that is not syslog, a line of another
 *  program, a line past MAILLOG_LINE bytes, a message with more than
 *  MAILLOG_RCPT recipients, more than MAILLOG_OPEN messages open at once:
 *  counted and skipped, never a crash. Lines go in as they come; times are
 *  syslog's without a year: the year given, or the one before when the
 *  month is later than the year's last month seen so far would allow. */
#ifndef FARM_MAILLOG_H
#define FARM_MAILLOG_H
#include <stddef.h>
#include <stdint.h>

#define MAILLOG_LINE 8192
#define MAILLOG_RCPT 1000
#define MAILLOG_OPEN 100000

typedef struct {
    char *account;
    int64_t t;
    char **rcpt;
    size_t nrcpt;
} maillog_msg_t;

typedef struct {
    uint64_t lines, messages;
    uint64_t not_syslog;        //  no "Mon DD HH:MM:SS host prog[pid]: " (or ISO time) head
    uint64_t not_postfix;       //  another program's line
    uint64_t too_long, too_many, dropped_open, out_of_order, null_sender, to_farm;
} maillog_stats_t;

typedef struct maillog_t maillog_t;
//  year: for times without one (0: this year).
maillog_t *maillog_new (int year);
void maillog_destroy (maillog_t **self_p);
//  One line (without its newline). Finished messages (qmgr's "removed")
//  are handed to fn, which owns nothing of msg after it returns.
typedef void (maillog_fn) (void *arg, const maillog_msg_t *msg);
void maillog_line (maillog_t *self, const char *line, size_t len, maillog_fn *fn, void *arg);
//  The end of the log: what is still open and has a sender goes to fn.
void maillog_finish (maillog_t *self, maillog_fn *fn, void *arg);
const maillog_stats_t *maillog_stats (maillog_t *self);
#endif
