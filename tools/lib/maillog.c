/*  maillog.c: Postfix maillog lines into submissions (see maillog.h). */
#include "maillog.h"
#include "xalloc.h"
#include <ctype.h>
#include <czmq.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    char *account;              //  sasl_username, when smtpd said it
    char *from;                 //  the envelope sender
    bool have_from;
    int64_t t;
    char **rcpt;
    size_t nrcpt;
} s_open_t;

struct maillog_t {
    zhashx_t *open;             //  queue id -> s_open_t
    int year, last_month;       //  for times without a year
    int64_t last_t;
    maillog_stats_t stats;
};

static void
s_open_free (void **item)
{
    s_open_t *o = *item;
    if (!o)
        return;
    free (o->account);
    free (o->from);
    for (size_t i = 0; i < o->nrcpt; i++)
        free (o->rcpt[i]);
    free (o->rcpt);
    free (o);
    *item = NULL;
}

maillog_t *
maillog_new (int year)
{
    maillog_t *self = xcalloc (1, sizeof *self);
    self->open = zhashx_new ();
    zhashx_set_destructor (self->open, s_open_free);
    if (!year) {
        time_t now = time (NULL);
        struct tm tm;
        gmtime_r (&now, &tm);
        year = tm.tm_year + 1900;
    }
    self->year = year;
    self->last_month = -1;
    return self;
}

void
maillog_destroy (maillog_t **self_p)
{
    maillog_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->open);
    free (self);
    *self_p = NULL;
}

const maillog_stats_t *maillog_stats (maillog_t *self) { return &self->stats; }

static int
s_num (const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit ((unsigned char) p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

//  The line's time into *t and the length of its head up to the host name's
//  end ("Mon DD HH:MM:SS host " or ISO 8601 "YYYY-MM-DDTHH:MM:SS... host ");
//  0 when it is no syslog head.
static size_t
s_time (maillog_t *self, const char *p, size_t len, int64_t *t)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;
    memset (&tm, 0, sizeof tm);
    size_t i;
    if (len >= 20 && isdigit ((unsigned char) p[0]) && p[4] == '-' && p[10] == 'T') {
        tm.tm_year = s_num (p, 4) - 1900;
        tm.tm_mon = s_num (p + 5, 2) - 1;
        tm.tm_mday = s_num (p + 8, 2);
        tm.tm_hour = s_num (p + 11, 2);
        tm.tm_min = s_num (p + 14, 2);
        tm.tm_sec = s_num (p + 17, 2);
        if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_hour < 0
            || tm.tm_min < 0 || tm.tm_sec < 0)
            return 0;
        i = 19;
        while (i < len && p[i] != ' ')      //  fraction and zone (taken as UTC when +00:00)
            i++;
    }
    else if (len >= 16 && p[3] == ' ' && p[6] == ' ' && p[9] == ':' && p[12] == ':') {
        const char *m = NULL;
        for (int k = 0; k < 12 && !m; k++)
            if (!memcmp (p, months + 3 * k, 3))
                m = months + 3 * k;
        if (!m)
            return 0;
        tm.tm_mon = (int) (m - months) / 3;
        tm.tm_mday = p[4] == ' ' ? s_num (p + 5, 1) : s_num (p + 4, 2);
        tm.tm_hour = s_num (p + 7, 2);
        tm.tm_min = s_num (p + 10, 2);
        tm.tm_sec = s_num (p + 13, 2);
        if (tm.tm_mday < 1 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0)
            return 0;
        //  A log that runs from December into January: the year moves on.
        if (self->last_month == 11 && tm.tm_mon == 0)
            self->year++;
        self->last_month = tm.tm_mon;
        tm.tm_year = self->year - 1900;
        i = 15;
    }
    else
        return 0;
    if (i >= len || p[i] != ' ')
        return 0;
    //  The host name.
    i++;
    size_t h = i;
    while (i < len && p[i] != ' ')
        i++;
    if (i == h || i >= len)
        return 0;
    *t = (int64_t) timegm (&tm);
    return i + 1;
}

