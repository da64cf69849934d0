/*  main.c: farm-smtpd, the farm's SMTP front door. A resident ESMTP server
 *  that writes every message it accepts into the ingest spool exactly as
 *  farm-submit does, and says 250 only once the message is durable in
 *  incoming/ (group commit: commit.h). One thread runs every session
 *  (epoll, non-blocking sockets and TLS); one more makes batches durable,
 *  and two check passwords (authq.h).
 *
 *  farm-smtpd --spool DIR [--listen ADDR:PORT[,ADDR:PORT...]] [--config FILE] ... (--help)
 *
 *  Never lost: a client that got no 250 keeps its message; a message that
 *  got one is in incoming/, fsync'd, with its directory. A kill at any
 *  moment leaves at most a file in tmp/, which no broker reads. */
#include "accounts.h"
#include "authq.h"
#include "cfg.h"
#include "commit.h"
#include "diag.h"
#include "fileio.h"
#include "host.h"
#include "hup.h"
#include "session.h"
#include "spool.h"
#include "tls.h"
#include "trust.h"
#include "xalloc.h"
#include <czmq.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *s_usage =
    "usage: farm-smtpd --spool DIR [--listen ADDR:PORT[,...]] [--config FILE] [flags]\n\n"
    "Takes mail over SMTP and queues it in the farm's ingest spool, answering 250 only once\n"
    "the message is durable. STARTTLS with --tls-cert and --tls-key; SMTP AUTH (PLAIN, LOGIN,\n"
    "over TLS only) with --auth-accounts; XCLIENT, XFORWARD and the account header from\n"
    "--trusted networks. The account of each message: --account-from.";

#define MAX_LISTENERS 16
//  Input held for a session that waits for its commit, and output not yet
//  taken by its client: past these the session is not read.
#define MAX_BUFFERED (256 * 1024)
//  Replies a client has not read (one that pipelines without reading): past
//  this the session is not read until it takes them.
#define MAX_OUTPUT (1024 * 1024)
#define READ_CHUNK 16384

typedef enum { KIND_LISTENER, KIND_CONN, KIND_COMMIT, KIND_AUTH, KIND_SIGNAL } kind_t;

typedef struct conn_t conn_t;
struct conn_t {
    kind_t kind;                //  first, as every epoll owner's
    int fd;
    SSL *ssl;
    bool handshake;             //  TLS accept under way
    bool tls_next;              //  start TLS once the output is out
    bool closing;               //  close once the output is out
    bool gone;                  //  the socket is closed; freed when no commit waits
    bool trusted;               //  in smtpd/trusted: not counted per client
    size_t commits;             //  messages of this session with the commit
    size_t auths;               //  its password checks under way
    session_t *session;
    int64_t last_ms;
    uint32_t events;
    char peer[64];
    conn_t *prev, *next;
};

typedef struct {
    kind_t kind;
    int fd;
} s_fd_t;

typedef struct {
    cfg_t *cfg;
    spool_t *spool;
    commit_t *commit;
    int ep;
    s_fd_t listeners[MAX_LISTENERS];
    size_t nlisteners;
    s_fd_t commit_fd, auth_fd, signal_fd;
    session_conf_t conf;
    char hostname[256];
    trust_t *trust;
    authq_t *auth;              //  the password checks, when AUTH is offered
    SSL_CTX *tls;
    conn_t *conns;              //  every session, a list
    size_t nconns, max_conns;
    size_t nclosed;             //  closed this turn: s_sweep frees them
    zhashx_t *per_client;       //  untrusted peer address -> its sessions (as a pointer-sized count)
    size_t max_per_client;      //  0: no limit
    size_t refused_client;
    int64_t timeout_ms;
    size_t accepted, refused_busy, queued, failed, auth_ok, auth_failed, tls_sessions;
    size_t batches;             //  group commits, as last seen (the commit is gone at the end)
    diag_every_t said_busy, said_accept, said_write;
} smtpd_t;

//  A message with the commit: its session and the log line of its fate.
typedef struct {
    conn_t *conn;
    char line[600];
} s_pending_t;

