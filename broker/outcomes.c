/*  outcomes.c: delivery outcomes and complaints read from the spool and
 *  charged to the accounts that sent the mail (see outcomes.h). */
#include "outcomes.h"
#include "arf.h"
#include "bounce.h"
#include "diag.h"
#include "feedback.h"
#include "fileio.h"
#include "qid.h"
#include "sent.h"
#include "traits.h"
#include "xalloc.h"
#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct outcomes_t {
    spool_t *spool;
    watch_t *watch;
    size_t max_files;
    int64_t keep_s;
    char sender_id[128];        //  feedback/sender-id: the farm's Feedback-ID
    char prune_cursor[SENDERDB_KEY];
    outcomes_counters_t c;
    diag_every_t said[OUTCOME_RESULTS], said_c[COMPLAINT_RESULTS];
    header_limits_t lim;
    DIR *walk[SPOOL_NDIRS];     //  a folder's walk, left open between ticks until its end
};

const char *
outcome_result_name (outcome_result_t r)
{
    static const char *names[] = { "charged", "unknown-qid", "unknown-recipient", "duplicate",
                                   "malformed-code", "bad-line", "bad-file", "no-account" };
    return r < OUTCOME_RESULTS ? names[r] : "?";
}

const char *
complaint_result_name (complaint_result_t r)
{
    static const char *names[] = { "charged", "unmatched", "not-a-report", "no-original", "malformed" };
    return r < COMPLAINT_RESULTS ? names[r] : "?";
}

outcomes_t *
outcomes_new (cfg_t *cfg, spool_t *spool, watch_t *watch)
{
    outcomes_t *self = xcalloc (1, sizeof *self);
    self->spool = spool;
    self->watch = watch;
    self->max_files = (size_t) cfg_int (cfg, "feedback/max-files");
    self->keep_s = cfg_int (cfg, "feedback/keep-days") * 86400;
    snprintf (self->sender_id, sizeof self->sender_id, "%s", cfg_str (cfg, "feedback/sender-id"));
    self->lim = (header_limits_t) { 1000, 65536, 65536 };
    return self;
}

void
outcomes_destroy (outcomes_t **self_p)
{
    outcomes_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < SPOOL_NDIRS; i++)
        if (self->walk[i])
            closedir (self->walk[i]);
    free (self);
    *self_p = NULL;
}

void
outcomes_counters (outcomes_t *self, outcomes_counters_t *out)
{
    *out = self->c;
}

//  Count r; its first occurrence each minute is logged with what.
static outcome_result_t
s_result (outcomes_t *self, outcome_result_t r, const char *what)
{
    self->c.results[r]++;
    unsigned long held;
    if (r != OUTCOME_CHARGED && diag_every (&self->said[r], 60000, &held))
        diag_warn ("feedback: %s: %s; not charged to any account (%lu more of this kind not logged)",
                   outcome_result_name (r), what, held);
    return r;
}

static complaint_result_t
s_cresult (outcomes_t *self, complaint_result_t r, const char *what)
{
    self->c.complaints[r]++;
    unsigned long held;
    if (r != COMPLAINT_CHARGED && diag_every (&self->said_c[r], 60000, &held))
        diag_warn ("complaint: %s: %s; not charged to any account (%lu more of this kind not logged)",
                   complaint_result_name (r), what, held);
    return r;
}

