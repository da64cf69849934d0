/*  session.c: one SMTP session as a state machine (see session.h). */
#include "session.h"
#include "command.h"
#include "header.h"
#include "qid.h"
#include "strbuf.h"
#include "xalloc.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef enum {
    ST_COMMAND,         //  reading commands
    ST_DATA,            //  reading the message after 354
    ST_AUTH_PLAIN,      //  334 sent, waiting for the PLAIN response
    ST_AUTH_USER,       //  LOGIN: 334 Username: sent
    ST_AUTH_PASS,       //  LOGIN: 334 Password: sent
    ST_COMMIT,          //  the message is with the group commit
    ST_AUTH_CHECK,      //  a password is being checked
    ST_CLOSED           //  421 or 221 said: nothing more is read
} state_t;

struct session_t {
    const session_conf_t *conf;
    char peer[64];
    char helo_name[65];     //  what EHLO or HELO said, if it was a plain name
    bool trusted, tls, helo, esmtp;
    state_t state;
    strbuf_t in;            //  received, from in_off on not acted on
    size_t in_off;
    bool discarding;        //  an overlong line is being read and dropped
    strbuf_t out;           //  replies, from out_off on not sent
    size_t out_off;
    char auth_user[256];    //  the account AUTH proved, "" none
    char login_user[256];   //  LOGIN: the user given before the password
    char check_user[256], check_pass[256];  //  being checked (ST_AUTH_CHECK)
    command_attrs_t xclient;    //  XCLIENT (the session's; trusted clients only)
    command_attrs_t xforward;   //  XFORWARD (the next transaction's)
    //  The transaction.
    bool mail;
    command_path_t from;
    envelope_t *env;
    strbuf_t msg;
    bool prev_crlf, in_header, too_big, line_long;
    size_t headers;
    session_stats_t stats;
};

static const char *s_source_names[ACCOUNT_SOURCES] = { "auth", "xclient", "header", "received",
                                                       "sender" };

int
session_parse_order (session_conf_t *conf, const char *list, char *err, size_t errlen)
{
    conf->norder = 0;
    char copy[256];
    snprintf (copy, sizeof copy, "%s", list);
    char *save = NULL;
    for (char *w = strtok_r (copy, ", ", &save); w; w = strtok_r (NULL, ", ", &save)) {
        size_t i = 0;
        while (i < ACCOUNT_SOURCES && strcmp (w, s_source_names[i]))
            i++;
        if (i == ACCOUNT_SOURCES) {
            snprintf (err, errlen, "smtpd/account-from: '%s' is not auth, xclient, header, "
                      "received or sender", w);
            return -1;
        }
        for (size_t j = 0; j < conf->norder; j++)
            if (conf->order[j] == (account_source_t) i) {
                snprintf (err, errlen, "smtpd/account-from: '%s' given twice", w);
                return -1;
            }
        conf->order[conf->norder++] = (account_source_t) i;
    }
    if (!conf->norder) {
        snprintf (err, errlen, "smtpd/account-from: empty");
        return -1;
    }
    return 0;
}

static void __attribute__ ((format (printf, 2, 3)))
s_reply (session_t *self, const char *fmt, ...)
{
    va_list ap;
    char line[512];
    va_start (ap, fmt);
    int n = vsnprintf (line, sizeof line, fmt, ap);
    va_end (ap);
    if (n < 0)
        return;
    strbuf_adds (&self->out, line);
    strbuf_adds (&self->out, "\r\n");
}

static void
s_reset (session_t *self)
{
    self->mail = false;
    envelope_destroy (&self->env);
    strbuf_free (&self->msg);
    strbuf_init (&self->msg);
    self->too_big = self->line_long = false;
    self->headers = 0;
    memset (&self->xforward, 0, sizeof self->xforward);
}

session_t *
session_new (const session_conf_t *conf, const char *peer, bool trusted)
{
    session_t *self = xcalloc (1, sizeof *self);
    self->conf = conf;
    snprintf (self->peer, sizeof self->peer, "%s", peer);
    self->trusted = trusted;
    strbuf_init (&self->in);
    strbuf_init (&self->out);
    strbuf_init (&self->msg);
    s_reply (self, "220 %s ESMTP farm-smtpd", conf->hostname);
    return self;
}

