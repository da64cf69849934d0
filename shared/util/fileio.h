/*  fileio.h: whole reads and writes over short counts and EINTR, and the
 *  wall clock in microseconds, a file replaced whole, a spool entry opened
 *  only when it is a regular file, the walk over a directory's entries. */
#ifndef FARM_FILEIO_H
#define FARM_FILEIO_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

//  Write all of len bytes to fd; 0, or -1 with errno (ENOSPC, EIO...).
int fileio_write_all (int fd, const void *data, size_t len);
//  Read up to len bytes at off, stopping early only at end of file or on an
//  error; returns the count read (short means the file was shorter), or -1.
ssize_t fileio_pread_all (int fd, void *buf, size_t len, off_t off);
//  Wall-clock time in microseconds since the epoch.
int64_t fileio_now_usec (void);
//  Replace the file at path with data (path.tmp written, then renamed over
//  it, so that readers see the old or the new, whole); not fsync'd, for files
//  that are made again anyway (metrics). 0, or -1 with errno.
int fileio_replace (const char *path, const void *data, size_t len, mode_t mode);
//  Copy len bytes of in from offset off to the end of out (in the kernel
//  where it can): 0, or -1 with errno (EIO when in is shorter).
int fileio_copy (int in, off_t off, int out, int64_t len);

//  Open the spool entry name in dirfd for reading, refusing what is not a
//  regular file without blocking on it (a FIFO, a device) or following it
//  (a symbolic link): the fd; -1 with errno when it cannot be opened (ENOENT,
//  EMFILE: worth another try); FILEIO_NOT_REGULAR with *what saying what it
//  is ("a directory", "a symbolic link", ...), never worth another.
#define FILEIO_NOT_REGULAR (-2)
int fileio_open_regular (int dirfd, const char *name, const char **what);

//  A file read again when it changes (a model, thresholds, a table): the
//  one test of "changed since last read" (inode, device, size, mtime), so
//  that every reader keeps its last good copy the same way.
typedef struct {
    struct stat st;         //  the file as last seen
    bool seen, missing;
} filewatch_t;
typedef enum {
    FILEWATCH_SAME,         //  as last seen
    FILEWATCH_CHANGED,      //  seen for the first time, or different: read it
    FILEWATCH_GONE,         //  missing, and it was not at the last look (say so once)
    FILEWATCH_MISSING       //  still missing
} filewatch_status_t;
//  Look at path again (errno set when it is missing). A file that changed
//  counts as seen whether or not it could be read, so that a bad file is
//  not read again until it changes.
filewatch_status_t filewatch_check (filewatch_t *self, const char *path);

//  The entries of one directory, from its start, but "." and "..": the one
//  directory walk of the farm. Names come in the directory's own order.
typedef struct dirwalk_t dirwalk_t;
//  Walk the directory open as dirfd (which stays the caller's), or the one
//  at path. NULL with errno when it cannot be read.
dirwalk_t *dirwalk_new (int dirfd);
dirwalk_t *dirwalk_open (const char *path);
//  The next name, or NULL at the end (valid until the next call).
const char *dirwalk_next (dirwalk_t *self);
void dirwalk_destroy (dirwalk_t **self_p);
#endif