outcome_result_t
outcomes_line (outcomes_t *self, const char *text, size_t len)
{
    if (len >= OUTCOMES_MAX_LINE || memchr (text, 0, len))
        return s_result (self, OUTCOME_BAD_LINE, "a line too long or with a NUL");
    char line[OUTCOMES_MAX_LINE];
    memcpy (line, text, len);
    line[len] = 0;
    if (len && line[len - 1] == '\r')
        line[--len] = 0;
    char *f[5] = { 0 };
    char *p = line;
    for (size_t i = 0; i < 5; i++) {
        f[i] = p;
        char *tab = i < 4 ? strchr (p, '\t') : NULL;
        if (i < 4 && !tab)
            return s_result (self, OUTCOME_BAD_LINE, "a line without its five tab-separated fields");
        if (tab)
            *tab = 0, p = tab + 1;
    }
    char *end;
    long code = strtol (f[2], &end, 10);
    if (!qid_valid (f[0]) || !*f[1] || end == f[2] || *end)
        return s_result (self, OUTCOME_BAD_LINE, "a queue id, recipient or code that is not one");
    bounce_t b;
    bounce_classify ((int) (code > 999 || code < 0 ? 0 : code), strcmp (f[3], "-") ? f[3] : NULL, f[4], &b);
    feedback_kind_t k = feedback_kind (&b);
    if (k == FEEDBACK_KINDS)
        return s_result (self, OUTCOME_MALFORMED, "a code or enhanced status out of range");
    senderdb_t *db = watch_senders (self->watch);
    sent_t sent;
    int rc = sent_find (db, f[0], &sent);
    if (rc <= 0)
        return s_result (self, OUTCOME_UNKNOWN_QID, rc < 0 ? strerror (errno)
                         : "a queue id the farm did not deliver (or forgot)");
    int slot = sent_rcpt (&sent, f[1]);
    if (slot == -1)
        return s_result (self, OUTCOME_UNKNOWN_RCPT, "a recipient the message did not have");
    if (slot == -2)
        return s_result (self, OUTCOME_DUPLICATE, "an outcome reported already");
    char key[SENDERDB_KEY];
    senderdb_key (key, 'a', sent.account);
    sender_t s;
    if (senderdb_get (db, key, &s) <= 0)
        return s_result (self, OUTCOME_NO_ACCOUNT, "the account's record is gone");
    feedback_count (&s, sent.t, k, (sent.rcpt[slot] & SENT_FRESH) != 0, watch_params (self->watch));
    if (k != FEEDBACK_DEFERRED) {
        sent.rcpt[slot] |= SENT_DONE;
        if (sent_update (db, f[0], &sent) < 0)
            diag_error ("%s: its outcome for %s not recorded: %s", f[0], f[1], strerror (errno));
    }
    self->c.kinds[k]++;
    self->c.flags += watch_feedback_judge (self->watch, sent.account, &s, sent.t, false);
    if (senderdb_put (db, key, &s) < 0)
        diag_error ("%s: feedback not saved: %s", key, strerror (errno));
    return s_result (self, OUTCOME_CHARGED, "");
}

complaint_result_t
outcomes_complaint (outcomes_t *self, const char *msg, size_t len, char *charged, size_t clen)
{
    if (clen)
        *charged = 0;
    arf_t a;
    arf_status_t st = arf_parse (msg, len, &self->lim, &a);
    if (st == ARF_NOT_REPORT)
        return s_cresult (self, COMPLAINT_NOT_REPORT, "not a multipart/report of a feedback-report");
    if (st == ARF_NO_ORIGINAL)
        return s_cresult (self, COMPLAINT_NO_ORIGINAL, "a report without the original's Message-ID");
    if (st != ARF_OK)
        return s_cresult (self, COMPLAINT_MALFORMED, "a report that does not parse");
    senderdb_t *db = watch_senders (self->watch);
    char account[SENT_ACCOUNT] = "";
    int64_t t = 0;
    char qid[QID_SIZE] = "";
    uint64_t h = *a.msgid ? traits_msgid (a.msgid, strlen (a.msgid)) : 0;
    sent_t sent;
    bool by_msgid = false;
    if (h && sent_by_msgid (db, h, qid) == 1 && sent_find (db, qid, &sent) == 1) {
        snprintf (account, sizeof account, "%s", sent.account);
        t = sent.t;
        by_msgid = true;
    }
    else if (*a.feedback_id && *self->sender_id
             && feedback_id_account (a.feedback_id, self->sender_id, account, sizeof account) == 0) {
        //  The farm's own header names the account; the day is its last.
    }
    else
        return s_cresult (self, COMPLAINT_UNMATCHED, "no delivered message of that Message-ID "
                          "or Feedback-ID");
    char key[SENDERDB_KEY];
    senderdb_key (key, 'a', account);
    sender_t s;
    if (senderdb_get (db, key, &s) <= 0)
        return s_cresult (self, COMPLAINT_UNMATCHED, "a Feedback-ID naming no account of the farm");
    if (!t)
        t = s.last_seen;
    feedback_complaint (&s, t);
    diag_info ("complaint (%s) about %s's mail%s%s", *a.type ? a.type : "no Feedback-Type",
               account, by_msgid ? ": " : " (by its Feedback-ID)", by_msgid ? qid : "");
    self->c.flags += watch_feedback_judge (self->watch, account, &s, t, true);
    if (senderdb_put (db, key, &s) < 0)
        diag_error ("%s: complaint not saved: %s", key, strerror (errno));
    snprintf (charged, clen, "%s", account);
    return s_cresult (self, COMPLAINT_CHARGED, "");
}

