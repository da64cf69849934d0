/*  address.c: a bounded address-list scanner (RFC 5322 section 3.4).
 *  Walks the value once, tracking quotes, comments (nested, bounded), angle
 *  brackets and groups; it never reads past the terminating NUL. */
#include "address.h"
#include "xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ADDRESS 1024

static void
s_emit (const char *buf, size_t n, char **out, size_t max, size_t *count, int *more)
{
    while (n > 0 && isspace ((unsigned char) buf[n - 1]))
        n--;
    size_t s = 0;
    while (s < n && isspace ((unsigned char) buf[s]))
        s++;
    if (s == n)
        return;
    if (*count >= max) {
        *more = 1;
        return;
    }
    char *a = xstrndup (buf + s, n - s);
    char *at = strrchr (a, '@');
    if (at)
        for (char *p = at + 1; *p; p++)
            *p = (char) tolower ((unsigned char) *p);
    out[(*count)++] = a;
}

size_t
address_list (const char *value, char **out, size_t max, int *more)
{
    char plain[MAX_ADDRESS], angle[MAX_ADDRESS];
    size_t np = 0, na = 0, count = 0;
    int depth = 0, inquote = 0, inangle = 0, sawangle = 0;
    *more = 0;
    for (const char *p = value;; p++) {
        char c = *p;
        if (c == 0 || (!inquote && !depth && !inangle && (c == ',' || c == ';'))) {
            if (sawangle)
                s_emit (angle, na, out, max, &count, more);
            else
                s_emit (plain, np, out, max, &count, more);
            np = na = 0;
            sawangle = inangle = 0;
            if (c == 0)
                break;
            continue;
        }
        if (inquote) {
            if (c == '\\' && p[1])
                p++;
            else if (c == '"')
                inquote = 0;
            //  Quoted local parts are kept as they are.
            if (np < sizeof plain - 1)
                plain[np++] = *p;
            if (inangle && na < sizeof angle - 1)
                angle[na++] = *p;
            continue;
        }
        if (depth) {
            if (c == '\\' && p[1])
                p++;
            else if (c == '(')
                depth = depth < 64 ? depth + 1 : depth;
            else if (c == ')')
                depth--;
            continue;
        }
        if (c == '(') {
            depth = 1;
            continue;
        }
        if (c == '"') {
            inquote = 1;
            if (np < sizeof plain - 1)
                plain[np++] = c;
            if (inangle && na < sizeof angle - 1)
                angle[na++] = c;
            continue;
        }
        if (c == '<' && !inangle) {
            inangle = sawangle = 1;
            na = 0;
            continue;
        }
        if (c == '>' && inangle) {
            inangle = 0;
            continue;
        }
        if (c == ':' && !inangle) {
            //  "group name:" -- what came before is the group's name.
            np = 0;
            continue;
        }
        if (inangle) {
            if (na < sizeof angle - 1 && !isspace ((unsigned char) c))
                angle[na++] = c;
        }
        else if (np < sizeof plain - 1)
            plain[np++] = c;
    }
    return count;
}

const char *
address_domain (const char *addr)
{
    const char *at = strrchr (addr, '@');
    return at && at[1] ? at + 1 : NULL;
}