void
session_destroy (session_t **self_p)
{
    session_t *self = *self_p;
    if (!self)
        return;
    envelope_destroy (&self->env);
    strbuf_free (&self->in);
    strbuf_free (&self->out);
    strbuf_free (&self->msg);
    free (self);
    *self_p = NULL;
}

//  A refused command: counted; past the limit the session ends.
static session_event_t
s_error (session_t *self)
{
    self->stats.errors++;
    if (self->stats.errors >= self->conf->max_errors) {
        s_reply (self, "421 4.7.0 %s Error: too many errors", self->conf->hostname);
        self->state = ST_CLOSED;
        return SESSION_CLOSE;
    }
    return SESSION_MORE;
}

static void
s_ehlo (session_t *self, bool esmtp, const char *arg)
{
    s_reset (self);
    self->helo = true;
    self->esmtp = esmtp;
    //  Kept for the Received: field only as a plain name or address literal.
    size_t n = strlen (arg);
    bool plain = n > 0 && n < sizeof self->helo_name;
    for (size_t i = 0; i < n && plain; i++)
        plain = isalnum ((unsigned char) arg[i]) || strchr ("-._:[]", arg[i]);
    snprintf (self->helo_name, sizeof self->helo_name, "%s", plain ? arg : "unknown");
    if (!esmtp) {
        s_reply (self, "250 %s", self->conf->hostname);
        return;
    }
    s_reply (self, "250-%s", self->conf->hostname);
    s_reply (self, "250-PIPELINING");
    s_reply (self, "250-SIZE %zu", self->conf->max_size);
    if (self->conf->tls_offered && !self->tls)
        s_reply (self, "250-STARTTLS");
    if (self->conf->auth_offered && self->tls)
        s_reply (self, "250-AUTH PLAIN LOGIN");
    if (self->trusted) {
        s_reply (self, "250-XCLIENT NAME ADDR PROTO HELO LOGIN");
        s_reply (self, "250-XFORWARD NAME ADDR PROTO HELO IDENT SOURCE");
    }
    s_reply (self, "250-ENHANCEDSTATUSCODES");
    s_reply (self, "250-8BITMIME");
    s_reply (self, "250-DSN");
    s_reply (self, "250 SMTPUTF8");
}

static session_event_t
s_mail (session_t *self, const char *arg)
{
    char reply[COMMAND_MAX_REPLY];
    if (!self->helo)
        s_reply (self, "503 5.5.1 Error: send HELO/EHLO first");
    else if (self->mail)
        s_reply (self, "503 5.5.1 Error: nested MAIL command");
    else if (self->conf->auth_required && !self->trusted && !*self->auth_user)
        s_reply (self, self->conf->tls_offered && !self->tls
                 ? "530 5.7.0 Must issue a STARTTLS command first"
                 : "530 5.7.0 Authentication required");
    else if (command_path (arg, false, &self->from, reply, sizeof reply) < 0)
        s_reply (self, "%s", reply);
    else if (self->from.size > 0 && (size_t) self->from.size > self->conf->max_size)
        s_reply (self, "552 5.3.4 Message size exceeds fixed limit");
    else {
        self->mail = true;
        self->env = envelope_new ();
        envelope_set (&self->env->mail_from, self->from.path);
        if (*self->from.ret)
            envelope_set (&self->env->dsn_ret, self->from.ret);
        if (*self->from.envid)
            envelope_set (&self->env->dsn_envid, self->from.envid);
        s_reply (self, "250 2.1.0 Ok");
        return SESSION_MORE;
    }
    return s_error (self);
}

static session_event_t
s_rcpt (session_t *self, const char *arg)
{
    char reply[COMMAND_MAX_REPLY];
    command_path_t to;
    if (!self->mail)
        s_reply (self, "503 5.5.1 Error: need MAIL command");
    else if (self->env->rcpt_count >= self->conf->max_rcpt) {
        //  RFC 5321 4.5.3.1.10: the client sends the rest in another
        //  transaction. Not counted as an error.
        s_reply (self, "452 4.5.3 Error: too many recipients");
        self->stats.refused++;
        return SESSION_MORE;
    }
    else if (command_path (arg, true, &to, reply, sizeof reply) < 0)
        s_reply (self, "%s", reply);
    else {
        envelope_add_rcpt (self->env, to.path);
        if (*to.dsn)
            envelope_set_rcpt_dsn (self->env, to.dsn);
        s_reply (self, "250 2.1.5 Ok");
        return SESSION_MORE;
    }
    return s_error (self);
}

