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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

static void __attribute__ ((format (printf, 1, 2)))
s_complain (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "farm-submit: ");
    vfprintf (stderr, fmt, ap);
    fprintf (stderr, "\n");
    va_end (ap);
}

//  Read standard input, at most max bytes. 0, or the sysexits code.
static int
s_read_message (size_t max, char **msg_p, size_t *len_p)
{
    size_t cap = 65536, len = 0;
    char *msg = xmalloc (cap);
    int rc = EX_OK;
    for (;;) {
        if (len == cap) {
            cap *= 2;
            msg = xrealloc (msg, cap);
        }
        ssize_t n = read (STDIN_FILENO, msg + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            s_complain ("reading standard input: %s", strerror (errno));
            rc = EX_IOERR;
            break;
        }
        if (n == 0)
            break;
        len += (size_t) n;
        if (len > max) {
            char limit[32];
            snprintf (limit, sizeof limit, "%zu", max);
            s_complain ("message larger than %s bytes", limit);
            rc = EX_DATAERR;
            break;
        }
    }
    *msg_p = msg;
    *len_p = len;
    return rc;
}

//  An envelope address as RFC 5321 has it: local@domain, both parts there,
//  no white space or control character, in angle brackets or not; the null
//  sender ("" or <>) where empty is allowed, and a bare Postmaster.
static bool
s_address_ok (const char *a, bool empty_ok)
{
    size_t n = strlen (a);
    if (n >= 2 && a[0] == '<' && a[n - 1] == '>')
        a++, n -= 2;
    if (n == 0)
        return empty_ok;
    if (n == 10 && !strncasecmp (a, "postmaster", 10))
        return true;
    const char *at = memrchr (a, '@', n);
    if (!at || at == a || at == a + n - 1 || n > ENVELOPE_MAX_PATH)
        return false;
    char bare[ENVELOPE_MAX_PATH + 1];
    memcpy (bare, a, n);
    bare[n] = 0;
    return envelope_path_ok (bare);
}

//  Everything after argument parsing: build the envelope, read, commit.
static int
s_submit (cfg_t *cfg, char **rcpts, int nrcpt, const char *sender, const char *account,
          const char *client_ip, const char *source, const char *received)
{
    const char *checks[] = { sender, account, client_ip, source };
    for (size_t i = 0; i < 4; i++)
        if (checks[i] && !envelope_value_ok (checks[i])) {
            s_complain ("bad characters or length in '%s'", checks[i]);
            return EX_DATAERR;
        }
    if (!s_address_ok (sender, true)) {
        s_complain ("-f '%s' is not an address (local@domain, or '' for the null sender)", sender);
        return EX_DATAERR;
    }
    for (int i = 0; i < nrcpt; i++)
        if (!envelope_value_ok (rcpts[i]) || !s_address_ok (rcpts[i], false)) {
            s_complain ("recipient '%s' is not an address (local@domain)", rcpts[i]);
            return EX_DATAERR;
        }
    int64_t when = (int64_t) time (NULL);
    if (received) {
        char *end;
        errno = 0;
        long long t = strtoll (received, &end, 10);
        if (errno || *end || end == received || t < 0) {
            s_complain ("--received-at '%s' is not unix seconds", received);
            return EX_USAGE;
        }
        when = t;
    }
    char *msg;
    size_t len;
    int rc = s_read_message ((size_t) cfg_int (cfg, "limits/message-size"), &msg, &len);
    if (rc) {
        free (msg);
        return rc;
    }
    envelope_t *env = envelope_new ();
    envelope_set (&env->mail_from, sender);
    envelope_set (&env->account, account ? account : sender);
    envelope_set (&env->client_ip, client_ip);
    envelope_set (&env->source, source);
    for (int i = 0; i < nrcpt; i++)
        envelope_add_rcpt (env, rcpts[i]);
    env->received_at = when;
    //  Never made here: a mistyped --spool would swallow the mail where no
    //  broker looks. The MTA keeps the message (75) until a broker has set
    //  the spool up.
    const char *root = cfg_str (cfg, "spool/root");
    spool_t *spool = spool_new (root, false);
    char qid[QID_SIZE];
    if (!spool) {
        s_complain ("cannot open spool %s: %s (no broker has set it up: check --spool); the MTA keeps "
                    "the message", root, strerror (errno));
        rc = EX_TEMPFAIL;
    }
    else if (!spool_set_up (spool)) {
        s_complain ("%s is not a spool a broker has set up (no %s/broker.lock): check --spool; the "
                    "MTA keeps the message", root, root);
        rc = EX_TEMPFAIL;
    }
    else if (spool_enter (spool, SPOOL_INCOMING, env, msg, len, qid) < 0) {
        s_complain ("cannot write to the spool: %s", strerror (errno));
        rc = EX_TEMPFAIL;
    }
    else
        printf ("%s\n", qid);
    spool_destroy (&spool);
    envelope_destroy (&env);
    free (msg);
    return rc;
}

int
main (int argc, char **argv)
{
    diag_init ("farm-submit", false);
    const char *sender = NULL, *account = NULL, *client_ip = NULL, *source = NULL, *received = NULL;
    //  Our own sendmail-style flags first; the rest goes to cfg.
    char **rest = xcalloc ((size_t) argc + 1, sizeof *rest);
    int nrest = 1, rc = EX_OK;
    rest[0] = argv[0];
    //  After "--" every argument is a recipient, whatever it looks like:
    //  with Postfix's pipe(8) a recipient could otherwise choose the account
    //  (-a) or the sender (-f) that lockdown and signing trust.
    int ends = argc;
    for (int i = 1; i < argc; i++)
        if (!strcmp (argv[i], "--")) {
            ends = i;
            break;
        }
    for (int i = 1; i < ends && rc == EX_OK; i++) {
        const char *a = argv[i];
        const char **dst = !strcmp (a, "-f") ? &sender : !strcmp (a, "-a") ? &account
                         : !strcmp (a, "--client-ip") ? &client_ip
                         : !strcmp (a, "--received-at") ? &received
                         : !strcmp (a, "--source") ? &source : NULL;
        if (dst) {
            if (i + 1 >= ends) {
                s_complain ("%s needs a value", a);
                rc = EX_USAGE;
            }
            else
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
    int crc = rc ? 0 : cfg_args (cfg, &nrest, rest, err, sizeof err);
    //  The recipients after "--", kept from cfg_args.
    for (int i = ends + 1; i < argc; i++)
        rest[nrest++] = argv[i];
    if (rc)
        ;
    else if (crc == 1)
        cfg_help (cfg, s_usage);
    else if (crc < 0 || cfg_missing (cfg, err, sizeof err) < 0) {
        s_complain ("%s", err);
        rc = EX_USAGE;
    }
    else if (!sender) {
        s_complain ("%s", "-f SENDER is required (-f '' for the null sender)");
        rc = EX_USAGE;
    }
    else if (nrest < 2) {
        s_complain ("%s", "no recipients given");
        rc = EX_USAGE;
    }
    else
        rc = s_submit (cfg, rest + 1, nrest - 1, sender, account, client_ip, source, received);
    cfg_destroy (&cfg);
    free (rest);
    return rc;
}
