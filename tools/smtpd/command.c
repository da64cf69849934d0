/*  command.c: SMTP command lines parsed (see command.h). */
#include "command.h"
#include "codec.h"
#include "strbuf.h"
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    command_verb_t verb;
} s_verbs[] = {
    { "HELO", CMD_HELO }, { "EHLO", CMD_EHLO }, { "MAIL", CMD_MAIL }, { "RCPT", CMD_RCPT },
    { "DATA", CMD_DATA }, { "RSET", CMD_RSET }, { "NOOP", CMD_NOOP }, { "QUIT", CMD_QUIT },
    { "VRFY", CMD_VRFY }, { "HELP", CMD_HELP }, { "STARTTLS", CMD_STARTTLS },
    { "AUTH", CMD_AUTH }, { "XCLIENT", CMD_XCLIENT }, { "XFORWARD", CMD_XFORWARD },
    { "BDAT", CMD_BDAT },
};

command_verb_t
command_verb (const char *line, const char **arg)
{
    size_t n = 0;
    while (isalpha ((unsigned char) line[n]))
        n++;
    *arg = line + n;
    if (line[n] && line[n] != ' ')
        return CMD_UNKNOWN;
    while (**arg == ' ')
        (*arg)++;
    for (size_t i = 0; i < sizeof s_verbs / sizeof s_verbs[0]; i++)
        if (strlen (s_verbs[i].name) == n && !strncasecmp (line, s_verbs[i].name, n))
            return s_verbs[i].verb;
    return CMD_UNKNOWN;
}

int
command_xtext_decode (char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r != '+') {
            if ((unsigned char) *r < 0x21 || *r == 0x7f || *r == '=')
                return -1;
            *w++ = *r;
            continue;
        }
        if (!isxdigit ((unsigned char) r[1]) || !isxdigit ((unsigned char) r[2]) ||
            islower ((unsigned char) r[1]) || islower ((unsigned char) r[2]))
            return -1;
        char hex[3] = { r[1], r[2], 0 };
        long v = strtol (hex, NULL, 16);
        if (v < 0x20 || v == 0x7f)
            return -1;
        *w++ = (char) v;
        r += 2;
    }
    *w = 0;
    return 0;
}

//  An xtext value as RFC 3461 has it: printable ASCII but '=' and space,
//  each + followed by two upper-case hex digits.
static bool
s_xtext_ok (const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) v[i];
        if (c < 0x21 || c > 0x7e || c == '=')
            return false;
        if (c == '+' && (i + 2 >= n || !isxdigit ((unsigned char) v[i + 1]) ||
                         !isxdigit ((unsigned char) v[i + 2])))
            return false;
    }
    return n > 0;
}

#define REPLY(...) (snprintf (reply, len, __VA_ARGS__), -1)

//  The path in <...> at *p (or bare, up to a space), an optional source
//  route dropped. 0 with *p past it, or -1 with the reply.
static int
s_path (const char **p, bool rcpt, char *path, size_t pathlen, char *reply, size_t len)
{
    const char *s = *p, *end;
    while (*s == ' ')
        s++;
    if (*s == '<') {
        s++;
        //  A quoted local part may hold '>' and spaces: not an address the
        //  envelope can carry, refused below.
        end = strchr (s, '>');
        if (!end)
            return REPLY ("501 5.1.7 Syntax: %s:<address> (no closing bracket)", rcpt ? "RCPT TO" : "MAIL FROM");
        *p = end + 1;
    }
    else {
        end = s + strcspn (s, " ");
        *p = end;
    }
    //  RFC 5321 4.1.2: a source route (@a,@b:) is accepted and ignored.
    if (*s == '@') {
        const char *colon = memchr (s, ':', (size_t) (end - s));
        if (!colon)
            return REPLY ("501 5.1.7 Syntax: bad source route");
        s = colon + 1;
    }
    size_t n = (size_t) (end - s);
    if (n > ENVELOPE_MAX_PATH || n >= pathlen)
        return REPLY ("553 5.1.%d address longer than %d bytes", rcpt ? 3 : 7, ENVELOPE_MAX_PATH);
    memcpy (path, s, n);
    path[n] = 0;
    if (n == 0) {
        if (rcpt)
            return REPLY ("553 5.1.3 the null address is no recipient");
        return 0;
    }
    if (rcpt && !strcasecmp (path, "postmaster"))
        return 0;
    const char *at = strrchr (path, '@');
    if (!at || at == path || !at[1] || !envelope_path_ok (path))
        return REPLY ("553 5.1.%d <%s>: not an address this service takes (local@domain, no "
                      "space, bracket or control character)", rcpt ? 3 : 7, n > 64 ? "..." : path);
    return 0;
}