static session_event_t
s_data (session_t *self, const char *arg)
{
    if (!self->mail)
        s_reply (self, "503 5.5.1 Error: need MAIL command");
    else if (!self->env->rcpt_count)
        s_reply (self, "554 5.5.1 Error: no valid recipients");
    else if (*arg)
        s_reply (self, "501 5.5.4 Syntax: DATA");
    else {
        s_reply (self, "354 End data with <CR><LF>.<CR><LF>");
        self->state = ST_DATA;
        self->prev_crlf = true;
        self->in_header = true;
        return SESSION_MORE;
    }
    return s_error (self);
}

//  Credentials complete: to be checked away from the loop.
static session_event_t
s_auth_result (session_t *self, const char *user, const char *pass)
{
    snprintf (self->check_user, sizeof self->check_user, "%s", user);
    snprintf (self->check_pass, sizeof self->check_pass, "%s", pass);
    self->state = ST_AUTH_CHECK;
    return SESSION_AUTH;
}

void
session_auth_request (session_t *self, const char **user, const char **pass)
{
    *user = self->check_user;
    *pass = self->check_pass;
}

void
session_auth_done (session_t *self, bool ok)
{
    if (self->state != ST_AUTH_CHECK)
        return;
    memset (self->check_pass, 0, sizeof self->check_pass);
    self->state = ST_COMMAND;
    if (ok) {
        memcpy (self->auth_user, self->check_user, sizeof self->auth_user);
        s_reply (self, "235 2.7.0 Authentication successful");
        return;
    }
    s_reply (self, "535 5.7.8 Error: authentication failed");
    (void) s_error (self);
}

static session_event_t
s_auth (session_t *self, const char *arg)
{
    if (!self->conf->auth_offered)
        s_reply (self, "503 5.5.1 Error: authentication not enabled");
    else if (!self->tls)
        s_reply (self, "538 5.7.11 Encryption required for requested authentication mechanism");
    else if (!self->helo)
        s_reply (self, "503 5.5.1 Error: send HELO/EHLO first");
    else if (*self->auth_user)
        s_reply (self, "503 5.5.1 Error: already authenticated");
    else if (self->mail)
        s_reply (self, "503 5.5.1 Error: MAIL transaction in progress");
    else {
        const char *sp = strchr (arg, ' ');
        size_t mlen = sp ? (size_t) (sp - arg) : strlen (arg);
        const char *initial = sp ? sp + 1 : NULL;
        if (mlen == 5 && !strncasecmp (arg, "PLAIN", 5)) {
            if (!initial) {
                s_reply (self, "334 ");
                self->state = ST_AUTH_PLAIN;
                return SESSION_MORE;
            }
            char user[256], pass[256];
            if (command_sasl_plain (initial, user, sizeof user, pass, sizeof pass) < 0)
                s_reply (self, "501 5.5.2 Error: malformed PLAIN response");
            else {
                session_event_t ev = s_auth_result (self, user, pass);
                memset (pass, 0, sizeof pass);
                return ev;
            }
        }
        else if (mlen == 5 && !strncasecmp (arg, "LOGIN", 5)) {
            if (initial && command_base64 (initial, self->login_user, sizeof self->login_user) < 0)
                s_reply (self, "501 5.5.2 Error: malformed LOGIN response");
            else {
                if (initial) {
                    s_reply (self, "334 UGFzc3dvcmQ6");
                    self->state = ST_AUTH_PASS;
                }
                else {
                    s_reply (self, "334 VXNlcm5hbWU6");
                    self->state = ST_AUTH_USER;
                }
                return SESSION_MORE;
            }
        }
        else
            s_reply (self, "504 5.5.4 Error: unsupported authentication mechanism");
    }
    return s_error (self);
}

