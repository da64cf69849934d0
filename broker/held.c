/*  held.c: release or drop an account's held mail (see held.h). */
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
       held_action_t action, int64_t now)
{
    if (action == HELD_RELEASE || action == HELD_REQUEUE) {
        envelope_set (&env->verdict, NULL);
        envelope_clear_reasons (env);
        envelope_clear_dkim (env);
        env->spam = NAN;
        env->retry_at = 0;
        env->released = action == HELD_RELEASE ? now : 0;
    }
    else {
        envelope_set (&env->verdict, "reject");
        envelope_add_reason (env, "dropped by an operator from hold/");
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
    int dst = spool_fd (spool, action == HELD_DROP ? SPOOL_REJECT : SPOOL_INCOMING);
    batch_add (batch, fd, tmpdir, tmpname, dst, qid, 0, xstrdup (qid));
    return 0;
}

long
held_apply (spool_t *spool, spool_dir_t from, const char *account, const char *qid,
            held_action_t action, int64_t now, size_t *failed)
{
    s_ctx_t c = { spool, from, 0, 0 };
    int dir = spool_fd (spool, from);
    dirwalk_t *w = dirwalk_new (dir);
    if (!w)
        return -1;
    static const char *what[] = { "released", "dropped", "requeued", "purged" };
    //  As the spooler does: one syncfs a batch with spool/sync = filesystem,
    //  so that releasing hundreds does not keep the operator (and the loop)
    //  waiting for an fsync each.
    batch_t *batch = batch_new ();
    batch_set_sync (batch, spool_sync (spool));
    for (const char *name; (name = dirwalk_next (w));) {
        if (!qid_valid (name) || (qid && strcmp (name, qid) != 0))
            continue;
        int in = openat (dir, name, O_RDONLY | O_CLOEXEC);
        if (in < 0)
            continue;
        envelope_t *env = envelope_new ();
        off_t body_off;
        char err[256];
        bool mine = spoolfile_read_header (in, env, &body_off, err, sizeof err) == 0
                    && (!account || strcmp (watch_account (env), account) == 0);
        if (mine && action == HELD_PURGE) {
            //  Deleted for good: the one place mail leaves the farm unsent.
            if (unlinkat (dir, name, 0) == 0) {
                diag_warn ("%s: purged from %s/ by an operator (account %s)", name,
                           spool_dir_name (from), watch_account (env));
                c.moved++;
            }
            else
                c.failed++;
        }
        else if (mine && s_one (batch, spool, in, env, body_off, name, action, now) < 0) {
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
    diag_info ("%s%s: %ld message(s) of %s/ %s by an operator%s", qid ? qid : account ? account : "all",
               qid ? "" : account ? " (account)" : "", c.moved, spool_dir_name (from), what[action],
               c.failed ? "; some failed" : "");
    return c.moved;
}
