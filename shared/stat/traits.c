/*  traits.c: the sender-facing features of a message (see traits.h). */
#include "traits.h"
#include "address.h"
#include "codec.h"
#include <ctype.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Words of the text folded into the SimHash at most (a long message is
//  judged by its beginning, which is where a template shows).
#define TRAITS_MAX_WORDS 4000
//  A text of fewer words has no fingerprint: too short to be "the same".
#define TRAITS_MIN_WORDS 6

static uint64_t
s_hash (const char *s, size_t n, uint64_t seed)
{
    uint64_t h = 1469598103934665603ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char) s[i];
        h *= 1099511628211ull;
    }
    //  The FNV bits are poorly mixed for SimHash: finish as splitmix64 does.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h ? h : 1;       //  0 means absent
}

int
traits_distance (uint64_t a, uint64_t b)
{
    return __builtin_popcountll (a ^ b);
}

static bool
s_ip_literal (const char *host)
{
    bool dot = false;
    for (const char *p = host; *p; p++) {
        if (*p == '.')
            dot = true;
        else if (!isdigit ((unsigned char) *p))
            return false;
    }
    return dot;
}

void
traits_domain (const char *host, char *out, size_t outlen)
{
    out[0] = 0;
    if (!*host || outlen == 0)
        return;
    if (!s_ip_literal (host)) {
        const psl_ctx_t *psl = psl_builtin ();
        const char *reg = psl ? psl_registrable_domain (psl, host) : NULL;
        if (reg) {
            snprintf (out, outlen, "%s", reg);
            return;
        }
    }
    snprintf (out, outlen, "%s", host);
}

//  One link target's host (after "://"), its domain's hash added once.
static void
s_link (verdict_features_t *out, const char *host, size_t n, int64_t *sim)
{
    char h[256], dom[256];
    if (n == 0 || n >= sizeof h)
        return;
    for (size_t i = 0; i < n; i++)
        h[i] = (char) tolower ((unsigned char) host[i]);
    while (n && h[n - 1] == '.')
        n--;
    h[n] = 0;
    if (!n)
        return;
    traits_domain (h, dom, sizeof dom);
    uint64_t d = s_hash (dom, strlen (dom), 0x6c696e6b);
    for (size_t i = 0; i < out->nlinks; i++)
        if (out->links[i] == d)
            return;
    //  A link domain is part of the text: a text that points elsewhere
    //  is another text.
    uint64_t w = s_hash (dom, strlen (dom), 0);
    for (int b = 0; b < 64; b++)
        sim[b] += (w >> b & 1) ? 4 : -4;
    if (out->nlinks < VERDICT_LINKS)
        out->links[out->nlinks++] = d;
}

//  One link host of mime_link_hosts (NULL: a mailto: target, no domain).
typedef struct {
    verdict_features_t *out;
    int64_t *sim;
} s_links_t;

static void
s_link_host (void *arg, const char *host, size_t n)
{
    s_links_t *l = arg;
    if (host)
        s_link (l->out, host, n, l->sim);
}

//  The words of the text (letters only, lowercased, three or more; words
//  with digits are order numbers, dates and amounts, which differ from
//  copy to copy) into the SimHash sums. Returns how many.
static size_t
s_text (const char *text, size_t len, int64_t *sim)
{
    size_t words = 0;
    char w[48];
    size_t i = 0;
    while (i < len && words < TRAITS_MAX_WORDS) {
        while (i < len && !isalnum ((unsigned char) text[i]) && !((unsigned char) text[i] & 0x80))
            i++;
        size_t n = 0;
        bool digit = false, fits = true;
        while (i < len && (isalnum ((unsigned char) text[i]) || ((unsigned char) text[i] & 0x80))) {
            unsigned char c = (unsigned char) text[i++];
            digit |= isdigit (c) != 0;
            if (n < sizeof w)
                w[n++] = (char) tolower (c);
            else
                fits = false;
        }
        if (n < 3 || digit || !fits)
            continue;
        uint64_t h = s_hash (w, n, 0);
        for (int b = 0; b < 64; b++)
            sim[b] += (h >> b & 1) ? 1 : -1;
        words++;
    }
    return words;
}

//  value, decoded, lowercased, digits dropped (a mailer's version) when
//  asked, runs of space made one, trimmed: hashed; 0 when empty.
static uint64_t
s_norm_hash (const char *value, size_t len, bool drop_digits, uint64_t seed)
{
    char buf[256];
    size_t n = 0;
    bool space = false;
    for (size_t i = 0; i < len && n < sizeof buf; i++) {
        unsigned char c = (unsigned char) value[i];
        if (c == '"' || (drop_digits && (isdigit (c) || c == '.')))
            continue;
        if (isspace (c)) {
            space = n > 0;
            continue;
        }
        if (space && n < sizeof buf)
            buf[n++] = ' ';
        space = false;
        if (n < sizeof buf)
            buf[n++] = (char) tolower (c);
    }
    return n ? s_hash (buf, n, seed) : 0;
}

static void
s_present (verdict_features_t *out, const header_t *h)
{
    const header_field_t *f = header_find (h, "Reply-To", 0);
    if (f) {
        char *v = header_unfold (f);
        char *addr[1];
        int more;
        if (address_list (v, addr, 1, &more) == 1) {
            out->reply_to = s_norm_hash (addr[0], strlen (addr[0]), false, 0x7274);
            free (addr[0]);
        }
        free (v);
    }
    f = header_find (h, "From", 0);
    if (f) {
        char *v = header_unfold (f);
        char *d = codec_header (v);
        const char *lt = strchr (d, '<');
        if (lt)
            out->display = s_norm_hash (d, (size_t) (lt - d), false, 0x646e);
        free (d);
        free (v);
    }
    f = header_find (h, "X-Mailer", 0);
    if (!f)
        f = header_find (h, "User-Agent", 0);
    if (f) {
        char *v = header_unfold (f);
        out->mailer = s_norm_hash (v, strlen (v), true, 0x6d72);
        free (v);
    }
}

void
traits_of (verdict_features_t *out, const header_t *h, const mime_t *m)
{
    memset (out, 0, sizeof *out);
    int64_t sim[64] = { 0 };
    s_links_t l = { out, sim };
    mime_link_hosts (m, s_link_host, &l);
    size_t words = m->text.len ? s_text (m->text.data, m->text.len, sim) : 0;
    if (words >= TRAITS_MIN_WORDS) {
        uint64_t x = 0;
        for (int b = 0; b < 64; b++)
            if (sim[b] > 0)
                x |= 1ull << b;
        out->text = x ? x : 1;
    }
    s_present (out, h);
    const header_field_t *f = header_find (h, "Message-ID", 0);
    if (f) {
        char *v = header_unfold (f);
        out->msgid = traits_msgid (v, strlen (v));
        free (v);
    }
}

uint64_t
traits_msgid (const char *value, size_t len)
{
    const char *lt = memchr (value, '<', len);
    const char *gt = lt ? memchr (lt, '>', len - (size_t) (lt - value)) : NULL;
    const char *b = value, *e = value + len;
    if (lt && gt)
        b = lt + 1, e = gt;
    while (b < e && isspace ((unsigned char) *b))
        b++;
    while (e > b && isspace ((unsigned char) e[-1]))
        e--;
    if (b == e)
        return 0;
    uint64_t x = s_hash (b, (size_t) (e - b), 0x6d736769);
    return x ? x : 1;
}
