/*  batch.h: group commit of spool files.
 *  Files are written under temporary names, then committed together: every
 *  file is fsync'd, renamed to its final name (never replacing an existing
 *  file), and each directory that received one is fsync'd once. Only after
 *  batch_commit reports an entry done may its source be removed. */
#ifndef FARM_BATCH_H
#define FARM_BATCH_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct batch_t batch_t;

//  How a batch is made durable. BATCH_SYNC_FILES: fsync every file, then
//  every directory that received one (nothing else on the filesystem is
//  touched). BATCH_SYNC_FILESYSTEM: one syncfs before the renames and one
//  after, whatever the batch's size: far cheaper per message where each
//  fsync costs a device cache flush, but it also flushes whatever else is
//  dirty on that filesystem, so the spool should have a filesystem of its own.
typedef enum { BATCH_SYNC_FILES, BATCH_SYNC_FILESYSTEM } batch_sync_t;
//  Called once per entry by batch_commit: status 0 when the file is durable
//  under its final name, else an errno value (the temporary file is gone).
typedef void (batch_done_fn) (void *arg, void *entry_arg, int status);

batch_t *batch_new (void);
void batch_set_sync (batch_t *self, batch_sync_t sync);
void batch_destroy (batch_t **self_p);
//  Create tmpdir/tmpname exclusively (mode 0640 less umask) for writing.
//  Returns the fd, or -1 with errno.
int batch_open (batch_t *self, int tmpdir, const char *tmpname);
//  Queue the written file fd for commit as dstdir/dstname; when mtime is not
//  0 the file's modification time is set to it (deferred/ uses it as the
//  retry time). The batch owns fd from here on.
void batch_add (batch_t *self, int fd, int tmpdir, const char *tmpname, int dstdir,
                const char *dstname, int64_t mtime, void *entry_arg);
//  Abandon a file from batch_open: close it and unlink the temporary name.
void batch_abort (int fd, int tmpdir, const char *tmpname);
//  Entries waiting for commit.
size_t batch_size (batch_t *self);
//  Once an entry is durable, remove srcdir/<its final name> (the source it
//  was made from; ENOENT is fine). -1 for none (the default).
void batch_set_consume (batch_t *self, int srcdir);
//  Commit every queued entry, calling done for each. Returns how many failed.
//  Equal to batch_sync then batch_finish.
size_t batch_commit (batch_t *self, batch_done_fn *done, void *arg);
//  The blocking part of a commit (fsyncs, renames, removal of the sources),
//  with no callback: another thread may run it while this one fills another
//  batch. Returns how many entries failed.
size_t batch_sync (batch_t *self);
//  After batch_sync: done for each entry, and the batch is empty again.
void batch_finish (batch_t *self, batch_done_fn *done, void *arg);
//  Move dir/name to todir/toname without ever replacing a file: 0, or -1
//  with errno (EEXIST when toname exists).
int batch_rename (int dir, const char *name, int todir, const char *toname);
//  fsync a directory; 0 or -1 with errno.
int batch_sync_dir (int dirfd);
#endif
