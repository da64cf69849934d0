/*  rfcdate.c: date-time parsing per RFC 5322 3.3 and 4.3 (obsolete zones,
 *  two-digit years, missing seconds or weekday). Strict on ranges so that a
 *  hostile Date: cannot produce an absurd time silently. */
#include "rfcdate.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *s_months[] = { "jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec" };

static const struct { const char *name; int minutes; } s_zones[] = {
    { "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
    { "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
    { "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
};

//  Skip white space and comments.
static const char *
s_skip (const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (*p != '(')
            return p;
        int depth = 0;
        do {
            if (*p == '(')
                depth++;
            else if (*p == ')')
                depth--;
            p++;
        } while (*p && depth > 0);
    }
}

static int
s_num (const char **pp, int maxdigits, int *out)
{
    const char *p = *pp;
    int v = 0, n = 0;
    while (isdigit ((unsigned char) *p) && n < maxdigits) {
        v = v * 10 + (*p - '0');
        p++, n++;
    }
    if (n == 0 || isdigit ((unsigned char) *p))
        return -1;
    *out = v;
    *pp = p;
    return n;
}

int
rfcdate_parse (const char *value, int64_t *out)
{
    const char *p = s_skip (value);
    //  Optional day of week.
    if (isalpha ((unsigned char) *p)) {
        while (isalpha ((unsigned char) *p))
            p++;
        p = s_skip (p);
        if (*p == ',')
            p = s_skip (p + 1);
    }
    int day, year, hour, min, sec = 0;
    if (s_num (&p, 2, &day) < 0 || day < 1 || day > 31)
        return -1;
    p = s_skip (p);
    int mon = -1;
    for (int i = 0; i < 12; i++)
        if (strncasecmp (p, s_months[i], 3) == 0)
            mon = i;
    if (mon < 0)
        return -1;
    while (isalpha ((unsigned char) *p))
        p++;
    p = s_skip (p);
    int ydigits = s_num (&p, 4, &year);
    if (ydigits < 0)
        return -1;
    if (ydigits <= 2)
        year += year < 50 ? 2000 : 1900;
    else if (ydigits == 3)
        year += 1900;
    if (year < 1970 || year > 9999)
        return -1;
    p = s_skip (p);
    if (s_num (&p, 2, &hour) < 0 || hour > 23 || *p != ':')
        return -1;
    p++;
    if (s_num (&p, 2, &min) < 0 || min > 59)
        return -1;
    if (*p == ':') {
        p++;
        if (s_num (&p, 2, &sec) < 0 || sec > 60)
            return -1;
    }
    p = s_skip (p);
    int offset = 0;
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, hhmm;
        p++;
        if (s_num (&p, 4, &hhmm) != 4 || hhmm % 100 > 59)
            return -1;
        offset = sign * ((hhmm / 100) * 60 + hhmm % 100);
    }
    else if (isalpha ((unsigned char) *p)) {
        size_t zl = 0;
        while (isalpha ((unsigned char) p[zl]))
            zl++;
        for (size_t i = 0; i < sizeof s_zones / sizeof s_zones[0]; i++)
            if (strlen (s_zones[i].name) == zl && strncasecmp (p, s_zones[i].name, zl) == 0)
                offset = s_zones[i].minutes;
        //  Other zone names: RFC 5322 says treat as +0000.
    }
    struct tm tm = { .tm_year = year - 1900, .tm_mon = mon, .tm_mday = day,
                     .tm_hour = hour, .tm_min = min, .tm_sec = sec };
    time_t t = timegm (&tm);
    if (t == (time_t) -1)
        return -1;
    *out = (int64_t) t - (int64_t) offset * 60;
    return 0;
}