//  The whole regular file name in dir, at most max bytes, into *data (the
//  caller frees): its size, -1 (too large, or not a regular file), or -2
//  when it is gone (taken by another reader).
static ssize_t
s_slurp (int dir, const char *name, size_t max, char **data)
{
    const char *what = NULL;
    int fd = fileio_open_regular (dir, name, &what);
    if (fd == -1 && errno == ENOENT)
        return -2;
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat (fd, &st) < 0 || (size_t) st.st_size > max) {
        close (fd);
        return -1;
    }
    *data = xmalloc ((size_t) st.st_size + 1);
    ssize_t got = fileio_pread_all (fd, *data, (size_t) st.st_size, 0);
    close (fd);
    if (got < 0) {
        free (*data);
        *data = NULL;
    }
    return got;
}

static void
s_feedback_file (outcomes_t *self, int dir, const char *name)
{
    char *data = NULL;
    ssize_t n = s_slurp (dir, name, OUTCOMES_MAX_FILE, &data);
    if (n == -1)
        s_result (self, OUTCOME_BAD_FILE, "a file too large, unreadable or not a regular file");
    for (const char *p = data, *end = data + (n > 0 ? n : 0); p && p < end;) {
        const char *nl = memchr (p, '\n', (size_t) (end - p));
        size_t len = (size_t) ((nl ? nl : end) - p);
        if (len)
            outcomes_line (self, p, len);
        p = nl ? nl + 1 : end;
    }
    free (data);
}

static void
s_complaint_file (outcomes_t *self, int dir, const char *name)
{
    char *data = NULL;
    ssize_t n = s_slurp (dir, name, ARF_MAX_BYTES, &data);
    if (n == -2)
        return;
    if (n < 0)
        s_cresult (self, COMPLAINT_MALFORMED, "a file too large, unreadable or not a regular file");
    else
        outcomes_complaint (self, data, (size_t) n, NULL, 0);
    free (data);
}

//  Read and remove up to max files of one folder, for at most
//  OUTCOMES_TICK_MS of the broker's time. The walk goes on where the last
//  tick left it (a folder of 100,000 files is not read from its start every
//  time); at its end the folder is opened again next tick, for what came.
static size_t
s_folder (outcomes_t *self, spool_dir_t which, void (*one) (outcomes_t *, int, const char *))
{
    int64_t until = zclock_mono () + OUTCOMES_TICK_MS;
    int dir = spool_fd (self->spool, which);
    if (dir < 0)
        return 0;
    if (!self->walk[which]) {
        int fd = openat (dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        self->walk[which] = fd < 0 ? NULL : fdopendir (fd);
        if (!self->walk[which]) {
            if (fd >= 0)
                close (fd);
            return 0;
        }
    }
    DIR *d = self->walk[which];
    size_t n = 0;
    struct dirent *e = NULL;
    //  The clock looked at every 16 files, after the first 16: a tick
    //  always moves a flood on, however late the broker was scheduled.
    while (n < self->max_files && (n == 0 || n % 16 || zclock_mono () < until) && (e = readdir (d))) {
        if (e->d_name[0] == '.')
            continue;
        one (self, dir, e->d_name);
        if (unlinkat (dir, e->d_name, 0) < 0 && errno != ENOENT) {
            unsigned long held;
            if (diag_every (&self->said[OUTCOME_BAD_FILE], 60000, &held))
                diag_error ("%s/%s: cannot remove it: %s", spool_dir_name (which), e->d_name,
                            strerror (errno));
        }
        n++;
    }
    if (!e && n < self->max_files) {
        closedir (d);
        self->walk[which] = NULL;
    }
    return n;
}

size_t
outcomes_tick (outcomes_t *self)
{
    size_t n = s_folder (self, SPOOL_FEEDBACK, s_feedback_file);
    n += s_folder (self, SPOOL_COMPLAINTS, s_complaint_file);
    int64_t newest = watch_newest (self->watch);
    if (newest && self->keep_s)
        self->c.pruned += sent_prune (watch_senders (self->watch), newest - self->keep_s, 500,
                                      self->prune_cursor);
    return n;
}
