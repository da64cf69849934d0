/*  verdict.h: what a scan decides about one message: the verdict, the Bayes
 *  spam probability, the reasons, and the header lines to prepend (DKIM
 *  signatures). Made by the worker, carried in the VERDICT frame, turned into
 *  a spool file by the broker's delivery spooler. */
#ifndef FARM_VERDICT_H
#define FARM_VERDICT_H
#include "strbuf.h"
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    VERDICT_DELIVER = 0, VERDICT_HOLD, VERDICT_REJECT, VERDICT_DEFER, VERDICT_COUNT
} verdict_code_t;

//  Bounds on what a verdict may carry (a worker is trusted less than that).
#define VERDICT_MAX_REASONS 64
#define VERDICT_MAX_REASON 512
#define VERDICT_MAX_HEADERS (64 * 1024)
#define VERDICT_MAX_DKIM 16         //  signatures a message may carry
#define VERDICT_MAX_DKIM_LINE 600   //  "alg:domain:selector"

//  What the message shows of its sender, for the broker's lateral signals
//  (shared/sender/lateral.h): hashes only, never the text. 0: absent.
#define VERDICT_LINKS 8
typedef struct {
    uint8_t nlinks;
    uint64_t links[VERDICT_LINKS];  //  registrable domains of its links, distinct
    uint64_t text;                  //  SimHash of its normalised text and link domains
    uint64_t reply_to;              //  the Reply-To address
    uint64_t display;               //  the From display name
    uint64_t mailer;                //  X-Mailer or User-Agent, without version numbers
    uint64_t msgid;                 //  the Message-ID (traits_msgid)
} verdict_features_t;

typedef struct {
    verdict_code_t code;
    double spam;            //  0..1, or NAN when the message was not scored
    int64_t retry_at;       //  DEFER: unix seconds of the next attempt
    bool flag_account;      //  the account looks hijacked: hold all its mail
    strbuf_t reasons;       //  one reason a line, each ending in \n
    strbuf_t headers;       //  complete header lines to prepend
    strbuf_t dkim;          //  what headers sign: "alg:domain:selector" a line, each ending in \n
    verdict_features_t features;    //  zero when the message was not parsed
} verdict_t;

void verdict_init (verdict_t *self);
void verdict_free (verdict_t *self);
const char *verdict_name (verdict_code_t code);
//  -1 when name is not a verdict.
int verdict_parse (const char *name);
//  Add a reason (control characters become spaces; cut at VERDICT_MAX_REASON).
void verdict_reason (verdict_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
//  Record one DKIM-Signature among the headers: its a=, d= and s=.
void verdict_dkim (verdict_t *self, const char *alg, const char *domain, const char *selector);
//  Check reasons, headers and signatures received from a worker: 0, or -1 with why in err.
int verdict_check (const verdict_t *self, char *err, size_t errlen);
#endif