//  A line said at most once a second (those held back are not counted).
static bool
s_every (diag_every_t *e)
{
    unsigned long held;
    return diag_every (e, 1000, &held);
}

static int64_t
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
s_set_events (smtpd_t *self, conn_t *c, uint32_t events)
{
    if (c->gone || events == c->events)
        return;
    struct epoll_event ev = { .events = events, .data.ptr = c };
    if (epoll_ctl (self->ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->events = events;
}

static void
s_free_conn (smtpd_t *self, conn_t *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        self->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    session_destroy (&c->session);
    free (c);
}

static void
s_close (smtpd_t *self, conn_t *c)
{
    if (!c->gone) {
        session_stats_t st = session_stats (c->session);
        diag_debug ("disconnect from %s: %zu queued, %zu refused, %zu errors", c->peer,
                    st.messages, st.refused, st.errors);
        epoll_ctl (self->ep, EPOLL_CTL_DEL, c->fd, NULL);
        if (c->ssl) {
            SSL_free (c->ssl);
            c->ssl = NULL;
        }
        close (c->fd);
        c->gone = true;
        self->nconns--;
        self->nclosed++;
        if (!c->trusted) {
            uintptr_t n = (uintptr_t) zhashx_lookup (self->per_client, c->peer);
            if (n <= 1)
                zhashx_delete (self->per_client, c->peer);
            else
                zhashx_update (self->per_client, c->peer, (void *) (n - 1));
        }
    }
}

//  Free the sessions closed in this turn of the loop whose messages are all
//  answered: never while a caller may still hold one.
static void
s_sweep (smtpd_t *self)
{
    for (conn_t *c = self->conns, *next; c; c = next) {
        next = c->next;
        if (c->gone && !c->commits && !c->auths)
            s_free_conn (self, c);
    }
}

//  Send what the session has to say. -1 when the connection broke.
static int
s_flush (smtpd_t *self, conn_t *c)
{
    (void) self;
    while (!c->handshake) {
        const char *data;
        size_t len;
        session_output (c->session, &data, &len);
        if (!len)
            return 0;
        ssize_t n;
        if (c->ssl) {
            ERR_clear_error ();
            int r = SSL_write (c->ssl, data, (int) (len > INT32_MAX ? INT32_MAX : len));
            if (r <= 0) {
                int e = SSL_get_error (c->ssl, r);
                return e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ ? 0 : -1;
            }
            n = r;
        }
        else {
            n = send (c->fd, data, len, MSG_NOSIGNAL);
            if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -1;
        }
        session_sent (c->session, (size_t) n);
    }
    return 0;
}

static size_t
s_output_pending (conn_t *c)
{
    const char *data;
    size_t len;
    session_output (c->session, &data, &len);
    return len;
}

static void s_event (smtpd_t *self, conn_t *c, session_event_t ev);

//  A password check is done: the session answers and goes on.
static void
s_authed (void *arg, void *entry, bool ok)
{
    smtpd_t *self = arg;
    conn_t *c = entry;
    c->auths--;
    if (c->gone)
        return;
    const char *user, *pass;
    session_auth_request (c->session, &user, &pass);
    if (ok)
        diag_info ("AUTH from %s: %s logged in", c->peer, user);
    else
        diag_warn ("AUTH from %s: %s refused (wrong password or no such account)", c->peer, user);
    if (ok)
        self->auth_ok++;
    else
        self->auth_failed++;
    session_auth_done (c->session, ok);
    s_event (self, c, session_input (c->session, NULL, 0));
}

//  A message is durable (qid) or not: the session says so and goes on
//  with what its client sent meanwhile.
static void
s_committed (void *arg, void *entry, const char *qid, int status)
{
    smtpd_t *self = arg;
    s_pending_t *p = entry;
    conn_t *c = p->conn;
    if (qid) {
        diag_info ("%s: queued: %s", qid, p->line);
        self->queued++;
    }
    else {
        self->failed++;
        if (s_every (&self->said_write))
            diag_error ("cannot commit a message to %s/incoming: %s; the client is told 451 "
                        "and keeps it (%s)", spool_root (self->spool), strerror (status), p->line);
    }
    free (p);
    c->commits--;
    if (c->gone)
        return;
    session_committed (c->session, qid);
    s_event (self, c, session_input (c->session, NULL, 0));
}

//  What a session asked for, then the output, then what to wait for.
static void
s_event (smtpd_t *self, conn_t *c, session_event_t ev)
{
    //  A message to commit or a password to check is handed over; a message
    //  that could not even be written is answered 451 at once, and what the
    //  client sent after it is read on (it may hold the next message).
    while (ev == SESSION_MESSAGE || ev == SESSION_AUTH) {
        if (ev == SESSION_AUTH) {
            const char *user, *pass;
            session_auth_request (c->session, &user, &pass);
            authq_add (self->auth, user, pass, c);
            c->auths++;
            ev = SESSION_MORE;
            break;
        }
        const char *msg;
        size_t len;
        envelope_t *env = session_take (c->session, &msg, &len);
        s_pending_t *p = xcalloc (1, sizeof *p);
        p->conn = c;
        snprintf (p->line, sizeof p->line, "account=%s from=<%s> rcpts=%zu size=%zu client=%s via=%s",
                  env->account, env->mail_from, env->rcpt_count, len, env->client_ip, env->source);
        if (commit_add (self->commit, env, msg, len, p) == 0) {
            c->commits++;
            ev = SESSION_MORE;
        }
        else {
            int e = errno;
            self->failed++;
            if (s_every (&self->said_write))
                diag_error ("cannot write a message to %s/tmp: %s; the client is told 451 and "
                            "keeps it (%s)", spool_root (self->spool), strerror (e), p->line);
            free (p);
            session_committed (c->session, NULL);
            ev = session_input (c->session, NULL, 0);
        }
        envelope_destroy (&env);
    }
    if (c->commits)
        commit_poll (self->commit, s_committed, self);
    if (ev == SESSION_STARTTLS)
        c->tls_next = true;
    if (ev == SESSION_CLOSE)
        c->closing = true;
    if (s_flush (self, c) < 0) {
        s_close (self, c);
        return;
    }
    size_t pending = s_output_pending (c);
    if (!pending && c->closing) {
        s_close (self, c);
        return;
    }
    if (!pending && c->tls_next) {
        c->tls_next = false;
        c->ssl = SSL_new (self->tls);
        if (!c->ssl || SSL_set_fd (c->ssl, c->fd) != 1) {
            s_close (self, c);
            return;
        }
        SSL_set_accept_state (c->ssl);
        c->handshake = true;
    }
    uint32_t want = 0;
    if (c->handshake)
        want = EPOLLIN;
    else {
        if (!session_waiting (c->session) && !c->closing && !c->tls_next &&
            session_buffered (c->session) < MAX_BUFFERED && pending < MAX_OUTPUT)
            want |= EPOLLIN;
        if (pending)
            want |= EPOLLOUT;
    }
    s_set_events (self, c, want);
}

static void
s_handshake (smtpd_t *self, conn_t *c)
{
    ERR_clear_error ();
    int r = SSL_accept (c->ssl);
    if (r == 1) {
        c->handshake = false;
        self->tls_sessions++;
        session_tls_on (c->session);
        diag_debug ("TLS from %s: %s %s", c->peer, SSL_get_version (c->ssl),
                    SSL_get_cipher_name (c->ssl));
        s_event (self, c, SESSION_MORE);
        return;
    }
    int e = SSL_get_error (c->ssl, r);
    if (e == SSL_ERROR_WANT_READ)
        s_set_events (self, c, EPOLLIN);
    else if (e == SSL_ERROR_WANT_WRITE)
        s_set_events (self, c, EPOLLOUT);
    else {
        char buf[200] = "";
        ERR_error_string_n (ERR_get_error (), buf, sizeof buf);
        diag_info ("TLS handshake with %s failed: %s", c->peer, *buf ? buf : "connection closed");
        s_close (self, c);
    }
}

static void
s_readable (smtpd_t *self, conn_t *c)
{
    char buf[READ_CHUNK];
    for (int round = 0; round < 8; round++) {
        if (session_waiting (c->session) || c->closing || c->tls_next || c->handshake ||
            session_buffered (c->session) >= MAX_BUFFERED || s_output_pending (c) >= MAX_OUTPUT)
            break;
        ssize_t n;
        if (c->ssl) {
            ERR_clear_error ();
            int r = SSL_read (c->ssl, buf, sizeof buf);
            if (r <= 0) {
                int e = SSL_get_error (c->ssl, r);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                    break;
                s_close (self, c);
                return;
            }
            n = r;
        }
        else {
            n = recv (c->fd, buf, sizeof buf, 0);
            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                break;
            if (n <= 0) {
                s_close (self, c);
                return;
            }
        }
        c->last_ms = s_now_ms ();
        session_event_t ev = session_input (c->session, buf, (size_t) n);
        s_event (self, c, ev);
        if (c->gone)
            return;
    }
    s_event (self, c, SESSION_MORE);
}

static void
s_peer (const struct sockaddr_storage *sa, char *out, size_t len)
{
    if (getnameinfo ((const struct sockaddr *) sa, sizeof *sa, out, (socklen_t) len, NULL, 0,
                     NI_NUMERICHOST) != 0)
        snprintf (out, len, "unknown");
    if (!strncmp (out, "::ffff:", 7) && strchr (out, '.'))
        memmove (out, out + 7, strlen (out + 7) + 1);
}

static void
s_accept (smtpd_t *self, int lfd)
{
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage sa;
        socklen_t slen = sizeof sa;
        int fd = accept4 (lfd, (struct sockaddr *) &sa, &slen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR && s_every (&self->said_accept))
                diag_warn ("accept: %s", strerror (errno));
            return;
        }
        if (self->nconns >= self->max_conns) {
            static const char busy[] = "421 4.3.2 Error: too many sessions, try again later\r\n";
            //  Said if it fits in the socket at once; else it learns it
            //  from the close.
            ssize_t said = send (fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void) said;
            close (fd);
            self->refused_busy++;
            if (s_every (&self->said_busy))
                diag_warn ("%zu sessions already (smtpd/max-sessions): a client was told 421",
                           self->nconns);
            continue;
        }
        char peer[64];
        s_peer (&sa, peer, sizeof peer);
        bool trusted = trust_match (self->trust, (struct sockaddr *) &sa);
        uintptr_t mine = trusted ? 0 : (uintptr_t) zhashx_lookup (self->per_client, peer);
        if (!trusted && self->max_per_client && mine >= self->max_per_client) {
            static const char many[] = "421 4.7.0 Error: too many connections from your address\r\n";
            ssize_t said = send (fd, many, sizeof many - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void) said;
            close (fd);
            self->refused_client++;
            if (s_every (&self->said_busy))
                diag_warn ("%s has %zu sessions already (smtpd/max-per-client): told 421", peer,
                           (size_t) mine);
            continue;
        }
        int one = 1;
        setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn_t *c = xcalloc (1, sizeof *c);
        c->kind = KIND_CONN;
        c->fd = fd;
        c->trusted = trusted;
        memcpy (c->peer, peer, sizeof peer);
        c->session = session_new (&self->conf, c->peer, trusted);
        c->last_ms = s_now_ms ();
        struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
        if (epoll_ctl (self->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            diag_warn ("epoll_ctl: %s", strerror (errno));
            session_destroy (&c->session);
            free (c);
            close (fd);
            continue;
        }
        c->events = EPOLLOUT;
        if (!trusted)
            zhashx_update (self->per_client, peer, (void *) (mine + 1));
        c->next = self->conns;
        if (c->next)
            c->next->prev = c;
        self->conns = c;
        self->nconns++;
        self->accepted++;
        diag_debug ("connect from %s", c->peer);
        s_event (self, c, SESSION_MORE);
    }
}

//  Sessions silent past smtpd/timeout-s are told so and closed.
static void
s_timeouts (smtpd_t *self)
{
    int64_t now = s_now_ms ();
    for (conn_t *c = self->conns, *next; c; c = next) {
        next = c->next;
        if (c->gone || c->commits || c->auths || now - c->last_ms < self->timeout_ms)
            continue;
        diag_info ("timeout after %lld s from %s", (long long) (self->timeout_ms / 1000), c->peer);
        session_shutdown (c->session, "4.4.2 Error: timeout exceeded");
        s_flush (self, c);
        s_close (self, c);
    }
}

//  One host:port listener (several for a name with several addresses).
static int
s_listen (smtpd_t *self, const char *spec, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr (spec, ':');
    if (!colon || !colon[1]) {
        snprintf (err, errlen, "smtpd/listen: '%s' is not host:port", spec);
        return -1;
    }
    size_t hl = (size_t) (colon - spec);
    if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']')
        spec++, hl -= 2;
    if (hl >= sizeof host) {
        snprintf (err, errlen, "smtpd/listen: '%s': host too long", spec);
        return -1;
    }
    memcpy (host, spec, hl);
    host[hl] = 0;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
    struct addrinfo *res = NULL;
    int g = getaddrinfo (*host ? host : NULL, colon + 1, &hints, &res);
    if (g) {
        snprintf (err, errlen, "smtpd/listen: '%s': %s", spec, gai_strerror (g));
        return -1;
    }
    int rc = 0;
    for (struct addrinfo *a = res; a && rc == 0; a = a->ai_next) {
        if (self->nlisteners == MAX_LISTENERS) {
            snprintf (err, errlen, "smtpd/listen: more than %d addresses", MAX_LISTENERS);
            rc = -1;
            break;
        }
        int fd = socket (a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        int one = 1;
        if (fd >= 0)
            setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (fd >= 0 && a->ai_family == AF_INET6)
            setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (fd < 0 || bind (fd, a->ai_addr, a->ai_addrlen) < 0 || listen (fd, 4096) < 0) {
            snprintf (err, errlen, "smtpd/listen: %s: %s", spec, strerror (errno));
            if (fd >= 0)
                close (fd);
            rc = -1;
            break;
        }
        s_fd_t *l = &self->listeners[self->nlisteners++];
        l->kind = KIND_LISTENER;
        l->fd = fd;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };
        epoll_ctl (self->ep, EPOLL_CTL_ADD, fd, &ev);
    }
    freeaddrinfo (res);
    return rc;
}

