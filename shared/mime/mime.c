/*  mime.c: the MIME walk (see mime.h). Recursion depth is bounded by
 *  max_depth, the number of entities by max_parts, the text kept by max_text;
 *  each decoder allocates in proportion to its input. */
#include "mime.h"
#include "codec.h"
#include "html.h"
#include "xalloc.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
mime_init (mime_t *self)
{
    memset (self, 0, sizeof *self);
}

void
mime_free (mime_t *self)
{
    strbuf_free (&self->text);
    strbuf_free (&self->urls);
    strbuf_free (&self->types);
    strbuf_free (&self->tags);
    strbuf_free (&self->problems);
    strbuf_free (&self->scratch1);
    strbuf_free (&self->scratch2);
    mime_init (self);
}

static void
s_problem (mime_t *self, const char *what)
{
    //  Each kind once: a message with 10,000 broken parts is one line.
    if (self->problems.data && strstr (self->problems.data, what))
        return;
    if (self->problems.len < 4096) {
        strbuf_adds (&self->problems, what);
        strbuf_addc (&self->problems, '\n');
    }
}

int
mime_param (const char *value, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen (name);
    const char *p = strchr (value, ';');
    while (p) {
        p++;
        while (isspace ((unsigned char) *p))
            p++;
        if (strncasecmp (p, name, nl) == 0) {
            const char *q = p + nl;
            while (isspace ((unsigned char) *q))
                q++;
            if (*q == '=') {
                q++;
                while (isspace ((unsigned char) *q))
                    q++;
                size_t n = 0;
                if (*q == '"') {
                    q++;
                    while (q[n] && q[n] != '"')
                        n++;
                }
                else
                    while (q[n] && q[n] != ';' && !isspace ((unsigned char) q[n]))
                        n++;
                if (n >= outlen)
                    n = outlen - 1;
                memcpy (out, q, n);
                out[n] = 0;
                return 0;
            }
        }
        //  Next parameter: skip a quoted value that may hold ';'.
        bool quoted = false;
        while (*p && (quoted || *p != ';')) {
            if (*p == '"')
                quoted = !quoted;
            p++;
        }
        p = *p ? p : NULL;
    }
    return -1;
}

//  The lowercased "type/subtype" of a Content-Type value.
static void
s_type (const char *value, char *out, size_t outlen)
{
    size_t n = 0;
    while (*value && isspace ((unsigned char) *value))
        value++;
    while (value[n] && value[n] != ';' && !isspace ((unsigned char) value[n]) && n < outlen - 1) {
        out[n] = (char) tolower ((unsigned char) value[n]);
        n++;
    }
    out[n] = 0;
}

static void s_entity (mime_t *self, const char *body, size_t len, const header_t *h,
                      size_t depth, const mime_limits_t *lim);

//  Parse one part (its own header section first) and walk it.
static void
s_part (mime_t *self, const char *p, size_t len, size_t depth, const mime_limits_t *lim)
{
    header_t h;
    header_init (&h);
    if (header_parse (&h, p, len, &lim->header) < 0) {
        char what[200];
        snprintf (what, sizeof what, "part headers: %s", h.error);
        s_problem (self, what);
    }
    else
        s_entity (self, p + h.body_off, len - h.body_off, &h, depth, lim);
    header_free (&h);
}

static void
s_multipart (mime_t *self, const char *body, size_t len, const char *boundary, size_t depth,
             const mime_limits_t *lim)
{
    size_t bl = strlen (boundary);
    const char *end = body + len, *part = NULL, *p = body;
    bool closed = false;
    while (p < end && !closed) {
        const char *d = memmem (p, (size_t) (end - p), "--", 2);
        if (!d)
            break;
        //  A delimiter is "--boundary" at the start of a line.
        if ((d != body && d[-1] != '\n') || (size_t) (end - d) < bl + 2
            || memcmp (d + 2, boundary, bl) != 0) {
            p = d + 1;
            continue;
        }
        const char *after = d + 2 + bl;
        bool closing = end - after >= 2 && after[0] == '-' && after[1] == '-';
        if (part) {
            //  The line end before the delimiter belongs to it.
            const char *pe = d;
            if (pe > part && pe[-1] == '\n')
                pe--;
            if (pe > part && pe[-1] == '\r')
                pe--;
            if (self->parts >= lim->max_parts) {
                s_problem (self, "mime-parts: too many parts; the rest is not read");
                return;
            }
            s_part (self, part, (size_t) (pe - part), depth + 1, lim);
        }
        const char *nl = memchr (after, '\n', (size_t) (end - after));
        part = nl ? nl + 1 : end;
        p = part;
        closed = closing;
    }
    if (!closed) {
        s_problem (self, part ? "mime: multipart without its closing boundary"
                              : "mime: multipart whose boundary never appears");
        if (part && part < end && self->parts < lim->max_parts)
            s_part (self, part, (size_t) (end - part), depth + 1, lim);
    }
}

