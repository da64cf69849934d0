/*  codec.c: base64, quoted-printable, RFC 2047 and charsets (see codec.h).
 *  Why base64 by hand rather than OpenSSL's EVP_DecodeUpdate: that decoder
 *  gives up at the first character outside the alphabet, and the malformed
 *  base64 that spam carries must still be read. Charsets go through iconv,
 *  whose descriptors are cached (opening one costs more than a message). */
#include "codec.h"
#include "xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const signed char s_b64[256] = {
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
    ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15,
    ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
    ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29,
    ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
    ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43,
    ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50,
    ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
    ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

size_t
codec_base64 (const char *in, size_t len, strbuf_t *out)
{
    size_t skipped = 0;
    uint32_t acc = 0;
    int bits = 0;
    char buf[512];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) in[i];
        int v = s_b64[c];
        if (!v) {
            if (c == '=')
                bits = 0;   //  padding ends a quantum; a new one may follow
            else if (!isspace (c))
                skipped++;
            continue;
        }
        acc = (acc << 6) | (uint32_t) (v - 1);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[n++] = (char) (acc >> bits);
            if (n == sizeof buf) {
                strbuf_add (out, buf, n);
                n = 0;
            }
        }
    }
    strbuf_add (out, buf, n);
    return skipped;
}

static int
s_hex (int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
         : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

size_t
codec_qp (const char *in, size_t len, bool header, strbuf_t *out)
{
    size_t bad = 0, start = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c != '=' && !(header && c == '_'))
            continue;
        strbuf_add (out, in + start, i - start);
        start = i + 1;
        if (c == '_') {
            strbuf_addc (out, ' ');
            continue;
        }
        //  Soft line break: "=" then optional white space then a line end.
        size_t j = i + 1;
        while (j < len && (in[j] == ' ' || in[j] == '\t'))
            j++;
        if (j < len && (in[j] == '\n' || in[j] == '\r')) {
            if (in[j] == '\r' && j + 1 < len && in[j + 1] == '\n')
                j++;
            i = j;
            start = j + 1;
            continue;
        }
        if (j == len) {
            i = start = len;
            break;
        }
        int h = i + 2 < len ? s_hex ((unsigned char) in[i + 1]) : -1;
        int l = i + 2 < len ? s_hex ((unsigned char) in[i + 2]) : -1;
        if (h < 0 || l < 0) {
            bad++;
            strbuf_addc (out, '=');
            continue;
        }
        strbuf_addc (out, (char) (h * 16 + l));
        i += 2;
        start = i + 1;
    }
    if (start < len)
        strbuf_add (out, in + start, len - start);
    return bad;
}

//  Copy valid UTF-8 from in, replacing each invalid sequence by U+FFFD.
static int
s_utf8_clean (const char *in, size_t len, strbuf_t *out)
{
    int bad = 0;
    const unsigned char *p = (const unsigned char *) in, *end = p + len;
    const unsigned char *run = p;
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t n = (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = n && (size_t) (end - p) >= n && !(n == 2 && *p < 0xC2);
        for (size_t i = 1; ok && i < n; i++)
            ok = (p[i] & 0xC0) == 0x80;
        if (ok) {
            p += n;
            continue;
        }
        strbuf_add (out, run, (size_t) (p - run));
        strbuf_adds (out, "\xEF\xBF\xBD");
        bad++;
        run = ++p;
    }
    strbuf_add (out, run, (size_t) (p - run));
    return bad;
}

//  A small cache of iconv descriptors, most recently used first.
#define CACHE_SIZE 8
static struct {
    char name[40];
    iconv_t cd;
} s_cache[CACHE_SIZE];

static iconv_t
s_iconv (const char *charset)
{
    for (int i = 0; i < CACHE_SIZE; i++)
        if (s_cache[i].name[0] && strcasecmp (s_cache[i].name, charset) == 0) {
            iconv (s_cache[i].cd, NULL, NULL, NULL, NULL);     //  reset state
            return s_cache[i].cd;
        }
    iconv_t cd = iconv_open ("UTF-8", charset);
    if (cd == (iconv_t) -1)
        return cd;
    int slot = CACHE_SIZE - 1;
    if (s_cache[slot].name[0])
        iconv_close (s_cache[slot].cd);
    memmove (&s_cache[1], &s_cache[0], sizeof s_cache[0] * (CACHE_SIZE - 1));
    snprintf (s_cache[0].name, sizeof s_cache[0].name, "%s", charset);
    s_cache[0].cd = cd;
    return cd;
}

