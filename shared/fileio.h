/*  fileio.h: whole reads and writes over short counts and EINTR, and the
 *  wall clock in microseconds. */
#ifndef FARM_FILEIO_H
#define FARM_FILEIO_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

//  Write all of len bytes to fd; 0, or -1 with errno (ENOSPC, EIO...).
int fileio_write_all (int fd, const void *data, size_t len);
//  Read up to len bytes at off, stopping early only at end of file or on an
//  error; returns the count read (short means the file was shorter), or -1.
ssize_t fileio_pread_all (int fd, void *buf, size_t len, off_t off);
//  Wall-clock time in microseconds since the epoch.
int64_t fileio_now_usec (void);
//  Copy len bytes of in from offset off to the end of out (in the kernel
//  where it can): 0, or -1 with errno (EIO when in is shorter).
int fileio_copy (int in, off_t off, int out, int64_t len);
#endif
