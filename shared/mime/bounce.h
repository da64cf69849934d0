/*  bounce.h: what a remote server's reply to a recipient says, for the
 *  sender's record (delivery feedback, issue 18): delivered, or refused
 *  for an invalid recipient, a full or disabled mailbox, policy or spam,
 *  or a system or network fault; for now (4xx) or for good (5xx).
 *
 *  The enhanced status code decides when there is one (RFC 3463: class
 *  2, 4 or 5; subject 1 addressing, 2 mailbox, 3 mail system, 4 network,
 *  5 protocol, 6 content, 7 security or policy). A reply without one is
 *  read by its words, in this table (case-insensitive, the first match):
 *
 *    invalid recipient   user unknown, unknown user, no such user, no such
 *                        mailbox, does not exist, invalid recipient,
 *                        recipient rejected, unknown recipient, address
 *                        rejected, unrouteable, not found
 *    mailbox             mailbox full, over quota, quota exceeded,
 *                        insufficient storage, mailbox disabled, inactive
 *    policy              spam, blocked, blacklist, blocklist, denylist,
 *                        policy, reputation, listed, abuse, not authorized
 *
 *  and otherwise by its class alone (BOUNCE_OTHER). A code out of range
 *  (a reply code not 2xx to 5xx, a status whose class is not 2, 4 or 5,
 *  or numbers beyond three digits) is BOUNCE_MALFORMED: counted, never
 *  charged to the account. */
#ifndef FARM_BOUNCE_H
#define FARM_BOUNCE_H
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    BOUNCE_DELIVERED,       //  2xx
    BOUNCE_INVALID,         //  x.1.x: no such recipient (or domain), bad address
    BOUNCE_MAILBOX,         //  x.2.x: full, disabled, too large for it
    BOUNCE_POLICY,          //  x.7.x: refused for spam, reputation, policy
    BOUNCE_SYSTEM,          //  x.3.x, x.4.x, x.5.x: their system, the network, the protocol
    BOUNCE_CONTENT,         //  x.6.x: the content could not be handled
    BOUNCE_OTHER,           //  refused, nothing more said
    BOUNCE_MALFORMED,       //  a reply or status out of range
    BOUNCE_KINDS
} bounce_kind_t;

typedef struct {
    bounce_kind_t kind;
    bool permanent;         //  5xx (or class 5); false for 4xx and for delivered
    bool by_words;          //  decided by the text table, not an enhanced code
} bounce_t;

//  Classify a reply: its basic code (250, 550, ...), its enhanced status
//  ("5.1.1", or NULL/"" when it had none) and its text (or NULL).
void bounce_classify (int code, const char *status, const char *text, bounce_t *out);
//  "delivered", "invalid", "mailbox", "policy", "system", "content", "other", "malformed".
const char *bounce_kind_name (bounce_kind_t kind);
#endif
