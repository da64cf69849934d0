/*  bench.h: what farm-bench's subcommands share: the corpus in memory,
 *  ordered by the time each message was received, ROC AUC, and the reference
 *  rates `openssl speed` prints. Each subcommand is a file of its own
 *  (bench_bayes.c, bench_dkim.c, bench_accounts.c); main.c parses the
 *  arguments. */
#ifndef FARM_BENCH_H
#define FARM_BENCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *path;
    bool spam;
    int64_t when;
    char *msg;
    size_t len;
    double score, bogo;
} item_t;


//  Every message of the folders under dir whose names contain "ham" or
//  "spam", appended to *items (*n of *cap), with the time it was received.
void bench_collect (const char *dir, item_t **items, size_t *n, size_t *cap);
//  Order by the time received, then by path.
int bench_cmp_when (const void *a, const void *b);
//  ROC AUC of n items: by the farm's score, or bogofilter's when bogo.
double bench_auc (item_t *test, size_t n, bool bogo);
//  sign/s of one algorithm (the line that starts with line_key) from
//  `openssl speed` output, or 0.
double bench_openssl_rate (const char *out, const char *line_key);
//  The subcommands; each returns the exit status.
int bench_bayes (int argc, char **argv);
int bench_dkim (int argc, char **argv);
int bench_accounts (int argc, char **argv);
#endif
