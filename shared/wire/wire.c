/*  wire.c: encode and decode the broker-worker protocol (see wire.h). */
#include "wire.h"
#include <unistd.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void
wire_msg_init (wire_msg_t *self)
{
    memset (self, 0, sizeof *self);
    verdict_init (&self->verdict);
}

void
wire_msg_free (wire_msg_t *self)
{
    zframe_destroy (&self->envelope);
    zframe_destroy (&self->state);
    zframe_destroy (&self->message);
    verdict_free (&self->verdict);
}

static void
s_put64 (uint8_t *b, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        b[i] = (uint8_t) v;
}

static uint64_t
s_get64 (const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | b[i];
    return v;
}

static zmsg_t *
s_start (zframe_t *routing_id, wire_cmd_t cmd)
{
    zmsg_t *msg = zmsg_new ();
    if (routing_id)
        zmsg_append (msg, &(zframe_t *) { zframe_dup (routing_id) });
    zmsg_addstr (msg, WIRE_SIGNATURE);
    uint8_t c = (uint8_t) cmd;
    zmsg_addmem (msg, &c, 1);
    return msg;
}

static void
s_add64 (zmsg_t *msg, uint64_t v)
{
    uint8_t b[8];
    s_put64 (b, v);
    zmsg_addmem (msg, b, 8);
}

static int
s_send (zmsg_t **msg, zsock_t *sock)
{
    if (zmsg_send (msg, sock) < 0) {
        zmsg_destroy (msg);
        return -1;
    }
    return 0;
}

int
wire_send_ready (zsock_t *sock, uint32_t credit, const char *name, const char *model)
{
    zmsg_t *msg = s_start (NULL, WIRE_READY);
    uint8_t b[4] = { (uint8_t) (credit >> 24), (uint8_t) (credit >> 16), (uint8_t) (credit >> 8),
                     (uint8_t) credit };
    zmsg_addmem (msg, b, 4);
    zmsg_addmem (msg, name, strnlen (name, WIRE_MAX_NAME - 1));
    zmsg_addmem (msg, model, strnlen (model, WIRE_MAX_NAME - 1));
    return s_send (&msg, sock);
}

int
wire_send_heartbeat (zsock_t *sock, zframe_t *routing_id, const char *model)
{
    zmsg_t *msg = s_start (routing_id, WIRE_HEARTBEAT);
    model = model ? model : "";
    zmsg_addmem (msg, model, strnlen (model, WIRE_MAX_NAME - 1));
    return s_send (&msg, sock);
}

int
wire_send_disconnect (zsock_t *sock, zframe_t *routing_id)
{
    zmsg_t *msg = s_start (routing_id, WIRE_DISCONNECT);
    return s_send (&msg, sock);
}

int
wire_send_job (zsock_t *sock, zframe_t *routing_id, const char *qid, uint64_t lease,
               const char *envelope, size_t envlen, const void *state, size_t statelen,
               const void *message, size_t msglen)
{
    zmsg_t *msg = s_start (routing_id, WIRE_JOB);
    zmsg_addmem (msg, qid, QID_LEN);
    s_add64 (msg, lease);
    zmsg_addmem (msg, envelope, envlen);
    zmsg_addmem (msg, state, statelen);
    zmsg_addmem (msg, message, msglen);
    return s_send (&msg, sock);
}

