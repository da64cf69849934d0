/*  bench_accounts.c: farm-bench accounts, the sender state at scale.
 *
 *  farm-bench accounts [--count N] [--dir DIR] [--batch N] [--cache N]
 *
 *  The cost of dispatch (read the account's record, count the message, make
 *  the snapshot, write it back) at 1,000 to N accounts, the commits timed
 *  apart, and the bytes each account takes. */
#include "bench.h"
#include "compromise.h"
#include "diag.h"
#include "fileio.h"
#include "senderdb.h"
#include "sender.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  Sender state at scale: the cost of dispatch (read the account's record,
//  count the message, make the snapshot, write it back; commits every 256
//  messages, as the broker's bursts do) as the number of accounts grows,
//  and the bytes each account takes.
static size_t s_batch = 3000, s_cache = 65536;

static int
s_run (size_t max, const char *dir)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/senders-bench.mdb", dir);
    unlink (path);
    char lock[4200];
    snprintf (lock, sizeof lock, "%s-lock", path);
    unlink (lock);
    char err[512];
    senderdb_t *db = senderdb_new (path, (max * 4096 >> 20) + 64, s_cache, false, err, sizeof err);
    if (!db)
        diag_fatal ("%s", err);
    compromise_params_t p;
    compromise_params_default (&p);
    printf ("farm-bench accounts: sender state %s, one record %zu bytes\n", path, sizeof (sender_t));
    printf ("  cache %zu records, a commit every %zu messages (or a quarter of the cache dirty)\n",
            s_cache, s_batch);
    printf ("  %10s %14s %16s %16s %10s\n", "accounts", "bytes/account", "dispatch us/msg",
            "commit us/msg", "messages");
    size_t have = 0;
    int64_t t = 1767225600;
    uint64_t rng = 42;
    char key[SENDERDB_KEY], acct[32], rcpt[64];
    strbuf_t snap;
    strbuf_init (&snap);
    for (size_t n = 1000; n <= max; n *= 10) {
        //  Grow to n accounts, three messages each.
        for (; have < n; have++) {
            snprintf (acct, sizeof acct, "acct%zu", have);
            senderdb_key (key, 'a', acct);
            sender_t s;
            sender_init (&s, t);
            for (int k = 0; k < 3; k++) {
                snprintf (rcpt, sizeof rcpt, "r%d@d%zu.example", k, have % 1000);
                char *r[] = { rcpt };
                sender_count (&s, t + k, r, 1, &p);
            }
            if (senderdb_put (db, key, &s) < 0)
                diag_fatal ("put: %s", strerror (errno));
            if (have % 10000 == 9999 && senderdb_commit (db) < 0)
                diag_fatal ("commit: %s", strerror (errno));
        }
        senderdb_commit (db);
        //  Dispatch 100,000 messages from accounts drawn at random; the
        //  commits (as the broker's flushes) timed apart.
        size_t msgs = 100000;
        int64_t t0 = fileio_now_usec (), in_commit = 0;
        for (size_t i = 0; i < msgs; i++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            snprintf (acct, sizeof acct, "acct%zu", (size_t) (rng >> 33) % n);
            senderdb_key (key, 'a', acct);
            sender_t s;
            if (senderdb_get (db, key, &s) != 1)
                diag_fatal ("%s: not found", key);
            snprintf (rcpt, sizeof rcpt, "x%zu@y.example", i);
            char *r[] = { rcpt };
            t += 1;
            sender_count (&s, t, r, 1, &p);
            sender_snap_t sn;
            sender_snapshot (&s, t, &p, &sn);
            strbuf_reset (&snap);
            sender_snap_format (&sn, &snap);
            if (senderdb_put (db, key, &s) < 0)
                diag_fatal ("put: %s", strerror (errno));
            if (i % s_batch == s_batch - 1 || senderdb_dirty (db) >= s_cache / 4) {
                int64_t c0 = fileio_now_usec ();
                if (senderdb_commit (db) < 0)
                    diag_fatal ("commit: %s", strerror (errno));
                in_commit += fileio_now_usec () - c0;
            }
        }
        int64_t c0 = fileio_now_usec ();
        senderdb_commit (db);
        in_commit += fileio_now_usec () - c0;
        double all = (double) (fileio_now_usec () - t0);
        size_t records, bytes, map;
        senderdb_usage (db, &records, &bytes, &map);
        printf ("  %10zu %14.0f %16.2f %16.2f %10zu\n", n, (double) bytes / (double) records,
                (all - (double) in_commit) / (double) msgs, (double) in_commit / (double) msgs, msgs);
        fflush (stdout);
    }
    strbuf_free (&snap);
    senderdb_destroy (&db);
    unlink (path);
    unlink (lock);
    return 0;
}

int
bench_accounts (int argc, char **argv)
{
    size_t count = 1000000;
    const char *dir = ".";
    for (int i = 2; i < argc; i++) {
        if (!strcmp (argv[i], "--count") && i + 1 < argc)
            count = (size_t) atol (argv[++i]);
        else if (!strcmp (argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp (argv[i], "--cache") && i + 1 < argc)
            s_cache = (size_t) atol (argv[++i]);
        else if (!strcmp (argv[i], "--batch") && i + 1 < argc)
            s_batch = (size_t) atol (argv[++i]) ? (size_t) atol (argv[i]) : 1;
        else {
            fprintf (stderr, "usage: farm-bench accounts [--count N] [--dir DIR] [--batch N] [--cache N]\n");
            return 64;
        }
    }
    return s_run (count < 1000 ? 1000 : count, dir);
}
