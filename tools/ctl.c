/*  ctl.c: farm-ctl, the operator's handle on a running broker (its control
 *  socket, control/endpoint).
 *
 *  farm-ctl [--control ENDPOINT] list
 *  farm-ctl show ACCOUNT | @DOMAIN
 *  farm-ctl release ACCOUNT      held mail scanned again, signed, delivered;
 *                                the flag cleared and the burst learned
 *  farm-ctl drop ACCOUNT         held mail to reject/; the flag cleared, the burst forgotten
 *  farm-ctl release|drop QID     one held message
 *  farm-ctl unflag ACCOUNT|@DOMAIN
 *  farm-ctl flag ACCOUNT [REASON]
 *  farm-ctl limits ACCOUNT|@DOMAIN NAME=N|default|none ...
 *  farm-ctl mode ACCOUNT observe|enforce|default
 *  farm-ctl kind ACCOUNT person|bulk|transactional|default
 *  farm-ctl action ACCOUNT hold|defer|notify|default
 *  farm-ctl learn --maillog FILE [--year N]
 *  farm-ctl complaint < REPORT   an ARF feedback-loop report, charged to the account
 *  farm-ctl stats
 *  farm-ctl queues | workers
 *  farm-ctl requeue SPOOL ID|@ACCOUNT|all [older-than=DAYS] [dry-run]
 *  farm-ctl purge SPOOL ID|@ACCOUNT|all [older-than=DAYS] [dry-run]
 *                                (SPOOL: hold, reject, deferred)
 *
 *  Exit: 0 done; 1 the broker refused (the reason on stderr); 64 usage;
 *  69 no broker answered within --timeout-ms. */
#include "cfg.h"
#include "diag.h"
#include "maillog.h"
#include "strbuf.h"
#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char *s_usage =
    "usage: farm-ctl [--control ENDPOINT] COMMAND [ARG...]\n\n"
    "  list                               flagged accounts and @domains: name, since, why\n"
    "  show ACCOUNT                       rates, baselines, recipients, scores, flag, limits\n"
    "  show @DOMAIN                       the same for all mail From: that domain\n"
    "  release ACCOUNT                    held mail goes on (scanned, signed, delivered);\n"
    "                                     the flag is cleared and the burst taken as normal\n"
    "  drop ACCOUNT                       held mail to reject/; the flag is cleared and the\n"
    "                                     burst forgotten (it was not the account's)\n"
    "  release QUEUE-ID | drop QUEUE-ID   that held message alone; the flag as it is\n"
    "  flag ACCOUNT|@DOMAIN [REASON]      hold its mail from now on (@DOMAIN: all mail From:\n"
    "                                     that domain, whatever the account)\n"
    "  unflag ACCOUNT|@DOMAIN             clear the flag; held mail stays in hold/\n"
    "  limits ACCOUNT|@DOMAIN NAME=N ...  own caps; N a number, default (for an account the\n"
    "                                     cap of compromise.cfg) or none (no cap). NAME:\n"
    "                                     messages-per-minute, -per-hour, -per-day,\n"
    "                                     recipients-per-minute, -per-hour, -per-day,\n"
    "                                     recipients-per-message. @DOMAIN: caps on the sum\n"
    "                                     of all mail From: that domain (no defaults)\n"
    "  mode ACCOUNT observe|enforce|default  whether the compromise detector's holds apply to\n"
    "                                     it (observe: recorded as would-hold, delivered)\n"
    "  kind ACCOUNT person|bulk|transactional|default  what it is: how usual mail to new\n"
    "                                     people is before it has history of its own\n"
    "  action ACCOUNT hold|defer|notify|default  what a flag does to its mail: held (the\n"
    "                                     default), deferred until the flag lifts, or\n"
    "                                     delivered (notified only)\n"
    "  flag ACCOUNT                       also confirms a detector's flag: it stays until an\n"
    "                                     operator acts\n"
    "  learn --maillog FILE [--year N]    count what a Postfix maillog shows each account sent\n"
    "                                     (SASL login or sender, time, recipients) as if the\n"
    "                                     farm had seen it: day-one baselines from history\n"
    "  complaint < REPORT                 an ARF feedback-loop report (RFC 5965) on standard\n"
    "                                     input, charged to the account that sent the original\n"
    "                                     (matched by its Message-ID or the farm's Feedback-ID)\n"
    "  stats                              records in the sender state and their size\n"
    "  queues                             files in each spool folder\n"
    "  workers                            workers connected, their model, jobs and credit\n"
    "  requeue SPOOL ID|@ACCOUNT|all      hold/, reject/ or deferred/ mail scanned again\n"
    "  purge SPOOL ID|@ACCOUNT|all        ... deleted for good (each logged)\n"
    "    ... older-than=DAYS              only what has been there longer (0.5: 12 hours)\n"
    "    ... dry-run                      say what would be done, and to which, do nothing\n\n"
    "Exit: 0 done, 1 refused, 64 usage, 69 no broker answered.";

