/*  strbuf.c: growable byte buffer. Grows by doubling; OOM aborts. */
#include "strbuf.h"
#include "xalloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
strbuf_init (strbuf_t *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void
strbuf_free (strbuf_t *b)
{
    free (b->data);
    strbuf_init (b);
}

void
strbuf_reset (strbuf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

static void
s_reserve (strbuf_t *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->data = xrealloc (b->data, cap);
    b->cap = cap;
}

void
strbuf_add (strbuf_t *b, const void *data, size_t len)
{
    s_reserve (b, len);
    if (len)
        memcpy (b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
}

void
strbuf_adds (strbuf_t *b, const char *s)
{
    strbuf_add (b, s, strlen (s));
}

void
strbuf_addc (strbuf_t *b, char c)
{
    strbuf_add (b, &c, 1);
}

void
strbuf_printf (strbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (NULL, 0, fmt, ap);
    va_end (ap);
    if (n < 0)
        return;
    s_reserve (b, (size_t) n);
    va_start (ap, fmt);
    vsnprintf (b->data + b->len, (size_t) n + 1, fmt, ap);
    va_end (ap);
    b->len += (size_t) n;
}

//  Length of the valid UTF-8 sequence at s (1..4), or 0 if not valid.
static size_t
s_utf8_len (const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
             : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || (n == 2 && s[0] < 0xC2))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

void
strbuf_json_string (strbuf_t *b, const char *s)
{
    strbuf_addc (b, '"');
    const unsigned char *p = (const unsigned char *) s;
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            strbuf_addc (b, '\\');
            strbuf_addc (b, (char) c);
            p++;
        }
        else if (c == '\n') { strbuf_adds (b, "\\n"); p++; }
        else if (c == '\r') { strbuf_adds (b, "\\r"); p++; }
        else if (c == '\t') { strbuf_adds (b, "\\t"); p++; }
        else if (c < 0x20) { strbuf_printf (b, "\\u%04x", c); p++; }
        else {
            size_t n = s_utf8_len (p);
            if (n == 0) {
                strbuf_printf (b, "\\u%04x", c);
                p++;
            }
            else {
                strbuf_add (b, p, n);
                p += n;
            }
        }
    }
    strbuf_addc (b, '"');
}

char *
strbuf_detach (strbuf_t *b)
{
    char *d = b->data ? b->data : xstrdup ("");
    strbuf_init (b);
    return d;
}
