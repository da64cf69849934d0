/*  session.h: one SMTP session of farm-smtpd as a state machine without
 *  I/O: bytes in, reply bytes out, and events for the loop (start TLS, a
 *  message to commit, close). The loop (main.c) owns the socket, TLS and
 *  the clock; the group commit (commit.h) owns the spool. Kept apart so that
 *  the fuzz target drives the very code a client reaches.
 *
 *  Bounds: a command line of SESSION_MAX_COMMAND bytes (longer: 500 5.5.2,
 *  the rest of the line read and dropped), a message of max_size bytes as
 *  stored (more: read to its end and refused 552 5.3.4), max_rcpt
 *  recipients (more: 452 4.5.3, RFC 5321 4.5.3.1.10), max_headers header
 *  fields and max_line bytes a line (more: 554 5.6.0 after the data), and
 *  max_errors refused commands (then 421 and the end). Input waiting while
 *  a message commits is bounded by the loop (session_buffered). */
#ifndef FARM_SMTPD_SESSION_H
#define FARM_SMTPD_SESSION_H
#include "envelope.h"
#include <stdbool.h>
#include <stddef.h>

#define SESSION_MAX_COMMAND 4096

//  Where the account of a message comes from (smtpd/account-from).
typedef enum { ACCOUNT_AUTH, ACCOUNT_XCLIENT, ACCOUNT_HEADER, ACCOUNT_RECEIVED, ACCOUNT_SENDER,
               ACCOUNT_SOURCES } account_source_t;

typedef struct {
    const char *hostname;
    size_t max_size, max_rcpt, max_headers, max_line, max_errors;
    bool tls_offered;           //  STARTTLS is configured
    bool auth_offered;          //  an accounts file is configured
    bool auth_required;         //  untrusted clients must AUTH before MAIL
    const char *account_header; //  "X-AuthUser"
    bool received;              //  add a Received: trace field (RFC 5321 4.4)
    account_source_t order[ACCOUNT_SOURCES];
    size_t norder;
} session_conf_t;

//  The words of smtpd/account-from ("auth,header,...") into conf's order.
//  0, or -1 with the reason in err.
int session_parse_order (session_conf_t *conf, const char *list, char *err, size_t errlen);

typedef enum {
    SESSION_MORE,       //  send what session_output holds, read more
    SESSION_STARTTLS,   //  send the output, then start TLS; session_tls_on once it is up
    SESSION_MESSAGE,    //  a message is complete: session_take it, commit, session_committed
    SESSION_AUTH,       //  a password to check: session_auth_request, then session_auth_done
    SESSION_CLOSE       //  send the output, then close
} session_event_t;

typedef struct session_t session_t;

//  A session with a client at peer (its address, for the envelope), trusted
//  when it is in smtpd/trusted. The greeting is in the output.
session_t *session_new (const session_conf_t *conf, const char *peer, bool trusted);
void session_destroy (session_t **self_p);
//  Take len bytes from the client (NULL, 0: go on with what is buffered,
//  after session_committed) and act on them as far as the state allows.
session_event_t session_input (session_t *self, const char *data, size_t len);
//  Bytes received and not acted on yet (while a message commits).
size_t session_buffered (session_t *self);
//  What to send: *data, *len (len 0: nothing); then session_sent with how
//  much went.
void session_output (session_t *self, const char **data, size_t *len);
void session_sent (session_t *self, size_t n);
//  TLS is up: the session starts again as RFC 3207 says (EHLO again).
void session_tls_on (session_t *self);
//  After SESSION_MESSAGE: the envelope (the caller's to destroy; its queue
//  id made already, the one the Received: field names) and the message (the
//  session's, valid until session_committed).
envelope_t *session_take (session_t *self, const char **msg, size_t *len);
//  The message is durable as qid (NULL: it could not be written; err says
//  why, for the log). Replies, and the session reads commands again.
void session_committed (session_t *self, const char *qid);
//  After SESSION_AUTH: the user and password given (valid until
//  session_auth_done, which wipes the password).
void session_auth_request (session_t *self, const char **user, const char **pass);
//  The check is done: the session replies 235 or 535 and reads commands
//  again (go on with session_input (self, NULL, 0)).
void session_auth_done (session_t *self, bool ok);
//  True while a message waits for its commit or a password for its check.
bool session_waiting (session_t *self);
//  The client was silent too long, or the farm-smtpd is stopping: the 421
//  to send before closing.
void session_shutdown (session_t *self, const char *why);
//  Counters for the log line at the end of the session.
typedef struct {
    size_t messages, refused, errors;
} session_stats_t;
session_stats_t session_stats (session_t *self);
#endif