//  One request to the broker; 1 ok, 0 refused, -1 no answer. *text: its
//  answer, for the caller to free.
static int
s_ask (zsock_t *req, char **frames, int n, char **text)
{
    zmsg_t *msg = zmsg_new ();
    for (int i = 0; i < n; i++)
        zmsg_addstr (msg, frames[i]);
    zmsg_send (&msg, req);
    zmsg_t *rep = zmsg_recv (req);
    *text = NULL;
    if (!rep)
        return -1;
    char *status = zmsg_popstr (rep);
    *text = zmsg_popstr (rep);
    int ok = status && !strcmp (status, "ok");
    zstr_free (&status);
    zmsg_destroy (&rep);
    return ok;
}

typedef struct {
    zsock_t *req;
    strbuf_t batch;
    size_t sent, refused;
    int failed;                 //  -1 no answer, 1 refused
    char why[512];
} s_learn_t;

static void
s_learn_send (s_learn_t *l)
{
    if (!l->batch.len || l->failed)
        return;
    char *frames[] = { "learn", l->batch.data }, *text;
    int rc = s_ask (l->req, frames, 2, &text);
    if (rc == 1) {
        size_t got = 0, bad = 0;
        if (text && sscanf (text, "learned %zu message(s), %zu line(s) refused", &got, &bad) == 2)
            l->sent += got, l->refused += bad;
    }
    else {
        l->failed = rc < 0 ? -1 : 1;
        snprintf (l->why, sizeof l->why, "%s", text ? text : "no answer from the broker");
    }
    zstr_free (&text);
    strbuf_reset (&l->batch);
}

static void
s_learn_one (void *arg, const maillog_msg_t *m)
{
    s_learn_t *l = arg;
    //  Tabs and newlines frame the request: an account or address with one
    //  (none in a maillog field) is not sent.
    if (strpbrk (m->account, "\t\n\r"))
        return;
    strbuf_printf (&l->batch, "%s\t%lld\t", m->account, (long long) m->t);
    for (size_t i = 0; i < m->nrcpt; i++)
        if (!strpbrk (m->rcpt[i], " \t\n\r"))
            strbuf_printf (&l->batch, "%s%s", i ? " " : "", m->rcpt[i]);
    strbuf_adds (&l->batch, "\n");
    if (l->batch.len > 512 * 1024)
        s_learn_send (l);
}

//  learn --maillog FILE: the exit code.
static int
s_learn (zsock_t *req, const char *path, int year)
{
    FILE *f = fopen (path, "r");
    if (!f) {
        fprintf (stderr, "farm-ctl: %s: %s\n", path, strerror (errno));
        return 66;
    }
    maillog_t *ml = maillog_new (year);
    s_learn_t l = { .req = req };
    strbuf_init (&l.batch);
    static char line[MAILLOG_LINE + 2];
    while (fgets (line, sizeof line, f) && !l.failed) {
        size_t n = strlen (line);
        if (n && line[n - 1] == '\n')
            line[--n] = 0;
        else if (n == sizeof line - 1) {
            //  Longer than a line may be: the rest skipped, the line counted as such.
            int c;
            while ((c = fgetc (f)) != EOF && c != '\n')
                ;
            n = MAILLOG_LINE + 1;
        }
        maillog_line (ml, line, n, s_learn_one, &l);
    }
    bool read_err = ferror (f);
    fclose (f);
    maillog_finish (ml, s_learn_one, &l);
    s_learn_send (&l);
    const maillog_stats_t *st = maillog_stats (ml);
    printf ("%s: %llu line(s), %llu message(s) found, %zu learned\n", path, (unsigned long long) st->lines,
            (unsigned long long) st->messages, l.sent);
    printf ("  skipped: %llu not syslog, %llu of other programs, %llu too long, %llu bounces (null "
            "sender), %llu deliveries to the farm's own pipe, %llu recipients past %d a message, "
            "%llu messages past %d open at once, %zu refused by the broker; %llu out of order\n",
            (unsigned long long) st->not_syslog, (unsigned long long) st->not_postfix,
            (unsigned long long) st->too_long, (unsigned long long) st->null_sender,
            (unsigned long long) st->to_farm, (unsigned long long) st->too_many, MAILLOG_RCPT,
            (unsigned long long) st->dropped_open, MAILLOG_OPEN, l.refused,
            (unsigned long long) st->out_of_order);
    maillog_destroy (&ml);
    strbuf_free (&l.batch);
    if (read_err) {
        fprintf (stderr, "farm-ctl: %s: a read failed; what was read before it is learned\n", path);
        return 74;
    }
    if (l.failed)
        fprintf (stderr, "farm-ctl: learn: %s\n", l.why);
    return l.failed < 0 ? 69 : l.failed ? 1 : 0;
}

