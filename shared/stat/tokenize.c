/*  tokenize.c: message -> sorted unique 64-bit token hashes (see tokenize.h).
 *  Hash: FNV-1a over prefix and word, finished with the splitmix64 mixer so
 *  that the low bits (used by hash tables) are as good as the high ones. */
#include "tokenize.h"
#include "address.h"
#include "codec.h"
#include "xalloc.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WORD_MIN 2
#define WORD_MAX 40

void
tokens_init (tokens_t *self)
{
    memset (self, 0, sizeof *self);
}

void
tokens_free (tokens_t *self)
{
    free (self->t);
    free (self->seen);
    strbuf_free (&self->words);
    tokens_init (self);
}

static inline uint64_t
s_mix (uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t
s_fnv (uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char) s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t
tokenize_hash (const char *prefix, const char *word, size_t len)
{
    uint64_t h = s_fnv (0xcbf29ce484222325ull, prefix, strlen (prefix));
    return s_mix (s_fnv (h, word, len));
}

typedef struct {
    tokens_t *t;
    const tokenize_opts_t *o;
} s_ctx_t;

//  Insert h into the seen set; false when it was there already. The set is
//  kept at most half full; hash 0 stands for an empty slot (1 takes its place).
static bool
s_first (tokens_t *t, uint64_t h)
{
    h = h ? h : 1;
    if ((t->n + 1) * 2 > t->seen_cap) {
        size_t cap = t->seen_cap ? t->seen_cap * 2 : 4096;
        uint64_t *old = t->seen;
        size_t oldcap = t->seen_cap;
        t->seen = xcalloc (cap, sizeof *t->seen);
        t->seen_cap = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i]) {
                size_t j = (size_t) old[i] & (cap - 1);
                while (t->seen[j])
                    j = (j + 1) & (cap - 1);
                t->seen[j] = old[i];
            }
        free (old);
    }
    size_t mask = t->seen_cap - 1, j = (size_t) h & mask;
    while (t->seen[j]) {
        if (t->seen[j] == h)
            return false;
        j = (j + 1) & mask;
    }
    t->seen[j] = h;
    return true;
}

static void
s_add (s_ctx_t *c, uint64_t h, const char *prefix, const char *w, size_t n, const char *w2, size_t n2)
{
    tokens_t *t = c->t;
    if (t->n >= c->o->max_tokens) {
        t->full = true;
        return;
    }
    //  The classifier counts presence, not frequency: each token once.
    if (!s_first (t, h))
        return;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->t = xrealloc (t->t, t->cap * sizeof *t->t);
    }
    uint32_t off = UINT32_MAX;
    if (c->o->explain && t->words.len < (1u << 30)) {
        off = (uint32_t) t->words.len;
        strbuf_adds (&t->words, prefix);
        strbuf_add (&t->words, w, n);
        if (w2) {
            strbuf_addc (&t->words, ' ');
            strbuf_add (&t->words, w2, n2);
        }
        strbuf_addc (&t->words, 0);
    }
    t->t[t->n++] = (token_t) { h, off };
}

static void
s_word (s_ctx_t *c, const char *prefix, const char *w, size_t n)
{
    s_add (c, tokenize_hash (prefix, w, n), prefix, w, n, NULL, 0);
}

static inline bool
s_wordc (unsigned char c)
{
    return isalnum (c) || c >= 0x80 || c == '$';
}

