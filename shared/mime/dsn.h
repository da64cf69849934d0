/*  dsn.h: delivery status notifications (RFC 3464): the bounce sent to the
 *  account when the smarthost refuses a recipient for good, or a message
 *  could not be handed on before relay/max-queue-s (farm-relay), and when
 *  the farm itself rejects mail the MTA had accepted (the broker's notices). */
#ifndef FARM_DSN_H
#define FARM_DSN_H
#include "envelope.h"
#include "strbuf.h"
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *rcpt;           //  as in the envelope, "<a@b>"
    const char *status;         //  RFC 3463 code, "5.1.1"
    const char *diagnostic;     //  the smarthost's reply, or our reason
} dsn_rcpt_t;

//  The whole DSN message (multipart/report; report-type=delivery-status):
//  a human part, the machine-readable per-message and per-recipient fields,
//  and the original's header section (text/rfc822-headers). env is the
//  failed message's envelope (its mail-from is where the DSN goes), msg its
//  RFC 5322 bytes (its header section is enough); remote_mta the smarthost
//  ("" when not reached); explain the paragraph for people ("" for the
//  relay's: not delivered, for good).
void dsn_format (strbuf_t *out, const envelope_t *env, const char *msg, size_t len,
                 const dsn_rcpt_t *rcpts, size_t count, const char *reporting_mta,
                 const char *remote_mta, const char *explain, int64_t now);
//  The status to report for a reply: its enhanced code, or one made from the
//  reply's class ("5.0.0", "4.0.0"); a connection failure is "4.4.1".
void dsn_status (int code, const char *enhanced, char *out, size_t size);
#endif