int
main (int argc, char **argv)
{
    diag_init ("farm-ctl", false);
    //  learn's own options, before the common ones are read.
    const char *maillog = NULL;
    int year = 0;
    for (int i = 1; i < argc;) {
        if ((!strcmp (argv[i], "--maillog") || !strcmp (argv[i], "--year")) && i + 1 < argc) {
            if (argv[i][2] == 'm')
                maillog = argv[i + 1];
            else
                year = atoi (argv[i + 1]);
            memmove (argv + i, argv + i + 2, (size_t) (argc - i - 2 + 1) * sizeof *argv);
            argc -= 2;
        }
        else
            i++;
    }
    cfg_t *cfg = cfg_new (CFG_CTL);
    char err[512];
    int nargs = argc;
    int rc = cfg_args (cfg, &nargs, argv, err, sizeof err);
    //  What is left after the program's name: the command and its arguments.
    char **args = argv + 1;
    nargs--;
    if (rc == 1) {
        cfg_help (cfg, s_usage);
        cfg_destroy (&cfg);
        return 0;
    }
    static const struct { const char *name; int min, max; } cmds[] = {
        { "list", 0, 0 }, { "show", 1, 1 }, { "release", 1, 1 }, { "drop", 1, 1 },
        { "flag", 1, 2 }, { "unflag", 1, 1 }, { "limits", 2, 8 }, { "stats", 0, 0 }, { "queues", 0, 0 },
        { "workers", 0, 0 }, { "requeue", 2, 4 }, { "purge", 2, 4 }, { "mode", 2, 2 },
        { "kind", 2, 2 }, { "action", 2, 2 }, { "learn", 0, 0 }, { "complaint", 0, 0 },
    };
    int known = -1;
    for (int i = 0; rc == 0 && nargs > 0 && i < (int) (sizeof cmds / sizeof cmds[0]); i++)
        if (!strcmp (args[0], cmds[i].name))
            known = i;
    bool learn = known >= 0 && !strcmp (cmds[known].name, "learn");
    if (rc < 0 || known < 0 || nargs - 1 < cmds[known].min || nargs - 1 > cmds[known].max
        || learn != (maillog != NULL) || (year && (year < 1970 || year > 9999))) {
        fprintf (stderr, "farm-ctl: %s\n%s\n", rc < 0 ? err : "unknown command or wrong arguments",
                 s_usage);
        cfg_destroy (&cfg);
        return 64;
    }
    const char *ep = cfg_str (cfg, "control/endpoint");
    zsock_t *req = zsock_new (ZMQ_REQ);
    zsock_set_linger (req, 0);
    int timeout_ms = (int) cfg_int (cfg, "control/timeout-ms");
    zsock_set_rcvtimeo (req, timeout_ms);
    int exit_code = 69;
    if (zsock_connect (req, "%s", ep) < 0)
        fprintf (stderr, "farm-ctl: cannot connect to %s\n", ep);
    else if (learn)
        exit_code = s_learn (req, maillog, year);
    else {
        zmsg_t *msg = zmsg_new ();
        for (int i = 0; i < nargs; i++)
            zmsg_addstr (msg, args[i]);
        if (!strcmp (args[0], "complaint")) {
            //  The report from standard input, bounded as the broker bounds it.
            strbuf_t in;
            strbuf_init (&in);
            char buf[65536];
            size_t got;
            while ((got = fread (buf, 1, sizeof buf, stdin)) > 0 && in.len <= 4u << 20)
                strbuf_add (&in, buf, got);
            zmsg_addmem (msg, in.data ? in.data : "", in.len);
            strbuf_free (&in);
        }
        zmsg_send (&msg, req);
        zmsg_t *rep = zmsg_recv (req);
        if (!rep)
            fprintf (stderr, "farm-ctl: no answer from a broker on %s within %d ms\n", ep, timeout_ms);
        else {
            char *status = zmsg_popstr (rep), *text = zmsg_popstr (rep);
            bool ok = status && !strcmp (status, "ok");
            if (text && *text)
                fprintf (ok ? stdout : stderr, "%s%s%s", ok ? "" : "farm-ctl: ", text,
                         text[strlen (text) - 1] == '\n' ? "" : "\n");
            exit_code = ok ? 0 : 1;
            zstr_free (&status);
            zstr_free (&text);
            zmsg_destroy (&rep);
        }
    }
    zsock_destroy (&req);
    cfg_destroy (&cfg);
    return exit_code;
}
