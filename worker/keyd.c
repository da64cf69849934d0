/*  keyd.c: the key process and the worker's side of it (see keyd.h).
 *  Frames both ways: a 4-byte length (big-endian, of what follows), one
 *  byte (the request's kind, or the answer's status: 0 done, 1 refused),
 *  the payload. Requests:
 *    C            -> "ENABLED COUNT"
 *    R            -> "" (KEYS/ read again at once)
 *    F domain     -> "selector TAB alg TAB bits" lines
 *    S domain NUL selector NUL data   -> the raw signature
 *    M domain NUL selector NUL id NUL relaxed-byte message -> the field */
#include "keyd.h"
#include "diag.h"
#include "fileio.h"
#include "recheck.h"
#include "strbuf.h"
#include "xalloc.h"
#include <czmq.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEYD_MAX_FRAME (64u << 20)
#define KEYD_MAX_FOUND 8

//  The keys of one domain, as last told (no key material).
typedef struct {
    size_t n;
    signkey_t keys[KEYD_MAX_FOUND];
} s_known_t;

static void
s_known_free (void **item)
{
    free (*item);
    *item = NULL;
}

struct keyd_t {
    pid_t pid;
    int fd;
    strbuf_t buf;
    zhashx_t *known;            //  domain -> s_known_t: a round trip saved a message
    int64_t check_ms, known_until;
};

