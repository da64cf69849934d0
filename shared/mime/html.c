/*  html.c: a one-pass HTML scanner (see html.h). Not a DOM: spam HTML is
 *  rarely well formed, and all we need is the words a reader sees and the
 *  places the links go. Every loop advances through the input. */
#include "html.h"
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const struct { const char *name; unsigned cp; } s_entities[] = {
    { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
    { "nbsp", ' ' }, { "copy", 0xA9 }, { "reg", 0xAE }, { "trade", 0x2122 },
    { "euro", 0x20AC }, { "pound", 0xA3 }, { "yen", 0xA5 }, { "cent", 0xA2 },
    { "mdash", 0x2014 }, { "ndash", 0x2013 }, { "hellip", 0x2026 }, { "bull", 0x2022 },
    { "laquo", 0xAB }, { "raquo", 0xBB }, { "ldquo", 0x201C }, { "rdquo", 0x201D },
    { "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "middot", 0xB7 }, { "deg", 0xB0 },
    { "eacute", 0xE9 }, { "egrave", 0xE8 }, { "agrave", 0xE0 }, { "aacute", 0xE1 },
    { "ccedil", 0xE7 }, { "uuml", 0xFC }, { "ouml", 0xF6 }, { "auml", 0xE4 },
    { "szlig", 0xDF }, { "ntilde", 0xF1 }, { "iacute", 0xED }, { "oacute", 0xF3 },
    { "uacute", 0xFA }, { "times", 0xD7 }, { "shy", 0 }, { "zwnj", 0 }, { "zwj", 0 },
};

void
html_utf8 (strbuf_t *out, unsigned long cp)
{
    char b[4];
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80)
        strbuf_addc (out, (char) cp);
    else if (cp < 0x800) {
        b[0] = (char) (0xC0 | cp >> 6); b[1] = (char) (0x80 | (cp & 0x3F));
        strbuf_add (out, b, 2);
    }
    else if (cp < 0x10000) {
        b[0] = (char) (0xE0 | cp >> 12); b[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char) (0x80 | (cp & 0x3F));
        strbuf_add (out, b, 3);
    }
    else {
        b[0] = (char) (0xF0 | cp >> 18); b[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char) (0x80 | ((cp >> 6) & 0x3F)); b[3] = (char) (0x80 | (cp & 0x3F));
        strbuf_add (out, b, 4);
    }
}

//  Decode the entity at p (just after '&'); returns bytes consumed, or 0.
static size_t
s_entity (const char *p, const char *end, strbuf_t *out)
{
    if (p < end && *p == '#') {
        unsigned long cp = 0;
        const char *q = p + 1;
        int base = 10, digits = 0;
        if (q < end && (*q == 'x' || *q == 'X')) {
            base = 16;
            q++;
        }
        while (q < end && digits < 8 && (base == 16 ? isxdigit ((unsigned char) *q) : isdigit ((unsigned char) *q))) {
            int d = isdigit ((unsigned char) *q) ? *q - '0' : tolower ((unsigned char) *q) - 'a' + 10;
            cp = cp * (unsigned long) base + (unsigned long) d;
            q++, digits++;
        }
        if (!digits)
            return 0;
        if (q < end && *q == ';')
            q++;
        if (cp)
            html_utf8 (out, cp);
        return (size_t) (q - p);
    }
    size_t n = 0;
    while (p + n < end && n < 8 && isalnum ((unsigned char) p[n]))
        n++;
    for (size_t i = 0; i < sizeof s_entities / sizeof s_entities[0]; i++)
        if (strlen (s_entities[i].name) == n && strncmp (p, s_entities[i].name, n) == 0) {
            if (s_entities[i].cp)
                html_utf8 (out, s_entities[i].cp);
            return n + (p + n < end && p[n] == ';');
        }
    return 0;
}

//  The value of attribute name inside a tag [p, end), or NULL; *len set.
static const char *
s_attr (const char *p, const char *end, const char *name, size_t *len)
{
    size_t nl = strlen (name);
    for (; p + nl < end; p++) {
        if (strncasecmp (p, name, nl) != 0 || isalnum ((unsigned char) p[-1]))
            continue;
        const char *q = p + nl;
        while (q < end && isspace ((unsigned char) *q))
            q++;
        if (q >= end || *q != '=')
            continue;
        q++;
        while (q < end && isspace ((unsigned char) *q))
            q++;
        char quote = q < end && (*q == '"' || *q == '\'') ? *q++ : 0;
        const char *v = q;
        while (q < end && (quote ? *q != quote : !isspace ((unsigned char) *q) && *q != '>'))
            q++;
        *len = (size_t) (q - v);
        return v;
    }
    return NULL;
}

static bool
s_is (const char *tag, size_t n, const char *name)
{
    return strlen (name) == n && strncasecmp (tag, name, n) == 0;
}

//  "tag tag.attr tag.attr " for one opening tag.
static void
s_tag_words (const char *name, size_t nl, const char *attrs, const char *end, strbuf_t *tags)
{
    if (tags->len > 8192 || nl > 20)
        return;
    for (size_t i = 0; i < nl; i++)
        strbuf_addc (tags, (char) tolower ((unsigned char) name[i]));
    strbuf_addc (tags, ' ');
    const char *p = attrs;
    while (p < end) {
        while (p < end && !isalpha ((unsigned char) *p))
            p++;
        const char *a = p;
        while (p < end && (isalnum ((unsigned char) *p) || *p == '-'))
            p++;
        if (p > a && p - a <= 20 && p < end && *p == '=') {
            for (size_t i = 0; i < nl; i++)
                strbuf_addc (tags, (char) tolower ((unsigned char) name[i]));
            strbuf_addc (tags, '.');
            for (const char *c = a; c < p; c++)
                strbuf_addc (tags, (char) tolower ((unsigned char) *c));
            strbuf_addc (tags, ' ');
        }
        //  Skip the value, quoted or not.
        if (p < end && *p == '=') {
            p++;
            char q = p < end && (*p == '"' || *p == '\'') ? *p++ : 0;
            while (p < end && (q ? *p != q : !isspace ((unsigned char) *p)))
                p++;
            if (p < end)
                p++;
        }
    }
}

void
html_to_text (const char *html, size_t len, strbuf_t *text, strbuf_t *urls, strbuf_t *tags)
{
    const char *p = html, *end = html + len;
    while (p < end) {
        const char *lt = memchr (p, '<', (size_t) (end - p));
        const char *amp = memchr (p, '&', (size_t) ((lt ? lt : end) - p));
        if (amp) {
            strbuf_add (text, p, (size_t) (amp - p));
            size_t used = s_entity (amp + 1, end, text);
            if (!used)
                strbuf_addc (text, '&');
            p = amp + 1 + used;
            continue;
        }
        if (!lt) {
            strbuf_add (text, p, (size_t) (end - p));
            break;
        }
        strbuf_add (text, p, (size_t) (lt - p));
        //  A comment runs to "-->".
        if (end - lt >= 4 && memcmp (lt, "<!--", 4) == 0) {
            const char *c = lt + 4;
            while (c + 3 <= end && memcmp (c, "-->", 3) != 0)
                c++;
            p = c + 3 <= end ? c + 3 : end;
            continue;
        }
        //  The tag runs to the next '>' outside quotes.
        const char *q = lt + 1;
        char quote = 0;
        while (q < end && (quote || *q != '>')) {
            if (quote && *q == quote)
                quote = 0;
            else if (!quote && (*q == '"' || *q == '\'') && q > lt + 1 && (q[-1] == '=' || isspace ((unsigned char) q[-1])))
                quote = *q;
            q++;
        }
        const char *name = lt + 1;
        bool closing = name < q && *name == '/';
        if (closing)
            name++;
        size_t nl = 0;
        while (name + nl < q && isalnum ((unsigned char) name[nl]))
            nl++;
        p = q < end ? q + 1 : end;
        if (nl == 0) {
            //  "<" not starting a tag ("a < b"): keep it as text.
            bool markup = lt + 1 < end && (lt[1] == '!' || lt[1] == '?' || lt[1] == '/');
            if (!markup) {
                strbuf_addc (text, '<');
                p = lt + 1;
            }
            continue;
        }
        size_t vl;
        const char *v;
        if (!closing && tags)
            s_tag_words (name, nl, name + nl, q, tags);
        if (!closing && (v = s_attr (name + nl, q, "href", &vl)) != NULL && vl && vl < 2048) {
            strbuf_add (urls, v, vl);
            strbuf_addc (urls, '\n');
        }
        if (!closing && (v = s_attr (name + nl, q, "src", &vl)) != NULL && vl && vl < 2048) {
            strbuf_add (urls, v, vl);
            strbuf_addc (urls, '\n');
        }
        if (!closing && (s_is (name, nl, "script") || s_is (name, nl, "style"))) {
            //  Skip to the matching close tag.
            const char *c = p;
            while (c < end) {
                const char *l = memchr (c, '<', (size_t) (end - c));
                if (!l) { c = end; break; }
                if (end - l > 2 && l[1] == '/' && strncasecmp (l + 2, name, nl) == 0) {
                    c = memchr (l, '>', (size_t) (end - l));
                    c = c ? c + 1 : end;
                    break;
                }
                c = l + 1;
            }
            p = c;
            continue;
        }
        static const char *blocks[] = { "br", "p", "div", "tr", "td", "li", "h1", "h2", "h3",
                                        "table", "title", "blockquote", "hr" };
        for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
            if (s_is (name, nl, blocks[i])) {
                strbuf_addc (text, '\n');
                break;
            }
    }
}
