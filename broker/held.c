/*  held.c: an operator's release, drop, requeue and purge of held,
 *  rejected or deferred mail, and the retention of hold/ and reject/ (see
 *  held.h). */
#include "held.h"
#include "batch.h"
#include "diag.h"
#include "fileio.h"
#include "qid.h"
#include "spoolfile.h"
#include "watch.h"
#include "xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    spool_t *spool;
    spool_dir_t from;
    long moved;
    size_t failed;
} s_ctx_t;

static void
s_done (void *arg, void *entry_arg, int status)
{
    s_ctx_t *c = arg;
    char *qid = entry_arg;
    if (status) {
        diag_error ("%s: could not leave %s/: %s; it stays there", qid, spool_dir_name (c->from),
                    strerror (status));
        c->failed++;
    }
    else if (unlinkat (spool_fd (c->spool, c->from), qid, 0) < 0 && errno != ENOENT) {
        diag_error ("%s: unlink %s/: %s (recovery will finish it)", qid, spool_dir_name (c->from),
                    strerror (errno));
        c->moved++;
    }
    else
        c->moved++;
    free (qid);
}

//  Write the new file for one held message into the batch.
static int
s_one (batch_t *batch, spool_t *spool, int in, envelope_t *env, off_t body_off, const char *qid,
       held_action_t action, const held_select_t *sel, int64_t now)
{
    if (action == HELD_RELEASE || action == HELD_REQUEUE || action == HELD_RESCAN) {
        envelope_set (&env->verdict, NULL);
        envelope_clear_reasons (env);
        envelope_clear_dkim (env);
        env->spam = NAN;
        env->retry_at = 0;
        env->released = action == HELD_RELEASE ? now : 0;
        env->rescan = action == HELD_RESCAN ? now : 0;
        envelope_set (&env->deferred_by, NULL);     //  a new life: what it tries counts again
        if (action == HELD_RESCAN) {
            env->retry_at = sel->at;
            if (sel->rcpts)
                *sel->rcpts += env->rcpt_count;
        }
        envelope_set (&env->released_mark, NULL);
        if (action == HELD_RELEASE && sel->mark) {
            char mark[MARK_HEX];
            mark_make (sel->mark, qid, now, mark);
            envelope_set (&env->released_mark, mark);
        }
    }
    else {
        envelope_set (&env->verdict, "reject");
        envelope_add_reason (env, sel->why ? sel->why : "dropped by an operator from hold/");
    }
    int64_t body = env->size;
    strbuf_t hdr;
    strbuf_init (&hdr);
    spoolfile_header (env, (size_t) body, &hdr);
    char tmpname[300];
    snprintf (tmpname, sizeof tmpname, "%s.ctl.out", qid);
    int tmpdir = spool_fd (spool, SPOOL_TMP);
    unlinkat (tmpdir, tmpname, 0);
    int fd = batch_open (batch, tmpdir, tmpname);
    int rc = fd < 0 ? -1 : fileio_write_all (fd, hdr.data, hdr.len);
    if (!rc)
        rc = fileio_copy (in, body_off, fd, body);
    strbuf_free (&hdr);
    if (rc) {
        int e = errno;
        if (fd >= 0)
            batch_abort (fd, tmpdir, tmpname);
        errno = e;
        return -1;
    }
    //  A rescan goes through deferred/, due at sel->at: by the stream's clock
    //  (a replay) it is then taken before what incoming/ still holds.
    int dst = spool_fd (spool, action == HELD_DROP ? SPOOL_REJECT
                               : action == HELD_RESCAN ? SPOOL_DEFERRED : SPOOL_INCOMING);
    batch_add (batch, fd, tmpdir, tmpname, dst, qid, action == HELD_RESCAN ? sel->at : 0,
               xstrdup (qid));
    return 0;
}

