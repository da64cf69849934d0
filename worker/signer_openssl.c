/*  signer_openssl.c: DKIM signing built directly on OpenSSL (see signer_openssl.h).
 *
 *  RFC 6376: relaxed header canonicalization (3.4.2), relaxed or simple body
 *  canonicalization (3.4.4, 3.4.3), SHA-256; RSA PKCS#1 v1.5, or Ed25519
 *  over the SHA-256 of the header data (RFC 8463). The key was parsed once,
 *  when the keys were loaded.
 *
 *  The DKIM-Signature field is laid out as libopendkim 2.11.0 lays it out
 *  (its reference, checked byte for byte by test/integration/dkim_signers.sh):
 *  tags v a c d s t bh h b; lines folded at 75 columns (a tab counts as 8;
 *  the space before a tag and the ':' after a name in h= are not counted,
 *  so a line may reach 76), a tag that does not fit starting a new line
 *  ("\r\n\t"), and a tag longer than a line broken inside its value with
 *  "\r\n\t " (h= between names, b= and bh= anywhere). The header hash covers the field as folded with b=
 *  empty, which relaxed canonicalization makes independent of the folding. */
#include "signer_openssl.h"
#include "lines.h"
#include "signer.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MARGIN 75


static bool
s_wsp (char c)
{
    return c == ' ' || c == '\t';
}

static bool
s_is_signed (const char *name, size_t n)
{
    for (const char **s = signer_fields; *s; s++)
        if (strlen (*s) == n && strncasecmp (*s, name, n) == 0)
            return true;
    return false;
}

//  Relaxed canonical form of one header field, CRLF-terminated when crlf:
//  name lowercased, value unfolded, white space runs as one space, none at
//  either end of the value.
static void
s_canon_header (strbuf_t *out, const char *name, size_t nlen, const char *value, size_t vlen, bool crlf)
{
    while (nlen && s_wsp (name[nlen - 1]))
        nlen--;
    for (size_t i = 0; i < nlen; i++) {
        char c = name[i];
        strbuf_addc (out, (char) (c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
    strbuf_addc (out, ':');
    bool space = false, started = false;
    for (size_t i = 0; i < vlen; i++) {
        char c = value[i];
        if (c == '\r' || c == '\n')
            continue;
        if (s_wsp (c)) {
            space = true;
            continue;
        }
        if (space && started)
            strbuf_addc (out, ' ');
        space = false;
        started = true;
        strbuf_addc (out, c);
    }
    if (crlf)
        strbuf_add (out, "\r\n", 2);
}

//  The body hash. Lines end at CRLF, a bare LF or a bare CR (lines.h: as
//  farm-relay sends them, every end as CRLF); a line without its end is
//  completed. (So no CR is left inside a line; the CR cases below are what
//  libopendkim does with one, kept should a caller split lines otherwise.)
static int
s_body_hash (const char *body, size_t len, bool relaxed, unsigned char *md)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
    if (!ctx || !EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL)) {
        EVP_MD_CTX_free (ctx);
        return -1;
    }
    size_t empty = 0;       //  empty lines not yet written (trailing ones never are)
    bool any = false;
    char buf[4096];
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *next, *ce = lines_end (p, end, &next);
        size_t bn = 0;
        bool blank = true;
        if (relaxed) {
            bool space = false, cr = false;
            for (const char *c = p; c < ce; c++) {
                if (bn >= sizeof buf - 4) {
                    for (; empty; empty--)
                        EVP_DigestUpdate (ctx, "\r\n", 2);
                    EVP_DigestUpdate (ctx, buf, bn);
                    bn = 0;
                }
                if (*c == '\r') {
                    if (cr) {
                        buf[bn++] = '\r';
                        blank = false;
                    }
                    cr = true;
                    space = false;
                    continue;
                }
                if (s_wsp (*c)) {
                    cr = false;
                    space = true;
                    continue;
                }
                if (space && !cr)
                    buf[bn++] = ' ';
                space = cr = false;
                buf[bn++] = *c;
                blank = false;
            }
            //  A CR just before the line end: the first of two.
            if (cr) {
                buf[bn++] = '\r';
                blank = false;
            }
        }
        else
            for (const char *c = p; c < ce && blank; c++)
                blank = *c == '\r';
        if (blank)
            empty++;
        else {
            for (; empty; empty--)
                EVP_DigestUpdate (ctx, "\r\n", 2);
            if (relaxed)
                EVP_DigestUpdate (ctx, buf, bn);
            else
                EVP_DigestUpdate (ctx, p, (size_t) (ce - p));
            EVP_DigestUpdate (ctx, "\r\n", 2);
            any = true;
        }
        p = next;
    }
    //  An empty body: nothing (relaxed), one CRLF (simple).
    if (!any && !relaxed)
        EVP_DigestUpdate (ctx, "\r\n", 2);
    unsigned int mdlen = 0;
    int ok = EVP_DigestFinal_ex (ctx, md, &mdlen);
    EVP_MD_CTX_free (ctx);
    return ok && mdlen == 32 ? 0 : -1;
}

