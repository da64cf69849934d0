/*  recover.c: start-up recovery (see recover.h).
 *  A message in active/ whose queue id already names a file in an output
 *  spool was finished before the crash (the output is committed before the
 *  active/ entry is unlinked): the active/ entry goes. Any other is scanned
 *  again. The broker's own temporary files (<qid>.out) were never committed
 *  and go; a submitter's (<qid>) are left unless a day old, since a
 *  farm-submit may be writing one right now. */
#include "recover.h"
#include "batch.h"
#include "diag.h"
#include "fileio.h"
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static dirwalk_t *
s_open (spool_t *spool, spool_dir_t dir)
{
    dirwalk_t *w = dirwalk_new (spool_fd (spool, dir));
    if (!w)
        diag_error ("recover %s/%s: %s", spool_root (spool), spool_dir_name (dir), strerror (errno));
    return w;
}

size_t
recover_spool (spool_t *spool, recover_redo_fn *redo, void *arg)
{
    size_t redone = 0, finished = 0, removed = 0;
    dirwalk_t *d = s_open (spool, SPOOL_TMP);
    time_t now = time (NULL);
    const char *name;
    while (d && (name = dirwalk_next (d))) {
        if (name[0] == '.')
            continue;
        size_t n = strlen (name);
        struct stat st;
        bool ours = n > 4 && strcmp (name + n - 4, ".out") == 0;
        bool stale = fstatat (spool_fd (spool, SPOOL_TMP), name, &st, 0) == 0
                     && st.st_mtime < now - 86400;
        if ((ours || stale) && unlinkat (spool_fd (spool, SPOOL_TMP), name, 0) == 0)
            removed++;
    }
    dirwalk_destroy (&d);
    static const spool_dir_t outputs[] = { SPOOL_OUTGOING, SPOOL_HOLD, SPOOL_REJECT,
                                           SPOOL_DEFERRED, SPOOL_CORRUPT };
    //  An operator's release, drop or requeue cut short after its new copy
    //  was made durable leaves the queue id twice: in hold/ and reject/ (a
    //  drop), or in hold/, reject/ or deferred/ and in incoming/ or active/
    //  (a release or requeue: the new copy is scanned again, whatever the
    //  old one said). The old copy goes. (A message in active/ with its
    //  output committed is also such a pair; it is scanned again, harmlessly.)
    static const spool_dir_t old[] = { SPOOL_HOLD, SPOOL_REJECT, SPOOL_DEFERRED };
    for (size_t o = 0; o < sizeof old / sizeof old[0]; o++) {
        d = s_open (spool, old[o]);
        while (d && (name = dirwalk_next (d))) {
            if (!qid_valid (name))
                continue;
            static const spool_dir_t newer[] = { SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_REJECT };
            for (size_t i = 0; i < sizeof newer / sizeof newer[0]; i++) {
                struct stat st;
                if (newer[i] == old[o] || (newer[i] == SPOOL_REJECT && old[o] != SPOOL_HOLD))
                    continue;
                if (fstatat (spool_fd (spool, newer[i]), name, &st, 0) == 0) {
                    if (unlinkat (spool_fd (spool, old[o]), name, 0) == 0)
                        diag_info ("%s: moved by an operator before the restart; the stale %s/ copy removed",
                                   name, spool_dir_name (old[o]));
                    break;
                }
            }
        }
        dirwalk_destroy (&d);
    }
    d = s_open (spool, SPOOL_ACTIVE);
    while (d && (name = dirwalk_next (d))) {
        if (name[0] == '.')
            continue;
        if (!qid_valid (name)) {
            if (batch_rename (spool_fd (spool, SPOOL_ACTIVE), name,
                              spool_fd (spool, SPOOL_CORRUPT), name) == 0)
                diag_warn ("active/%s: not a queue id; moved to corrupt/", name);
            continue;
        }
        bool done = false;
        for (size_t i = 0; i < sizeof outputs / sizeof outputs[0] && !done; i++) {
            struct stat st;
            if (fstatat (spool_fd (spool, outputs[i]), name, &st, 0) == 0) {
                done = true;
                diag_info ("%s: finished before the restart (in %s/)", name,
                           spool_dir_name (outputs[i]));
            }
        }
        if (done) {
            if (unlinkat (spool_fd (spool, SPOOL_ACTIVE), name, 0) < 0)
                diag_error ("%s: unlink active: %s", name, strerror (errno));
            finished++;
            continue;
        }
        diag_info ("%s: unfinished at restart; scanning it again", name);
        redo (arg, name);
        redone++;
    }
    dirwalk_destroy (&d);
    if (finished)
        batch_sync_dir (spool_fd (spool, SPOOL_ACTIVE));
    if (redone || finished || removed)
        diag_info ("recovery: %zu to scan again, %zu already finished, %zu temporary files removed",
                   redone, finished, removed);
    return redone;
}
