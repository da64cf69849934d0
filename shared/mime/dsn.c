/*  dsn.c: RFC 3464 delivery status notifications (see dsn.h). Every value
 *  taken from the failed message or the smarthost is cut at a line break and
 *  bounded, so that a hostile reply cannot add header fields to the DSN. */
#include "dsn.h"
#include "qid.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

//  At most this much of the original's header section is returned.
#define DSN_MAX_HEADERS (64 * 1024)

static void
s_date (strbuf_t *out, int64_t t)
{
    time_t tt = (time_t) t;
    struct tm tm;
    gmtime_r (&tt, &tm);
    char buf[64];
    strftime (buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    strbuf_adds (out, buf);
}

//  A value on one line: control characters become spaces, at most max bytes.
static void
s_value (strbuf_t *out, const char *v, size_t max)
{
    for (size_t i = 0; v && v[i] && i < max; i++) {
        unsigned char c = (unsigned char) v[i];
        strbuf_addc (out, c < 0x20 || c == 0x7f ? ' ' : (char) c);
    }
}

//  "<a@b>" -> "a@b"
static void
s_addr (strbuf_t *out, const char *v)
{
    if (!v)
        return;
    size_t len = strlen (v);
    if (len >= 2 && v[0] == '<' && v[len - 1] == '>')
        v++, len -= 2;
    for (size_t i = 0; i < len && i < 512; i++) {
        unsigned char c = (unsigned char) v[i];
        strbuf_addc (out, c <= 0x20 || c == 0x7f ? '_' : (char) c);
    }
}

void
dsn_status (int code, const char *enhanced, char *out, size_t size)
{
    if (enhanced && *enhanced)
        snprintf (out, size, "%s", enhanced);
    else if (code >= 400 && code < 600)
        snprintf (out, size, "%d.0.0", code / 100);
    else
        snprintf (out, size, "4.4.1");
}

void
dsn_format (strbuf_t *out, const envelope_t *env, const char *msg, size_t len,
            const dsn_rcpt_t *rcpts, size_t count, const char *reporting_mta,
            const char *remote_mta, const char *explain, int64_t now)
{
    char boundary[64], id[QID_SIZE];
    qid_make (id);
    snprintf (boundary, sizeof boundary, "farm-dsn-%s", id);

    strbuf_adds (out, "From: Mail Delivery System <MAILER-DAEMON@");
    s_value (out, reporting_mta, 255);
    strbuf_adds (out, ">\r\nTo: <");
    s_addr (out, env->mail_from);
    strbuf_adds (out, ">\r\nSubject: Undelivered Mail Returned to Sender\r\nDate: ");
    s_date (out, now);
    strbuf_printf (out, "\r\nMessage-ID: <%s.dsn@", id);
    s_value (out, reporting_mta, 255);
    strbuf_printf (out, ">\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
                   "Content-Type: multipart/report; report-type=delivery-status;\r\n"
                   "\tboundary=\"%s\"\r\n\r\n", boundary);

    //  1. For people.
    strbuf_printf (out, "This is a MIME-encapsulated message.\r\n\r\n--%s\r\n"
                   "Content-Type: text/plain; charset=us-ascii\r\n\r\n", boundary);
    if (explain && *explain) {
        //  Our own words, wrapped by the caller; each line ends in CRLF here.
        for (const char *p = explain; *p;) {
            const char *nl = strchr (p, '\n');
            size_t n = nl ? (size_t) (nl - p) : strlen (p);
            for (size_t i = 0; i < n; i++)
                strbuf_addc (out, (unsigned char) p[i] < 0x20 ? ' ' : p[i]);
            strbuf_adds (out, "\r\n");
            p += n + (nl != NULL);
        }
        strbuf_adds (out, "\r\n");
    }
    else
        strbuf_adds (out, "Your message could not be delivered to the following recipient(s).\r\n"
                          "This is permanent: it will not be tried again.\r\n\r\n");
    for (size_t i = 0; i < count; i++) {
        strbuf_adds (out, "<");
        s_addr (out, rcpts[i].rcpt);
        strbuf_adds (out, ">: ");
        s_value (out, rcpts[i].diagnostic, 400);
        strbuf_adds (out, "\r\n");
    }

    //  2. For programs (RFC 3464 section 2).
    strbuf_printf (out, "\r\n--%s\r\nContent-Type: message/delivery-status\r\n\r\n", boundary);
    strbuf_adds (out, "Reporting-MTA: dns; ");
    s_value (out, reporting_mta, 255);
    strbuf_adds (out, "\r\nX-Farm-Queue-ID: ");
    s_value (out, env->qid, QID_SIZE);
    if (env->received_at != ENVELOPE_NO_TIME) {
        strbuf_adds (out, "\r\nArrival-Date: ");
        s_date (out, env->received_at);
    }
    strbuf_adds (out, "\r\n");
    for (size_t i = 0; i < count; i++) {
        strbuf_adds (out, "\r\nFinal-Recipient: rfc822; ");
        s_addr (out, rcpts[i].rcpt);
        strbuf_adds (out, "\r\nAction: failed\r\nStatus: ");
        s_value (out, rcpts[i].status, 15);
        if (remote_mta && *remote_mta) {
            strbuf_adds (out, "\r\nRemote-MTA: dns; ");
            s_value (out, remote_mta, 255);
        }
        strbuf_adds (out, "\r\nDiagnostic-Code: smtp; ");
        s_value (out, rcpts[i].diagnostic, 400);
        strbuf_adds (out, "\r\nLast-Attempt-Date: ");
        s_date (out, now);
        strbuf_adds (out, "\r\n");
    }

    //  3. The original's header section.
    strbuf_printf (out, "\r\n--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n", boundary);
    size_t pos = 0;
    while (pos < len && pos < DSN_MAX_HEADERS) {
        const char *nl = memchr (msg + pos, '\n', len - pos);
        size_t end = nl ? (size_t) (nl - msg) : len;
        size_t stop = end > pos && msg[end - 1] == '\r' ? end - 1 : end;
        if (stop == pos)
            break;      //  the blank line: end of the header section
        strbuf_add (out, msg + pos, stop - pos);
        strbuf_adds (out, "\r\n");
        pos = nl ? end + 1 : len;
    }
    strbuf_printf (out, "\r\n--%s--\r\n", boundary);
}
