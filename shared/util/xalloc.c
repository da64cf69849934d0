/*  xalloc.c: allocation wrappers that abort on exhaustion. */
#include "xalloc.h"
#include "diag.h"
#include <stdlib.h>
#include <string.h>

static void *
s_check (void *p, size_t n)
{
    if (!p && n)
        diag_panic ("out of memory allocating %zu bytes", n);
    return p;
}

void *xmalloc (size_t n) { return s_check (malloc (n ? n : 1), n); }
void *xcalloc (size_t c, size_t s) { return s_check (calloc (c ? c : 1, s ? s : 1), c * s); }
void *xrealloc (void *p, size_t n) { return s_check (realloc (p, n ? n : 1), n); }
char *xstrdup (const char *s) { return s_check (strdup (s), strlen (s) + 1); }
char *xstrndup (const char *s, size_t n) { return s_check (strndup (s, n), n + 1); }
