/*  spool.c: spool directories: open, create, and enter new messages.
 *  A spool holds one open fd per state directory so that every operation is
 *  an *at() call relative to it: no path building, no races with renames of
 *  the root. */
#include "spool.h"
#include "diag.h"
#include "fileio.h"
#include "spoolfile.h"
#include "strbuf.h"
#include "xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *s_names[SPOOL_NDIRS] = {
    "tmp", "incoming", "active", "outgoing", "hold", "reject", "deferred", "corrupt", "feedback",
    "complaints"
};

struct spool_t {
    char *root;
    int lockfd;                 //  ROOT/broker.lock while held, else -1
    batch_sync_t sync;
    int rootfd;
    int fds[SPOOL_NDIRS];
    dev_t dev;
};

const char *
spool_dir_name (spool_dir_t dir)
{
    return s_names[dir];
}

spool_t *
spool_new (const char *root, bool create)
{
    if (create && mkdir (root, 0770) < 0 && errno != EEXIST) {
        diag_error ("spool %s: mkdir: %s", root, strerror (errno));
        return NULL;
    }
    int rootfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        int e = errno;
        diag_error ("spool %s: %s", root, strerror (e));
        errno = e;
        return NULL;
    }
    spool_t *self = xcalloc (1, sizeof *self);
    self->lockfd = -1;
    self->root = xstrdup (root);
    self->rootfd = rootfd;
    for (int i = 0; i < SPOOL_NDIRS; i++)
        self->fds[i] = -1;
    struct stat st;
    if (fstat (rootfd, &st) == 0)
        self->dev = st.st_dev;
    for (int i = 0; i < SPOOL_NDIRS; i++) {
        if (create && mkdirat (rootfd, s_names[i], 0770) < 0 && errno != EEXIST) {
            int e = errno;
            diag_error ("spool %s/%s: mkdir: %s", root, s_names[i], strerror (e));
            spool_destroy (&self);
            errno = e;
            return NULL;
        }
        self->fds[i] = openat (rootfd, s_names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        //  The folders of what comes back hold no mail: a spool made before
        //  them works without them until the broker makes them.
        if (self->fds[i] < 0 && errno == ENOENT && !create && i >= SPOOL_FEEDBACK)
            continue;
        if (self->fds[i] < 0) {
            int e = errno;
            diag_error ("spool %s/%s: %s", root, s_names[i], strerror (e));
            spool_destroy (&self);
            errno = e;
            return NULL;
        }
        struct stat dst;
        if (fstat (self->fds[i], &dst) == 0 && dst.st_dev != self->dev) {
            diag_error ("spool %s/%s is on another filesystem: renames would fail",
                        root, s_names[i]);
            spool_destroy (&self);
            errno = EXDEV;
            return NULL;
        }
    }
    if (create)
        fsync (rootfd);
    return self;
}

void
spool_destroy (spool_t **self_p)
{
    spool_t *self = *self_p;
    if (!self)
        return;
    for (int i = 0; i < SPOOL_NDIRS; i++)
        if (self->fds[i] >= 0)
            close (self->fds[i]);
    close (self->rootfd);
    if (self->lockfd >= 0)
        close (self->lockfd);
    free (self->root);
    free (self);
    *self_p = NULL;
}

const char *
spool_root (spool_t *self)
{
    return self->root;
}

int
spool_fd (spool_t *self, spool_dir_t dir)
{
    return self->fds[dir];
}

dev_t
spool_dev (spool_t *self)
{
    return self->dev;
}

#define S_LOCK "broker.lock"

bool
spool_set_up (spool_t *self)
{
    return faccessat (self->rootfd, S_LOCK, F_OK, 0) == 0;
}

int
spool_lock (spool_t *self)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/" S_LOCK, self->root);
    int fd = open (path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    if (flock (fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        close (fd);
        errno = e;
        return -1;
    }
    self->lockfd = fd;
    return 0;
}

void
spool_set_sync (spool_t *self, batch_sync_t sync)
{
    self->sync = sync;
}

batch_sync_t
spool_sync (spool_t *self)
{
    return self->sync;
}

int
spool_write (spool_t *self, batch_t *batch, spool_dir_t dir, envelope_t *env,
             const void *msg, size_t len, char *qid, void *entry_arg)
{
    qid_make (qid);
    return spool_write_id (self, batch, dir, env, msg, len, qid, entry_arg);
}

int
spool_write_id (spool_t *self, batch_t *batch, spool_dir_t dir, envelope_t *env,
                const void *msg, size_t len, const char *qid, void *entry_arg)
{
    envelope_set (&env->qid, qid);
    strbuf_t hdr;
    strbuf_init (&hdr);
    spoolfile_header (env, len, &hdr);
    int tmpdir = self->fds[SPOOL_TMP];
    int fd = batch_open (batch, tmpdir, qid);
    if (fd < 0) {
        strbuf_free (&hdr);
        return -1;
    }
    if (fileio_write_all (fd, hdr.data, hdr.len) < 0 || fileio_write_all (fd, msg, len) < 0) {
        int e = errno;
        batch_abort (fd, tmpdir, qid);
        strbuf_free (&hdr);
        errno = e;
        return -1;
    }
    strbuf_free (&hdr);
    batch_add (batch, fd, tmpdir, qid, self->fds[dir], qid, 0, entry_arg);
    return 0;
}

static void
s_enter_done (void *arg, void *entry_arg, int status)
{
    *(int *) arg = status;
}

int
spool_enter (spool_t *self, spool_dir_t dir, envelope_t *env, const void *msg, size_t len,
             char *qid)
{
    batch_t *batch = batch_new ();
    int status = 0;
    if (spool_write (self, batch, dir, env, msg, len, qid, NULL) < 0)
        status = errno;
    else
        batch_commit (batch, s_enter_done, &status);
    batch_destroy (&batch);
    errno = status;
    return status ? -1 : 0;
}

size_t
spool_count (spool_t *self, spool_dir_t dir)
{
    dirwalk_t *w = dirwalk_new (spool_fd (self, dir));
    size_t n = 0;
    for (const char *name; w && (name = dirwalk_next (w));)
        n += name[0] != '.';
    dirwalk_destroy (&w);
    return n;
}
