/*  smtp.c: the SMTP client of farm-relay (see smtp.h).
 *  Replies are read through a fixed buffer; a line longer than it is cut
 *  (RFC 5321 caps them at 512 octets, a hostile server may not), and a reply
 *  of more than SMTP_MAX_LINES lines is an error, so no server can make the
 *  relay allocate or wait without bound. */
#include "smtp.h"
#include "lines.h"
#include "strbuf.h"
#include "xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define SMTP_MAX_LINES 100

struct smtp_t {
    int fd;
    unsigned ext;           //  SMTP_EXT_* offered in the EHLO reply
    char buf[8192];
    size_t start, end;      //  unread bytes in buf
};

static void
s_error (smtp_reply_t *r, const char *what, int err)
{
    r->code = 0;
    r->status[0] = 0;
    snprintf (r->text, sizeof r->text, "%s: %s", what, err ? strerror (err) : "closed by the server");
}

int
smtp_parse_line (const char *line, smtp_reply_t *r, int *last)
{
    if (!isdigit ((unsigned char) line[0]) || !isdigit ((unsigned char) line[1]) ||
        !isdigit ((unsigned char) line[2]) || line[0] < '2' || line[0] > '5' ||
        (line[3] != ' ' && line[3] != '-' && line[3] != 0))
        return -1;
    r->code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    *last = line[3] != '-';
    const char *text = line[3] ? line + 4 : line + 3;
    snprintf (r->text, sizeof r->text, "%s", line);
    //  An enhanced status code: class.subject.detail, its class the reply's.
    r->status[0] = 0;
    size_t n = strspn (text, "0123456789.");
    if (n >= 5 && n < sizeof r->status && text[0] == line[0] && text[1] == '.' &&
        (text[n] == ' ' || text[n] == 0)) {
        int dots = 0;
        for (size_t i = 0; i < n; i++)
            dots += text[i] == '.';
        if (dots == 2 && text[n - 1] != '.' && !strstr (text, "..")) {
            memcpy (r->status, text, n);
            r->status[n] = 0;
        }
    }
    return 0;
}

//  One line without its CRLF into line (cut to size); 0, or -1 with errno
//  (0 for end of stream).
static int
s_read_line (smtp_t *self, char *line, size_t size)
{
    size_t len = 0;
    while (true) {
        while (self->start < self->end) {
            char c = self->buf[self->start++];
            if (c == '\n') {
                if (len && line[len - 1] == '\r')
                    len--;
                line[len] = 0;
                return 0;
            }
            if (len < size - 1)
                line[len++] = c;
        }
        ssize_t n = read (self->fd, self->buf, sizeof self->buf);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 0)
                errno = 0;
            else if (errno == EAGAIN)
                errno = ETIMEDOUT;
            return -1;
        }
        self->start = 0;
        self->end = (size_t) n;
    }
}

//  The keyword of one EHLO reply line ("250-PIPELINING") as SMTP_EXT_*.
static unsigned
s_ext_of (const char *line)
{
    const char *k = line + 4;
    size_t n = strcspn (k, " ");
    if (n == 10 && !strncasecmp (k, "PIPELINING", 10))
        return SMTP_EXT_PIPELINING;
    if (n == 3 && !strncasecmp (k, "DSN", 3))
        return SMTP_EXT_DSN;
    return 0;
}

static int
s_read_reply_ext (smtp_t *self, smtp_reply_t *r, unsigned *ext)
{
    char line[1024];
    r->code = 0;
    r->status[0] = r->text[0] = 0;
    for (int i = 0; i < SMTP_MAX_LINES; i++) {
        if (s_read_line (self, line, sizeof line) < 0) {
            s_error (r, "reading the reply", errno);
            return -1;
        }
        int last;
        if (smtp_parse_line (line, r, &last) < 0) {
            //  Nothing of an earlier line or reply may stay: a bounce
            //  would carry its status.
            r->code = 0;
            r->status[0] = 0;
            snprintf (r->text, sizeof r->text, "not an SMTP reply: %.200s", line);
            return -1;
        }
        if (ext && r->code == 250 && i > 0)
            *ext |= s_ext_of (line);
        if (last)
            return r->code;
    }
    s_error (r, "reply of too many lines", EPROTO);
    return -1;
}

static int
s_read_reply (smtp_t *self, smtp_reply_t *r)
{
    return s_read_reply_ext (self, r, NULL);
}

static void s_broken (smtp_t *self);

static int
s_write_all (smtp_t *self, const char *data, size_t len, smtp_reply_t *r)
{
    while (len) {
        ssize_t n = write (self->fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            s_error (r, "sending", errno == EAGAIN ? ETIMEDOUT : errno);
            return -1;
        }
        data += n;
        len -= (size_t) n;
    }
    return 0;
}

