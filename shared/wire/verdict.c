/*  verdict.c: verdict names, reasons, and the checks the broker applies to a
 *  verdict before it writes a byte of it into a spool. */
#include "verdict.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *s_names[VERDICT_COUNT] = { "deliver", "hold", "reject", "defer" };

void
verdict_init (verdict_t *self)
{
    self->code = VERDICT_DELIVER;
    self->spam = NAN;
    self->retry_at = 0;
    self->flag_account = false;
    memset (&self->features, 0, sizeof self->features);
    strbuf_init (&self->reasons);
    strbuf_init (&self->headers);
    strbuf_init (&self->dkim);
}

void
verdict_free (verdict_t *self)
{
    strbuf_free (&self->reasons);
    strbuf_free (&self->headers);
    strbuf_free (&self->dkim);
}

const char *
verdict_name (verdict_code_t code)
{
    return (unsigned) code < VERDICT_COUNT ? s_names[code] : "invalid";
}

int
verdict_parse (const char *name)
{
    for (int i = 0; i < VERDICT_COUNT; i++)
        if (strcmp (name, s_names[i]) == 0)
            return i;
    return -1;
}

void
verdict_reason (verdict_t *self, const char *fmt, ...)
{
    //  Never more than the broker accepts: the last slot says some were left out.
    size_t lines = 0;
    for (size_t i = 0; i < self->reasons.len; i++)
        lines += self->reasons.data[i] == '\n';
    if (lines >= VERDICT_MAX_REASONS)
        return;
    if (lines == VERDICT_MAX_REASONS - 1) {
        strbuf_adds (&self->reasons, "more reasons left out\n");
        return;
    }
    char text[VERDICT_MAX_REASON];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (text, sizeof text, fmt, ap);
    va_end (ap);
    for (char *p = text; *p; p++)
        if ((unsigned char) *p < 0x20 || *p == 0x7f)
            *p = ' ';
    strbuf_adds (&self->reasons, text);
    strbuf_addc (&self->reasons, '\n');
}

void
verdict_dkim (verdict_t *self, const char *alg, const char *domain, const char *selector)
{
    strbuf_printf (&self->dkim, "%s:%s:%s\n", alg, domain, selector);
}

//  Signatures: at most VERDICT_MAX_DKIM lines of "alg:domain:selector",
//  printable without spaces, each ending in LF.
static int
s_check_dkim (const strbuf_t *dkim, char *err, size_t errlen)
{
    const char *p = dkim->data, *end = p + dkim->len;
    size_t lines = 0;
    while (p < end) {
        const char *nl = memchr (p, '\n', (size_t) (end - p));
        size_t n = nl ? (size_t) (nl - p) : 0, colons = 0;
        bool ok = nl && n > 0 && n < VERDICT_MAX_DKIM_LINE && ++lines <= VERDICT_MAX_DKIM;
        for (size_t i = 0; ok && i < n; i++) {
            unsigned char c = (unsigned char) p[i];
            ok = c > 0x20 && c < 0x7f;
            colons += c == ':';
        }
        if (!ok || colons != 2) {
            snprintf (err, errlen, "bad DKIM signature list");
            return -1;
        }
        p = nl + 1;
    }
    return 0;
}

int
verdict_check (const verdict_t *self, char *err, size_t errlen)
{
    if (s_check_dkim (&self->dkim, err, errlen))
        return -1;
    if ((unsigned) self->code >= VERDICT_COUNT) {
        snprintf (err, errlen, "unknown verdict %d", (int) self->code);
        return -1;
    }
    if (!isnan (self->spam) && !(self->spam >= 0.0 && self->spam <= 1.0)) {
        snprintf (err, errlen, "spam probability out of range");
        return -1;
    }
    //  Reasons: lines of printable text, bounded.
    size_t lines = 0, linelen = 0;
    for (size_t i = 0; i < self->reasons.len; i++) {
        unsigned char c = (unsigned char) self->reasons.data[i];
        if (c == '\n') {
            lines++;
            linelen = 0;
            continue;
        }
        if (c < 0x20 || c == 0x7f || ++linelen >= VERDICT_MAX_REASON) {
            snprintf (err, errlen, "bad reason text");
            return -1;
        }
    }
    if (lines > VERDICT_MAX_REASONS || linelen) {
        snprintf (err, errlen, "too many reasons, or the last is unterminated");
        return -1;
    }
    //  Headers: "Name: value" lines, continuation lines start with white
    //  space, each ends in LF, no blank line, no NUL, bounded.
    const char *h = self->headers.data;
    size_t n = self->headers.len;
    if (n > VERDICT_MAX_HEADERS) {
        snprintf (err, errlen, "headers longer than %d bytes", VERDICT_MAX_HEADERS);
        return -1;
    }
    size_t pos = 0;
    while (pos < n) {
        const char *nl = memchr (h + pos, '\n', n - pos);
        if (!nl) {
            snprintf (err, errlen, "header line without end");
            return -1;
        }
        size_t len = (size_t) (nl - (h + pos));
        if (len > 0 && h[pos + len - 1] == '\r')
            len--;
        if (len == 0 || memchr (h + pos, 0, len)) {
            snprintf (err, errlen, "blank or NUL in header lines");
            return -1;
        }
        if (h[pos] != ' ' && h[pos] != '\t') {
            const char *colon = memchr (h + pos, ':', len);
            if (!colon || colon == h + pos) {
                snprintf (err, errlen, "header line without a name");
                return -1;
            }
            for (const char *c = h + pos; c < colon; c++)
                if (*c <= 32 || *c >= 127) {
                    snprintf (err, errlen, "bad header name");
                    return -1;
                }
        }
        else if (pos == 0) {
            snprintf (err, errlen, "headers begin with a continuation line");
            return -1;
        }
        pos = (size_t) (nl - h) + 1;
    }
    return 0;
}