//  A line in one of the AUTH exchanges.
static session_event_t
s_auth_line (session_t *self, const char *line)
{
    state_t was = self->state;
    self->state = ST_COMMAND;
    if (!strcmp (line, "*")) {
        s_reply (self, "501 5.7.0 Error: authentication aborted");
        return s_error (self);
    }
    char user[256], pass[256];
    session_event_t ev;
    if (was == ST_AUTH_PLAIN) {
        if (command_sasl_plain (line, user, sizeof user, pass, sizeof pass) < 0) {
            s_reply (self, "501 5.5.2 Error: malformed PLAIN response");
            return s_error (self);
        }
        ev = s_auth_result (self, user, pass);
    }
    else if (was == ST_AUTH_USER) {
        if (command_base64 (line, self->login_user, sizeof self->login_user) < 0 || !*self->login_user) {
            s_reply (self, "501 5.5.2 Error: malformed LOGIN response");
            return s_error (self);
        }
        s_reply (self, "334 UGFzc3dvcmQ6");
        self->state = ST_AUTH_PASS;
        return SESSION_MORE;
    }
    else {
        if (command_base64 (line, pass, sizeof pass) < 0 || !*self->login_user) {
            s_reply (self, "501 5.5.2 Error: malformed LOGIN response");
            return s_error (self);
        }
        ev = s_auth_result (self, self->login_user, pass);
    }
    memset (pass, 0, sizeof pass);
    return ev;
}

static session_event_t
s_xcommand (session_t *self, bool xclient, const char *arg)
{
    char reply[COMMAND_MAX_REPLY];
    command_attrs_t a = xclient ? self->xclient : self->xforward;
    if (!self->trusted)
        s_reply (self, "550 5.7.0 Error: insufficient authorization");
    else if (self->mail)
        s_reply (self, "503 5.5.1 Error: MAIL transaction in progress");
    else if (command_attrs (arg, xclient, &a, reply, sizeof reply) < 0)
        s_reply (self, "%s", reply);
    else if (xclient) {
        //  Postfix's XCLIENT: the session starts again as if from that
        //  client, which says EHLO again.
        self->xclient = a;
        self->helo = false;
        s_reset (self);
        s_reply (self, "220 %s ESMTP farm-smtpd", self->conf->hostname);
        return SESSION_MORE;
    }
    else {
        self->xforward = a;
        s_reply (self, "250 2.0.0 Ok");
        return SESSION_MORE;
    }
    return s_error (self);
}

static session_event_t
s_command (session_t *self, const char *line)
{
    if (self->state == ST_AUTH_PLAIN || self->state == ST_AUTH_USER || self->state == ST_AUTH_PASS)
        return s_auth_line (self, line);
    const char *arg;
    command_verb_t verb = command_verb (line, &arg);
    switch (verb) {
    case CMD_HELO:
    case CMD_EHLO:
        if (!*arg) {
            s_reply (self, "501 5.5.4 Syntax: %s hostname", verb == CMD_EHLO ? "EHLO" : "HELO");
            return s_error (self);
        }
        s_ehlo (self, verb == CMD_EHLO, arg);
        return SESSION_MORE;
    case CMD_MAIL:
        return s_mail (self, arg);
    case CMD_RCPT:
        return s_rcpt (self, arg);
    case CMD_DATA:
        return s_data (self, arg);
    case CMD_RSET:
        s_reset (self);
        s_reply (self, "250 2.0.0 Ok");
        return SESSION_MORE;
    case CMD_NOOP:
        s_reply (self, "250 2.0.0 Ok");
        return SESSION_MORE;
    case CMD_QUIT:
        s_reply (self, "221 2.0.0 Bye");
        self->state = ST_CLOSED;
        return SESSION_CLOSE;
    case CMD_VRFY:
        s_reply (self, "252 2.0.0 Cannot VRFY user; try RCPT to deliver");
        return SESSION_MORE;
    case CMD_HELP:
        s_reply (self, "214 2.0.0 farm-smtpd: see RFC 5321");
        return SESSION_MORE;
    case CMD_STARTTLS:
        if (!self->conf->tls_offered)
            s_reply (self, "502 5.5.1 Error: command not implemented");
        else if (self->tls)
            s_reply (self, "554 5.5.1 Error: TLS already active");
        else if (*arg)
            s_reply (self, "501 5.5.4 Syntax: STARTTLS");
        else {
            s_reply (self, "220 2.0.0 Ready to start TLS");
            //  Nothing sent in clear after STARTTLS may count as said
            //  within TLS (CVE-2011-0411).
            strbuf_reset (&self->in);
            self->in_off = 0;
            return SESSION_STARTTLS;
        }
        return s_error (self);
    case CMD_AUTH:
        return s_auth (self, arg);
    case CMD_XCLIENT:
    case CMD_XFORWARD:
        return s_xcommand (self, verb == CMD_XCLIENT, arg);
    case CMD_BDAT:
        s_reply (self, "502 5.5.1 Error: command not implemented");
        return s_error (self);
    case CMD_UNKNOWN:
        break;
    }
    s_reply (self, "502 5.5.2 Error: command not recognized");
    return s_error (self);
}