int
wire_send_verdict (zsock_t *sock, const char *qid, uint64_t lease, const verdict_t *v,
                   uint64_t scan_usec)
{
    zmsg_t *msg = s_start (NULL, WIRE_VERDICT);
    zmsg_addmem (msg, qid, QID_LEN);
    s_add64 (msg, lease);
    uint8_t code[2] = { (uint8_t) v->code, v->flag_account ? WIRE_FLAG_ACCOUNT : 0 };
    zmsg_addmem (msg, code, 2);
    uint64_t bits;
    double spam = v->spam;
    memcpy (&bits, &spam, 8);
    s_add64 (msg, bits);
    s_add64 (msg, (uint64_t) v->retry_at);
    zmsg_addmem (msg, v->reasons.data, v->reasons.len);
    zmsg_addmem (msg, v->headers.data, v->headers.len);
    zmsg_addmem (msg, v->dkim.data, v->dkim.len);
    s_add64 (msg, scan_usec);
    //  The features: nlinks, the links (VERDICT_LINKS, zero beyond nlinks),
    //  text, reply-to, display, mailer, Message-ID; WIRE_FEATURES_SIZE bytes always.
    uint8_t f[WIRE_FEATURES_SIZE];
    const verdict_features_t *x = &v->features;
    f[0] = x->nlinks > VERDICT_LINKS ? VERDICT_LINKS : x->nlinks;
    uint64_t all[VERDICT_LINKS + 5];
    for (size_t i = 0; i < VERDICT_LINKS; i++)
        all[i] = i < f[0] ? x->links[i] : 0;
    all[VERDICT_LINKS] = x->text;
    all[VERDICT_LINKS + 1] = x->reply_to;
    all[VERDICT_LINKS + 2] = x->display;
    all[VERDICT_LINKS + 3] = x->mailer;
    all[VERDICT_LINKS + 4] = x->msgid;
    for (size_t i = 0; i < VERDICT_LINKS + 5; i++)
        s_put64 (f + 1 + 8 * i, all[i]);
    zmsg_addmem (msg, f, sizeof f);
    return s_send (&msg, sock);
}

//  Copy a string frame into buf (size bytes): no NUL inside, fits.
static int
s_string (zframe_t *f, char *buf, size_t size)
{
    size_t n = zframe_size (f);
    if (n >= size || memchr (zframe_data (f), 0, n))
        return -1;
    memcpy (buf, zframe_data (f), n);
    buf[n] = 0;
    return 0;
}

static int
s_u64 (zframe_t *f, uint64_t *v)
{
    if (zframe_size (f) != 8)
        return -1;
    *v = s_get64 (zframe_data (f));
    return 0;
}

//  The fields of a VERDICT after its qid and lease.
static int
s_decode_verdict (zmsg_t *msg, wire_msg_t *out, char *err, size_t errlen)
{
    zframe_t *f = zmsg_next (msg);
    uint64_t bits, retry;
    if (zframe_size (f) != 2 || zframe_data (f)[0] >= VERDICT_COUNT
        || (zframe_data (f)[1] & ~WIRE_FLAG_ACCOUNT)) {
        snprintf (err, errlen, "VERDICT: bad verdict code");
        return -1;
    }
    out->verdict.code = (verdict_code_t) zframe_data (f)[0];
    out->verdict.flag_account = zframe_data (f)[1] & WIRE_FLAG_ACCOUNT;
    if (s_u64 (zmsg_next (msg), &bits) || s_u64 (zmsg_next (msg), &retry)) {
        snprintf (err, errlen, "VERDICT: bad number");
        return -1;
    }
    memcpy (&out->verdict.spam, &bits, 8);
    out->verdict.retry_at = (int64_t) retry;
    zframe_t *reasons = zmsg_next (msg), *headers = zmsg_next (msg), *dkim = zmsg_next (msg);
    if (zframe_size (reasons) > VERDICT_MAX_REASONS * VERDICT_MAX_REASON
        || zframe_size (headers) > VERDICT_MAX_HEADERS
        || zframe_size (dkim) > VERDICT_MAX_DKIM * VERDICT_MAX_DKIM_LINE) {
        snprintf (err, errlen, "VERDICT: reasons, headers or signatures too long");
        return -1;
    }
    strbuf_add (&out->verdict.reasons, zframe_data (reasons), zframe_size (reasons));
    strbuf_add (&out->verdict.headers, zframe_data (headers), zframe_size (headers));
    strbuf_add (&out->verdict.dkim, zframe_data (dkim), zframe_size (dkim));
    if (s_u64 (zmsg_next (msg), &out->scan_usec)) {
        snprintf (err, errlen, "VERDICT: bad scan time");
        return -1;
    }
    zframe_t *feat = zmsg_next (msg);
    const uint8_t *fd = zframe_data (feat);
    if (zframe_size (feat) != WIRE_FEATURES_SIZE || fd[0] > VERDICT_LINKS) {
        snprintf (err, errlen, "VERDICT: bad features");
        return -1;
    }
    verdict_features_t *x = &out->verdict.features;
    x->nlinks = fd[0];
    for (size_t i = 0; i < x->nlinks; i++)
        x->links[i] = s_get64 (fd + 1 + 8 * i);
    x->text = s_get64 (fd + 1 + 8 * VERDICT_LINKS);
    x->reply_to = s_get64 (fd + 1 + 8 * (VERDICT_LINKS + 1));
    x->display = s_get64 (fd + 1 + 8 * (VERDICT_LINKS + 2));
    x->mailer = s_get64 (fd + 1 + 8 * (VERDICT_LINKS + 3));
    x->msgid = s_get64 (fd + 1 + 8 * (VERDICT_LINKS + 4));
    if (verdict_check (&out->verdict, err, errlen))
        return -1;
    return 0;
}