//  A delivery farm-smtpd took: its reply "queued as" a farm queue id (24
//  hex digits), as the content filter's smtp transport logs it.
static bool
s_farm_reply (const char *p, size_t len)
{
    static const char key[] = "queued as ";
    const char *end = p + len;
    for (const char *q = memmem (p, len, key, sizeof key - 1); q;
         q = memmem (q + 1, (size_t) (end - q - 1), key, sizeof key - 1)) {
        const char *id = q + sizeof key - 1;
        size_t n = 0;
        while (id + n < end && ((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
            n++;
        if (n == 24 && (id + n == end || id[n] == ')'))
            return true;
    }
    return false;
}

static char *
s_field (const char *p, size_t len, const char *key)
{
    size_t kl = strlen (key);
    for (size_t i = 0; i + kl <= len; i++) {
        if ((i == 0 || p[i - 1] == ' ') && !memcmp (p + i, key, kl)) {
            size_t s = i + kl, e = s;
            while (e < len && p[e] != ',' && p[e] != ' ')
                e++;
            return xstrndup (p + s, e - s);
        }
    }
    return NULL;
}

//  <addr> without its brackets.
static char *
s_unbracket (char *a)
{
    size_t n = strlen (a);
    if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
        memmove (a, a + 1, n - 2);
        a[n - 2] = 0;
    }
    return a;
}

//  Whether p[0..len) starts with word (p need not end in a NUL).
static bool
s_starts (const char *p, size_t len, const char *word)
{
    size_t n = strlen (word);
    return len >= n && !memcmp (p, word, n);
}

static void
s_emit (maillog_t *self, s_open_t *o, maillog_fn *fn, void *arg)
{
    if (!o->have_from || !o->nrcpt)
        return;
    if (!o->from || !*o->from) {
        self->stats.null_sender++;
        return;
    }
    maillog_msg_t m = { o->account && *o->account ? o->account : o->from, o->t, o->rcpt, o->nrcpt };
    self->stats.messages++;
    fn (arg, &m);
}

void
maillog_line (maillog_t *self, const char *p, size_t len, maillog_fn *fn, void *arg)
{
    self->stats.lines++;
    if (len > MAILLOG_LINE) {
        self->stats.too_long++;
        return;
    }
    int64_t t;
    size_t h = s_time (self, p, len, &t);
    if (!h) {
        self->stats.not_syslog++;
        return;
    }
    p += h, len -= h;
    //  The program: postfix..., "[pid]: " after it.
    const char *colon = memchr (p, ':', len);
    if (!s_starts (p, len, "postfix") || !colon || colon + 2 > p + len || colon[1] != ' ') {
        self->stats.not_postfix++;
        return;
    }
    const char *prog_end = colon;
    size_t rest = len - (size_t) (colon + 2 - p);
    p = colon + 2;
    //  The queue id.
    size_t q = 0;
    while (q < rest && q < 24 && isalnum ((unsigned char) p[q]))
        q++;
    if (q < 5 || q + 2 > rest || p[q] != ':' || p[q + 1] != ' ')
        return;     //  a line about no message (connect, warning, ...)
    char qid[32];
    memcpy (qid, p, q);
    qid[q] = 0;
    const char *body = p + q + 2;
    size_t blen = rest - q - 2;
    (void) prog_end;
    s_open_t *o = zhashx_lookup (self->open, qid);
    bool removed = blen == 7 && !memcmp (body, "removed", 7);
    if (removed) {
        if (o) {
            s_emit (self, o, fn, arg);
            zhashx_delete (self->open, qid);
        }
        return;
    }
    if (!o) {
        if (zhashx_size (self->open) >= MAILLOG_OPEN) {
            self->stats.dropped_open++;
            return;
        }
        o = xcalloc (1, sizeof *o);
        o->t = t;
        zhashx_insert (self->open, qid, o);
    }
    if (s_starts (body, blen, "client=")) {
        char *u = s_field (body, blen, "sasl_username=");
        if (u) {
            free (o->account);
            o->account = u;
        }
    }
    else if (s_starts (body, blen, "from=")) {
        char *f = s_field (body, blen, "from=");
        free (o->from);
        o->from = f ? s_unbracket (f) : xstrdup ("");
        o->have_from = true;
        if (t < self->last_t - 3600)
            self->stats.out_of_order++;
        if (t > self->last_t)
            self->last_t = t;
        o->t = t;
    }
    else if (s_starts (body, blen, "to=")) {
        char *relay = s_field (body, blen, "relay=");
        bool to_farm = (relay && !strncmp (relay, "farm", 4)) || s_farm_reply (body, blen);
        free (relay);
        if (to_farm) {
            self->stats.to_farm++;
            return;
        }
        char *to = s_field (body, blen, "to=");
        if (!to)
            return;
        s_unbracket (to);
        bool dup = false;
        for (size_t i = 0; i < o->nrcpt && !dup; i++)
            dup = !strcmp (o->rcpt[i], to);
        if (dup || !*to || o->nrcpt >= MAILLOG_RCPT) {
            if (!dup && *to)
                self->stats.too_many++;
            free (to);
            return;
        }
        o->rcpt = xrealloc (o->rcpt, (o->nrcpt + 1) * sizeof *o->rcpt);
        o->rcpt[o->nrcpt++] = to;
    }
}

void
maillog_finish (maillog_t *self, maillog_fn *fn, void *arg)
{
    for (s_open_t *o = zhashx_first (self->open); o; o = zhashx_next (self->open))
        s_emit (self, o, fn, arg);
    zhashx_purge (self->open);
}
