/*  arf.c: the parts of a feedback-loop report that name the original (see
 *  arf.h). */
#include "arf.h"
#include "mime.h"
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *
arf_status_name (arf_status_t s)
{
    static const char *names[] = { "ok", "not-a-report", "no-original", "malformed" };
    return s <= ARF_MALFORMED ? names[s] : "malformed";
}

//  The unfolded value of the first field name in h into out ("" when none).
static void
s_field (const header_t *h, const char *name, char *out, size_t outlen)
{
    out[0] = 0;
    const header_field_t *f = header_find (h, name, 0);
    if (!f)
        return;
    char *v = header_unfold (f);
    snprintf (out, outlen, "%s", v);
    free (v);
}

//  The media type of a Content-Type value, lowercased, into out.
static void
s_type (const char *value, char *out, size_t outlen)
{
    size_t n = 0;
    while (*value == ' ' || *value == '\t')
        value++;
    for (; value[n] && value[n] != ';' && !isspace ((unsigned char) value[n]) && n + 1 < outlen; n++)
        out[n] = (char) tolower ((unsigned char) value[n]);
    out[n] = 0;
}

//  The next boundary line "--B" (or "--B--") at or after p: its start, and
//  in *next where the part after it starts (the line after); NULL if none.
static const char *
s_boundary (const char *p, const char *end, const char *b, size_t blen, const char **next, bool *last)
{
    while (p < end) {
        if ((size_t) (end - p) >= blen + 2 && p[0] == '-' && p[1] == '-' && !memcmp (p + 2, b, blen)) {
            const char *q = p + 2 + blen;
            *last = end - q >= 2 && q[0] == '-' && q[1] == '-';
            const char *nl = memchr (q, '\n', (size_t) (end - q));
            *next = nl ? nl + 1 : end;
            return p;
        }
        const char *nl = memchr (p, '\n', (size_t) (end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    return NULL;
}

//  One part (its header and body): what it says, into out.
static void
s_part (const char *p, size_t len, const header_limits_t *lim, arf_t *out, bool *original, bool *bad)
{
    header_t h;
    header_init (&h);
    header_parse (&h, p, len, lim);
    char ct[256] = "", type[64];
    s_field (&h, "Content-Type", ct, sizeof ct);
    s_type (*ct ? ct : "text/plain", type, sizeof type);
    const char *body = p + h.body_off;
    size_t blen = len - h.body_off;
    header_free (&h);
    bool report = !strcmp (type, "message/feedback-report");
    bool orig = !strcmp (type, "message/rfc822") || !strcmp (type, "text/rfc822-headers");
    if (!report && !orig)
        return;
    header_t b;
    header_init (&b);
    if (header_parse (&b, body, blen, lim) < 0 && b.count == 0)
        *bad = true;
    if (report)
        s_field (&b, "Feedback-Type", out->type, sizeof out->type);
    else if (!*original) {
        s_field (&b, "Message-ID", out->msgid, sizeof out->msgid);
        s_field (&b, "Feedback-ID", out->feedback_id, sizeof out->feedback_id);
        *original = *out->msgid || *out->feedback_id;
    }
    header_free (&b);
}

arf_status_t
arf_parse (const char *msg, size_t len, const header_limits_t *lim, arf_t *out)
{
    memset (out, 0, sizeof *out);
    if (len > ARF_MAX_BYTES)
        return ARF_MALFORMED;
    header_t h;
    header_init (&h);
    header_parse (&h, msg, len, lim);
    char ct[1024] = "", type[64], rtype[64] = "", b[80] = "";
    s_field (&h, "Content-Type", ct, sizeof ct);
    size_t off = h.body_off;
    header_free (&h);
    s_type (ct, type, sizeof type);
    if (strcmp (type, "multipart/report") || mime_param (ct, "report-type", rtype, sizeof rtype) < 0
        || strcasecmp (rtype, "feedback-report"))
        return ARF_NOT_REPORT;
    if (mime_param (ct, "boundary", b, sizeof b) < 0 || !*b)
        return ARF_MALFORMED;
    const char *p = msg + off, *end = msg + len, *next;
    bool last = false, original = false, bad = false;
    size_t blen = strlen (b), parts = 0;
    const char *at = s_boundary (p, end, b, blen, &next, &last);
    while (at && !last && parts < ARF_MAX_PARTS) {
        const char *start = next, *nnext;
        bool nlast = false;
        const char *stop = s_boundary (start, end, b, blen, &nnext, &nlast);
        const char *pe = stop ? stop : end;
        //  The line end before the boundary belongs to it.
        if (pe > start && pe[-1] == '\n')
            pe--;
        if (pe > start && pe[-1] == '\r')
            pe--;
        s_part (start, (size_t) (pe - start), lim, out, &original, &bad);
        parts++;
        at = stop, next = nnext, last = nlast;
    }
    if (parts == 0 || bad)
        return ARF_MALFORMED;
    return original ? ARF_OK : ARF_NO_ORIGINAL;
}