int
wire_decode (zmsg_t *msg, wire_msg_t *out, char *err, size_t errlen)
{
    size_t nframes = zmsg_size (msg);
    zframe_t *sig = zmsg_first (msg);
    if (nframes < 2 || zframe_size (sig) != strlen (WIRE_SIGNATURE)
        || memcmp (zframe_data (sig), WIRE_SIGNATURE, zframe_size (sig)) != 0) {
        snprintf (err, errlen, "not a %s message", WIRE_SIGNATURE);
        return -1;
    }
    zframe_t *cmdf = zmsg_next (msg);
    if (zframe_size (cmdf) != 1) {
        snprintf (err, errlen, "bad command frame");
        return -1;
    }
    out->cmd = (wire_cmd_t) zframe_data (cmdf)[0];
    size_t want;
    switch (out->cmd) {
        case WIRE_READY: want = 5; break;
        case WIRE_HEARTBEAT: want = 3; break;
        case WIRE_DISCONNECT: want = 2; break;
        case WIRE_JOB: want = 7; break;
        case WIRE_VERDICT: want = 12; break;
        default:
            snprintf (err, errlen, "unknown command 0x%02x", (unsigned) out->cmd);
            return -1;
    }
    if (nframes != want) {
        snprintf (err, errlen, "command %c: %zu frames, expected %zu", out->cmd, nframes, want);
        return -1;
    }
    if (out->cmd == WIRE_READY) {
        zframe_t *f = zmsg_next (msg);
        if (zframe_size (f) != 4) {
            snprintf (err, errlen, "READY: bad credit");
            return -1;
        }
        const uint8_t *b = zframe_data (f);
        out->credit = (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3];
        if (s_string (zmsg_next (msg), out->name, sizeof out->name)
            || s_string (zmsg_next (msg), out->model, sizeof out->model)) {
            snprintf (err, errlen, "READY: bad name or model");
            return -1;
        }
        if (out->credit == 0 || out->credit > 1024) {
            snprintf (err, errlen, "READY: credit %u out of range", out->credit);
            return -1;
        }
        return 0;
    }
    if (out->cmd == WIRE_HEARTBEAT) {
        if (s_string (zmsg_next (msg), out->model, sizeof out->model)) {
            snprintf (err, errlen, "HEARTBEAT: bad model");
            return -1;
        }
        return 0;
    }
    if (out->cmd == WIRE_DISCONNECT)
        return 0;
    if (s_string (zmsg_next (msg), out->qid, sizeof out->qid) || !qid_valid (out->qid)) {
        snprintf (err, errlen, "bad queue id");
        return -1;
    }
    if (s_u64 (zmsg_next (msg), &out->lease)) {
        snprintf (err, errlen, "bad lease");
        return -1;
    }
    if (out->cmd == WIRE_JOB) {
        out->envelope = zframe_dup (zmsg_next (msg));
        out->state = zframe_dup (zmsg_next (msg));
        out->message = zframe_dup (zmsg_next (msg));
        return 0;
    }
    return s_decode_verdict (msg, out, err, errlen);
}

bool
wire_ipc_in_use (const char *endpoint, pid_t *pid)
{
    *pid = 0;
    if (strncmp (endpoint, "ipc://", 6) != 0)
        return false;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen (endpoint + 6) >= sizeof sa.sun_path)
        return false;
    strcpy (sa.sun_path, endpoint + 6);
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool live = connect (fd, (struct sockaddr *) &sa, sizeof sa) == 0;
    if (live) {
        struct ucred cred;
        socklen_t len = sizeof cred;
        if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
            *pid = cred.pid;
    }
    close (fd);
    return live;
}