int
signer_openssl_raw (const signkey_t *key, const unsigned char *in, size_t inlen, unsigned char *sig,
                    size_t *siglen)
{
    if (!key->pkey)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
    int ok = ctx != NULL;
    if (ok && key->alg == SIGNKEY_ED25519)
        ok = EVP_DigestSignInit (ctx, NULL, NULL, NULL, key->pkey);
    else if (ok)
        ok = EVP_DigestSignInit (ctx, NULL, EVP_sha256 (), NULL, key->pkey);
    ok = ok && EVP_DigestSign (ctx, sig, siglen, in, inlen);
    EVP_MD_CTX_free (ctx);
    return ok ? 0 : -1;
}

static void
s_b64 (const unsigned char *in, size_t n, strbuf_t *out)
{
    char buf[1400];
    int k = EVP_EncodeBlock ((unsigned char *) buf, in, (int) n);
    strbuf_add (out, buf, (size_t) (k > 0 ? k : 0));
}

//  Lay the tags out as libopendkim does (see the comment at the top).
static void
s_fold (strbuf_t *out, char *const *tags, size_t ntags)
{
    size_t len = strlen ("DKIM-Signature: ");
    for (size_t i = 0; i < ntags; i++) {
        const char *t = tags[i];
        size_t tl = strlen (t);
        if (i == 0) {
            strbuf_add (out, t, tl);
            len += tl;
            continue;
        }
        //  The space before a tag is not counted (a line may reach 76).
        if (len + tl <= MARGIN) {
            strbuf_addc (out, ' ');
            strbuf_add (out, t, tl);
            len += 1 + tl;
            continue;
        }
        strbuf_add (out, "\r\n\t", 3);
        len = 8;
        if (len + tl <= MARGIN) {
            strbuf_add (out, t, tl);
            len += tl;
            continue;
        }
        //  Longer than a line: break inside the value.
        const char *eq = strchr (t, '=');
        size_t nl = eq ? (size_t) (eq - t) + 1 : 0;
        strbuf_add (out, t, nl);
        len += nl;
        if (nl == 2 && t[0] == 'h') {
            //  h=: whole names, each with the ':' (or ';') after it.
            const char *p = t + nl;
            while (*p) {
                const char *q = p;
                while (*q && *q != ':' && *q != ';')
                    q++;
                if (*q)
                    q++;
                size_t n = (size_t) (q - p);
                //  The name must fit; its ':' may stand past the margin.
                size_t name = n - (q > p && q[-1] == ':');
                if (len + name > MARGIN && p != t + nl) {
                    strbuf_add (out, "\r\n\t ", 4);
                    len = 9;
                }
                strbuf_add (out, p, n);
                len += n;
                p = q;
            }
        }
        else
            for (const char *p = t + nl; *p; p++) {
                if (len >= MARGIN) {
                    strbuf_add (out, "\r\n\t ", 4);
                    len = 9;
                }
                strbuf_addc (out, *p);
                len++;
            }
    }
}

