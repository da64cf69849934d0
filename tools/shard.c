/*  shard.c: farm-shard, which broker owns each sender.
 *
 *  farm-shard --brokers NAME,NAME,... [--postfix] [SENDER...]
 *
 *  Prints "SENDER<TAB>BROKER" for each sender (from the arguments, or one a
 *  line on standard input); with --postfix, "SENDER [BROKER]" lines for a
 *  Postfix sender_dependent_relayhost_maps table (postmap it), so that the
 *  submission MTAs hand each sender's mail to its broker's host. The broker
 *  names are the hosts (or host:port) the MTAs relay to; every MTA must be
 *  given the same list. Rendezvous hashing (shared/shard.c): adding a broker
 *  moves about 1 sender in N+1 to it, and no other. */
#include "shard.h"
#include "xalloc.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_usage =
    "usage: farm-shard --brokers NAME,NAME,... [--postfix] [SENDER...]\n\n"
    "Prints the broker that owns each sender (arguments, or one a line on stdin).\n"
    "--postfix: \"SENDER [HOST]:PORT\" lines for sender_dependent_relayhost_maps.";

//  A broker's name as Postfix writes a next hop without MX lookup: host
//  in brackets, the port after them ("[mx2.example]:2525", "[::1]:2525").
static void
s_next_hop (const char *b, char *out, size_t len)
{
    const char *colon = strrchr (b, ':');
    if (b[0] == '[')
        snprintf (out, len, "%s", b);                      //  written so already
    else if (colon && colon == strchr (b, ':'))
        snprintf (out, len, "[%.*s]%s", (int) (colon - b), b, colon);
    else
        snprintf (out, len, "[%s]", b);                    //  no port, or a bare IPv6 address
}

static void
s_one (const char *sender, char **brokers, size_t n, bool postfix)
{
    const char *b = brokers[shard_pick (sender, brokers, n)];
    char hop[600];
    if (postfix) {
        s_next_hop (b, hop, sizeof hop);
        printf ("%s %s\n", sender, hop);
    }
    else
        printf ("%s\t%s\n", sender, b);
}

int
main (int argc, char **argv)
{
    char *list = NULL;
    bool postfix = false;
    int first = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp (argv[i], "--brokers") && i + 1 < argc)
            list = argv[++i];
        else if (!strcmp (argv[i], "--postfix"))
            postfix = true;
        else if (!strcmp (argv[i], "--help") || !strcmp (argv[i], "-h")) {
            printf ("%s\n", s_usage);
            return 0;
        }
        else if (argv[i][0] == '-') {
            fprintf (stderr, "farm-shard: unexpected '%s'\n%s\n", argv[i], s_usage);
            return 64;
        }
        else {
            first = i;
            break;
        }
    }
    if (!list || !*list) {
        fprintf (stderr, "farm-shard: --brokers is required\n%s\n", s_usage);
        return 64;
    }
    char *copy = xstrdup (list), **brokers = NULL;
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save)) {
        brokers = xrealloc (brokers, (n + 1) * sizeof *brokers);
        brokers[n++] = t;
    }
    if (first < argc)
        for (int i = first; i < argc; i++)
            s_one (argv[i], brokers, n, postfix);
    else {
        char line[1024];
        while (fgets (line, sizeof line, stdin)) {
            line[strcspn (line, "\r\n")] = 0;
            if (*line && *line != '#')
                s_one (line, brokers, n, postfix);
        }
    }
    free (brokers);
    free (copy);
    return 0;
}
