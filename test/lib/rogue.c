/*  rogue.c: a hostile peer on the broker's worker socket, for fault tests
 *  (build/test/rogue). It speaks the wire protocol but does no work:
 *
 *    rogue ENDPOINT bogus N SECONDS   READY with credit 1, then N verdicts
 *                                     for jobs it never had; then it takes
 *                                     jobs for SECONDS and answers none
 *    rogue ENDPOINT flood K CREDIT SECONDS
 *                                     K connections, each READY with CREDIT;
 *                                     takes jobs for SECONDS, answers none
 *
 *    rogue CONTROL-ENDPOINT nul COMMAND ARG
 *                                     a control request whose argument has
 *                                     a NUL inside (ARG, a NUL, "x")
 *
 *  Prints the number of jobs it was given (or the control reply), exits 0. */
#include "wire.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
s_take (zsock_t **socks, size_t n, int seconds)
{
    zpoller_t *poller = zpoller_new (NULL);
    for (size_t i = 0; i < n; i++)
        zpoller_add (poller, socks[i]);
    size_t jobs = 0;
    int64_t end = zclock_mono () + seconds * 1000;
    while (zclock_mono () < end) {
        zsock_t *s = zpoller_wait (poller, 100);
        if (!s)
            continue;
        zmsg_t *m = zmsg_recv (s);
        wire_msg_t w;
        wire_msg_init (&w);
        char err[128];
        if (m && wire_decode (m, &w, err, sizeof err) == 0 && w.cmd == WIRE_JOB)
            jobs++;
        else if (m && w.cmd == WIRE_HEARTBEAT)
            wire_send_heartbeat (s, NULL, "");
        wire_msg_free (&w);
        zmsg_destroy (&m);
    }
    zpoller_destroy (&poller);
    return jobs;
}

int
main (int argc, char **argv)
{
    if (argc == 5 && !strcmp (argv[2], "nul")) {
        zsock_t *req = zsock_new_req (argv[1]);
        zmsg_t *m = zmsg_new ();
        zmsg_addstr (m, argv[3]);
        size_t n = strlen (argv[4]);
        char *arg = malloc (n + 2);
        memcpy (arg, argv[4], n);
        arg[n] = 0;
        arg[n + 1] = 'x';
        zmsg_addmem (m, arg, n + 2);
        free (arg);
        zmsg_send (&m, req);
        zsock_set_rcvtimeo (req, 5000);
        zmsg_t *rep = zmsg_recv (req);
        char *status = rep ? zmsg_popstr (rep) : NULL, *text = rep ? zmsg_popstr (rep) : NULL;
        printf ("%s: %s\n", status ? status : "(no reply)", text ? text : "");
        zstr_free (&status);
        zstr_free (&text);
        zmsg_destroy (&rep);
        zsock_destroy (&req);
        return 0;
    }
    if (argc < 5) {
        fprintf (stderr, "usage: rogue ENDPOINT bogus N SECONDS | rogue ENDPOINT flood K CREDIT SECONDS\n");
        return 64;
    }
    const char *ep = argv[1];
    bool flood = !strcmp (argv[2], "flood");
    size_t k = flood ? (size_t) atol (argv[3]) : 1;
    uint32_t credit = flood ? (uint32_t) atol (argv[4]) : 1;
    int seconds = atoi (argv[flood ? 5 : 4]);
    zsock_t **socks = calloc (k, sizeof *socks);
    for (size_t i = 0; i < k; i++) {
        socks[i] = zsock_new_dealer (ep);
        if (!socks[i]) {
            fprintf (stderr, "rogue: cannot connect %s\n", ep);
            return 1;
        }
        char name[64];
        snprintf (name, sizeof name, "rogue:%zu", i);
        wire_send_ready (socks[i], credit, name, "");
    }
    if (!flood) {
        verdict_t v;
        verdict_init (&v);
        v.code = VERDICT_DELIVER;
        long n = atol (argv[3]);
        for (long i = 0; i < n; i++) {
            char qid[QID_SIZE];
            snprintf (qid, sizeof qid, "%014lx%010lx", (0x6600000000000L + i) & 0xffffffffffffffL,
                      (long) (i & 0xffffffffL));
            wire_send_verdict (socks[0], qid, (uint64_t) i, &v, 1);
        }
        verdict_free (&v);
    }
    printf ("%zu\n", s_take (socks, k, seconds));
    for (size_t i = 0; i < k; i++)
        zsock_destroy (&socks[i]);
    free (socks);
    return 0;
}
