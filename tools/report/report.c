/*  report.c: the --html page of farm-replay (see report.h). */
#include "report.h"
#include "strbuf.h"
#include "xalloc.h"
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct {
    char *account;
    int64_t t;
    double spam;            //  NAN: not scored
    int verdict;            //  0 deliver 1 hold 2 reject 3 defer
    int label;              //  0 unknown 1 ham 2 spam
    bool compromise;        //  held for the account
} s_msg_t;

typedef struct {
    char name[48];
    size_t n;
} s_reason_t;

struct report_t {
    s_msg_t *m;
    size_t n, cap;
    s_reason_t *r;
    size_t nr, rcap;
};

report_t *
report_new (void)
{
    return xcalloc (1, sizeof (report_t));
}

void
report_destroy (report_t **self_p)
{
    report_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->n; i++)
        free (self->m[i].account);
    free (self->m);
    free (self->r);
    free (self);
    *self_p = NULL;
}

void
report_add (report_t *self, const char *file, const envelope_t *env)
{
    if (self->n == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 1024;
        self->m = xrealloc (self->m, self->cap * sizeof *self->m);
    }
    s_msg_t *m = &self->m[self->n++];
    m->account = xstrdup (env->account ? env->account : "");
    m->t = env->received_at != ENVELOPE_NO_TIME ? env->received_at : 0;
    m->spam = env->spam;
    const char *v = env->verdict ? env->verdict : "";
    m->verdict = !strcmp (v, "hold") ? 1 : !strcmp (v, "reject") ? 2 : !strcmp (v, "defer") ? 3 : 0;
    m->label = strcasestr (file, "spam") ? 2 : strcasestr (file, "ham") ? 1 : 0;
    m->compromise = false;
    for (size_t i = 0; i < env->reason_count; i++) {
        const char *r = env->reasons[i];
        if (!strncmp (r, "compromise:", 11) || !strncmp (r, "account-flagged:", 16))
            m->compromise = true;
        char name[48];
        size_t k = 0;
        while (r[k] && r[k] != ':' && r[k] != ' ' && k < sizeof name - 1) {
            name[k] = r[k];
            k++;
        }
        name[k] = 0;
        size_t j = 0;
        while (j < self->nr && strcmp (self->r[j].name, name))
            j++;
        if (j == self->nr) {
            if (self->nr == self->rcap) {
                self->rcap = self->rcap ? self->rcap * 2 : 32;
                self->r = xrealloc (self->r, self->rcap * sizeof *self->r);
            }
            snprintf (self->r[self->nr].name, sizeof self->r[0].name, "%s", name);
            self->r[self->nr++].n = 0;
        }
        self->r[j].n++;
    }
}

//  Text safe inside HTML.
static void
s_esc (strbuf_t *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') strbuf_adds (o, "&lt;");
        else if (*s == '>') strbuf_adds (o, "&gt;");
        else if (*s == '&') strbuf_adds (o, "&amp;");
        else if (*s == '"') strbuf_adds (o, "&quot;");
        else strbuf_addc (o, *s);
    }
}

#define W 720
#define H 220
#define L 50        //  left margin
#define B 30        //  bottom margin

static const char *s_vcolor[] = { "#3a7", "#e90", "#c33", "#69c" };
static const char *s_vname[] = { "deliver", "hold", "reject", "defer" };