int
codec_to_utf8 (const char *charset, const char *in, size_t len, strbuf_t *out)
{
    if (!charset || !*charset || !strcasecmp (charset, "utf-8") || !strcasecmp (charset, "utf8")
        || !strcasecmp (charset, "us-ascii") || !strcasecmp (charset, "ascii"))
        return s_utf8_clean (in, len, out);
    bool known = true;
    iconv_t cd = (iconv_t) -1;
    //  Names iconv does not know are often harmless variants; charset names
    //  are short, anything long is garbage.
    if (strlen (charset) < sizeof s_cache[0].name)
        cd = s_iconv (charset);
    if (cd == (iconv_t) -1) {
        known = false;
        cd = s_iconv ("WINDOWS-1252");
        if (cd == (iconv_t) -1) {
            s_utf8_clean (in, len, out);
            return -1;
        }
    }
    int bad = 0;
    char *src = (char *) in;
    size_t left = len;
    char buf[4096];
    while (left > 0) {
        char *dst = buf;
        size_t room = sizeof buf;
        size_t rc = iconv (cd, &src, &left, &dst, &room);
        strbuf_add (out, buf, (size_t) (dst - buf));
        if (rc == (size_t) -1) {
            if (errno == E2BIG)
                continue;
            //  EILSEQ or EINVAL (cut short): one byte becomes U+FFFD.
            strbuf_adds (out, "\xEF\xBF\xBD");
            bad++;
            src++;
            left--;
            iconv (cd, NULL, NULL, NULL, NULL);
        }
    }
    return known ? bad : -1;
}

char *
codec_header (const char *value)
{
    strbuf_t out;
    strbuf_init (&out);
    const char *p = value;
    const char *pending_ws = NULL;     //  white space between two encoded words is dropped
    while (*p) {
        const char *start = strstr (p, "=?");
        if (!start) {
            if (pending_ws)
                strbuf_adds (&out, pending_ws);
            s_utf8_clean (p, strlen (p), &out);
            break;
        }
        //  =?charset?Q|B?text?=
        const char *q1 = strchr (start + 2, '?');
        const char *q2 = q1 ? strchr (q1 + 1, '?') : NULL;
        const char *end = q2 ? strstr (q2 + 1, "?=") : NULL;
        if (!q1 || !q2 || !end || q2 != q1 + 2 || q1 - start > 60) {
            size_t n = (size_t) (start + 2 - p);
            if (pending_ws)
                strbuf_adds (&out, pending_ws);
            pending_ws = NULL;
            s_utf8_clean (p, n, &out);
            p = start + 2;
            continue;
        }
        //  Text before the encoded word, unless only white space between two.
        bool ws_only = true;
        for (const char *c = p; c < start; c++)
            if (!isspace ((unsigned char) *c))
                ws_only = false;
        if (!ws_only || !pending_ws)
            s_utf8_clean (p, (size_t) (start - p), &out);
        char charset[64];
        size_t cl = (size_t) (q1 - (start + 2));
        memcpy (charset, start + 2, cl);
        charset[cl] = 0;
        char *star = strchr (charset, '*');     //  RFC 2231 language suffix
        if (star)
            *star = 0;
        strbuf_t raw;
        strbuf_init (&raw);
        char enc = (char) toupper ((unsigned char) q1[1]);
        if (enc == 'B')
            codec_base64 (q2 + 1, (size_t) (end - (q2 + 1)), &raw);
        else
            codec_qp (q2 + 1, (size_t) (end - (q2 + 1)), true, &raw);
        codec_to_utf8 (charset, raw.data ? raw.data : "", raw.len, &out);
        strbuf_free (&raw);
        p = end + 2;
        pending_ws = " ";
        //  Skip white space; kept only if no encoded word follows.
        const char *ws = p;
        while (isspace ((unsigned char) *ws))
            ws++;
        if (strncmp (ws, "=?", 2) == 0)
            p = ws;
        else
            pending_ws = NULL;
    }
    return strbuf_detach (&out);
}
