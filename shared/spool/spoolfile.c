/*  spoolfile.c: reading and writing the spool file header block.
 *  The reader trusts nothing: it bounds the header block, insists on the
 *  version line, and checks the declared size against the file's length. */
#include "spoolfile.h"
#include "xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
spoolfile_header (envelope_t *env, size_t size, strbuf_t *out)
{
    env->version = SPOOLFILE_VERSION;
    env->size = (int64_t) size;
    envelope_format (env, out);
    strbuf_addc (out, '\n');
}

//  Find the end of the header block: offset just after "\n\n", or 0.
static size_t
s_header_end (const char *data, size_t len)
{
    const char *p = data;
    while ((p = memchr (p, '\n', (size_t) (data + len - p))) != NULL) {
        p++;
        if (p < data + len && *p == '\n')
            return (size_t) (p - data) + 1;
    }
    return 0;
}

static int
s_check (envelope_t *env, size_t hdr_len, uint64_t total, char *err, size_t errlen)
{
    if (env->version != SPOOLFILE_VERSION) {
        snprintf (err, errlen, "not a farm-spool %d file", SPOOLFILE_VERSION);
        return SPOOLFILE_CORRUPT;
    }
    if (env->size < 0) {
        snprintf (err, errlen, "no size line");
        return SPOOLFILE_CORRUPT;
    }
    if ((uint64_t) env->size + hdr_len != total) {
        snprintf (err, errlen, "size %lld but %llu bytes follow the header (truncated?)",
                  (long long) env->size, (unsigned long long) (total - hdr_len));
        return SPOOLFILE_CORRUPT;
    }
    return 0;
}

int
spoolfile_parse (const char *data, size_t len, envelope_t *env, size_t *body_off,
                 char *err, size_t errlen)
{
    size_t scan = len < SPOOLFILE_MAX_HEADER ? len : SPOOLFILE_MAX_HEADER;
    size_t end = s_header_end (data, scan);
    if (end == 0) {
        snprintf (err, errlen, "no blank line ends the header block");
        return SPOOLFILE_CORRUPT;
    }
    if (envelope_parse (env, data, end, err, errlen))
        return SPOOLFILE_CORRUPT;
    *body_off = end;
    return s_check (env, end, len, err, errlen);
}

int
spoolfile_read_header (int fd, envelope_t *env, off_t *body_off, char *err, size_t errlen)
{
    struct stat st;
    if (fstat (fd, &st) < 0) {
        snprintf (err, errlen, "fstat: %s", strerror (errno));
        return SPOOLFILE_IOERR;
    }
    //  Most header blocks fit in the first read; read on while they do not.
    size_t cap = 16384, have = 0, end = 0;
    char *buf = xmalloc (cap);
    for (;;) {
        ssize_t n = pread (fd, buf + have, cap - have, (off_t) have);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            snprintf (err, errlen, "read: %s", strerror (errno));
            free (buf);
            return SPOOLFILE_IOERR;
        }
        size_t from = have > 0 ? have - 1 : 0;
        have += (size_t) n;
        size_t e = s_header_end (buf + from, have - from);
        if (e) {
            end = from + e;
            break;
        }
        if (n == 0 || have >= SPOOLFILE_MAX_HEADER) {
            snprintf (err, errlen, have >= SPOOLFILE_MAX_HEADER
                      ? "header block longer than %d bytes" : "no blank line ends the header block",
                      SPOOLFILE_MAX_HEADER);
            free (buf);
            return SPOOLFILE_CORRUPT;
        }
        if (have == cap) {
            cap *= 2;
            buf = xrealloc (buf, cap);
        }
    }
    int rc = envelope_parse (env, buf, end, err, errlen) ? SPOOLFILE_CORRUPT : 0;
    free (buf);
    if (rc)
        return rc;
    *body_off = (off_t) end;
    return s_check (env, end, (uint64_t) st.st_size, err, errlen);
}
