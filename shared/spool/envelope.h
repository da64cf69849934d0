/*  envelope.h: the envelope of a message and the farm's notes on it, as
 *  `key: value` lines. The same reader serves NAME.env files beside sample
 *  messages, the header block of every spool file, and the JOB frame.
 *
 *  Keys (case-insensitive; unknown keys are skipped for forward compatibility):
 *    farm-spool   format version (spool files only; first line)
 *    queue-id     the farm's queue id
 *    account      the submitting account
 *    mail-from    envelope sender (may be empty: the null sender <>)
 *    rcpt-to      one recipient; repeatable
 *    rcpt-dsn     the DSN parameters (RFC 3461) the client gave the recipient
 *                 before it: "NOTIFY=... ORCPT=...", either or both
 *    dsn-ret      RET= of MAIL FROM (FULL or HDRS), kept for the relay
 *    dsn-envid    ENVID= of MAIL FROM (xtext), kept for the relay
 *    client-ip    the submitting client's address
 *    received-at  unix seconds when the MTA accepted the message
 *    source       where the message came from (a sample file name, say)
 *    verdict      deliver|hold|reject|defer (output spools)
 *    reason       why; repeatable (output spools)
 *    retry-at     unix seconds of the next attempt (deferred/)
 *    released     unix seconds when an operator released it from hold/: it
 *                 is delivered, signed, without the content and compromise
 *                 holds (domain lockdown still applies)
 *    released-mark the broker's seal on released (HMAC of the queue id and
 *                 the time, broker/mark.h): without a good one, released
 *                 is ignored, so that no writer of incoming/ can mark mail
 *                 as released by an operator
 *    rescan       unix seconds when the detector's flag on its account ran
 *                 out and it left hold/ to be scanned again, as a new
 *                 attempt (retry-at: the time the flag ran out)
 *    deferred-by  what last deferred it ("new-account", "rate-limit", ...):
 *                 kept on its later verdicts, so that a delay has a name
 *    spam         Bayes spam probability 0..1 (output spools)
 *    dkim         alg:domain:selector of a signature we added; repeatable
 *    attempts     how many times the message has been scanned
 *    size         bytes of message after the blank line (spool files) */
#ifndef FARM_ENVELOPE_H
#define FARM_ENVELOPE_H
#include "strbuf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Hard bounds of the reader, whatever the configuration says: beyond them a
//  block is unreadable rather than a message to judge.
#define ENVELOPE_MAX_LINE 4096
#define ENVELOPE_MAX_LINES 200000
//  received_at when the envelope gives none.
#define ENVELOPE_NO_TIME INT64_MIN

typedef struct {
    int version;            //  farm-spool: N, 0 when absent
    char *qid;
    char *account;
    char *mail_from;
    char *client_ip;
    char *source;
    char **rcpt;
    char **rcpt_dsn;        //  rcpt_count entries, NULL where none was given
    size_t rcpt_count;
    char *dsn_ret, *dsn_envid;
    int64_t received_at;    //  ENVELOPE_NO_TIME when absent
    char *verdict;
    char **reasons;
    size_t reason_count;
    char **dkim;
    size_t dkim_count;
    int64_t retry_at;       //  0 when absent
    int64_t released;       //  0 when absent
    char *released_mark;    //  the broker's seal on released, or NULL
    int64_t rescan;         //  0 when absent
    char *deferred_by;      //  the kind of the last deferral's reason, or NULL
    double spam;            //  NAN when absent
    uint32_t attempts;
    int64_t size;           //  -1 when absent
} envelope_t;

envelope_t *envelope_new (void);
void envelope_destroy (envelope_t **self_p);
//  Parse len bytes of `key: value` lines into self (fields present replace
//  earlier values; rcpt-to and reason append). Returns 0, or -1 with a reason
//  in err (errlen bytes) naming the line.
int envelope_parse (envelope_t *self, const char *text, size_t len, char *err, size_t errlen);
//  Append the envelope as lines, in canonical order, to out. Reasons and
//  verdict are written only when set.
void envelope_format (const envelope_t *self, strbuf_t *out);
//  Replace a string field (NULL clears it).
void envelope_set (char **field, const char *value);
void envelope_add_rcpt (envelope_t *self, const char *rcpt);
//  True unless recipient i asked for no failure report (RFC 3461 4.1:
//  NOTIFY=NEVER, or a NOTIFY list without FAILURE): a bounce for it is due.
bool envelope_rcpt_wants_failure (const envelope_t *self, size_t i);
//  Set the DSN parameters of the last recipient added (NULL clears them).
void envelope_set_rcpt_dsn (envelope_t *self, const char *params);
//  True when params are DSN parameters of a recipient as the envelope keeps
//  them: one or two of NOTIFY=word[,word] and ORCPT=xtext, one space apart,
//  printable ASCII only, at most ENVELOPE_MAX_PATH * 3 bytes.
int envelope_rcpt_dsn_ok (const char *params);
void envelope_add_reason (envelope_t *self, const char *reason);
void envelope_clear_reasons (envelope_t *self);
void envelope_add_dkim (envelope_t *self, const char *sig);
void envelope_clear_dkim (envelope_t *self);
//  True when t (unix seconds) is a time a message may carry: from the year
//  2000 to a day after now. Others (absent, hostile, a broken clock) are not
//  used for the sender state; the time of the scan is.
int envelope_time_plausible (int64_t t, int64_t now);
//  True when value may be stored: no control characters, bounded length.
//  An address as the envelope carries it (mail-from, rcpt-to; without its
//  brackets): no white space, control character or bracket, at most
//  ENVELOPE_MAX_PATH bytes, so that nothing can ride along into the relay's
//  MAIL FROM or RCPT TO (an ESMTP parameter: NOTIFY=, ORCPT=). 1 when so.
#define ENVELOPE_MAX_PATH 512
int envelope_path_ok (const char *address);
int envelope_value_ok (const char *value);
//  The end of a verdict's JSON line (the verdict log, farm-replay --json):
//  ,"spam":P|null,"reasons":[...],"dkim":[...],"received_at":N}\n appended
//  to j; the caller writes the fields before it. env may be NULL.
void envelope_json_tail (const envelope_t *env, strbuf_t *j);
#endif
