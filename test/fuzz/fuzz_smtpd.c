/*  fuzz_smtpd.c: libFuzzer target for farm-smtpd's side of a conversation
 *  with a hostile client: the session state machine (tools/smtpd/session.c)
 *  and the command parser under it (command.c), with small limits so that
 *  every bound is met. The input is what the client sends, cut into reads
 *  of the sizes its bytes choose. Every message the session hands to the
 *  commit must have an envelope that the spool's reader takes back (no
 *  client can write a spool file the broker misreads) and stay within the
 *  size limit (and the Received: field the session adds, with the queue id
 *  the envelope carries, must fit in the room left for it); output must stay bounded by the input; STARTTLS and AUTH
 *  are let through as if TLS came up and every password were right for
 *  user "u". */
#include "envelope.h"
#include "qid.h"
#include "session.h"
#include "strbuf.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size < 1 || size > 256 * 1024)
        return 0;
    session_conf_t conf = { .hostname = "farm.test", .max_size = 2000, .max_rcpt = 5,
                            .max_headers = 10, .max_line = 200, .max_errors = 50,
                            .tls_offered = true, .auth_offered = true,
                            .auth_required = (data[0] & 1) != 0, .account_header = "X-AuthUser",
                            .received = (data[0] & 4) != 0};
    char err[128];
    if (session_parse_order (&conf, "auth,xclient,header,received,sender", err, sizeof err) < 0)
        abort ();
    session_t *s = session_new (&conf, "192.0.2.1", (data[0] & 2) != 0);
    size_t pos = 1, out_total = 0;
    int messages = 0;
    while (pos < size) {
        size_t n = 1 + data[pos] % 97;
        pos++;
        if (n > size - pos)
            n = size - pos;
        session_event_t ev = session_input (s, (const char *) data + pos, n);
        pos += n;
        while (ev == SESSION_MESSAGE || ev == SESSION_STARTTLS || ev == SESSION_AUTH) {
            if (ev == SESSION_AUTH) {
                const char *user, *pass;
                session_auth_request (s, &user, &pass);
                if (!session_waiting (s))
                    abort ();
                session_auth_done (s, !strcmp (user, "u") && *pass);
                ev = session_input (s, NULL, 0);
                continue;
            }
            if (ev == SESSION_STARTTLS) {
                session_tls_on (s);
                ev = session_input (s, NULL, 0);
                continue;
            }
            const char *msg;
            size_t len;
            envelope_t *env = session_take (s, &msg, &len);
            //  The Received: field may add a few hundred bytes to the limit.
            if (!env || len > conf.max_size + 512 || !env->rcpt_count || env->rcpt_count > conf.max_rcpt ||
                !env->qid || !qid_valid (env->qid))
                abort ();
            strbuf_t text;
            strbuf_init (&text);
            envelope_format (env, &text);
            envelope_t *back = envelope_new ();
            if (envelope_parse (back, text.data, text.len, err, sizeof err) < 0)
                abort ();
            if (back->rcpt_count != env->rcpt_count || !back->account ||
                strcmp (back->account, env->account))
                abort ();
            envelope_destroy (&back);
            strbuf_free (&text);
            envelope_destroy (&env);
            messages++;
            session_committed (s, messages % 3 ? "0000000000000000000000aa" : NULL);
            ev = session_input (s, NULL, 0);
        }
        const char *out;
        size_t olen;
        session_output (s, &out, &olen);
        out_total += olen;
        session_sent (s, olen);
        if (ev == SESSION_CLOSE)
            break;
    }
    //  No reply is longer than a few hundred bytes, and each answers at
    //  least a byte of input (EHLO's answers a few): bounded by the input.
    if (out_total > 600 + size * 200)
        abort ();
    session_destroy (&s);
    return 0;
}
