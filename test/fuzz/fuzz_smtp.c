/*  fuzz_smtp.c: libFuzzer target for farm-relay's side of a conversation
 *  with a hostile smarthost. The input is everything the server says; the
 *  relay greets it, sends a message to two recipients and quits, and every
 *  reply it reads must be a code from 200 to 599 (or 0 for a broken
 *  connection) with its text and status bounded. The same input's lines
 *  then go into a bounce as the recipient, the diagnostic and the original,
 *  which must not break the bounce's header section or its
 *  machine-readable part. */
#include "dsn.h"
#include "smtp.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
s_check (const smtp_reply_t *r, int code)
{
    if (code != -1 && (code < 200 || code > 599))
        abort ();
    if (strlen (r->text) >= sizeof r->text || strlen (r->status) >= sizeof r->status)
        abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  What fits in a socket buffer, so that writing it never blocks.
    if (size > 64 * 1024)
        return 0;
    int sv[2];
    if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return 0;
    if (size && write (sv[1], data, size) != (ssize_t) size)
        abort ();
    shutdown (sv[1], SHUT_WR);
    smtp_reply_t r;
    smtp_t *s = smtp_open_fd (sv[0], "fuzz.test", &r);
    s_check (&r, r.code ? r.code : -1);
    if (s) {
        static const char msg[] = "From: a@b\n.dot\n\nbody\n";
        s_check (&r, smtp_command (s, &r, "MAIL FROM:<a@b>"));
        s_check (&r, smtp_command (s, &r, "RCPT TO:<c@d>"));
        s_check (&r, smtp_command (s, &r, "RCPT TO:<e@f>"));
        s_check (&r, smtp_data (s, msg, sizeof msg - 1, &r));
        smtp_destroy (&s);
    }
    close (sv[1]);

    //  The input as a diagnostic, a recipient and the original message.
    char *text = malloc (size + 1);
    memcpy (text, data, size);
    text[size] = 0;
    envelope_t *env = envelope_new ();
    envelope_set (&env->mail_from, "<a@b.example>");
    dsn_rcpt_t rc = { text, "5.0.0", text };
    strbuf_t out;
    strbuf_init (&out);
    dsn_format (&out, env, (const char *) data, size, &rc, 1, "fuzz.test", "mx:25", "", 0);
    strbuf_addc (&out, 0);
    //  Up to the first blank line, every line is one of our header fields.
    const char *end = strstr (out.data, "\r\n\r\n");
    if (!end)
        abort ();
    static const char *ours[] = { "From: ", "To: ", "Subject: ", "Date: ", "Message-ID: ",
                                  "Auto-Submitted: ", "MIME-Version: ", "Content-Type: ", "\t" };
    for (const char *p = out.data; p < end;) {
        size_t k = 0;
        while (k < sizeof ours / sizeof *ours && strncmp (p, ours[k], strlen (ours[k])))
            k++;
        if (k == sizeof ours / sizeof *ours)
            abort ();
        const char *nl = strstr (p, "\r\n");
        p = nl + 2;
    }
    //  The delivery-status part: blank lines and "Name: value" lines only,
    //  whatever the recipient and the diagnostic hold.
    const char *ds = strstr (out.data, "Content-Type: message/delivery-status\r\n\r\n");
    const char *ds_end = ds ? strstr (ds, "\r\n--farm-dsn-") : NULL;
    if (!ds || !ds_end)
        abort ();
    for (const char *p = strstr (ds, "\r\n\r\n") + 4; p < ds_end;) {
        const char *nl = strstr (p, "\r\n");
        if (nl > p) {
            size_t n = strspn (p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-");
            if (n == 0 || p[n] != ':' || memchr (p, '\n', (size_t) (nl - p)))
                abort ();
        }
        p = nl + 2;
    }
    strbuf_free (&out);
    envelope_destroy (&env);
    free (text);
    return 0;
}
