/*  signer_opendkim.c: DKIM signing by libopendkim, the reference signer
 *  (see signer_opendkim.h).
 *  The signature is computed over the message as it will travel: lines
 *  ending in CRLF. A message stored with bare LF line ends is fed to the
 *  library with CRLF (as an MTA sends it), and our header is returned with the
 *  message's own line ends so the stored file stays consistent. The dkim_
 *  prefix belongs to the library; ours is signer_opendkim_.
 *
 *  Why header canonicalization is always relaxed: libopendkim 2.11.0 hashes
 *  the DKIM-Signature field folded with "b=" on the line before, but returns
 *  it with "b=" on a line of its own when the value is long. With simple
 *  header canonicalization a verifier hashes what it received, so such a
 *  signature fails (found with dkimpy on RFC 6376's example message; see
 *  test/integration/dkim_known.sh). Relaxed canonicalization unfolds, so the
 *  difference does not matter there. */
#include "signer_opendkim.h"
#include "lines.h"
#include "signer.h"
#include "xalloc.h"
#include <opendkim/dkim.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct signer_opendkim_t {
    DKIM_LIB *lib;
    strbuf_t scratch;
};

//  From is signed once more than it occurs.
static const char *s_oversigned[] = { "from", NULL };

signer_opendkim_t *
signer_opendkim_new (uint64_t fixed_time)
{
    signer_opendkim_t *self = xcalloc (1, sizeof *self);
    self->lib = dkim_init (NULL, NULL);
    if (!self->lib) {
        free (self);
        return NULL;
    }
    //  List options take the array itself, with the size of a pointer.
    dkim_options (self->lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, signer_fields, sizeof (char **));
    dkim_options (self->lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS, s_oversigned, sizeof (char **));
    if (fixed_time)
        dkim_options (self->lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &fixed_time, sizeof fixed_time);
    strbuf_init (&self->scratch);
    return self;
}

void
signer_opendkim_destroy (signer_opendkim_t **self_p)
{
    signer_opendkim_t *self = *self_p;
    if (!self)
        return;
    dkim_close (self->lib);
    strbuf_free (&self->scratch);
    free (self);
    *self_p = NULL;
}

//  Append data to out with every line end made CRLF, a bare LF or a bare
//  CR too (lines.h: what farm-relay sends); prev is the byte before data,
//  so that a CR ending the previous chunk is seen.
static void
s_crlf (strbuf_t *out, const char *data, size_t len, char prev)
{
    const char *p = data, *end = data + len;
    //  The LF of a CRLF cut between two chunks: already written.
    if (prev == '\r' && p < end && *p == '\n')
        p++;
    while (p < end) {
        const char *next, *stop = lines_end (p, end, &next);
        strbuf_add (out, p, (size_t) (stop - p));
        if (stop < end)
            strbuf_add (out, "\r\n", 2);
        p = next;
    }
}

int
signer_opendkim_sign (signer_opendkim_t *self, const signkey_t *key, const char *id, const char *msg,
                      size_t len, const header_t *hdr, bool body_relaxed, strbuf_t *out, char *err,
                      size_t errlen)
{
    DKIM_STAT st;
    dkim_canon_t body = body_relaxed ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;
    dkim_alg_t alg = key->alg == SIGNKEY_ED25519 ? DKIM_SIGN_ED25519SHA256 : DKIM_SIGN_RSASHA256;
    DKIM *d = dkim_sign (self->lib, (const u_char *) id, NULL, (dkim_sigkey_t) key->pem,
                         (const u_char *) key->selector, (const u_char *) key->domain,
                         DKIM_CANON_RELAXED, body, alg, -1, &st);
    if (!d) {
        snprintf (err, errlen, "dkim_sign: %s", dkim_getresultstr (st));
        return -1;
    }
    //  Every header field, as written, without its final line end.
    for (size_t i = 0; i < hdr->count && st == DKIM_STAT_OK; i++) {
        const header_field_t *f = &hdr->fields[i];
        strbuf_reset (&self->scratch);
        s_crlf (&self->scratch, f->name, (size_t) (f->value + f->value_len - f->name), 0);
        st = dkim_header (d, (u_char *) self->scratch.data, self->scratch.len);
        if (st == DKIM_STAT_SYNTAX)
            st = DKIM_STAT_OK;     //  a name with ';' cannot be signed: left out
    }
    if (st == DKIM_STAT_OK)
        st = dkim_eoh (d);
    //  The body in CRLF form, in chunks.
    size_t pos = hdr->body_off;
    while (st == DKIM_STAT_OK && pos < len) {
        size_t n = len - pos < 65536 ? len - pos : 65536;
        strbuf_reset (&self->scratch);
        s_crlf (&self->scratch, msg + pos, n, pos > hdr->body_off ? msg[pos - 1] : 0);
        st = dkim_body (d, (u_char *) self->scratch.data, self->scratch.len);
        pos += n;
    }
    //  A body without a final line end gets one, as on the wire (and as both
    //  canonicalizations define it: RFC 6376 3.4.3, 3.4.4).
    if (st == DKIM_STAT_OK && len > hdr->body_off && msg[len - 1] != '\n' && msg[len - 1] != '\r')
        st = dkim_body (d, (u_char *) "\r\n", 2);
    if (st == DKIM_STAT_OK)
        st = dkim_eom (d, NULL);
    u_char *sig = NULL;
    size_t siglen = 0;
    if (st == DKIM_STAT_OK)
        st = dkim_getsighdr_d (d, strlen (DKIM_SIGNHEADER) + 2, &sig, &siglen);
    if (st != DKIM_STAT_OK) {
        const char *why = dkim_geterror (d);
        snprintf (err, errlen, "%s%s%s", dkim_getresultstr (st), why ? ": " : "", why ? why : "");
        dkim_free (d);
        return -1;
    }
    //  Our header uses the message's own line ends.
    const char *nl = memchr (msg, '\n', len);
    bool crlf = nl && nl > msg && nl[-1] == '\r';
    strbuf_adds (out, DKIM_SIGNHEADER ": ");
    for (size_t i = 0; i < siglen; i++) {
        if (sig[i] == '\r')
            continue;
        if (sig[i] == '\n')
            strbuf_adds (out, crlf ? "\r\n" : "\n");
        else
            strbuf_addc (out, (char) sig[i]);
    }
    strbuf_adds (out, crlf ? "\r\n" : "\n");
    dkim_free (d);
    return 0;
}
