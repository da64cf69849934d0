/*  flagfile.c: the flags' own file beside the sender state (see flagfile.h). */
#include "flagfile.h"
#include "diag.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLAGFILE_MAX_LINE 1024

typedef struct {
    int64_t at;
    char *reason;
} s_flag_t;

struct flagfile_t {
    char *path;
    zhashx_t *flags;        //  key -> s_flag_t
    bool dirty;
};

static void
s_flag_free (void **item)
{
    s_flag_t *f = *item;
    if (f) {
        free (f->reason);
        free (f);
    }
    *item = NULL;
}

flagfile_t *
flagfile_new (const char *path)
{
    flagfile_t *self = xcalloc (1, sizeof *self);
    self->path = xstrdup (path);
    self->flags = zhashx_new ();
    zhashx_set_destructor (self->flags, s_flag_free);
    FILE *f = fopen (path, "r");
    if (!f) {
        if (errno != ENOENT)
            diag_error ("flags file %s: %s; the sender state's flags alone are known", path,
                        strerror (errno));
        return self;
    }
    char line[FLAGFILE_MAX_LINE];
    size_t bad = 0;
    while (fgets (line, sizeof line, f)) {
        size_t n = strlen (line);
        if (n && line[n - 1] == '\n')
            line[--n] = 0;
        char *t1 = strchr (line, '\t'), *t2 = t1 ? strchr (t1 + 1, '\t') : NULL, *e = NULL;
        int64_t at = t2 ? strtoll (t1 + 1, &e, 10) : 0;
        if (!t2 || e != t2 || t1 == line || t1 - line >= 64 || (line[0] != 'a' && line[0] != 'd')
            || line[1] != ':') {
            bad++;
            continue;
        }
        *t1 = 0;
        flagfile_set (self, line, at, t2 + 1);
    }
    fclose (f);
    if (bad)
        diag_error ("flags file %s: %zu line(s) that are not flags skipped", path, bad);
    self->dirty = bad > 0;
    return self;
}

void
flagfile_destroy (flagfile_t **self_p)
{
    flagfile_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->flags);
    free (self->path);
    free (self);
    *self_p = NULL;
}

void
flagfile_set (flagfile_t *self, const char *key, int64_t at, const char *reason)
{
    s_flag_t *old = zhashx_lookup (self->flags, key);
    if (!reason) {
        if (old) {
            zhashx_delete (self->flags, key);
            self->dirty = true;
        }
        return;
    }
    if (old && old->at == at && !strcmp (old->reason, reason))
        return;
    s_flag_t *f = xcalloc (1, sizeof *f);
    f->at = at;
    f->reason = xstrdup (reason);
    //  One line a flag: no tab or newline inside the reason.
    for (char *p = f->reason; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r')
            *p = ' ';
    zhashx_update (self->flags, key, f);
    self->dirty = true;
}

size_t
flagfile_count (flagfile_t *self)
{
    return zhashx_size (self->flags);
}

void
flagfile_each (flagfile_t *self, flagfile_fn *fn, void *arg)
{
    for (s_flag_t *f = zhashx_first (self->flags); f; f = zhashx_next (self->flags))
        fn (arg, zhashx_cursor (self->flags), f->at, f->reason);
}

int
flagfile_save (flagfile_t *self)
{
    if (!self->dirty)
        return 0;
    strbuf_t out;
    strbuf_init (&out);
    strbuf_adds (&out, "");
    for (s_flag_t *f = zhashx_first (self->flags); f; f = zhashx_next (self->flags))
        strbuf_printf (&out, "%s\t%" PRId64 "\t%s\n", (const char *) zhashx_cursor (self->flags), f->at,
                       f->reason);
    size_t plen = strlen (self->path);
    char *tmp = xmalloc (plen + 8);
    snprintf (tmp, plen + 8, "%s.tmp", self->path);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -1 : 0;
    if (!rc && out.len)
        rc = fileio_write_all (fd, out.data, out.len);
    if (!rc && fsync (fd) < 0)
        rc = -1;
    int e = errno;
    if (fd >= 0)
        close (fd);
    if (!rc && rename (tmp, self->path) < 0)
        rc = -1, e = errno;
    if (!rc) {
        char *dir = xstrdup (self->path);
        int dfd = open (dirname (dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync (dfd);
            close (dfd);
        }
        free (dir);
        self->dirty = false;
    }
    else
        unlink (tmp);
    free (tmp);
    strbuf_free (&out);
    errno = e;
    return rc;
}