//  smtpd/metrics-file: what farm-smtpd did since it started, in the
//  Prometheus text format (node_exporter's textfile collector).
static void
s_metrics (smtpd_t *self)
{
    const char *file = cfg_str (self->cfg, "smtpd/metrics-file");
    if (!*file)
        return;
    if (self->commit) {
        size_t committed;
        commit_stats (self->commit, &self->batches, &committed);
    }
    size_t batches = self->batches;
    strbuf_t o;
    strbuf_init (&o);
    strbuf_printf (&o, "# HELP farm_smtpd_sessions_total Sessions accepted, and refused at connect.\n"
                   "# TYPE farm_smtpd_sessions_total counter\n"
                   "farm_smtpd_sessions_total{result=\"accepted\"} %zu\n"
                   "farm_smtpd_sessions_total{result=\"too_many\"} %zu\n"
                   "farm_smtpd_sessions_total{result=\"too_many_from_client\"} %zu\n"
                   "farm_smtpd_sessions_total{result=\"tls\"} %zu\n",
                   self->accepted, self->refused_busy, self->refused_client, self->tls_sessions);
    strbuf_printf (&o, "# HELP farm_smtpd_sessions Sessions open now, and the most allowed.\n"
                   "# TYPE farm_smtpd_sessions gauge\nfarm_smtpd_sessions{state=\"open\"} %zu\n"
                   "farm_smtpd_sessions{state=\"max\"} %zu\n", self->nconns, self->max_conns);
    strbuf_printf (&o, "# HELP farm_smtpd_messages_total Messages queued in incoming/ (250), and not written (451).\n"
                   "# TYPE farm_smtpd_messages_total counter\n"
                   "farm_smtpd_messages_total{result=\"queued\"} %zu\n"
                   "farm_smtpd_messages_total{result=\"not_written\"} %zu\n", self->queued, self->failed);
    strbuf_printf (&o, "# HELP farm_smtpd_commits_total Group commits (each one fsync of the folder for the messages in it).\n"
                   "# TYPE farm_smtpd_commits_total counter\nfarm_smtpd_commits_total %zu\n", batches);
    strbuf_printf (&o, "# HELP farm_smtpd_auth_total SMTP AUTH logins by result.\n"
                   "# TYPE farm_smtpd_auth_total counter\nfarm_smtpd_auth_total{result=\"ok\"} %zu\n"
                   "farm_smtpd_auth_total{result=\"failed\"} %zu\n", self->auth_ok, self->auth_failed);
    if (fileio_replace (file, o.data, o.len, 0644) < 0 && s_every (&self->said_write))
        diag_warn ("smtpd/metrics-file %s: %s", file, strerror (errno));
    strbuf_free (&o);
}