static void
s_text (mime_t *self, const char *body, size_t len, const char *type, const char *cte,
        const char *charset)
{
    if (self->text.len >= self->max_text_hint) {
        s_problem (self, "mime: text beyond the limit is not read");
        return;
    }
    strbuf_t *raw = &self->scratch1, *utf = &self->scratch2;
    strbuf_reset (raw);
    strbuf_reset (utf);
    const char *data = body;
    size_t n = len;
    if (!strcasecmp (cte, "base64")) {
        if (codec_base64 (body, len, raw))
            s_problem (self, "mime: characters outside base64 skipped");
        data = raw->data ? raw->data : "", n = raw->len;
    }
    else if (!strcasecmp (cte, "quoted-printable")) {
        if (codec_qp (body, len, false, raw))
            s_problem (self, "mime: invalid quoted-printable kept as it was");
        data = raw->data ? raw->data : "", n = raw->len;
    }
    int bad = codec_to_utf8 (charset, data, n, utf);
    if (bad < 0) {
        char what[128];
        snprintf (what, sizeof what, "mime: unknown charset %.40s read as windows-1252", charset);
        s_problem (self, what);
    }
    const char *u = utf->data ? utf->data : "";
    size_t ul = utf->len;
    if (ul > self->max_text_hint - self->text.len)
        ul = self->max_text_hint - self->text.len;
    if (!strcmp (type, "text/html")) {
        html_to_text (u, ul, &self->text, &self->urls, &self->tags);
        self->html = true;
    }
    else
        strbuf_add (&self->text, u, ul);
    strbuf_addc (&self->text, '\n');
}

static void
s_entity (mime_t *self, const char *body, size_t len, const header_t *h, size_t depth,
          const mime_limits_t *lim)
{
    self->parts++;
    if (depth > self->depth)
        self->depth = depth;
    char type[96] = "text/plain", cte[32] = "7bit", charset[48] = "us-ascii", boundary[128];
    const header_field_t *f = header_find (h, "Content-Type", 0);
    char *ct = f ? header_unfold (f) : NULL;
    if (ct) {
        s_type (ct, type, sizeof type);
        if (!strchr (type, '/'))
            snprintf (type, sizeof type, "text/plain");
        mime_param (ct, "charset", charset, sizeof charset);
    }
    f = header_find (h, "Content-Transfer-Encoding", 0);
    if (f) {
        char *v = header_unfold (f);
        s_type (v, cte, sizeof cte);
        free (v);
    }
    if (self->types.len < 8192) {
        strbuf_adds (&self->types, type);
        strbuf_addc (&self->types, '\n');
    }
    if (!strncmp (type, "multipart/", 10)) {
        if (depth >= lim->max_depth)
            s_problem (self, "mime-depth: multipart nested too deep; the inner parts are not read");
        else if (!ct || mime_param (ct, "boundary", boundary, sizeof boundary) < 0 || !*boundary) {
            s_problem (self, "mime: multipart without a boundary, read as text");
            s_text (self, body, len, "text/plain", cte, charset);
        }
        else
            s_multipart (self, body, len, boundary, depth, lim);
    }
    else if (!strcmp (type, "message/rfc822")) {
        if (depth >= lim->max_depth)
            s_problem (self, "mime-depth: message nested too deep; not read");
        else
            s_part (self, body, len, depth + 1, lim);
    }
    else if (!strncmp (type, "text/", 5))
        s_text (self, body, len, type, cte, charset);
    free (ct);
}

void
mime_parse (mime_t *self, const char *msg, size_t len, const header_t *top,
            const mime_limits_t *lim)
{
    strbuf_reset (&self->text);
    strbuf_reset (&self->urls);
    strbuf_reset (&self->types);
    strbuf_reset (&self->tags);
    strbuf_reset (&self->problems);
    self->parts = self->depth = 0;
    self->html = false;
    self->max_text_hint = lim->max_text;
    if (top->body_off > len)
        return;
    s_entity (self, msg + top->body_off, len - top->body_off, top, 0, lim);
}

//  The host after each "://" in text (len bytes), or the first only.
static void
s_hosts_in (const char *text, size_t len, bool first, mime_host_fn *fn, void *arg)
{
    const char *p = text, *end = text + len;
    while (p < end && (p = memmem (p, (size_t) (end - p), "://", 3)) != NULL) {
        p += 3;
        const char *h = p;
        while (p < end && (isalnum ((unsigned char) *p) || *p == '.' || *p == '-'))
            p++;
        fn (arg, h, (size_t) (p - h));
        if (first)
            return;
    }
}

void
mime_link_hosts (const mime_t *self, mime_host_fn *fn, void *arg)
{
    for (const char *u = self->urls.data; u && *u;) {
        const char *nl = strchr (u, '\n');
        size_t n = nl ? (size_t) (nl - u) : strlen (u);
        const char *sep = memmem (u, n, "://", 3);
        if (sep)
            s_hosts_in (u, n, true, fn, arg);
        else if (n > 7 && strncasecmp (u, "mailto:", 7) == 0)
            fn (arg, NULL, 0);
        u += n + (nl ? 1 : 0);
    }
    if (self->text.len)
        s_hosts_in (self->text.data, self->text.len, false, fn, arg);
}