//  Split text into lowercased words; emit each with prefix, and adjacent
//  pairs with pair_prefix (when bigrams are on and pair_prefix is set).
static void
s_words (s_ctx_t *c, const char *prefix, const char *pair_prefix, const char *text, size_t len)
{
    char buf[WORD_MAX + 1], prev[WORD_MAX + 1];
    size_t prevn = 0;
    uint64_t prevh = 0;
    const unsigned char *p = (const unsigned char *) text, *end = p + len;
    uint64_t seed = s_fnv (0xcbf29ce484222325ull, prefix, strlen (prefix));
    while (p < end) {
        while (p < end && !s_wordc (*p)) {
            //  Runs of !, ?, *, %: "!!!" says something a word cannot.
            if ((*p == '!' || *p == '?' || *p == '*' || *p == '%') && p + 1 < end && p[1] == *p) {
                const unsigned char *r = p;
                while (p < end && *p == *r)
                    p++;
                size_t rl = (size_t) (p - r) > 4 ? 4 : (size_t) (p - r);
                s_word (c, "pn:", (const char *) r, rl);
                continue;
            }
            p++;
        }
        const unsigned char *s = p;
        //  Inner '.', '-', '\'', '_' join word characters ("e-mail", "3.5").
        while (p < end && (s_wordc (*p) || ((*p == '.' || *p == '-' || *p == '\'' || *p == '_')
                                            && p + 1 < end && s_wordc (p[1]) && p > s)))
            p++;
        size_t n = (size_t) (p - s);
        if (n < WORD_MIN)
            continue;
        if (n > WORD_MAX) {
            //  Long runs (encoded junk, hashes): only their shape counts.
            char shape[24];
            int sl = snprintf (shape, sizeof shape, "%c:%zu", tolower (*s), n / 8);
            s_word (c, "sk:", shape, (size_t) sl);
            prevn = 0;
            continue;
        }
        size_t upper = 0;
        for (size_t i = 0; i < n; i++) {
            upper += s[i] >= 'A' && s[i] <= 'Z';
            buf[i] = (char) tolower (s[i]);
        }
        //  SHOUTED words, as written, beside their lowercase form.
        if (upper >= 3 && upper * 10 >= n * 8)
            s_word (c, "C:", (const char *) s, n);
        uint64_t h = s_mix (s_fnv (seed, buf, n));
        s_add (c, h, prefix, buf, n, NULL, 0);
        if (pair_prefix && c->o->bigrams && prevn) {
            uint64_t ph = s_mix (prevh * 0x9E3779B97F4A7C15ull + h + 0x51ed2701);
            s_add (c, ph, pair_prefix, prev, prevn, buf, n);
        }
        memcpy (prev, buf, n);
        prevn = n;
        prevh = h;
    }
}

//  Hosts of http(s):// links in text: "u:host" and "ud:" its last two labels.
static void
s_host (s_ctx_t *c, const char *host, size_t n)
{
    char buf[256];
    if (n == 0 || n >= sizeof buf)
        return;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char) tolower ((unsigned char) host[i]);
    while (n && buf[n - 1] == '.')
        n--;
    s_word (c, "u:", buf, n);
    size_t dots = 0, i = n;
    while (i > 0 && dots < 2)
        if (buf[--i] == '.' && ++dots == 2)
            i++;
    s_word (c, "ud:", buf + i, n - i);
}

//  A link host (mime_link_hosts); NULL: a mailto: target.
static void
s_link_host (void *arg, const char *host, size_t n)
{
    if (host)
        s_host (arg, host, n);
    else
        s_word (arg, "u:", "mailto", 6);
}

static void
s_header_words (s_ctx_t *c, const header_t *h, const char *name, const char *prefix, bool decode)
{
    const header_field_t *f = header_find (h, name, 0);
    if (!f)
        return;
    char *v = header_unfold (f);
    if (decode) {
        char *d = codec_header (v);
        free (v);
        v = d;
    }
    s_words (c, prefix, decode ? "s2:" : NULL, v, strlen (v));
    free (v);
}

//  Headers added in transit say nothing about the author's mail.
static bool
s_transit (const char *name, size_t n)
{
    static const char *skip[] = { "received", "return-path", "delivered-to", "x-original-to",
                                  "x-spam", "x-virus", "x-beenthere", "x-loop", "envelope-to",
                                  "x-envelope", "status", "x-status", "x-uid", "x-keywords",
                                  "content-length", "lines", "x-mailman", "errors-to",
                                  "precedence", "list-", "sender", "x-original-date" };
    //  Most names start with a letter none of these start with.
    if (n == 0 || !strchr ("rdxeslcp", tolower ((unsigned char) name[0])))
        return false;
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++) {
        if (skip[i][0] != tolower ((unsigned char) name[0]))
            continue;
        size_t sl = strlen (skip[i]);
        if (n >= sl && strncasecmp (name, skip[i], sl) == 0)
            return true;
    }
    return false;
}

