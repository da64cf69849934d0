/*  batch.c: group commit of spool files (see batch.h).
 *  Why not one fsync per file as each is written: the broker writes hundreds
 *  of outputs a second and each fsync waits for a journal commit; fsyncing a
 *  batch in a row lets the filesystem merge them, and each directory is
 *  synced once per batch rather than once per file. Nothing is skipped. */
#include "batch.h"
#include "diag.h"
#include "xalloc.h"
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    int fd, tmpdir, dstdir;
    char *tmpname, *dstname;
    int64_t mtime;
    void *arg;
    int status;
} s_entry_t;

struct batch_t {
    s_entry_t *entries;
    size_t count, cap;
    batch_sync_t sync;
    int consume;                //  srcdir of batch_set_consume, or -1
};

batch_t *
batch_new (void)
{
    batch_t *self = xcalloc (1, sizeof (batch_t));
    self->consume = -1;
    return self;
}

void
batch_set_consume (batch_t *self, int srcdir)
{
    self->consume = srcdir;
}

void
batch_set_sync (batch_t *self, batch_sync_t sync)
{
    self->sync = sync;
}

void
batch_destroy (batch_t **self_p)
{
    batch_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++) {
        batch_abort (self->entries[i].fd, self->entries[i].tmpdir, self->entries[i].tmpname);
        free (self->entries[i].tmpname);
        free (self->entries[i].dstname);
    }
    free (self->entries);
    free (self);
    *self_p = NULL;
}

int
batch_open (batch_t *self, int tmpdir, const char *tmpname)
{
    (void) self;
    return openat (tmpdir, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
}

void
batch_add (batch_t *self, int fd, int tmpdir, const char *tmpname, int dstdir,
           const char *dstname, int64_t mtime, void *entry_arg)
{
    if (self->count == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 64;
        self->entries = xrealloc (self->entries, self->cap * sizeof *self->entries);
    }
    self->entries[self->count++] = (s_entry_t) {
        .fd = fd, .tmpdir = tmpdir, .dstdir = dstdir, .tmpname = xstrdup (tmpname),
        .dstname = xstrdup (dstname), .mtime = mtime, .arg = entry_arg
    };
}

void
batch_abort (int fd, int tmpdir, const char *tmpname)
{
    if (fd >= 0)
        close (fd);
    unlinkat (tmpdir, tmpname, 0);
}

size_t
batch_size (batch_t *self)
{
    return self->count;
}

int
batch_rename (int dir, const char *name, int todir, const char *toname)
{
    if (renameat2 (dir, name, todir, toname, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    //  A filesystem without RENAME_NOREPLACE: link + unlink never replaces.
    if (linkat (dir, name, todir, toname, 0) < 0)
        return -1;
    if (unlinkat (dir, name, 0) < 0)
        return -1;
    return 0;
}

int
batch_sync_dir (int dirfd)
{
    return fsync (dirfd);
}

//  One syncfs for every entry still good. An error fails them all, since
//  syncfs cannot say whose it was.
static void
s_sync_filesystem (batch_t *self, int anyfd)
{
    int status = syncfs (anyfd) < 0 ? errno : 0;
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        if (!e->status)
            e->status = status;
    }
}

//  fsync of each entry's file.
static void
s_sync_files (batch_t *self)
{
    //  Start the writeback of every file at once, so that each fsync below
    //  finds its data under way.
    for (size_t i = 0; i < self->count; i++)
        if (!self->entries[i].status)
            (void) sync_file_range (self->entries[i].fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        if (!e->status && fsync (e->fd) < 0)
            e->status = errno;
    }
}

//  Directory entries durable: each directory that received a file once.
static void
s_sync_dirs (batch_t *self)
{
    int dirs[16], dir_status[16];
    size_t ndirs = 0;
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        if (e->status)
            continue;
        size_t d = 0;
        while (d < ndirs && dirs[d] != e->dstdir)
            d++;
        if (d == ndirs && ndirs < 16) {
            dirs[ndirs] = e->dstdir;
            dir_status[ndirs++] = batch_sync_dir (e->dstdir) < 0 ? errno : 0;
        }
        if (d < ndirs)
            e->status = dir_status[d];
        else    //  more than 16 directories in one batch: rare, synced alone
            e->status = batch_sync_dir (e->dstdir) < 0 ? errno : 0;
    }
}

size_t
batch_sync (batch_t *self)
{
    if (!self->count)
        return 0;
    //  1. Data and inode of every file on disk.
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        e->status = 0;
        if (e->mtime) {
            struct timespec ts[2] = { { .tv_sec = (time_t) e->mtime }, { .tv_sec = (time_t) e->mtime } };
            if (futimens (e->fd, ts) < 0)
                e->status = errno;
        }
    }
    if (self->sync == BATCH_SYNC_FILESYSTEM)
        s_sync_filesystem (self, self->entries[0].fd);
    else {
        s_sync_files (self);
        //  The claims into the sources' folder (active/) durable before
        //  any output is: after a power cut a message is never back in
        //  incoming/ beside its output (scanned, and sent, twice).
        if (self->consume >= 0)
            fsync (self->consume);
    }
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        if (close (e->fd) < 0 && !e->status)
            e->status = errno;
        e->fd = -1;
    }
    //  2. Final names.
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        if (!e->status && batch_rename (e->tmpdir, e->tmpname, e->dstdir, e->dstname) < 0)
            e->status = errno;
        if (e->status)
            unlinkat (e->tmpdir, e->tmpname, 0);
    }
    //  3. The names durable.
    if (self->sync == BATCH_SYNC_FILESYSTEM)
        s_sync_filesystem (self, self->entries[0].dstdir);
    else
        s_sync_dirs (self);
    //  4. The sources gone. EEXIST means an earlier commit of this name got
    //  there: its source is done too. A source that cannot be removed is left
    //  to recovery, which finds the output and removes it.
    size_t failed = 0;
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        if (e->status)
            failed++;
        if (self->consume >= 0 && (!e->status || e->status == EEXIST) &&
            unlinkat (self->consume, e->dstname, 0) < 0 && errno != ENOENT)
            diag_error ("%s: cannot remove its source: %s (recovery will finish it)",
                        e->dstname, strerror (errno));
    }
    //  5. The sources' removal durable: farm-relay sends an output only
    //  once its active/ twin is gone, and a twin back after a power cut
    //  would be scanned and sent again.
    if (self->consume >= 0)
        fsync (self->consume);
    return failed;
}

void
batch_finish (batch_t *self, batch_done_fn *done, void *arg)
{
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        if (done)
            done (arg, e->arg, e->status);
        free (e->tmpname);
        free (e->dstname);
    }
    self->count = 0;
}

size_t
batch_commit (batch_t *self, batch_done_fn *done, void *arg)
{
    size_t failed = batch_sync (self);
    batch_finish (self, done, arg);
    return failed;
}
