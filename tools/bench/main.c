/*  main.c: farm-bench, measurements that are ratios against a reference
 *  measured in the same run (never absolute timings in tests). One
 *  subcommand a file: bench_bayes.c, bench_dkim.c, bench_accounts.c. */
#include "bench.h"
#include "diag.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int
main (int argc, char **argv)
{
    diag_init ("farm-bench", false);
    if (argc >= 2 && strcmp (argv[1], "bayes") == 0)
        return bench_bayes (argc, argv);
    if (argc >= 2 && strcmp (argv[1], "dkim") == 0)
        return bench_dkim (argc, argv);
    if (argc >= 2 && strcmp (argv[1], "accounts") == 0)
        return bench_accounts (argc, argv);
    bool help = argc >= 2 && (!strcmp (argv[1], "--help") || !strcmp (argv[1], "-h"));
    fprintf (help ? stdout : stderr, "usage: farm-bench bayes --corpus DIR [--models DIR] [--train-fraction F] [--no-bigrams] [--worst N] [--no-bogofilter]\n"
             "       farm-bench dkim [--corpus DIR] [--count N]\n"
             "       farm-bench accounts [--count N] [--dir DIR] [--batch N] [--cache N]\n");
    return help ? 0 : 64;
}
