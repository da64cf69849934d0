/*  lines.c: where a line ends (see lines.h). */
#include "lines.h"

const char *
lines_end (const char *p, const char *end, const char **next)
{
    const char *c = p;
    while (c < end && *c != '\n' && *c != '\r')
        c++;
    if (c == end)
        *next = end;
    else if (*c == '\r' && c + 1 < end && c[1] == '\n')
        *next = c + 2;
    else
        *next = c + 1;
    return c;
}
