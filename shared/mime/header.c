/*  header.c: bounded RFC 5322 header section parser.
 *  Lenient where mail is commonly sloppy (bare LF, a leading mbox "From "
 *  line, a body that starts without an empty line), strict where input could
 *  hurt us (NUL bytes, sizes, counts). */
#include "header.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
header_init (header_t *self)
{
    memset (self, 0, sizeof *self);
}

void
header_free (header_t *self)
{
    free (self->fields);
    header_init (self);
}

static int
s_fail (header_t *self, const char *fmt, size_t a)
{
    snprintf (self->error, sizeof self->error, fmt, a);
    return -1;
}

//  A line that starts a header field: a name of printable characters, then
//  a colon.
static bool
s_is_field (const char *line, size_t content)
{
    const char *colon = memchr (line, ':', content);
    bool ok = colon && colon > line;
    for (const char *c = line; ok && c < colon; c++)
        if (*c <= 32 || *c >= 127)
            ok = false;
    return ok;
}

//  Does a header field start on some line of p (len bytes) before the first
//  empty line?
static bool
s_fields_follow (const char *p, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        const char *line = p + pos;
        const char *nl = memchr (line, '\n', len - pos);
        size_t n = nl ? (size_t) (nl - line) : len - pos;
        size_t content = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
        if (content == 0)
            return false;
        if (line[0] != ' ' && line[0] != '\t' && s_is_field (line, content))
            return true;
        pos += n + (nl ? 1 : 0);
    }
    return false;
}

int
header_parse (header_t *self, const char *msg, size_t len, const header_limits_t *lim)
{
    size_t pos = 0;
    self->count = 0;
    self->no_blank_line = false;
    //  An mbox separator line is not a header.
    if (len >= 5 && memcmp (msg, "From ", 5) == 0) {
        const char *nl = memchr (msg, '\n', len);
        pos = nl ? (size_t) (nl - msg) + 1 : len;
    }
    header_field_t *cur = NULL;
    while (pos < len) {
        const char *line = msg + pos;
        const char *nl = memchr (line, '\n', len - pos);
        size_t n = nl ? (size_t) (nl - line) : len - pos;    //  without LF
        size_t content = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
        if (content == 0) {
            self->body_off = pos + n + (nl ? 1 : 0);
            return 0;
        }
        if (n > lim->max_line)
            return s_fail (self, "line-length: a header line longer than %zu bytes", lim->max_line);
        if (memchr (line, 0, n))
            return s_fail (self, "header-nul: NUL byte in header line %zu", self->count + 1);
        if ((line[0] == ' ' || line[0] == '\t') && cur) {
            cur->value_len = (size_t) (line + content - cur->value);
            if ((size_t) (line + content - cur->name) > lim->max_field)
                return s_fail (self, "header-length: a header field longer than %zu bytes",
                               lim->max_field);
        }
        else {
            if (!s_is_field (line, content)) {
                //  Not a header field. RFC 5322: the header section runs to
                //  the first empty line, so if fields come after this line
                //  before one, it is a broken line inside the header section
                //  (and a From: below it would escape every check). Without
                //  fields after it, the body began without an empty line.
                if (s_fields_follow (msg + pos + n + (nl ? 1 : 0), len - (pos + n + (nl ? 1 : 0))))
                    return s_fail (self, "header-syntax: line %zu of the header section is not a header "
                                   "field, and header fields follow it", self->count + 1);
                self->no_blank_line = true;
                self->body_off = pos;
                return 0;
            }
            const char *colon = memchr (line, ':', content);
            if (self->count >= lim->max_fields)
                return s_fail (self, "header-count: more than %zu header fields", lim->max_fields);
            if (self->count == self->cap) {
                self->cap = self->cap ? self->cap * 2 : 32;
                self->fields = xrealloc (self->fields, self->cap * sizeof *self->fields);
            }
            cur = &self->fields[self->count++];
            cur->name = line;
            cur->name_len = (size_t) (colon - line);
            cur->value = colon + 1;
            cur->value_len = (size_t) (line + content - (colon + 1));
        }
        pos += n + (nl ? 1 : 0);
    }
    self->no_blank_line = true;
    self->body_off = len;
    return 0;
}

const header_field_t *
header_find (const header_t *self, const char *name, size_t index)
{
    size_t nl = strlen (name);
    for (size_t i = 0; i < self->count; i++) {
        const header_field_t *f = &self->fields[i];
        if (f->name_len == nl && strncasecmp (f->name, name, nl) == 0 && index-- == 0)
            return f;
    }
    return NULL;
}

size_t
header_count (const header_t *self, const char *name)
{
    size_t n = 0;
    while (header_find (self, name, n))
        n++;
    return n;
}

char *
header_unfold (const header_field_t *field)
{
    char *out = xmalloc (field->value_len + 1);
    size_t o = 0;
    for (size_t i = 0; i < field->value_len; i++) {
        char c = field->value[i];
        if (c == '\r' || c == '\n')
            continue;
        out[o++] = c;
    }
    out[o] = 0;
    size_t s = 0;
    while (out[s] == ' ' || out[s] == '\t')
        s++;
    while (o > s && (out[o - 1] == ' ' || out[o - 1] == '\t'))
        out[--o] = 0;
    if (s)
        memmove (out, out + s, o - s + 1);
    return out;
}