//  One ESMTP parameter KEY=VALUE (or KEY) of MAIL (rcpt false) or RCPT.
static int
s_param (const char *key, size_t klen, const char *val, size_t vlen, bool has_val, bool rcpt,
         command_path_t *out, char *reply, size_t len)
{
#define IS(k) (klen == strlen (k) && !strncasecmp (key, k, klen))
    if (!rcpt && IS ("SIZE")) {
        if (!has_val || vlen == 0 || vlen > 18 || strspn (val, "0123456789") < vlen)
            return REPLY ("501 5.5.4 SIZE= takes a number of bytes");
        out->size = strtoll (val, NULL, 10);
        return 0;
    }
    if (!rcpt && IS ("BODY")) {
        if (has_val && vlen == 8 && !strncasecmp (val, "8BITMIME", 8))
            out->eight_bit = true;
        else if (has_val && vlen == 4 && !strncasecmp (val, "7BIT", 4))
            out->eight_bit = false;
        else
            return REPLY ("555 5.5.4 BODY= takes 7BIT or 8BITMIME");
        return 0;
    }
    if (!rcpt && IS ("SMTPUTF8")) {
        if (has_val)
            return REPLY ("555 5.5.4 SMTPUTF8 takes no value");
        out->smtputf8 = true;
        return 0;
    }
    if (!rcpt && IS ("RET")) {
        if (!has_val || !((vlen == 4 && !strncasecmp (val, "FULL", 4)) ||
                          (vlen == 4 && !strncasecmp (val, "HDRS", 4))))
            return REPLY ("501 5.5.4 RET= takes FULL or HDRS");
        for (size_t i = 0; i < 4; i++)
            out->ret[i] = (char) toupper ((unsigned char) val[i]);
        out->ret[4] = 0;
        return 0;
    }
    if (!rcpt && IS ("ENVID")) {
        if (!has_val || vlen >= sizeof out->envid || !s_xtext_ok (val, vlen))
            return REPLY ("501 5.5.4 ENVID= takes xtext of at most 100 bytes");
        memcpy (out->envid, val, vlen);
        out->envid[vlen] = 0;
        return 0;
    }
    if (!rcpt && IS ("AUTH"))
        return 0;       //  RFC 4954 5: the submitter's identity, ours comes from elsewhere
    if (rcpt && (IS ("NOTIFY") || IS ("ORCPT"))) {
        bool notify = IS ("NOTIFY");
        if (!has_val || vlen == 0 || strstr (out->dsn, notify ? "NOTIFY=" : "ORCPT="))
            return REPLY ("501 5.5.4 %s= given twice or empty", notify ? "NOTIFY" : "ORCPT");
        if (notify) {
            //  NEVER alone, or a list of SUCCESS, FAILURE, DELAY.
            char v[64];
            if (vlen >= sizeof v)
                return REPLY ("501 5.5.4 NOTIFY= takes NEVER or SUCCESS,FAILURE,DELAY");
            for (size_t i = 0; i < vlen; i++)
                v[i] = (char) toupper ((unsigned char) val[i]);
            v[vlen] = 0;
            bool ok = !strcmp (v, "NEVER");
            if (!ok) {
                ok = true;
                char *save, *w = strtok_r (v, ",", &save);
                if (!w)
                    ok = false;
                for (; w && ok; w = strtok_r (NULL, ",", &save))
                    ok = !strcmp (w, "SUCCESS") || !strcmp (w, "FAILURE") || !strcmp (w, "DELAY");
                for (size_t i = 0; i < vlen; i++)
                    v[i] = (char) toupper ((unsigned char) val[i]);
                if (val[vlen - 1] == ',' || val[0] == ',' || strstr (v, ",,"))
                    ok = false;
            }
            if (!ok)
                return REPLY ("501 5.5.4 NOTIFY= takes NEVER or SUCCESS,FAILURE,DELAY");
            size_t at = strlen (out->dsn);
            snprintf (out->dsn + at, sizeof out->dsn - at, "%sNOTIFY=%.*s", at ? " " : "",
                      (int) vlen, v);
        }
        else {
            //  addr-type ";" xtext (RFC 3461 4.2)
            const char *semi = memchr (val, ';', vlen);
            if (!semi || semi == val || !s_xtext_ok (semi + 1, vlen - (size_t) (semi - val) - 1) ||
                vlen > ENVELOPE_MAX_PATH * 2)
                return REPLY ("501 5.5.4 ORCPT= takes addr-type;xtext");
            for (const char *c = val; c < semi; c++)
                if (!isalnum ((unsigned char) *c) && *c != '-')
                    return REPLY ("501 5.5.4 ORCPT= takes addr-type;xtext");
            size_t at = strlen (out->dsn);
            snprintf (out->dsn + at, sizeof out->dsn - at, "%sORCPT=%.*s", at ? " " : "",
                      (int) vlen, val);
        }
        return 0;
    }
    return REPLY ("555 5.5.4 unsupported parameter %.*s", (int) (klen > 32 ? 32 : klen), key);
#undef IS
}

