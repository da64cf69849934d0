/*  fileio.c: whole reads and writes, and the clock (see fileio.h). */
#include "fileio.h"
#include "xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

int
fileio_write_all (int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write (fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

ssize_t
fileio_pread_all (int fd, void *buf, size_t len, off_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread (fd, (char *) buf + got, len - got, off + (off_t) got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t) n;
    }
    return (ssize_t) got;
}

int
fileio_replace (const char *path, const void *data, size_t len, mode_t mode)
{
    char tmp[4200];
    if (snprintf (tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    //  A fresh file, never through a name planted there (a symbolic link).
    unlink (tmp);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    int rc = fd < 0 ? -1 : fileio_write_all (fd, data, len);
    int e = errno;
    if (fd >= 0 && close (fd) < 0 && rc == 0)
        rc = -1, e = errno;
    if (rc == 0 && rename (tmp, path) < 0)
        rc = -1, e = errno;
    if (rc < 0) {
        unlink (tmp);
        errno = e;
    }
    return rc;
}

int64_t
fileio_now_usec (void)
{
    struct timeval tv;
    gettimeofday (&tv, NULL);
    return (int64_t) tv.tv_sec * 1000000 + tv.tv_usec;
}

int
fileio_copy (int in, off_t off, int out, int64_t left)
{
    while (left > 0) {
        ssize_t n = copy_file_range (in, &off, out, NULL, (size_t) left, 0);
        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
            char buf[65536];
            n = pread (in, buf, left < (int64_t) sizeof buf ? (size_t) left : sizeof buf, off);
            if (n > 0 && fileio_write_all (out, buf, (size_t) n) < 0)
                n = -1;
            if (n > 0)
                off += n;
        }
        if (n <= 0) {
            if (n == 0)
                errno = EIO;    //  shorter than its header says
            return -1;
        }
        left -= n;
    }
    return 0;
}

struct dirwalk_t {
    DIR *dir;
};

static dirwalk_t *
s_walk (DIR *d)
{
    if (!d)
        return NULL;
    dirwalk_t *self = xcalloc (1, sizeof *self);
    self->dir = d;
    rewinddir (d);      //  a dup'ed descriptor shares the offset of the first walk
    return self;
}

dirwalk_t *
dirwalk_new (int dirfd)
{
    int fd = dup (dirfd);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir (fd);
    if (!d) {
        int e = errno;
        close (fd);
        errno = e;
    }
    return s_walk (d);
}

dirwalk_t *
dirwalk_open (const char *path)
{
    return s_walk (opendir (path));
}

const char *
dirwalk_next (dirwalk_t *self)
{
    struct dirent *e;
    while ((e = readdir (self->dir)) != NULL)
        if (strcmp (e->d_name, ".") && strcmp (e->d_name, ".."))
            return e->d_name;
    return NULL;
}

void
dirwalk_destroy (dirwalk_t **self_p)
{
    dirwalk_t *self = *self_p;
    if (!self)
        return;
    closedir (self->dir);
    free (self);
    *self_p = NULL;
}

filewatch_status_t
filewatch_check (filewatch_t *self, const char *path)
{
    struct stat st;
    if (stat (path, &st) < 0) {
        bool first = !self->missing;
        self->missing = true;
        return first ? FILEWATCH_GONE : FILEWATCH_MISSING;
    }
    self->missing = false;
    const struct stat *a = &st, *b = &self->st;
    bool same = self->seen && a->st_ino == b->st_ino && a->st_dev == b->st_dev
                && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec
                && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
    self->st = st;
    self->seen = true;
    return same ? FILEWATCH_SAME : FILEWATCH_CHANGED;
}

static const char *
s_kind (mode_t m)
{
    return S_ISDIR (m) ? "a directory" : S_ISLNK (m) ? "a symbolic link" : S_ISFIFO (m) ? "a FIFO"
           : S_ISSOCK (m) ? "a socket" : S_ISCHR (m) || S_ISBLK (m) ? "a device" : "not a file";
}

int
fileio_open_regular (int dirfd, const char *name, const char **what)
{
    struct stat st;
    //  Looked at before it is opened: opening a device or a FIFO can block
    //  or have effects of its own.
    if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    if (!S_ISREG (st.st_mode)) {
        *what = s_kind (st.st_mode);
        return FILEIO_NOT_REGULAR;
    }
    int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP) {
            *what = "a symbolic link";
            return FILEIO_NOT_REGULAR;
        }
        return -1;
    }
    //  And again once open: it may have been swapped in between.
    if (fstat (fd, &st) < 0) {
        int e = errno;
        close (fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG (st.st_mode)) {
        *what = s_kind (st.st_mode);
        close (fd);
        return FILEIO_NOT_REGULAR;
    }
    return fd;
}
