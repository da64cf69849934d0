/*  xalloc.h: allocation that never returns NULL; running out of memory aborts
 *  (as Postfix's mymalloc and Redis's zmalloc do), so callers need no checks. */
#ifndef FARM_XALLOC_H
#define FARM_XALLOC_H
#include <stddef.h>
void *xmalloc (size_t n);
void *xcalloc (size_t count, size_t size);
void *xrealloc (void *p, size_t n);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
#endif