//  A name an account may have: one token of printable bytes (UTF-8 allowed),
//  nothing the envelope's reader would trim or refuse.
static bool
s_account_ok (const char *v)
{
    size_t n = strlen (v);
    if (n == 0 || n > 255)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char) v[i] <= 0x20 || v[i] == 0x7f)
            return false;
    return envelope_value_ok (v);
}

//  The account a trusted MTA named in the topmost Received: field, the way
//  Postfix's smtpd_sasl_authenticated_header writes it.
static bool
s_received_account (const header_t *h, char *out, size_t len)
{
    const header_field_t *f = header_find (h, "Received", 0);
    if (!f)
        return false;
    char *v = header_unfold (f);
    bool ok = false;
    const char *p = strstr (v, "(Authenticated sender: ");
    if (p) {
        p += strlen ("(Authenticated sender: ");
        size_t n = strcspn (p, ")");
        if (p[n] == ')' && n > 0 && n < len) {
            memcpy (out, p, n);
            out[n] = 0;
            ok = s_account_ok (out);
        }
    }
    free (v);
    return ok;
}

static bool
s_header_account (const header_t *h, const char *name, char *out, size_t len)
{
    if (header_count (h, name) != 1)
        return false;       //  none, or two that may disagree
    char *v = header_unfold (header_find (h, name, 0));
    size_t n = strlen (v);
    while (n && isspace ((unsigned char) v[n - 1]))
        v[--n] = 0;
    bool ok = n > 0 && n < len && s_account_ok (v);
    if (ok)
        memcpy (out, v, n + 1);
    free (v);
    return ok;
}

//  Remove every field called name from the message (a trusted MTA's note
//  to us, or a client's attempt to choose its account).
static void
s_remove_field (strbuf_t *msg, const header_t *h, const char *name)
{
    if (!header_count (h, name))
        return;
    strbuf_t kept;
    strbuf_init (&kept);
    const char *pos = msg->data;
    for (size_t i = 0; i < h->count; i++) {
        const header_field_t *f = &h->fields[i];
        if (f->name_len != strlen (name) || strncasecmp (f->name, name, f->name_len))
            continue;
        const char *end = f->value + f->value_len;
        const char *stop = msg->data + msg->len;
        if (end < stop && *end == '\r')
            end++;
        if (end < stop && *end == '\n')
            end++;
        strbuf_add (&kept, pos, (size_t) (f->name - pos));
        pos = end;
    }
    strbuf_add (&kept, pos, (size_t) (msg->data + msg->len - pos));
    strbuf_free (msg);
    *msg = kept;
}