int
command_path (const char *arg, bool rcpt, command_path_t *out, char *reply, size_t len)
{
    memset (out, 0, sizeof *out);
    out->size = -1;
    const char *want = rcpt ? "TO:" : "FROM:";
    size_t wl = strlen (want);
    if (strncasecmp (arg, want, wl))
        return REPLY ("501 5.5.4 Syntax: %s<address>", rcpt ? "RCPT TO:" : "MAIL FROM:");
    const char *p = arg + wl;
    if (s_path (&p, rcpt, out->path, sizeof out->path, reply, len) < 0)
        return -1;
    size_t count = 0;
    while (*p) {
        if (*p != ' ')
            return REPLY ("501 5.5.4 Syntax: parameters after the address, one space apart");
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (++count > 10)
            return REPLY ("501 5.5.4 too many parameters");
        const char *tok = p, *tend = p + strcspn (p, " ");
        const char *eq = memchr (tok, '=', (size_t) (tend - tok));
        size_t klen = (size_t) ((eq ? eq : tend) - tok);
        const char *val = eq ? eq + 1 : tend;
        if (s_param (tok, klen, val, (size_t) (tend - val), eq != NULL, rcpt, out, reply, len) < 0)
            return -1;
        p = tend;
    }
    return 0;
}

int
command_attrs (const char *arg, bool xclient, command_attrs_t *out, char *reply, size_t len)
{
    static const char *xclient_names[] = { "NAME", "ADDR", "PORT", "PROTO", "HELO", "LOGIN",
                                           "DESTADDR", "DESTPORT", NULL };
    static const char *xforward_names[] = { "NAME", "ADDR", "PORT", "PROTO", "HELO", "IDENT",
                                            "SOURCE", NULL };
    const char **names = xclient ? xclient_names : xforward_names;
    const char *p = arg;
    size_t count = 0;
    if (!*p)
        return REPLY ("501 5.5.4 Syntax: %s attribute=value...", xclient ? "XCLIENT" : "XFORWARD");
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (++count > 16)
            return REPLY ("501 5.5.4 too many attributes");
        const char *tok = p, *tend = p + strcspn (p, " ");
        const char *eq = memchr (tok, '=', (size_t) (tend - tok));
        if (!eq)
            return REPLY ("501 5.5.4 Syntax: attribute=value");
        size_t klen = (size_t) (eq - tok), vlen = (size_t) (tend - eq - 1);
        bool known = false;
        for (size_t i = 0; names[i] && !known; i++)
            known = strlen (names[i]) == klen && !strncasecmp (tok, names[i], klen);
        if (!known)
            return REPLY ("501 5.5.4 bad attribute name: %.*s", (int) (klen > 32 ? 32 : klen), tok);
        char val[512];
        if (vlen >= sizeof val)
            return REPLY ("501 5.5.4 attribute value too long");
        memcpy (val, eq + 1, vlen);
        val[vlen] = 0;
        if (command_xtext_decode (val) < 0)
            return REPLY ("501 5.5.4 attribute value is not xtext");
        if (!strcmp (val, "[UNAVAILABLE]") || !strcmp (val, "[TEMPUNAVAIL]"))
            val[0] = 0;
        char *dst = NULL;
        size_t dlen = 0;
        bool *has = NULL;
#define ATTR(k, f) if (klen == strlen (k) && !strncasecmp (tok, k, klen)) \
            dst = out->f, dlen = sizeof out->f, has = &out->has_##f
        ATTR ("ADDR", addr);
        ATTR ("LOGIN", login);
        ATTR ("HELO", helo);
        ATTR ("IDENT", ident);
#undef ATTR
        if (dst) {
            const char *v = val;
            if (has == &out->has_addr && !strncasecmp (v, "IPV6:", 5))
                v += 5;
            if (strlen (v) >= dlen || !envelope_value_ok (v) || strchr (v, ' '))
                return REPLY ("501 5.5.4 bad value of %.*s", (int) klen, tok);
            memcpy (dst, v, strlen (v) + 1);
            *has = true;
        }
        p = tend;
    }
    return 0;
}