static void
s_from (s_ctx_t *c, const header_t *h, const char *hname, const char *name_prefix,
        const char *domain_prefix)
{
    const header_field_t *f = header_find (h, hname, 0);
    if (!f)
        return;
    char *v = header_unfold (f);
    char *d = codec_header (v);
    //  Display name: what comes before '<'.
    const char *lt = strchr (d, '<');
    if (lt && name_prefix)
        s_words (c, name_prefix, NULL, d, (size_t) (lt - d));
    char *addr[1];
    int more;
    if (address_list (v, addr, 1, &more) == 1) {
        const char *dom = address_domain (addr[0]);
        if (dom)
            s_word (c, domain_prefix, dom, strlen (dom));
        free (addr[0]);
    }
    free (d);
    free (v);
}

void
tokenize (tokens_t *self, const header_t *h, const mime_t *m, const tokenize_opts_t *o)
{
    //  Empty the seen set in O(tokens), not O(capacity): removing entries in
    //  the reverse of their insertion order is exact under linear probing,
    //  since each entry's probe path then holds only entries older than it.
    for (size_t i = self->n; i-- > 0;) {
        uint64_t key = self->t[i].h ? self->t[i].h : 1;
        size_t mask = self->seen_cap - 1, j = (size_t) key & mask;
        while (self->seen[j] != key)
            j = (j + 1) & mask;
        self->seen[j] = 0;
    }
    self->n = 0;
    self->full = false;
    strbuf_reset (&self->words);
    s_ctx_t c = { self, o };
    s_header_words (&c, h, "Subject", "s:", true);
    s_from (&c, h, "From", "fn:", "fd:");
    s_from (&c, h, "Reply-To", NULL, "rd:");
    s_header_words (&c, h, "X-Mailer", "m:", false);
    s_header_words (&c, h, "User-Agent", "m:", false);
    s_from (&c, h, "Message-ID", NULL, "mi:");
    for (size_t i = 0; i < h->count; i++) {
        const header_field_t *f = &h->fields[i];
        if (!s_transit (f->name, f->name_len) && f->name_len < 64) {
            char lname[64];
            for (size_t k = 0; k < f->name_len; k++)
                lname[k] = (char) tolower ((unsigned char) f->name[k]);
            s_word (&c, "hn:", lname, f->name_len);
        }
    }
    //  How many recipients the author wrote to, in rough buckets.
    size_t nrcpt = header_count (h, "To") + header_count (h, "Cc");
    s_word (&c, "nr:", nrcpt == 0 ? "0" : nrcpt == 1 ? "1" : "many", nrcpt < 2 ? 1 : 4);
    for (const char *t = m->types.data; t && *t;) {
        const char *nl = strchr (t, '\n');
        size_t n = nl ? (size_t) (nl - t) : strlen (t);
        s_word (&c, "ct:", t, n);
        t += n + (nl ? 1 : 0);
    }
    for (const char *t = m->problems.data; t && *t;) {
        const char *nl = strchr (t, '\n');
        size_t n = nl ? (size_t) (nl - t) : strlen (t);
        size_t k = 0;
        while (k < n && t[k] != ' ')
            k++;
        s_word (&c, "p:", t, k);
        t += n + (nl ? 1 : 0);
    }
    if (m->html)
        s_word (&c, "h:", "html", 4);
    for (const char *g = m->tags.data; g && *g;) {
        const char *sp = strchr (g, ' ');
        size_t n = sp ? (size_t) (sp - g) : strlen (g);
        s_word (&c, "t:", g, n);
        g += n + (sp ? 1 : 0);
    }
    mime_link_hosts (m, s_link_host, &c);
    if (m->text.len)
        s_words (&c, "", "b2:", m->text.data, m->text.len);
}

const char *
tokens_text (const tokens_t *self, size_t i)
{
    return self->t[i].off == UINT32_MAX ? "" : self->words.data + self->t[i].off;
}