static void
s_axes (strbuf_t *o, double ymax, const char *ylabel, const char *xl, const char *xr)
{
    strbuf_printf (o, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>", L, H - B, W - 10, H - B);
    strbuf_printf (o, "<line x1='%d' y1='10' x2='%d' y2='%d' stroke='#333'/>", L, L, H - B);
    strbuf_printf (o, "<text x='%d' y='16' font-size='11' text-anchor='end'>%.0f</text>", L - 4, ymax);
    strbuf_printf (o, "<text x='%d' y='%d' font-size='11' text-anchor='end'>0</text>", L - 4, H - B);
    strbuf_printf (o, "<text x='12' y='%d' font-size='11' transform='rotate(-90 12 %d)' text-anchor='middle'>",
                   H / 2, H / 2);
    s_esc (o, ylabel);
    strbuf_printf (o, "</text><text x='%d' y='%d' font-size='11'>", L, H - 10);
    s_esc (o, xl);
    strbuf_printf (o, "</text><text x='%d' y='%d' font-size='11' text-anchor='end'>", W - 10, H - 10);
    s_esc (o, xr);
    strbuf_adds (o, "</text>");
}

static void
s_time (int64_t t, char *out, size_t n)
{
    time_t tt = (time_t) t;
    struct tm tm;
    strftime (out, n, "%Y-%m-%d %H:%M", gmtime_r (&tt, &tm));
}

//  The spam-score histogram: 20 bins, ham and spam apart when known.
static void
s_scores (report_t *self, strbuf_t *o)
{
    size_t bins[3][20] = { { 0 } }, scored = 0;
    for (size_t i = 0; i < self->n; i++) {
        double s = self->m[i].spam;
        if (!(s >= 0 && s <= 1))
            continue;
        int b = (int) (s * 20);
        bins[self->m[i].label][b > 19 ? 19 : b]++;
        scored++;
    }
    double ymax = 1;
    for (int l = 0; l < 3; l++)
        for (int b = 0; b < 20; b++)
            ymax = bins[l][b] > ymax ? bins[l][b] : ymax;
    strbuf_printf (o, "<h2>Spam-score distribution</h2><p>%zu messages scored; bars per 0.05 of "
                   "spam probability%s.</p><svg width='%d' height='%d' role='img' aria-label='scores'>",
                   scored, bins[1][0] + bins[2][0] ? " (green: ham, red: spam, grey: unlabelled, by file name)" : "",
                   W, H);
    double bw = (W - L - 10) / 20.0;
    static const char *col[] = { "#999", "#3a7", "#c33" };
    for (int b = 0; b < 20; b++) {
        int k = 0;
        for (int l = 0; l < 3; l++) {
            if (!bins[l][b])
                continue;
            //  A sqrt scale: the few in the middle stay visible beside the many.
            double h = (H - B - 10) * sqrt ((double) bins[l][b]) / sqrt (ymax);
            strbuf_printf (o, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s' opacity='0.8'>"
                           "<title>%.2f-%.2f: %zu</title></rect>", L + b * bw + k * bw / 3, H - B - h, bw / 3,
                           h, col[l], b / 20.0, (b + 1) / 20.0, bins[l][b]);
            k++;
        }
    }
    s_axes (o, ymax, "messages (sqrt scale)", "0 (ham)", "1 (spam)");
    strbuf_adds (o, "</svg>");
}

//  Verdicts over time: stacked bars in 40 buckets of received-at.
static void
s_timeline (report_t *self, strbuf_t *o, int64_t t0, int64_t t1)
{
    enum { NB = 40 };
    size_t c[NB][4] = { { 0 } };
    double span = t1 > t0 ? (double) (t1 - t0) : 1;
    for (size_t i = 0; i < self->n; i++) {
        int b = (int) ((self->m[i].t - t0) / span * NB);
        c[b < 0 ? 0 : b >= NB ? NB - 1 : b][self->m[i].verdict]++;
    }
    double ymax = 1;
    for (int b = 0; b < NB; b++)
        ymax = fmax (ymax, (double) (c[b][0] + c[b][1] + c[b][2] + c[b][3]));
    char a[32], z[32];
    s_time (t0, a, sizeof a);
    s_time (t1, z, sizeof z);
    strbuf_printf (o, "<h2>Verdicts over time</h2><p>By the time each message was received; "
                   "<span style='color:%s'>deliver</span>, <span style='color:%s'>hold</span>, "
                   "<span style='color:%s'>reject</span>, <span style='color:%s'>defer</span>.</p>"
                   "<svg width='%d' height='%d' role='img' aria-label='verdicts over time'>",
                   s_vcolor[0], s_vcolor[1], s_vcolor[2], s_vcolor[3], W, H);
    double bw = (W - L - 10) / (double) NB;
    for (int b = 0; b < NB; b++) {
        double y = H - B;
        for (int v = 0; v < 4; v++) {
            if (!c[b][v])
                continue;
            double h = (H - B - 10) * c[b][v] / ymax;
            y -= h;
            strbuf_printf (o, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'><title>%s %zu</title></rect>",
                           L + b * bw, y, bw - 1, h, s_vcolor[v], s_vname[v], c[b][v]);
        }
    }
    s_axes (o, ymax, "messages", a, z);
    strbuf_adds (o, "</svg>");
}

static int
s_cmp_acc (const void *x, const void *y)
{
    const s_msg_t *a = x, *b = y;
    int c = strcmp (a->account, b->account);
    return c ? c : (a->t > b->t) - (a->t < b->t);
}

//  The busiest and the flagged accounts: messages per bucket, holds marked.
static void
s_accounts (report_t *self, strbuf_t *o, int64_t t0, int64_t t1)
{
    //  Sort a copy by account, then pick the top five by count and every
    //  account with a compromise hold (at most ten lines in all).
    s_msg_t *m = xmalloc ((self->n ? self->n : 1) * sizeof *m);
    memcpy (m, self->m, self->n * sizeof *m);
    qsort (m, self->n, sizeof *m, s_cmp_acc);
    typedef struct { size_t from, n; bool flagged; } run_t;
    run_t *runs = xmalloc ((self->n ? self->n : 1) * sizeof *runs);
    size_t nr = 0;
    for (size_t i = 0; i < self->n;) {
        size_t j = i;
        bool f = false;
        while (j < self->n && !strcmp (m[j].account, m[i].account))
            f |= m[j++].compromise;
        runs[nr++] = (run_t) { i, j - i, f };
        i = j;
    }
    run_t pick[10];
    size_t np = 0;
    for (size_t i = 0; i < nr && np < 10; i++)
        if (runs[i].flagged)
            pick[np++] = runs[i];
    for (int k = 0; k < 5 && np < 10; k++) {
        size_t best = nr;
        for (size_t i = 0; i < nr; i++) {
            bool taken = runs[i].flagged;
            for (size_t p = 0; p < np && !taken; p++)
                taken = pick[p].from == runs[i].from;
            if (!taken && (best == nr || runs[i].n > runs[best].n))
                best = i;
        }
        if (best < nr)
            pick[np++] = runs[best];
    }
    enum { NB = 60 };
    double span = t1 > t0 ? (double) (t1 - t0) : 1, ymax = 1;
    size_t (*c)[NB] = xcalloc (np ? np : 1, sizeof *c);
    for (size_t p = 0; p < np; p++)
        for (size_t i = pick[p].from; i < pick[p].from + pick[p].n; i++) {
            int b = (int) ((m[i].t - t0) / span * NB);
            b = b < 0 ? 0 : b >= NB ? NB - 1 : b;
            c[p][b]++;
            ymax = fmax (ymax, (double) c[p][b]);
        }
    static const char *col[] = { "#36c", "#c33", "#3a7", "#e90", "#939", "#0aa", "#a60", "#666", "#c6c", "#063" };
    strbuf_printf (o, "<h2>The busiest and the flagged accounts</h2><p>Messages per %.0f minutes; a "
                   "black dot marks a message held for the account (compromise or flag).</p>"
                   "<svg width='%d' height='%d' role='img' aria-label='accounts over time'>",
                   span / NB / 60, W, H);
    double bw = (W - L - 10) / (double) NB;
    for (size_t p = 0; p < np; p++) {
        strbuf_printf (o, "<polyline fill='none' stroke='%s' stroke-width='1.5' points='", col[p]);
        for (int b = 0; b < NB; b++)
            strbuf_printf (o, "%.1f,%.1f ", L + (b + 0.5) * bw, H - B - (H - B - 10) * c[p][b] / ymax);
        strbuf_adds (o, "'/>");
        for (size_t i = pick[p].from; i < pick[p].from + pick[p].n; i++)
            if (m[i].compromise) {
                int b = (int) ((m[i].t - t0) / span * NB);
                b = b < 0 ? 0 : b >= NB ? NB - 1 : b;
                strbuf_printf (o, "<circle cx='%.1f' cy='%.1f' r='2.5' fill='#000'/>", L + (b + 0.5) * bw,
                               H - B - (H - B - 10) * c[p][b] / ymax);
            }
    }
    char a[32], z[32];
    s_time (t0, a, sizeof a);
    s_time (t1, z, sizeof z);
    s_axes (o, ymax, "messages", a, z);
    strbuf_adds (o, "</svg><p>");
    for (size_t p = 0; p < np; p++) {
        strbuf_printf (o, "<span style='color:%s'>&#9632; ", col[p]);
        s_esc (o, m[pick[p].from].account);
        strbuf_printf (o, " (%zu%s)</span> ", pick[p].n, pick[p].flagged ? ", held" : "");
    }
    strbuf_adds (o, "</p>");
    free (c);
    free (runs);
    free (m);
}

static int
s_cmp_reason (const void *x, const void *y)
{
    const s_reason_t *a = x, *b = y;
    return (b->n > a->n) - (b->n < a->n);
}

static void
s_reasons (report_t *self, strbuf_t *o)
{
    qsort (self->r, self->nr, sizeof *self->r, s_cmp_reason);
    size_t k = self->nr < 15 ? self->nr : 15;
    double ymax = k ? (double) self->r[0].n : 1;
    int h = 22 * (int) k + 10;
    strbuf_printf (o, "<h2>Top reasons</h2><svg width='%d' height='%d' role='img' aria-label='reasons'>", W, h);
    for (size_t i = 0; i < k; i++) {
        double w = (W - 260) * self->r[i].n / ymax;
        strbuf_printf (o, "<text x='170' y='%zu' font-size='12' text-anchor='end'>", 22 * i + 20);
        s_esc (o, self->r[i].name);
        strbuf_printf (o, "</text><rect x='176' y='%zu' width='%.1f' height='16' fill='#69c'/>"
                       "<text x='%.1f' y='%zu' font-size='12'>%zu</text>", 22 * i + 7, w, 180 + w,
                       22 * i + 20, self->r[i].n);
    }
    strbuf_adds (o, "</svg>");
}

static int
s_cmp_i64 (const void *x, const void *y)
{
    int64_t a = *(const int64_t *) x, b = *(const int64_t *) y;
    return (a > b) - (a < b);
}

int
report_write (report_t *self, const char *title, FILE *out)
{
    strbuf_t o;
    strbuf_init (&o);
    size_t v[4] = { 0 };
    //  The time axis: from the 1st to the 99th percentile of received-at, so
    //  that a few absurd dates (a spammer's Date: header) do not squash the
    //  rest; those outside land in the first or last bucket.
    int64_t *ts = xmalloc ((self->n ? self->n : 1) * sizeof *ts), t0 = 0, t1 = 0;
    for (size_t i = 0; i < self->n; i++) {
        v[self->m[i].verdict]++;
        ts[i] = self->m[i].t;
    }
    if (self->n) {
        qsort (ts, self->n, sizeof *ts, s_cmp_i64);
        t0 = ts[self->n / 100];
        t1 = ts[self->n - 1 - self->n / 100];
    }
    free (ts);
    strbuf_adds (&o, "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>");
    s_esc (&o, title);
    strbuf_adds (&o, "</title><style>body{font-family:sans-serif;margin:24px;max-width:780px;color:#222}"
                     "h1{font-size:20px}h2{font-size:16px;margin-top:28px}td,th{padding:2px 10px;text-align:right}"
                     "svg{background:#fafafa;border:1px solid #ddd}</style></head><body><h1>");
    s_esc (&o, title);
    strbuf_printf (&o, "</h1><table><tr><th>messages</th><th>deliver</th><th>hold</th><th>reject</th>"
                   "<th>defer</th></tr><tr><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td></tr></table>",
                   self->n, v[0], v[1], v[2], v[3]);
    s_scores (self, &o);
    s_timeline (self, &o, t0, t1);
    s_accounts (self, &o, t0, t1);
    s_reasons (self, &o);
    strbuf_adds (&o, "<p style='color:#888;font-size:12px'>Made by farm-replay --html.</p></body></html>\n");
    size_t len = o.len, w = fwrite (o.data, 1, len, out);
    strbuf_free (&o);
    return w == len ? 0 : -1;
}