long
held_apply (spool_t *spool, spool_dir_t from, const held_select_t *sel, held_action_t action,
            int64_t now, size_t *failed, strbuf_t *list)
{
    s_ctx_t c = { spool, from, 0, 0 };
    int dir = spool_fd (spool, from);
    dirwalk_t *w = dirwalk_new (dir);
    if (!w)
        return -1;
    static const char *what[] = { "released", "dropped", "requeued", "purged", "rescanned" };
    //  As the spooler does: one syncfs a batch with spool/sync = filesystem,
    //  so that releasing hundreds does not keep the operator (and the loop)
    //  waiting for an fsync each.
    batch_t *batch = batch_new ();
    batch_set_sync (batch, spool_sync (spool));
    for (const char *name; (name = dirwalk_next (w));) {
        if (!qid_valid (name) || (sel->qid && strcmp (name, sel->qid) != 0))
            continue;
        const char *kind;
        int in = fileio_open_regular (dir, name, &kind);
        if (in < 0)
            continue;       //  gone, or not a message (a directory planted there)
        struct stat st;
        if (fstat (in, &st) < 0 || (sel->before && st.st_mtime >= sel->before)) {
            close (in);
            continue;
        }
        envelope_t *env = envelope_new ();
        off_t body_off;
        char err[256];
        bool mine = spoolfile_read_header (in, env, &body_off, err, sizeof err) == 0
                    && (!sel->account || strcmp (watch_account (env), sel->account) == 0);
        if (mine && sel->dry_run) {
            if (list && c.moved < 100)
                strbuf_printf (list, "%s\t%s\t%.1f days\n", name, watch_account (env),
                               (double) (now - st.st_mtime) / 86400.0);
            c.moved++;
        }
        else if (mine && action == HELD_PURGE) {
            //  Deleted for good: the one place mail leaves the farm unsent.
            if (unlinkat (dir, name, 0) == 0) {
                if (sel->why)
                    diag_warn ("%s: purged from %s/ (account %s): %s", name, spool_dir_name (from),
                               watch_account (env), sel->why);
                else
                    diag_warn ("%s: purged from %s/ by an operator (account %s)", name,
                               spool_dir_name (from), watch_account (env));
                c.moved++;
            }
            else
                c.failed++;
        }
        else if (mine && s_one (batch, spool, in, env, body_off, name, action, sel, now) < 0) {
            diag_error ("%s: cannot write its %s copy: %s", name, what[action], strerror (errno));
            c.failed++;
        }
        envelope_destroy (&env);
        close (in);
        //  Commit in batches, so that a big folder does not hold every fd.
        if (batch_size (batch) >= 256)
            batch_commit (batch, s_done, &c);
    }
    dirwalk_destroy (&w);
    batch_commit (batch, s_done, &c);
    batch_destroy (&batch);
    batch_sync_dir (dir);
    *failed = c.failed;
    if (!sel->dry_run && (c.moved || c.failed || !sel->why))
        diag_info ("%s%s: %ld message(s) of %s/ %s %s%s",
                   sel->qid ? sel->qid : sel->account ? sel->account : "all",
                   sel->qid ? "" : sel->account ? " (account)" : "", c.moved, spool_dir_name (from),
                   what[action], sel->why ? sel->why : "by an operator", c.failed ? "; some failed" : "");
    return c.moved;
}

void
held_expire (spool_t *spool, int hold_days, int reject_days, int64_t now)
{
    char why[160];
    size_t failed;
    if (hold_days > 0) {
        snprintf (why, sizeof why, "hold-expired: held more than %d day(s) without an operator's "
                  "decision (hold/max-age-days)", hold_days);
        held_select_t sel = { .before = now - (int64_t) hold_days * 86400, .why = why };
        held_apply (spool, SPOOL_HOLD, &sel, HELD_DROP, now, &failed, NULL);
    }
    if (reject_days > 0) {
        snprintf (why, sizeof why, "expired: more than %d day(s) in reject/ (reject/max-age-days)",
                  reject_days);
        held_select_t sel = { .before = now - (int64_t) reject_days * 86400, .why = why };
        held_apply (spool, SPOOL_REJECT, &sel, HELD_PURGE, now, &failed, NULL);
    }
}