//  The end of the data: refuse what broke a limit, else name the account
//  and hand the message to the commit.
static session_event_t
s_end_of_data (session_t *self)
{
    self->state = ST_COMMAND;
    const char *refusal = NULL;
    char why[160];
    if (self->too_big)
        refusal = "552 5.3.4 Error: message size exceeds fixed limit";
    else if (self->line_long) {
        snprintf (why, sizeof why, "554 5.6.0 Error: a line longer than %zu bytes", self->conf->max_line);
        refusal = why;
    }
    else if (self->headers > self->conf->max_headers) {
        snprintf (why, sizeof why, "554 5.6.0 Error: more than %zu header fields", self->conf->max_headers);
        refusal = why;
    }
    header_t h;
    header_init (&h);
    header_limits_t lim = { self->conf->max_headers + 1, 1024 * 1024, self->conf->max_line + 2 };
    if (!refusal)
        header_parse (&h, self->msg.data ? self->msg.data : "", self->msg.len, &lim);
    char account[256] = "";
    const char *how = NULL;
    for (size_t i = 0; !refusal && !how && i < self->conf->norder; i++) {
        switch (self->conf->order[i]) {
        case ACCOUNT_AUTH:
            if (*self->auth_user)
                snprintf (account, sizeof account, "%s", self->auth_user), how = "auth";
            break;
        case ACCOUNT_XCLIENT:
            if (self->trusted && *self->xclient.login)
                snprintf (account, sizeof account, "%s", self->xclient.login), how = "xclient";
            break;
        case ACCOUNT_HEADER:
            if (self->trusted && s_header_account (&h, self->conf->account_header, account, sizeof account))
                how = "header";
            break;
        case ACCOUNT_RECEIVED:
            if (self->trusted && s_received_account (&h, account, sizeof account))
                how = "received";
            break;
        case ACCOUNT_SENDER:
            snprintf (account, sizeof account, "%s", self->env->mail_from);
            how = "sender";
            break;
        case ACCOUNT_SOURCES:
            break;
        }
    }
    if (!refusal && !how)
        refusal = "550 5.7.1 Error: no account for this message (see smtpd/account-from)";
    if (refusal) {
        header_free (&h);
        s_reply (self, "%s", refusal);
        self->stats.refused++;
        s_reset (self);
        return SESSION_MORE;
    }
    s_remove_field (&self->msg, &h, self->conf->account_header);
    header_free (&h);
    envelope_t *env = self->env;
    envelope_set (&env->account, account);
    const char *ip = self->xforward.has_addr && *self->xforward.addr ? self->xforward.addr
                   : self->xclient.has_addr && *self->xclient.addr ? self->xclient.addr : self->peer;
    envelope_set (&env->client_ip, ip);
    char source[128];
    snprintf (source, sizeof source, "smtpd/%s%s%s", how, *self->xforward.ident ? "/" : "",
              self->xforward.ident);
    envelope_set (&env->source, source);
    env->received_at = (int64_t) time (NULL);
    char qid[QID_SIZE];
    qid_make (qid);
    envelope_set (&env->qid, qid);
    if (self->conf->received) {
        //  RFC 5321 4.4 (protocol names: RFC 3848).
        char date[64];
        time_t now = (time_t) env->received_at;
        struct tm tm;
        gmtime_r (&now, &tm);
        strftime (date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
        bool a = *self->auth_user != 0;
        const char *proto = !self->esmtp ? "SMTP" : self->tls ? (a ? "ESMTPSA" : "ESMTPS")
                          : a ? "ESMTPA" : "ESMTP";
        strbuf_t m;
        strbuf_init (&m);
        strbuf_printf (&m, "Received: from %s (%s%s%s)\n\tby %s (farm-smtpd) with %s id %s;\n\t%s\n",
                       self->helo_name, strchr (self->peer, ':') ? "[IPv6:" : "[", self->peer, "]",
                       self->conf->hostname, proto, qid, date);
        strbuf_add (&m, self->msg.data ? self->msg.data : "", self->msg.len);
        strbuf_free (&self->msg);
        self->msg = m;
    }
    self->state = ST_COMMIT;
    return SESSION_MESSAGE;
}

//  One line of the message, line end excluded (crlf: it ended in CRLF).
static session_event_t
s_data_line (session_t *self, const char *line, size_t n, bool crlf, bool cut)
{
    //  Only CRLF . CRLF ends the data: a dot between bare line ends is
    //  content (SMTP smuggling), and the relay sends it stuffed.
    if (!cut && crlf && self->prev_crlf && n == 1 && line[0] == '.')
        return s_end_of_data (self);
    self->prev_crlf = crlf;
    if (n && line[0] == '.' && !cut)
        line++, n--;
    if (cut || n > self->conf->max_line)
        self->line_long = true;
    if (self->in_header) {
        if (n == 0)
            self->in_header = false;
        else if (line[0] != ' ' && line[0] != '\t')
            self->headers++;
    }
    if (!self->too_big && self->msg.len + n + 1 <= self->conf->max_size) {
        strbuf_add (&self->msg, line, n);
        strbuf_addc (&self->msg, '\n');
    }
    else
        self->too_big = true;
    return SESSION_MORE;
}

session_event_t
session_input (session_t *self, const char *data, size_t len)
{
    if (self->state == ST_CLOSED)
        return SESSION_CLOSE;
    if (len)
        strbuf_add (&self->in, data, len);
    session_event_t ev = SESSION_MORE;
    while (ev == SESSION_MORE && self->state != ST_COMMIT && self->state != ST_AUTH_CHECK &&
           self->in_off < self->in.len) {
        const char *p = self->in.data + self->in_off;
        size_t avail = self->in.len - self->in_off;
        const char *nl = memchr (p, '\n', avail);
        bool in_data = self->state == ST_DATA;
        size_t limit = in_data ? self->conf->max_line + 2 : SESSION_MAX_COMMAND;
        if (!nl) {
            if (avail > limit) {
                //  Drop what is buffered of an overlong line but a final CR,
                //  which may start its CRLF.
                size_t keep = p[avail - 1] == '\r' ? 1 : 0;
                if (in_data && !self->discarding)
                    s_data_line (self, "", 0, false, true);
                self->discarding = true;
                self->in_off += avail - keep;
            }
            break;
        }
        size_t n = (size_t) (nl - p);
        bool crlf = n && p[n - 1] == '\r';
        size_t content = n - crlf;
        self->in_off += n + 1;
        if (self->discarding) {
            self->discarding = false;
            if (in_data)
                self->prev_crlf = crlf;
            else {
                s_reply (self, "500 5.5.2 Error: line too long");
                ev = s_error (self);
            }
            continue;
        }
        if (in_data) {
            ev = s_data_line (self, p, content, crlf, false);
            continue;
        }
        if (memchr (p, 0, content)) {
            s_reply (self, "500 5.5.2 Error: NUL in a command");
            ev = s_error (self);
            continue;
        }
        char line[SESSION_MAX_COMMAND + 1];
        memcpy (line, p, content);
        line[content] = 0;
        ev = s_command (self, line);
    }
    //  Keep the buffer small: what was acted on goes.
    if (self->in_off == self->in.len) {
        strbuf_reset (&self->in);
        self->in_off = 0;
    }
    else if (self->in_off > 65536) {
        memmove (self->in.data, self->in.data + self->in_off, self->in.len - self->in_off);
        self->in.len -= self->in_off;
        self->in.data[self->in.len] = 0;
        self->in_off = 0;
    }
    if (ev == SESSION_MESSAGE)
        self->stats.messages++;
    return ev;
}

size_t
session_buffered (session_t *self)
{
    return self->in.len - self->in_off;
}

void
session_output (session_t *self, const char **data, size_t *len)
{
    *data = self->out.data ? self->out.data + self->out_off : "";
    *len = self->out.len - self->out_off;
}

void
session_sent (session_t *self, size_t n)
{
    self->out_off += n;
    if (self->out_off >= self->out.len) {
        strbuf_reset (&self->out);
        self->out_off = 0;
    }
}

void
session_tls_on (session_t *self)
{
    self->tls = true;
    self->helo = false;
    self->auth_user[0] = 0;
    s_reset (self);
    self->state = ST_COMMAND;
}

envelope_t *
session_take (session_t *self, const char **msg, size_t *len)
{
    envelope_t *env = self->env;
    self->env = NULL;
    *msg = self->msg.data ? self->msg.data : "";
    *len = self->msg.len;
    return env;
}

void
session_committed (session_t *self, const char *qid)
{
    if (qid)
        s_reply (self, "250 2.0.0 Ok: queued as %s", qid);
    else {
        s_reply (self, "451 4.3.0 Error: queue file write error");
        self->stats.messages--;
        self->stats.refused++;
    }
    if (self->state == ST_COMMIT)
        self->state = ST_COMMAND;
    s_reset (self);
}

bool
session_waiting (session_t *self)
{
    return self->state == ST_COMMIT || self->state == ST_AUTH_CHECK;
}

void
session_shutdown (session_t *self, const char *why)
{
    if (self->state != ST_CLOSED)
        s_reply (self, "421 %s %s", self->conf->hostname, why);
    self->state = ST_CLOSED;
}

session_stats_t
session_stats (session_t *self)
{
    return self->stats;
}
