/*  notice.h: the bounce of a message the farm rejects. The MTA accepted it
 *  (the farm is an after-queue filter), so RFC 5321 says it is delivered or
 *  bounced: for every reject that is not itself a bounce (a null sender),
 *  and whose reason the operator has not made quiet (reject/quiet), an RFC
 *  3464 DSN to the envelope sender, saying in words a customer can act on
 *  what was wrong, queued in outgoing/ for farm-relay like its own bounces.
 *  Operators' drops from hold/ are not bounced (the account may be a
 *  victim whose attacker wrote the mail). */
#ifndef FARM_NOTICE_H
#define FARM_NOTICE_H
#include "cfg.h"
#include "envelope.h"
#include "strbuf.h"
#include "verdict.h"
#include <stdbool.h>
#include <sys/types.h>

typedef struct notice_t notice_t;

//  reject/notify, reject/quiet, relay/helo from cfg.
notice_t *notice_new (cfg_t *cfg);
void notice_destroy (notice_t **self_p);
//  Is the reject of env (its reasons in v) to be bounced? When it is, the
//  DSN into msg and its envelope into benv (both empty on entry); in is the
//  message's spool file, its body at body_off (only the header section is
//  read); it names only the recipients whose client did not refuse failure
//  reports (NOTIFY, RFC 3461), and there is none when all did. true when
//  there is a DSN to queue.
bool notice_make (notice_t *self, const envelope_t *env, const verdict_t *v, int in, off_t body_off,
                  strbuf_t *msg, envelope_t *benv);
//  The status and words for a reject reason ("domain-lockdown: account a may
//  not send as b"), for the DSN and the tests: the RFC 3463 code, and a
//  paragraph for the customer.
void notice_words (const char *reason, const char **status, const char **words);
#endif