//  Strict base64 (the alphabet, padding only at the end, length a multiple
//  of 4, at most max bytes) decoded into d: 0, or -1 when it is not that.
static int
s_base64 (const char *b64, size_t max, strbuf_t *d)
{
    size_t n = strlen (b64);
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t body = strspn (b64, alphabet), pad = strspn (b64 + body, "=");
    if (n % 4 || body + pad != n || pad > 2 || n > max)
        return -1;
    codec_base64 (b64, n, d);
    return 0;
}

int
command_base64 (const char *b64, char *out, size_t len)
{
    strbuf_t d;
    strbuf_init (&d);
    int rc = s_base64 (b64, SIZE_MAX, &d) == 0 && d.len < len && (!d.len || !memchr (d.data, 0, d.len))
           ? 0 : -1;
    if (rc == 0) {
        if (d.len)
            memcpy (out, d.data, d.len);
        out[d.len] = 0;
    }
    strbuf_free (&d);
    return rc;
}

int
command_sasl_plain (const char *b64, char *user, size_t ulen, char *pass, size_t plen)
{
    strbuf_t d;
    strbuf_init (&d);
    if (!*b64 || s_base64 (b64, 2048, &d) < 0) {
        strbuf_free (&d);
        return -1;
    }
    int rc = -1;
    //  authzid NUL authcid NUL passwd, no other NUL.
    const char *a = d.data, *end = d.data + d.len;
    const char *z1 = d.len ? memchr (a, 0, d.len) : NULL;
    const char *z2 = z1 ? memchr (z1 + 1, 0, (size_t) (end - z1 - 1)) : NULL;
    if (z2 && !memchr (z2 + 1, 0, (size_t) (end - z2 - 1))) {
        size_t zl = (size_t) (z1 - a), ul = (size_t) (z2 - z1 - 1), pl = (size_t) (end - z2 - 1);
        bool same = zl == 0 || (zl == ul && !memcmp (a, z1 + 1, ul));
        if (same && ul > 0 && ul < ulen && pl > 0 && pl < plen) {
            memcpy (user, z1 + 1, ul);
            user[ul] = 0;
            memcpy (pass, z2 + 1, pl);
            pass[pl] = 0;
            rc = 0;
        }
    }
    strbuf_free (&d);
    return rc;
}
