/*  smtp.h: a small SMTP client (RFC 5321) for farm-relay: one connection to
 *  the smarthost, kept across messages, with every reply read whole
 *  (multi-line replies included) and every wait bounded by a timeout; the
 *  commands of a transaction sent together when the server offers
 *  PIPELINING (RFC 2920). No TLS and no AUTH: the relay hands mail back to a
 *  local MTA. */
#ifndef FARM_SMTP_H
#define FARM_SMTP_H
#include <stddef.h>

typedef struct smtp_t smtp_t;

typedef struct {
    int code;               //  3 digits, or 0 when the connection failed
    char status[16];        //  enhanced status "5.1.1" (RFC 3463), or ""
    char text[512];         //  the reply's last line, or the system error
} smtp_reply_t;

//  Connect to host:port ("[v6]:port" for IPv6), read the greeting, say EHLO
//  (HELO when EHLO is refused). NULL on failure with the reason in r (code 0
//  for a network error, else the refusing reply).
smtp_t *smtp_connect (const char *hostport, const char *helo, int timeout_s, smtp_reply_t *r);
//  The same over fd, a stream already connected (taken, closed on failure).
smtp_t *smtp_open_fd (int fd, const char *helo, smtp_reply_t *r);
//  The extensions the server offered in its EHLO reply that the relay uses.
#define SMTP_EXT_PIPELINING 1
#define SMTP_EXT_DSN 2
unsigned smtp_extensions (smtp_t *self);
//  Send n command lines (CRLF added to each) in one write, then read their
//  n replies into replies[]. 0, or -1 when the connection broke (the
//  replies not read say why; the connection is then unusable).
int smtp_pipeline (smtp_t *self, const char *const *lines, size_t n, smtp_reply_t *replies);
//  After a 354: the message (as smtp_data sends it) and the final dot;
//  returns the final reply code, or -1 as smtp_command.
int smtp_data_body (smtp_t *self, const char *msg, size_t len, smtp_reply_t *r);
//  Say QUIT (when the connection still works) and close.
void smtp_destroy (smtp_t **self_p);
//  Send one command line (CRLF added) and read its reply into r. Returns
//  the reply code, or -1 when the connection broke (r says why; the
//  connection is then unusable).
int smtp_command (smtp_t *self, smtp_reply_t *r, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
//  DATA, then the message (line ends made CRLF, leading dots doubled) and the
//  final dot. Returns the final reply code, or -1 as smtp_command.
int smtp_data (smtp_t *self, const char *msg, size_t len, smtp_reply_t *r);
//  Parse one reply line "250-text" / "250 2.0.0 text" into code, status and
//  text; *last is 1 for the final line of a reply. 0, or -1 when it is not a
//  reply line.
int smtp_parse_line (const char *line, smtp_reply_t *r, int *last);
#endif