//  SIGHUP: the accounts file and the TLS files read again.
static void
s_reload (smtpd_t *self)
{
    char err[512];
    if (self->auth) {
        int r = authq_reload (self->auth, err, sizeof err);
        if (r < 0)
            diag_error ("smtpd/auth-accounts: %s", err);
        else if (r > 0)
            diag_info ("smtpd/auth-accounts: %zu accounts", authq_count (self->auth));
    }
    if (self->tls) {
        SSL_CTX *ctx = tls_context (cfg_str (self->cfg, "smtpd/tls-cert"),
                                    cfg_str (self->cfg, "smtpd/tls-key"), err, sizeof err);
        if (!ctx)
            diag_error ("%s (the certificate read before stays)", err);
        else {
            SSL_CTX_free (self->tls);
            self->tls = ctx;
            diag_info ("TLS certificate read again");
        }
    }
}

//  Everything the configuration says, checked. 0, or -1 with err.
static int
s_setup (smtpd_t *self, char *err, size_t errlen)
{
    cfg_t *cfg = self->cfg;
    snprintf (self->hostname, sizeof self->hostname, "%s", cfg_str (cfg, "smtpd/hostname"));
    if (!*self->hostname)
        host_name (self->hostname, sizeof self->hostname);
    session_conf_t *k = &self->conf;
    k->hostname = self->hostname;
    k->received = cfg_bool (cfg, "smtpd/received");
    //  Room for the Received: field within the limit the workers apply.
    k->max_size = (size_t) cfg_int (cfg, "limits/message-size") - (k->received ? 512 : 0);
    k->max_rcpt = (size_t) cfg_int (cfg, "limits/recipients");
    k->max_headers = (size_t) cfg_int (cfg, "limits/headers");
    k->max_line = (size_t) cfg_int (cfg, "limits/line-length");
    k->max_errors = (size_t) cfg_int (cfg, "smtpd/max-errors");
    k->auth_required = cfg_bool (cfg, "smtpd/auth-required");
    k->account_header = cfg_str (cfg, "smtpd/account-header");
    if (!*k->account_header || strpbrk (k->account_header, ": \t")) {
        snprintf (err, errlen, "smtpd/account-header: '%s' is not a header name", k->account_header);
        return -1;
    }
    if (session_parse_order (k, cfg_str (cfg, "smtpd/account-from"), err, errlen) < 0)
        return -1;
    self->trust = trust_new (cfg_str (cfg, "smtpd/trusted"), err, errlen);
    if (!self->trust)
        return -1;
    const char *cert = cfg_str (cfg, "smtpd/tls-cert"), *key = cfg_str (cfg, "smtpd/tls-key");
    if (!*cert != !*key) {
        snprintf (err, errlen, "smtpd/tls-cert and smtpd/tls-key go together");
        return -1;
    }
    if (*cert && !(self->tls = tls_context (cert, key, err, errlen)))
        return -1;
    k->tls_offered = self->tls != NULL;
    const char *acc = cfg_str (cfg, "smtpd/auth-accounts");
    if (*acc) {
        if (!self->tls) {
            snprintf (err, errlen, "smtpd/auth-accounts needs smtpd/tls-cert and smtpd/tls-key: "
                      "passwords go over TLS only");
            return -1;
        }
        accounts_t *accounts = accounts_new (acc, err, errlen);
        if (!accounts)
            return -1;
        //  Two threads: logins of many sessions at once on this machine's cores.
        self->auth = authq_new (accounts, 2);
        if (!self->auth) {
            snprintf (err, errlen, "cannot start the password threads: %s", strerror (errno));
            return -1;
        }
    }
    k->auth_offered = self->auth != NULL;
    self->max_conns = (size_t) cfg_int (cfg, "smtpd/max-sessions");
    self->max_per_client = (size_t) cfg_int (cfg, "smtpd/max-per-client");
    self->per_client = zhashx_new ();
    self->timeout_ms = cfg_int (cfg, "smtpd/timeout-s") * 1000;
    //  Room for every session (and a margin), as far as the hard limit allows.
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit (RLIMIT_NOFILE, &rl);
    }
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < self->max_conns + 64) {
        diag_warn ("open files limited to %llu: smtpd/max-sessions %zu lowered to %llu",
                   (unsigned long long) rl.rlim_cur, self->max_conns,
                   (unsigned long long) (rl.rlim_cur > 128 ? rl.rlim_cur - 64 : 64));
        self->max_conns = rl.rlim_cur > 128 ? rl.rlim_cur - 64 : 64;
    }
    const char *root = cfg_str (cfg, "spool/root");
    self->spool = spool_new (root, false);
    if (!self->spool) {
        snprintf (err, errlen, "spool %s: %s (is it the broker's spool root?)", root, strerror (errno));
        return -1;
    }
    if (!spool_set_up (self->spool)) {
        snprintf (err, errlen, "%s is not a spool a broker has set up (no %s/broker.lock): check "
                  "--spool", root, root);
        return -1;
    }
    //  An fsync per file and one per directory a batch, never syncfs: the
    //  broker syncs the same filesystem, and each syncfs would write out
    //  the other's data too (measured: twice the kernel time of both).
    spool_set_sync (self->spool, BATCH_SYNC_FILES);
    self->ep = epoll_create1 (EPOLL_CLOEXEC);
    char list[1024];
    snprintf (list, sizeof list, "%s", cfg_str (cfg, "smtpd/listen"));
    char *save = NULL;
    for (char *w = strtok_r (list, ",", &save); w; w = strtok_r (NULL, ",", &save))
        if (s_listen (self, w, err, errlen) < 0)
            return -1;
    if (!self->nlisteners) {
        snprintf (err, errlen, "smtpd/listen: no address to listen on");
        return -1;
    }
    return 0;
}