static int
s_read_all (int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t n = read (fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EPIPE;
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

//  One frame: kind and payload (the parts, one after the other).
static int
s_send (int fd, uint8_t kind, const void *a, size_t alen, const void *b, size_t blen)
{
    uint64_t total = 1 + (uint64_t) alen + blen;
    if (total > KEYD_MAX_FRAME) {
        errno = EMSGSIZE;
        return -1;
    }
    unsigned char head[5] = { (unsigned char) (total >> 24), (unsigned char) (total >> 16),
                              (unsigned char) (total >> 8), (unsigned char) total, kind };
    if (fileio_write_all (fd, head, 5) < 0 || (alen && fileio_write_all (fd, a, alen) < 0)
        || (blen && fileio_write_all (fd, b, blen) < 0))
        return -1;
    return 0;
}

static int
s_recv (int fd, uint8_t *kind, strbuf_t *payload)
{
    unsigned char head[5];
    if (s_read_all (fd, head, 5) < 0)
        return -1;
    uint32_t total = (uint32_t) head[0] << 24 | (uint32_t) head[1] << 16 | (uint32_t) head[2] << 8 | head[3];
    if (total < 1 || total > KEYD_MAX_FRAME) {
        errno = EPROTO;
        return -1;
    }
    *kind = head[4];
    strbuf_reset (payload);
    strbuf_adds (payload, "");
    char chunk[65536];
    for (size_t left = total - 1; left;) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        if (s_read_all (fd, chunk, n) < 0)
            return -1;
        strbuf_add (payload, chunk, n);
        left -= n;
    }
    return 0;
}

//  The NUL-terminated parts at the start of a payload: n of them into part,
//  the rest after; -1 when there are fewer.
static int
s_parts (const strbuf_t *in, const char **part, size_t n, const char **rest, size_t *restlen)
{
    const char *p = in->data ? in->data : "", *end = p + in->len;
    for (size_t i = 0; i < n; i++) {
        const char *z = memchr (p, 0, (size_t) (end - p));
        if (!z)
            return -1;
        part[i] = p;
        p = z + 1;
    }
    *rest = p;
    *restlen = (size_t) (end - p);
    return 0;
}

static const signkey_t *
s_key (keys_t *keys, const char *domain, const char *selector)
{
    const signkey_t *found[KEYD_MAX_FOUND];
    size_t n = keys_find (keys, domain, found, KEYD_MAX_FOUND);
    for (size_t i = 0; i < n; i++)
        if (!strcmp (found[i]->selector, selector))
            return found[i];
    return NULL;
}

//  The key process: serves until the worker's end closes.
static void
s_serve (int fd, const char *dir, int64_t check_ms, signer_kind_t kind, uint64_t fixed_time,
         const header_limits_t *lim)
{
    prctl (PR_SET_PDEATHSIG, SIGTERM);
    prctl (PR_SET_NAME, "farm-keys");
    signal (SIGHUP, SIG_IGN);
    signal (SIGINT, SIG_IGN);
    keys_t *keys = keys_new (dir, check_ms);
    signer_t *signer = signer_new (fixed_time, kind);
    strbuf_t in, out;
    strbuf_init (&in);
    strbuf_init (&out);
    uint8_t op;
    while (signer && s_recv (fd, &op, &in) == 0) {
        strbuf_reset (&out);
        strbuf_adds (&out, "");
        uint8_t status = 0;
        const char *part[3], *rest;
        size_t restlen;
        keys_refresh (keys);
        if (op == 'C')
            strbuf_printf (&out, "%d %zu", keys_enabled (keys), keys_count (keys));
        else if (op == 'R') {
            recheck_all ();
            keys_refresh (keys);
        }
        else if (op == 'F') {
            const signkey_t *found[KEYD_MAX_FOUND];
            size_t n = keys_find (keys, in.data ? in.data : "", found, KEYD_MAX_FOUND);
            for (size_t i = 0; i < n; i++)
                strbuf_printf (&out, "%s\t%d\t%d\n", found[i]->selector, (int) found[i]->alg, found[i]->bits);
        }
        else if ((op == 'S' || op == 'M') && s_parts (&in, part, op == 'S' ? 2 : 3, &rest, &restlen) == 0) {
            const signkey_t *key = s_key (keys, part[0], part[1]);
            if (!key) {
                status = 1;
                strbuf_printf (&out, "no key %s/%s", part[0], part[1]);
            }
            else if (op == 'S') {
                unsigned char sig[1024];
                size_t siglen = sizeof sig;
                if (signer_openssl_raw (key, (const unsigned char *) rest, restlen, sig, &siglen) < 0) {
                    status = 1;
                    strbuf_printf (&out, "OpenSSL could not sign with %s/%s", part[0], part[1]);
                }
                else
                    strbuf_add (&out, sig, siglen);
            }
            else if (restlen < 1) {
                status = 1;
                strbuf_adds (&out, "no message");
            }
            else {
                //  The header section is parsed here again (bounded, as the
                //  worker does): libopendkim is given it field by field.
                header_t hdr;
                header_init (&hdr);
                char err[256] = "";
                if (header_parse (&hdr, rest + 1, restlen - 1, lim) < 0) {
                    status = 1;
                    strbuf_printf (&out, "header section: %s", hdr.error);
                }
                else if (signer_sign (signer, key, part[2], rest + 1, restlen - 1, &hdr, rest[0] != 0,
                                      &out, err, sizeof err) < 0) {
                    status = 1;
                    strbuf_reset (&out);
                    strbuf_adds (&out, err);
                }
                header_free (&hdr);
            }
        }
        else {
            status = 1;
            strbuf_printf (&out, "unknown request %d", (int) op);
        }
        if (s_send (fd, status, out.data, out.len, NULL, 0) < 0)
            break;
    }
    strbuf_free (&in);
    strbuf_free (&out);
    signer_destroy (&signer);
    keys_destroy (&keys);
    _exit (0);
}

keyd_t *
keyd_start (const char *dir, int64_t check_ms, signer_kind_t kind, uint64_t fixed_time,
            const header_limits_t *lim, char *err, size_t errlen)
{
    keyd_t *self = xcalloc (1, sizeof *self);
    self->fd = -1;
    strbuf_init (&self->buf);
    if (!dir || !*dir)
        return self;
    int sv[2];
    if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        snprintf (err, errlen, "key process: socketpair: %s", strerror (errno));
        keyd_stop (&self);
        return NULL;
    }
    pid_t pid = fork ();
    if (pid < 0) {
        snprintf (err, errlen, "key process: fork: %s", strerror (errno));
        close (sv[0]);
        close (sv[1]);
        keyd_stop (&self);
        return NULL;
    }
    if (pid == 0) {
        close (sv[0]);
        s_serve (sv[1], dir, check_ms, kind, fixed_time, lim);
    }
    close (sv[1]);
    self->pid = pid;
    self->fd = sv[0];
    self->check_ms = check_ms;
    return self;
}

void
keyd_stop (keyd_t **self_p)
{
    keyd_t *self = *self_p;
    if (!self)
        return;
    if (self->fd >= 0)
        close (self->fd);       //  the key process reads its end, and goes
    if (self->pid > 0)
        waitpid (self->pid, NULL, 0);
    strbuf_free (&self->buf);
    zhashx_destroy (&self->known);
    free (self);
    *self_p = NULL;
}

