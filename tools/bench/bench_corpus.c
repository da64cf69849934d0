/*  bench_corpus.c: the corpus in memory for farm-bench, ordered by the time
 *  each message was received; ROC AUC; `openssl speed` rates (see bench.h). */
#define _XOPEN_SOURCE 700
#include "bench.h"
#include "diag.h"
#include "envelope.h"
#include "rfcdate.h"
#include "sample.h"
#include "fileio.h"
#include "xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
bench_cmp_when (const void *a, const void *b)
{
    const item_t *x = a, *y = b;
    if (x->when != y->when)
        return x->when < y->when ? -1 : 1;
    return strcmp (x->path, y->path);
}

//  When the message was received: the From_ line's date, else Date:.
static int64_t
s_when (const char *msg, size_t len)
{
    if (len > 5 && !strncmp (msg, "From ", 5)) {
        const char *nl = memchr (msg, '\n', len);
        char line[256];
        size_t n = nl ? (size_t) (nl - msg) : len;
        if (n < sizeof line) {
            memcpy (line, msg, n);
            line[n] = 0;
            //  "From addr  Thu Aug 22 12:36:23 2002": the date is the last 24 chars.
            char *p = line + n;
            while (p > line && (p[-1] == ' ' || p[-1] == '\r'))
                *--p = 0;
            if (p - line > 24) {
                struct tm tm = { 0 };
                if (strptime (p - 24, "%a %b %d %H:%M:%S %Y", &tm))
                    return (int64_t) timegm (&tm);
            }
        }
    }
    const char *d = memmem (msg, len < 65536 ? len : 65536, "\nDate:", 6);
    if (d) {
        char v[256];
        const char *nl = memchr (d + 6, '\n', (size_t) (msg + len - (d + 6)));
        size_t n = nl ? (size_t) (nl - (d + 6)) : 0;
        if (n < sizeof v) {
            memcpy (v, d + 6, n);
            v[n] = 0;
            int64_t t;
            if (rfcdate_parse (v, &t) == 0)
                return t;
        }
    }
    return 0;
}

void
bench_collect (const char *dir, item_t **items, size_t *n, size_t *cap)
{
    dirwalk_t *d = dirwalk_open (dir);
    if (!d)
        diag_fatal ("%s: %s", dir, strerror (errno));
    for (const char *name; (name = dirwalk_next (d));) {
        if (name[0] == '.')
            continue;
        bool spam = strstr (name, "spam") != NULL;
        if (!spam && !strstr (name, "ham"))
            continue;
        char sub[4096];
        snprintf (sub, sizeof sub, "%s/%s", dir, name);
        char err[256];
        sample_t *s = sample_open (sub, err, sizeof err);
        if (!s)
            continue;
        for (size_t i = 0; i < sample_count (s); i++) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 1024;
                *items = xrealloc (*items, *cap * sizeof **items);
            }
            item_t *it = &(*items)[(*n)++];
            memset (it, 0, sizeof *it);
            char path[8192];
            snprintf (path, sizeof path, "%s/%s", sub, sample_name (s, i));
            it->path = xstrdup (path);
            it->spam = spam;
            int trunc;
            envelope_t *env = envelope_new ();
            if (sample_load (s, i, 8 << 20, &it->msg, &it->len, &trunc, env, err, sizeof err) < 0) {
                it->msg = xstrdup ("");
                it->len = 0;
            }
            envelope_destroy (&env);
            it->when = s_when (it->msg, it->len);
        }
        sample_destroy (&s);
    }
    dirwalk_destroy (&d);
}

static int
s_dcmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

//  ROC AUC: the chance a random spam scores above a random ham (ties half).
double
bench_auc (item_t *test, size_t n, bool bogo)
{
    double *hs = xmalloc (n * sizeof *hs), *ss = xmalloc (n * sizeof *ss);
    size_t nh = 0, ns = 0;
    for (size_t i = 0; i < n; i++) {
        double v = bogo ? test[i].bogo : test[i].score;
        if (test[i].spam)
            ss[ns++] = v;
        else
            hs[nh++] = v;
    }
    //  Sort both, then count pairs with a merge walk.
    qsort (hs, nh, sizeof *hs, s_dcmp);
    qsort (ss, ns, sizeof *ss, s_dcmp);
    double wins = 0;
    size_t lo = 0, hi = 0;
    for (size_t i = 0; i < ns; i++) {
        while (lo < nh && hs[lo] < ss[i])
            lo++;
        if (hi < lo)
            hi = lo;
        while (hi < nh && hs[hi] <= ss[i])
            hi++;
        wins += (double) lo + (double) (hi - lo) / 2;
    }
    free (hs);
    free (ss);
    return nh && ns ? wins / ((double) nh * (double) ns) : 0;
}

double
bench_openssl_rate (const char *out, const char *line_key)
{
    const char *p = strstr (out, line_key);
    if (!p)
        return 0;
    const char *nl = strchr (p, '\n');
    char line[256];
    size_t n = nl ? (size_t) (nl - p) : strlen (p);
    if (n >= sizeof line)
        return 0;
    memcpy (line, p, n);
    line[n] = 0;
    //  "... 0.000225s 0.000013s   4448.0  74657.0": sign/s is the second last.
    double v[8];
    int k = 0;
    for (char *save = NULL, *t = strtok_r (line, " \t", &save); t; t = strtok_r (NULL, " \t", &save)) {
        char *end;
        double d = strtod (t, &end);
        if (end != t && *end == 0)
            v[k++ % 8] = d;
    }
    return k >= 2 ? v[(k - 2) % 8] : 0;
}

