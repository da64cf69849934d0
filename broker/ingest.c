/*  ingest.c: claiming work from the ingest spools (see ingest.h).
 *  The rename into active/ is the lock: whoever renames first owns the file.
 *  Files in incoming/ whose names are not queue ids are moved to corrupt/. */
#include "ingest.h"
#include "diag.h"
#include "fileio.h"
#include "xalloc.h"
#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    spool_t *spool;
    spool_dir_t dir;
    int wd;
    char (*names)[QID_SIZE];    //  sorted oldest first
    size_t count, pos;
    bool dirty;
    bool more;                  //  the last scan left ids out: rescan when drained
    int64_t next_scan;          //  ms
    int64_t earliest;           //  deferred/: the earliest not yet due, unix seconds (0: none)
} s_source_t;

struct ingest_t {
    spool_t *main;
    s_source_t *sources;
    size_t nsources, rr;
    size_t batch;
    int64_t rescan_ms;
    int ifd;
    char (*heap)[QID_SIZE];     //  scan scratch: max-heap of the batch oldest ids
    bool stream;                //  deferred mail is due by the messages' time (ingest_stream)
    int64_t stream_now;         //  ... the newest message time dispatched
};

static void
s_watch (ingest_t *self, s_source_t *s)
{
    s->wd = -1;
    if (self->ifd < 0)
        return;
    char path[4096];
    snprintf (path, sizeof path, "%s/%s", spool_root (s->spool), spool_dir_name (s->dir));
    s->wd = inotify_add_watch (self->ifd, path, IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
    if (s->wd < 0)
        diag_warn ("inotify on %s: %s; relying on rescans", path, strerror (errno));
}

ingest_t *
ingest_new (spool_t *main, spool_t **extra, size_t nextra, size_t scan_batch, int64_t rescan_ms)
{
    ingest_t *self = xcalloc (1, sizeof *self);
    self->main = main;
    self->batch = scan_batch;
    self->rescan_ms = rescan_ms;
    self->heap = xcalloc (scan_batch, QID_SIZE);
    self->ifd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
    if (self->ifd < 0)
        diag_warn ("inotify: %s; relying on rescans every %lld ms", strerror (errno),
                   (long long) rescan_ms);
    self->nsources = nextra + 2;
    self->sources = xcalloc (self->nsources, sizeof *self->sources);
    for (size_t i = 0; i < self->nsources; i++) {
        s_source_t *s = &self->sources[i];
        s->spool = i == 0 ? main : i <= nextra ? extra[i - 1] : main;
        s->dir = i == self->nsources - 1 ? SPOOL_DEFERRED : SPOOL_INCOMING;
        s->names = xcalloc (scan_batch, QID_SIZE);
        s->dirty = true;
        s_watch (self, s);
    }
    return self;
}

void
ingest_destroy (ingest_t **self_p)
{
    ingest_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->nsources; i++)
        free (self->sources[i].names);
    free (self->sources);
    free (self->heap);
    if (self->ifd >= 0)
        close (self->ifd);
    free (self);
    *self_p = NULL;
}

int
ingest_fd (ingest_t *self)
{
    return self->ifd;
}

void
ingest_notified (ingest_t *self)
{
    char buf[8192] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
    ssize_t n;
    while ((n = read (self->ifd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *) p;
            for (size_t i = 0; i < self->nsources; i++)
                if (ev->wd == self->sources[i].wd || (ev->mask & IN_Q_OVERFLOW))
                    self->sources[i].dirty = true;
            p += sizeof *ev + ev->len;
        }
    }
}

//  Max-heap on queue id order, to keep the `batch` smallest ids of a scan.
static void
s_heap_push (char (*h)[QID_SIZE], size_t *n, size_t cap, const char *id)
{
    if (*n == cap) {
        if (strcmp (id, h[0]) >= 0)
            return;
        //  Replace the largest and sift down.
        memcpy (h[0], id, QID_SIZE);
        size_t i = 0;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < *n && strcmp (h[l], h[m]) > 0) m = l;
            if (r < *n && strcmp (h[r], h[m]) > 0) m = r;
            if (m == i) break;
            char t[QID_SIZE];
            memcpy (t, h[i], QID_SIZE); memcpy (h[i], h[m], QID_SIZE); memcpy (h[m], t, QID_SIZE);
            i = m;
        }
        return;
    }
    size_t i = (*n)++;
    memcpy (h[i], id, QID_SIZE);
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (strcmp (h[p], h[i]) >= 0) break;
        char t[QID_SIZE];
        memcpy (t, h[i], QID_SIZE); memcpy (h[i], h[p], QID_SIZE); memcpy (h[p], t, QID_SIZE);
        i = p;
    }
}

static int
s_cmp (const void *a, const void *b)
{
    return strcmp (a, b);
}

static void
s_quarantine_name (ingest_t *self, s_source_t *s, const char *name)
{
    char to[QID_SIZE + 300];
    char id[QID_SIZE];
    qid_make (id);
    snprintf (to, sizeof to, "badname-%s-%.200s", id, name);   //  within NAME_MAX
    if (batch_rename (spool_fd (s->spool, s->dir), name, spool_fd (self->main, SPOOL_CORRUPT), to) == 0)
        diag_warn ("%s/%s/%s: not a queue id; moved to corrupt/%s", spool_root (s->spool),
                   spool_dir_name (s->dir), name, to);
    else
        diag_warn ("%s/%s/%s: not a queue id and cannot be moved: %s", spool_root (s->spool),
                   spool_dir_name (s->dir), name, strerror (errno));
}