smtp_t *
smtp_connect (const char *hostport, const char *helo, int timeout_s, smtp_reply_t *r)
{
    char host[256], port[16] = "25";
    const char *colon = strrchr (hostport, ':');
    size_t hlen = colon ? (size_t) (colon - hostport) : strlen (hostport);
    if (hostport[0] == '[' && colon && colon[-1] == ']') {
        hostport++;
        hlen -= 2;
    }
    if (hlen == 0 || hlen >= sizeof host || (colon && strlen (colon + 1) >= sizeof port)) {
        s_error (r, "bad smarthost (host:port)", EINVAL);
        return NULL;
    }
    memcpy (host, hostport, hlen);
    host[hlen] = 0;
    if (colon)
        snprintf (port, sizeof port, "%s", colon + 1);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
    int gai = getaddrinfo (host, port, &hints, &res);
    if (gai) {
        r->code = 0;
        r->status[0] = 0;
        snprintf (r->text, sizeof r->text, "%s: %s", host, gai_strerror (gai));
        return NULL;
    }
    int fd = -1, err = 0;
    struct timeval tv = { .tv_sec = timeout_s };
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket (a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        //  The send timeout bounds connect() too.
        setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect (fd, a->ai_addr, a->ai_addrlen) < 0) {
            err = errno == EINPROGRESS ? ETIMEDOUT : errno;
            close (fd);
            fd = -1;
        }
    }
    freeaddrinfo (res);
    if (fd < 0) {
        s_error (r, "connect", err);
        return NULL;
    }
    return smtp_open_fd (fd, helo, r);
}

smtp_t *
smtp_open_fd (int fd, const char *helo, smtp_reply_t *r)
{
    smtp_t *self = xcalloc (1, sizeof *self);
    self->fd = fd;
    if (s_read_reply (self, r) != 220) {
        smtp_destroy (&self);
        return NULL;
    }
    char line[1100];
    int n = snprintf (line, sizeof line, "EHLO %s\r\n", helo);
    unsigned ext = 0;
    if (n < 0 || (size_t) n >= sizeof line || strpbrk (helo, "\r\n")) {
        s_error (r, "EHLO name too long or with a line break", EINVAL);
        smtp_destroy (&self);
        return NULL;
    }
    if (s_write_all (self, line, (size_t) n, r) < 0 || s_read_reply_ext (self, r, &ext) < 0) {
        s_broken (self);
        smtp_destroy (&self);
        return NULL;
    }
    if (r->code == 250)
        self->ext = ext;
    else if (r->code < 500 || smtp_command (self, r, "HELO %s", helo) != 250) {
        smtp_destroy (&self);
        return NULL;
    }
    return self;
}

unsigned
smtp_extensions (smtp_t *self)
{
    return self->ext;
}

void
smtp_destroy (smtp_t **self_p)
{
    smtp_t *self = *self_p;
    if (!self)
        return;
    if (self->fd >= 0) {
        smtp_reply_t r;
        smtp_command (self, &r, "QUIT");
        if (self->fd >= 0)
            close (self->fd);
    }
    free (self);
    *self_p = NULL;
}

static void
s_broken (smtp_t *self)
{
    close (self->fd);
    self->fd = -1;
}

int
smtp_command (smtp_t *self, smtp_reply_t *r, const char *fmt, ...)
{
    if (self->fd < 0) {
        s_error (r, "connection", EPIPE);
        return -1;
    }
    char line[1100];
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (line, sizeof line - 2, fmt, ap);
    va_end (ap);
    if (n < 0 || (size_t) n >= sizeof line - 2 || strpbrk (line, "\r\n")) {
        s_error (r, "command too long or with a line break", EINVAL);
        return -1;
    }
    memcpy (line + n, "\r\n", 3);
    if (s_write_all (self, line, (size_t) n + 2, r) < 0 || s_read_reply (self, r) < 0) {
        s_broken (self);
        return -1;
    }
    return r->code;
}

int
smtp_pipeline (smtp_t *self, const char *const *lines, size_t n, smtp_reply_t *replies)
{
    for (size_t i = 0; i < n; i++)
        s_error (&replies[i], "connection", EPIPE);
    if (self->fd < 0)
        return -1;
    strbuf_t out;
    strbuf_init (&out);
    for (size_t i = 0; i < n; i++) {
        if (strlen (lines[i]) > 1000 || strpbrk (lines[i], "\r\n")) {
            strbuf_free (&out);
            for (size_t j = 0; j < n; j++)
                s_error (&replies[j], "command too long or with a line break", EINVAL);
            return -1;
        }
        strbuf_adds (&out, lines[i]);
        strbuf_adds (&out, "\r\n");
    }
    int rc = s_write_all (self, out.data, out.len, &replies[0]);
    strbuf_free (&out);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (s_read_reply (self, &replies[i]) < 0)
            rc = -1;
    if (rc < 0)
        s_broken (self);
    return rc;
}

int
smtp_data (smtp_t *self, const char *msg, size_t len, smtp_reply_t *r)
{
    int code = smtp_command (self, r, "DATA");
    if (code != 354)
        return code;
    return smtp_data_body (self, msg, len, r);
}

int
smtp_data_body (smtp_t *self, const char *msg, size_t len, smtp_reply_t *r)
{
    if (self->fd < 0) {
        s_error (r, "connection", EPIPE);
        return -1;
    }
    strbuf_t out;
    strbuf_init (&out);
    //  Every line end as CRLF, a bare CR too (lines.h), and leading dots
    //  doubled: no receiver can read the end of the data inside it.
    const char *p = msg, *end = msg + len;
    while (p < end) {
        const char *next, *stop = lines_end (p, end, &next);
        if (*p == '.')
            strbuf_addc (&out, '.');
        strbuf_add (&out, p, (size_t) (stop - p));
        strbuf_adds (&out, "\r\n");
        p = next;
    }
    strbuf_adds (&out, ".\r\n");
    int rc = s_write_all (self, out.data, out.len, r);
    strbuf_free (&out);
    if (rc < 0 || s_read_reply (self, r) < 0) {
        s_broken (self);
        return -1;
    }
    return r->code;
}