//  One request and its answer (into self->buf): the status, or -1 when the
//  key process is gone (said once).
static int
s_ask (keyd_t *self, uint8_t op, const void *a, size_t alen, const void *b, size_t blen)
{
    if (self->fd < 0)
        return -1;
    uint8_t status;
    if (s_send (self->fd, op, a, alen, b, blen) < 0 || s_recv (self->fd, &status, &self->buf) < 0) {
        diag_error ("the key process is gone (%s): no more signing until the worker restarts",
                    strerror (errno));
        close (self->fd);
        self->fd = -1;
        return -1;
    }
    return status;
}

bool
keyd_enabled (keyd_t *self)
{
    return self->fd >= 0 || self->pid > 0;
}

size_t
keyd_count (keyd_t *self)
{
    int enabled = 0;
    size_t count = 0;
    if (s_ask (self, 'C', NULL, 0, NULL, 0) != 0 || sscanf (self->buf.data, "%d %zu", &enabled, &count) != 2)
        return 0;
    return count;
}

void
keyd_reload (keyd_t *self)
{
    s_ask (self, 'R', NULL, 0, NULL, 0);
    if (self->known)
        zhashx_purge (self->known);
}

size_t
keyd_find (keyd_t *self, const char *domain, const signkey_t **out, size_t max)
{
    //  Which keys a domain has is asked once a check interval (what the
    //  key process itself waits before it looks at KEYS/ again).
    if (!self->known) {
        self->known = zhashx_new ();
        zhashx_set_destructor (self->known, s_known_free);
    }
    int64_t now = zclock_mono ();
    if (now >= self->known_until || self->check_ms <= 0) {
        zhashx_purge (self->known);
        self->known_until = now + self->check_ms;
    }
    char lower[256];
    snprintf (lower, sizeof lower, "%s", domain);
    for (char *c = lower; *c; c++)
        *c = (char) (*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    s_known_t *k = zhashx_lookup (self->known, lower);
    if (!k) {
        if (s_ask (self, 'F', lower, strlen (lower), NULL, 0) != 0)
            return 0;
        k = xcalloc (1, sizeof *k);
        for (char *line = self->buf.data, *nl; line && *line && k->n < KEYD_MAX_FOUND; line = nl + 1) {
            nl = strchr (line, '\n');
            if (!nl)
                break;
            *nl = 0;
            signkey_t *key = &k->keys[k->n];
            int alg = 0;
            char sel[64];
            if (sscanf (line, "%63[^\t]\t%d\t%d", sel, &alg, &key->bits) != 3)
                continue;
            snprintf (key->domain, sizeof key->domain, "%s", lower);
            snprintf (key->selector, sizeof key->selector, "%s", sel);
            key->alg = alg == SIGNKEY_ED25519 ? SIGNKEY_ED25519 : SIGNKEY_RSA;
            k->n++;
        }
        if (zhashx_size (self->known) > 10000)
            zhashx_purge (self->known);
        zhashx_insert (self->known, lower, k);
    }
    size_t n = 0;
    for (; n < k->n && n < max; n++)
        out[n] = &k->keys[n];
    return n;
}

//  "domain NUL selector NUL" for a request about key.
static void
s_name (const signkey_t *key, strbuf_t *b)
{
    strbuf_reset (b);
    strbuf_add (b, key->domain, strlen (key->domain) + 1);
    strbuf_add (b, key->selector, strlen (key->selector) + 1);
}

int
keyd_sign_raw (void *arg, const signkey_t *key, const unsigned char *in, size_t inlen,
               unsigned char *sig, size_t *siglen)
{
    keyd_t *self = arg;
    strbuf_t name;
    strbuf_init (&name);
    s_name (key, &name);
    int st = s_ask (self, 'S', name.data, name.len, in, inlen);
    strbuf_free (&name);
    if (st != 0 || self->buf.len > *siglen)
        return -1;
    memcpy (sig, self->buf.data, self->buf.len);
    *siglen = self->buf.len;
    return 0;
}

int
keyd_sign_message (void *arg, const signkey_t *key, const char *id, const char *msg, size_t len,
                   bool body_relaxed, strbuf_t *out, char *err, size_t errlen)
{
    keyd_t *self = arg;
    strbuf_t head;
    strbuf_init (&head);
    s_name (key, &head);
    strbuf_add (&head, id ? id : "", strlen (id ? id : "") + 1);
    strbuf_addc (&head, body_relaxed ? 1 : 0);
    int st = s_ask (self, 'M', head.data, head.len, msg, len);
    strbuf_free (&head);
    if (st != 0) {
        snprintf (err, errlen, "%s", st < 0 ? "the key process is gone" : self->buf.data);
        return -1;
    }
    strbuf_add (out, self->buf.data, self->buf.len);
    return 0;
}