static void
s_scan (ingest_t *self, s_source_t *s, int64_t now_ms)
{
    s->dirty = false;
    s->more = false;
    s->count = s->pos = 0;
    s->next_scan = now_ms + self->rescan_ms;
    dirwalk_t *w = dirwalk_new (spool_fd (s->spool, s->dir));
    if (!w) {
        diag_error ("scan %s/%s: %s", spool_root (s->spool), spool_dir_name (s->dir), strerror (errno));
        return;
    }
    size_t n = 0, seen = 0;
    int64_t earliest = 0;
    int64_t wall = self->stream ? self->stream_now : (int64_t) time (NULL);
    for (const char *name; (name = dirwalk_next (w));) {
        if (name[0] == '.')
            continue;
        if (!qid_valid (name)) {
            s_quarantine_name (self, s, name);
            continue;
        }
        if (s->dir == SPOOL_DEFERRED) {
            struct stat st;
            if (fstatat (spool_fd (s->spool, s->dir), name, &st, 0) < 0)
                continue;
            if (st.st_mtime > wall) {
                if (!earliest || st.st_mtime < earliest)
                    earliest = st.st_mtime;
                continue;
            }
        }
        s_heap_push (self->heap, &n, self->batch, name);
        seen++;
    }
    dirwalk_destroy (&w);
    s->more = seen > n;
    memcpy (s->names, self->heap, n * QID_SIZE);
    qsort (s->names, n, QID_SIZE, s_cmp);
    s->count = n;
    s->earliest = earliest;
    if (s->dir == SPOOL_DEFERRED) {
        //  Come back when the next deferred message is due, or sooner (by
        //  the stream's clock, when it passes: ingest_claim).
        int64_t due = earliest && !self->stream ? (earliest - wall) * 1000 + now_ms : 0;
        if (due && due < s->next_scan)
            s->next_scan = due;
        if (s->next_scan > now_ms + 1000)
            s->next_scan = now_ms + 1000;
    }
}

int
ingest_claim (ingest_t *self, char *qid, bool *deferred)
{
    int64_t now = zclock_mono ();
    for (size_t k = 0; k < self->nsources; k++) {
        //  By the stream's clock, deferred mail that is due comes first: it
        //  is older than anything still in incoming/.
        size_t i = self->stream ? (self->nsources - 1 + k) % self->nsources : (self->rr + k) % self->nsources;
        s_source_t *s = &self->sources[i];
        if (self->stream && s->dir == SPOOL_DEFERRED && s->earliest && s->earliest <= self->stream_now)
            s->dirty = true;
        if (s->pos == s->count && (s->dirty || s->more || now >= s->next_scan))
            s_scan (self, s, now);
        while (s->pos < s->count) {
            const char *name = s->names[s->pos++];
            if (batch_rename (spool_fd (s->spool, s->dir), name,
                              spool_fd (self->main, SPOOL_ACTIVE), name) == 0) {
                memcpy (qid, name, QID_SIZE);
                *deferred = s->dir == SPOOL_DEFERRED;
                self->rr = i + 1;
                return 1;
            }
            //  EEXIST: the output of its last pass (a deferral) is durable but
            //  the committer has not yet removed that pass's active/ copy.
            //  Start-up recovery settles every other such pair, so this one
            //  is only early: the next scan takes it.
            if (errno == EEXIST)
                diag_debug ("%s: its last pass is still being committed; claimed later", name);
            else if (errno != ENOENT)
                diag_error ("%s: claim from %s/%s: %s", name, spool_root (s->spool),
                            spool_dir_name (s->dir), strerror (errno));
        }
    }
    return 0;
}

void
ingest_stream (ingest_t *self)
{
    self->stream = true;
}

void
ingest_stream_at (ingest_t *self, int64_t t)
{
    if (t > self->stream_now)
        self->stream_now = t;
}

int64_t
ingest_stream_next (ingest_t *self)
{
    s_source_t *d = &self->sources[self->nsources - 1];
    if (d->dirty || d->pos < d->count)
        return 0;
    return d->earliest;
}

bool
ingest_stream_advance (ingest_t *self, int64_t t)
{
    if (!self->stream || t <= self->stream_now)
        return false;
    self->stream_now = t;
    s_source_t *d = &self->sources[self->nsources - 1];
    return d->dirty || d->pos < d->count || (d->earliest && d->earliest <= t);
}

void
ingest_deferred_changed (ingest_t *self)
{
    self->sources[self->nsources - 1].dirty = true;
}

int
ingest_claim_deferred (ingest_t *self, char *qid)
{
    s_source_t *d = &self->sources[self->nsources - 1];
    if (d->earliest && d->earliest <= self->stream_now)
        d->dirty = true;
    if (d->pos == d->count && d->dirty)
        s_scan (self, d, zclock_mono ());
    while (d->pos < d->count) {
        const char *name = d->names[d->pos++];
        if (batch_rename (spool_fd (d->spool, d->dir), name, spool_fd (self->main, SPOOL_ACTIVE), name) == 0) {
            memcpy (qid, name, QID_SIZE);
            return 1;
        }
    }
    return 0;
}