int
signer_openssl_sign (const signkey_t *key, const char *msg, size_t len, const header_t *hdr,
              bool body_relaxed, uint64_t t, signer_raw_fn *sign, void *sign_arg, strbuf_t *out,
              char *err, size_t errlen)
{
    if (!key->pkey && !sign) {
        snprintf (err, errlen, "key %s/%s not loaded", key->domain, key->selector);
        return -1;
    }
    unsigned char bh[32];
    if (s_body_hash (msg + hdr->body_off, hdr->body_off <= len ? len - hdr->body_off : 0,
                     body_relaxed, bh) < 0) {
        snprintf (err, errlen, "SHA-256 failed");
        return -1;
    }
    //  h=: the signed fields in the message's order, as written; then from
    //  once more, so that a From added later breaks the signature.
    strbuf_t hl, data, sig, b;
    strbuf_init (&hl);
    strbuf_init (&data);
    strbuf_init (&sig);
    strbuf_init (&b);
    const size_t nf = hdr->count;
    //  Instances are taken from the bottom up per name (RFC 6376 5.4.2).
    bool used_stack[64], *used = nf <= 64 ? used_stack : calloc (nf, sizeof *used);
    memset (used, 0, nf * sizeof *used);
    for (size_t i = 0; i < nf; i++) {
        const header_field_t *f = &hdr->fields[i];
        if (!s_is_signed (f->name, f->name_len) || memchr (f->name, ';', f->name_len))
            continue;
        strbuf_printf (&hl, "%s%.*s", hl.len ? ":" : "", (int) f->name_len, f->name);
        for (size_t j = nf; j-- > 0;) {
            const header_field_t *g = &hdr->fields[j];
            if (!used[j] && g->name_len == f->name_len && strncasecmp (g->name, f->name, f->name_len) == 0) {
                used[j] = true;
                s_canon_header (&data, g->name, g->name_len, g->value, g->value_len, true);
                break;
            }
        }
    }
    if (used != used_stack)
        free (used);
    strbuf_printf (&hl, "%sfrom", hl.len ? ":" : "");
    //  The tags, b= empty first: the header hash covers this form.
    char v[] = "v=1;", a[32], c[32], d[300], s[80], tt[40], bhs[64], *h;
    snprintf (a, sizeof a, "a=%s;", key->alg == SIGNKEY_ED25519 ? "ed25519-sha256" : "rsa-sha256");
    snprintf (c, sizeof c, "c=relaxed/%s;", body_relaxed ? "relaxed" : "simple");
    snprintf (d, sizeof d, "d=%s;", key->domain);
    snprintf (s, sizeof s, "s=%s;", key->selector);
    snprintf (tt, sizeof tt, "t=%llu;", (unsigned long long) t);
    strbuf_adds (&b, "bh=");
    s_b64 (bh, sizeof bh, &b);
    snprintf (bhs, sizeof bhs, "%s;", b.data);
    strbuf_reset (&b);
    strbuf_printf (&b, "h=%s;", hl.data);
    h = b.data;
    char empty[] = "b=";
    char *tags[] = { v, a, c, d, s, tt, bhs, h, empty };
    strbuf_t field;
    strbuf_init (&field);
    s_fold (&field, tags, 9);
    s_canon_header (&data, "DKIM-Signature", 14, field.data, field.len, false);
    //  Sign: RSA over the data with SHA-256; Ed25519 over its SHA-256
    //  (taken here, so that a key process is sent 32 bytes).
    unsigned char raw[1024], md[32];
    size_t rawlen = sizeof raw;
    const unsigned char *in = (const unsigned char *) data.data;
    size_t inlen = data.len;
    int ok = 1;
    if (key->alg == SIGNKEY_ED25519) {
        unsigned int mdl = 0;
        ok = EVP_Digest (in, inlen, md, &mdl, EVP_sha256 (), NULL);
        in = md;
        inlen = sizeof md;
    }
    ok = ok && (sign ? sign (sign_arg, key, in, inlen, raw, &rawlen)
                     : signer_openssl_raw (key, in, inlen, raw, &rawlen)) == 0;
    int rc = 0;
    if (!ok) {
        snprintf (err, errlen, "OpenSSL could not sign with %s/%s", key->domain, key->selector);
        rc = -1;
    }
    else {
        strbuf_adds (&sig, "b=");
        s_b64 (raw, rawlen, &sig);
        tags[8] = sig.data;
        strbuf_reset (&field);
        s_fold (&field, tags, 9);
        //  Our header uses the message's own line ends.
        const char *nl = memchr (msg, '\n', len);
        bool crlf = nl && nl > msg && nl[-1] == '\r';
        strbuf_adds (out, "DKIM-Signature: ");
        for (size_t i = 0; i < field.len; i++) {
            if (field.data[i] == '\r')
                continue;
            if (field.data[i] == '\n')
                strbuf_adds (out, crlf ? "\r\n" : "\n");
            else
                strbuf_addc (out, field.data[i]);
        }
        strbuf_adds (out, crlf ? "\r\n" : "\n");
    }
    strbuf_free (&field);
    strbuf_free (&hl);
    strbuf_free (&data);
    strbuf_free (&sig);
    strbuf_free (&b);
    return rc;
}
