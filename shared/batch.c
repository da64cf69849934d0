/*  batch.c: group commit of spool files (see batch.h).
 *  Why not one fsync per file as each is written: the broker writes hundreds
 *  of outputs a second and each fsync waits for a journal commit; fsyncing a
 *  batch in a row lets the filesystem merge them, and each directory is
 *  synced once per batch rather than once per file. Nothing is skipped. */
#include "batch.h"
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
};

batch_t *
batch_new (void)
{
    return xcalloc (1, sizeof (batch_t));
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

size_t
batch_commit (batch_t *self, batch_done_fn *done, void *arg)
{
    size_t failed = 0;
    //  1. Data and inode of every file on disk.
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        e->status = 0;
        if (e->mtime) {
            struct timespec ts[2] = { { .tv_sec = (time_t) e->mtime }, { .tv_sec = (time_t) e->mtime } };
            if (futimens (e->fd, ts) < 0)
                e->status = errno;
        }
        if (!e->status && fsync (e->fd) < 0)
            e->status = errno;
        if (close (e->fd) < 0 && !e->status)
            e->status = errno;
        e->fd = -1;
    }
    //  2. Final names; 3. each directory once.
    int dirs[16];
    size_t ndirs = 0;
    bool dir_overflow = false;
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        if (!e->status && batch_rename (e->tmpdir, e->tmpname, e->dstdir, e->dstname) < 0)
            e->status = errno;
        if (e->status) {
            unlinkat (e->tmpdir, e->tmpname, 0);
            continue;
        }
        size_t d = 0;
        while (d < ndirs && dirs[d] != e->dstdir)
            d++;
        if (d == ndirs) {
            if (ndirs < 16)
                dirs[ndirs++] = e->dstdir;
            else
                dir_overflow = true;
        }
    }
    int dir_status[16] = { 0 };
    for (size_t d = 0; d < ndirs; d++)
        if (batch_sync_dir (dirs[d]) < 0)
            dir_status[d] = errno;
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        if (!e->status) {
            size_t d = 0;
            while (d < ndirs && dirs[d] != e->dstdir)
                d++;
            if (d == ndirs && dir_overflow)
                e->status = batch_sync_dir (e->dstdir) < 0 ? errno : 0;
            else if (d < ndirs)
                e->status = dir_status[d];
        }
        if (e->status)
            failed++;
        if (done)
            done (arg, e->arg, e->status);
        free (e->tmpname);
        free (e->dstname);
    }
    self->count = 0;
    return failed;
}