int
main (int argc, char **argv)
{
    cfg_t *cfg = cfg_new (CFG_SMTPD);
    int rc = cfg_daemon_start (cfg, "farm-smtpd", argc, argv, s_usage);
    if (rc >= 0) {
        cfg_destroy (&cfg);
        return rc;
    }
    smtpd_t self = { .cfg = cfg, .ep = -1 };
    //  Before any thread: the signals come through a descriptor.
    int sigfd = hup_open (true);
    char err[1024];
    if (sigfd < 0 || s_setup (&self, err, sizeof err) < 0) {
        diag_error ("cannot start: %s", sigfd < 0 ? strerror (errno) : err);
        return 1;
    }
    self.commit = commit_new (self.spool);
    if (!self.commit) {
        diag_error ("cannot start the commit thread: %s", strerror (errno));
        return 1;
    }
    commit_set_window (self.commit, (int) cfg_int (cfg, "smtpd/commit-ms"),
                       (size_t) cfg_int (cfg, "smtpd/commit-batch"));
    self.commit_fd = (s_fd_t) { KIND_COMMIT, commit_fd (self.commit) };
    self.signal_fd = (s_fd_t) { KIND_SIGNAL, sigfd };
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &self.commit_fd };
    epoll_ctl (self.ep, EPOLL_CTL_ADD, self.commit_fd.fd, &ev);
    ev.data.ptr = &self.signal_fd;
    epoll_ctl (self.ep, EPOLL_CTL_ADD, sigfd, &ev);
    if (self.auth) {
        self.auth_fd = (s_fd_t) { KIND_AUTH, authq_fd (self.auth) };
        ev.data.ptr = &self.auth_fd;
        epoll_ctl (self.ep, EPOLL_CTL_ADD, self.auth_fd.fd, &ev);
    }
    signal (SIGPIPE, SIG_IGN);
    diag_info ("farm-smtpd on %s into %s/incoming (%s%s, trusted %s, account from %s, %zu sessions at most)",
               cfg_str (cfg, "smtpd/listen"), spool_root (self.spool), self.tls ? "STARTTLS" : "no TLS",
               self.auth ? ", AUTH" : "", cfg_str (cfg, "smtpd/trusted"),
               cfg_str (cfg, "smtpd/account-from"), self.max_conns);
    bool stop = false;
    int64_t last_tick = s_now_ms ();
    while (!stop) {
        struct epoll_event evs[256];
        int wait = commit_timeout (self.commit);
        int n = epoll_wait (self.ep, evs, 256, wait < 0 || wait > 1000 ? 1000 : wait);
        if (n < 0 && errno != EINTR) {
            diag_error ("epoll_wait: %s", strerror (errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            kind_t kind = *(kind_t *) evs[i].data.ptr;
            if (kind == KIND_LISTENER)
                s_accept (&self, ((s_fd_t *) evs[i].data.ptr)->fd);
            else if (kind == KIND_COMMIT)
                commit_poll (self.commit, s_committed, &self);
            else if (kind == KIND_AUTH)
                authq_poll (self.auth, s_authed, &self);
            else if (kind == KIND_SIGNAL) {
                int what = hup_take (sigfd);
                if (what & HUP_RELOAD)
                    s_reload (&self);
                if (what & HUP_STOP)
                    stop = true;
            }
            else {
                conn_t *c = evs[i].data.ptr;
                if (c->gone)
                    continue;
                if (c->handshake)
                    s_handshake (&self, c);
                else if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                    s_readable (&self, c);
                else
                    s_event (&self, c, SESSION_MORE);
            }
        }
        commit_poll (self.commit, s_committed, &self);
        int64_t now = s_now_ms ();
        if (now - last_tick >= 1000) {
            last_tick = now;
            s_timeouts (&self);
            s_metrics (&self);
        }
        if (self.nclosed) {
            s_sweep (&self);
            self.nclosed = 0;
        }
    }
    //  Stop: no more sessions; what is written is made durable and
    //  answered; the others are told 421 (their clients keep their mail).
    for (size_t i = 0; i < self.nlisteners; i++)
        close (self.listeners[i].fd);
    s_metrics (&self);
    commit_destroy (&self.commit, s_committed, &self);
    //  Logins under way are dropped with their sessions.
    authq_destroy (&self.auth);
    for (conn_t *c = self.conns, *next; c; c = next) {
        next = c->next;
        if (!c->gone) {
            session_shutdown (c->session, "4.3.2 Error: service shutting down");
            s_flush (&self, c);
        }
        s_close (&self, c);
        c->auths = 0;
    }
    s_sweep (&self);
    s_metrics (&self);
    diag_info ("farm-smtpd stopping: %zu sessions, %zu queued, %zu not written (told 451), %zu "
               "refused for too many sessions, %zu for too many from one address", self.accepted,
               self.queued, self.failed, self.refused_busy, self.refused_client);
    if (self.tls)
        SSL_CTX_free (self.tls);
    trust_destroy (&self.trust);
    zhashx_destroy (&self.per_client);
    spool_destroy (&self.spool);
    close (self.ep);
    cfg_destroy (&cfg);
    return 0;
}
