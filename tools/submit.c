/*  submit.c: farm-submit, sendmail-like injection into the ingest spool, for
 *  an MTA's pipe transport or content filter.
 *
 *  farm-submit -f SENDER [-a ACCOUNT] [--spool DIR] [--client-ip IP]
 *              [--received-at SECONDS] [--source NAME] RCPT...
 *
 *  Reads the message on standard input and commits it to DIR/incoming/
 *  (temporary file, fsync, rename, directory fsync); prints its queue id.
 *  Exit codes follow sysexits(3): 0 queued; 64 bad usage; 65 bad input (too
 *  large, control characters in an address); 74 standard input unreadable;
 *  75 the spool cannot be written now (the MTA should retry). */
#include "cfg.h"
#include "diag.h"
#include "envelope.h"
#include "spool.h"
#include "xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EX_OK 0
#define EX_USAGE 64
#define EX_DATAERR 65
#define EX_IOERR 74
#define EX_TEMPFAIL 75

static const char *s_usage =
    "usage: farm-submit -f SENDER [-a ACCOUNT] [--spool DIR] [--client-ip IP]\n"
    "                   [--received-at SECONDS] [--source NAME] RCPT...\n\n"
    "Reads a message on standard input and queues it in the farm's ingest spool.\n"
    "SENDER may be empty (-f '') for the null sender; ACCOUNT defaults to SENDER.\n"
    "Exit: 0 queued, 64 usage, 65 bad input, 74 input unreadable, 75 try again later.";

static int
s_fail (int code, const char *fmt, const char *arg)
{
    fprintf (stderr, "farm-submit: ");
    fprintf (stderr, fmt, arg);
    fprintf (stderr, "\n");
    return code;
}

int
main (int argc, char **argv)
{
    diag_init ("farm-submit", false);
    const char *sender = NULL, *account = NULL, *client_ip = NULL, *source = NULL, *received = NULL;
    //  Our own sendmail-style flags first; the rest goes to cfg.
    char **rest = xcalloc ((size_t) argc + 1, sizeof *rest);
    int nrest = 1;
    rest[0] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = !strcmp (a, "-f") ? &sender : !strcmp (a, "-a") ? &account
                         : !strcmp (a, "--client-ip") ? &client_ip
                         : !strcmp (a, "--received-at") ? &received
                         : !strcmp (a, "--source") ? &source : NULL;
        if (dst) {
            if (i + 1 >= argc)
                return s_fail (EX_USAGE, "%s needs a value", a);
            *dst = argv[++i];
        }
        else if (!strncmp (a, "-f", 2) && a[2])
            sender = a + 2;
        else if (!strcmp (a, "-i") || !strcmp (a, "-oi"))
            ;   //  sendmail compatibility: a lone dot never ends our input
        else
            rest[nrest++] = argv[i];
    }
    cfg_t *cfg = cfg_new (CFG_SUBMIT);
    char err[512];
    int rc = cfg_args (cfg, &nrest, rest, err, sizeof err);
    if (rc == 1) {
        cfg_help (cfg, s_usage);
        return EX_OK;
    }
    if (rc < 0)
        return s_fail (EX_USAGE, "%s", err);
    if (!sender)
        return s_fail (EX_USAGE, "%s", "-f SENDER is required (-f '' for the null sender)");
    if (nrest < 2)
        return s_fail (EX_USAGE, "%s", "no recipients given");

    envelope_t *env = envelope_new ();
    const char *checks[] = { sender, account, client_ip, source };
    for (size_t i = 0; i < 4; i++)
        if (checks[i] && !envelope_value_ok (checks[i]))
            return s_fail (EX_DATAERR, "bad characters or length in '%s'", checks[i]);
    envelope_set (&env->mail_from, sender);
    envelope_set (&env->account, account ? account : sender);
    envelope_set (&env->client_ip, client_ip);
    envelope_set (&env->source, source);
    for (int i = 1; i < nrest; i++) {
        if (!envelope_value_ok (rest[i]) || !*rest[i])
            return s_fail (EX_DATAERR, "bad recipient '%s'", rest[i]);
        envelope_add_rcpt (env, rest[i]);
    }
    if (received) {
        char *end;
        errno = 0;
        long long t = strtoll (received, &end, 10);
        if (errno || *end || end == received || t < 0)
            return s_fail (EX_USAGE, "--received-at '%s' is not unix seconds", received);
        env->received_at = t;
    }
    else
        env->received_at = (int64_t) time (NULL);

    //  The message, bounded by the size limit (we never hold more).
    size_t max = (size_t) cfg_int (cfg, "limits/message-size");
    size_t cap = 65536, len = 0;
    char *msg = xmalloc (cap);
    for (;;) {
        if (len == cap) {
            if (cap > max)
                return s_fail (EX_DATAERR, "message larger than %s bytes", cfg_str (cfg, "limits/message-size"));
            cap *= 2;
            msg = xrealloc (msg, cap);
        }
        ssize_t n = read (STDIN_FILENO, msg + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return s_fail (EX_IOERR, "reading standard input: %s", strerror (errno));
        if (n == 0)
            break;
        len += (size_t) n;
        if (len > max)
            return s_fail (EX_DATAERR, "message larger than %s bytes", cfg_str (cfg, "limits/message-size"));
    }

    spool_t *spool = spool_new (cfg_str (cfg, "spool/root"), true);
    if (!spool)
        return s_fail (EX_TEMPFAIL, "cannot open spool %s", cfg_str (cfg, "spool/root"));
    char qid[QID_SIZE];
    if (spool_enter (spool, env, msg, len, qid) < 0)
        return s_fail (EX_TEMPFAIL, "cannot write to the spool: %s", strerror (errno));
    printf ("%s\n", qid);
    spool_destroy (&spool);
    envelope_destroy (&env);
    cfg_destroy (&cfg);
    free (msg);
    free (rest);
    return EX_OK;
}
