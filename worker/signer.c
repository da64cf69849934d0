/*  signer.c: chooses the DKIM signer (see signer.h): the OpenSSL one
 *  (signer_openssl.c) by default, libopendkim (signer_opendkim.c) as the
 *  reference. The list of signed fields lives here, so that both choose the
 *  same fields and give the same signature. */
#include "signer.h"
#include "signer_opendkim.h"
#include "signer_openssl.h"
#include "xalloc.h"
#include <stdlib.h>
#include <time.h>

//  Header fields signed when present (both signers use this list); from
//  is also signed once more than it occurs (signer_opendkim.c, signer_openssl.c).
const char *signer_fields[] = {
    "from", "to", "cc", "subject", "date", "message-id", "reply-to", "sender", "mime-version",
    "content-type", "content-transfer-encoding", "content-disposition", "in-reply-to",
    "references", "list-id", "list-unsubscribe", "list-unsubscribe-post", "list-help",
    "list-post", "list-subscribe", "list-owner", "list-archive", "resent-date", "resent-from",
    "resent-to", "resent-cc", "resent-message-id", "feedback-id", NULL
};

struct signer_t {
    signer_kind_t kind;
    uint64_t fixed_time;
    signer_opendkim_t *opendkim;
    signer_raw_fn *raw;         //  the key process's private-key step, or NULL
    signer_msg_fn *whole;       //  ... its whole signature (libopendkim)
    void *remote;
};

void
signer_set_remote (signer_t *self, signer_raw_fn *raw, signer_msg_fn *whole, void *arg)
{
    self->raw = raw;
    self->whole = whole;
    self->remote = arg;
}

signer_kind_t
signer_kind (const signer_t *self)
{
    return self->kind;
}

signer_t *
signer_new (uint64_t fixed_time, signer_kind_t kind)
{
    signer_t *self = xcalloc (1, sizeof *self);
    self->kind = kind;
    self->fixed_time = fixed_time;
    if (kind == SIGNER_OPENDKIM) {
        self->opendkim = signer_opendkim_new (fixed_time);
        if (!self->opendkim) {
            free (self);
            return NULL;
        }
    }
    return self;
}

void
signer_destroy (signer_t **self_p)
{
    signer_t *self = *self_p;
    if (!self)
        return;
    signer_opendkim_destroy (&self->opendkim);
    free (self);
    *self_p = NULL;
}

int
signer_sign (signer_t *self, const signkey_t *key, const char *id, const char *msg, size_t len,
             const header_t *hdr, bool body_relaxed, strbuf_t *out, char *err, size_t errlen)
{
    //  A key held by the key process (keyd.h): no PEM, no parsed key here.
    bool remote = !key->pem && !key->pkey && self->remote;
    if (remote && self->kind == SIGNER_OPENDKIM)
        return self->whole (self->remote, key, id, msg, len, body_relaxed, out, err, errlen);
    if (self->kind == SIGNER_OPENDKIM)
        return signer_opendkim_sign (self->opendkim, key, id, msg, len, hdr, body_relaxed, out, err,
                                     errlen);
    uint64_t t = self->fixed_time ? self->fixed_time : (uint64_t) time (NULL);
    return signer_openssl_sign (key, msg, len, hdr, body_relaxed, t, remote ? self->raw : NULL,
                                self->remote, out, err, errlen);
}
