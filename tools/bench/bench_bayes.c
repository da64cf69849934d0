/*  bench_bayes.c: farm-bench bayes, the Bayes stage alone on the corpus.
 *
 *  farm-bench bayes --corpus DIR [--models DIR] [--train-fraction F]
 *                   [--no-bigrams] [--worst N] [--no-bogofilter]
 *
 *  The SpamAssassin corpus as tools/corpus.sh lays it out (folders whose
 *  names contain "ham" or "spam"). Messages are ordered by the time they
 *  were received (the mbox From_ line; Date: when there is none), the
 *  earliest F (default 0.7) train a model, the later rest are judged: ROC
 *  AUC, ham held or rejected and spam let through at the thresholds of
 *  DIR/bayes.cfg (defaults without), and scoring speed on one core (parse +
 *  tokenize + score, files in the page cache) beside bogofilter's on the
 *  same messages, trained on the same split, in the same run. */
#include "bench.h"
#include "bayes.h"
#include "cfg.h"
#include "content.h"
#include "diag.h"
#include "fileio.h"
#include "xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    item_t *train, *test;
    size_t ntrain, ntest;
    char tmpdir[64];
    bayes_params_t p;
    content_opts_t o;
    content_t c;
    bayes_t *model;
    double rate;            //  messages/s scored
    size_t nh, ns;          //  judged ham, spam
} s_run_t;

//  Train on the earlier part, write the model to the run's folder, open it.
static void
s_train (s_run_t *r)
{
    char err[1024], model[4200], settings[64], version[64];
    bayes_table_t *table = bayes_table_new ();
    size_t th = 0, ts = 0;
    for (size_t i = 0; i < r->ntrain; i++) {
        content_tokenize (&r->c, r->train[i].msg, r->train[i].len, &r->o);
        bayes_table_learn (table, &r->c.tokens, r->train[i].spam);
        r->train[i].spam ? ts++ : th++;
    }
    bayes_table_fit (table, r->p.epochs, r->p.learn_rate);
    snprintf (model, sizeof model, "%s/bayes.mdb", r->tmpdir);
    content_settings (&r->o, settings, sizeof settings);
    if (bayes_table_write (table, model, settings, version, err, sizeof err) < 0)
        diag_fatal ("%s", err);
    bayes_table_destroy (&table);
    r->model = bayes_open (model, err, sizeof err);
    if (!r->model)
        diag_fatal ("%s", err);
    for (size_t i = 0; i < r->ntest; i++)
        r->test[i].spam ? r->ns++ : r->nh++;
    char d0[32], d1[32], d2[32];
    time_t w0 = (time_t) r->train[0].when, w1 = (time_t) r->test[0].when;
    time_t w2 = (time_t) r->test[r->ntest - 1].when;
    strftime (d0, sizeof d0, "%Y-%m-%d", gmtime (&w0));
    strftime (d1, sizeof d1, "%Y-%m-%d", gmtime (&w1));
    strftime (d2, sizeof d2, "%Y-%m-%d", gmtime (&w2));
    printf ("  trained on the first %zu (%zu ham, %zu spam) from %s; judged the later %zu "
            "(%zu ham, %zu spam) %s..%s\n", r->ntrain, th, ts, d0, r->ntest, r->nh, r->ns, d1, d2);
}

//  Score the held-out messages: one core, messages already in memory; the
//  best of three runs, as for bogofilter.
static void
s_score (s_run_t *r)
{
    double secs = 1e9;
    for (int run = 0; run < 3; run++) {
        int64_t t0 = fileio_now_usec ();
        for (size_t i = 0; i < r->ntest; i++) {
            content_tokenize (&r->c, r->test[i].msg, r->test[i].len, &r->o);
            r->test[i].score = bayes_score (r->model, &r->c.tokens, &r->p, NULL, 0, NULL);
        }
        double s = (fileio_now_usec () - t0) / 1e6;
        secs = s < secs ? s : secs;
    }
    r->rate = r->ntest / secs;
}

//  The farm's figures at the model's thresholds and at a range of others.
static void
s_report (s_run_t *r)
{
    const bayes_params_t *p = &r->p;
    size_t fp = 0, fn = 0, rejected_ham = 0;
    for (size_t i = 0; i < r->ntest; i++) {
        if (r->test[i].spam)
            fn += r->test[i].score < p->hold;
        else {
            fp += r->test[i].score >= p->hold;
            rejected_ham += r->test[i].score >= p->reject;
        }
    }
    printf ("  thresholds hold %.4g reject %.4g; prior s=%.3g x=%.3g; min-dev %.3g; max-tokens %zu\n"
            "  logistic: weight %.3g against Fisher, %u passes at rate %g\n",
            p->hold, p->reject, p->robs, p->robx, p->min_dev, p->max_tokens, p->discriminative,
            p->epochs, p->learn_rate);
    printf ("  farm:       ROC AUC %.5f   ham held or rejected %zu/%zu (%.2f%%, rejected %zu)   "
            "spam let through %zu/%zu (%.2f%%)\n", bench_auc (r->test, r->ntest, false), fp, r->nh,
            r->nh ? 100.0 * fp / r->nh : 0.0, rejected_ham, fn, r->ns,
            r->ns ? 100.0 * fn / r->ns : 0.0);
    printf ("  farm:       %.0f messages/s on one core (parse + tokenize + score)\n", r->rate);
    printf ("  threshold:  ");
    static const double cuts[] = { 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999 };
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        size_t a = 0, m = 0;
        for (size_t i = 0; i < r->ntest; i++)
            r->test[i].spam ? (m += r->test[i].score < cuts[k]) : (a += r->test[i].score >= cuts[k]);
        printf ("%g: ham %.2f%% spam %.1f%%  ", cuts[k], r->nh ? 100.0 * a / r->nh : 0.0,
                r->ns ? 100.0 * m / r->ns : 0.0);
    }
    printf ("\n");
}

//  Lists of files for bogofilter: the training ham, the training spam, the
//  judged messages.
static void
s_bogo_lists (s_run_t *r)
{
    char list[4200];
    for (int k = 0; k < 3; k++) {
        snprintf (list, sizeof list, "%s/%s.list", r->tmpdir, k == 0 ? "ham" : k == 1 ? "spam" : "test");
        FILE *f = fopen (list, "w");
        if (!f)
            diag_fatal ("%s: %s", list, strerror (errno));
        for (size_t i = 0; i < (k < 2 ? r->ntrain : r->ntest); i++) {
            item_t *it = k < 2 ? &r->train[i] : &r->test[i];
            if (k == 2 || it->spam == (k == 1))
                fprintf (f, "%s\n", it->path);
        }
        fclose (f);
    }
}

//  bogofilter trained and judged on the same split, timed the same way.
static void
s_bogofilter (s_run_t *r)
{
    if (system ("command -v bogofilter >/dev/null 2>&1") != 0) {
        printf ("  bogofilter: not installed (apt-get install bogofilter); no reference\n");
        return;
    }
    const char *t = r->tmpdir;
    char cmd[16384], path[4200];
    s_bogo_lists (r);
    snprintf (cmd, sizeof cmd, "mkdir -p %s/bogo && bogofilter -d %s/bogo -n -b < %s/ham.list "
              "&& bogofilter -d %s/bogo -s -b < %s/spam.list", t, t, t, t, t);
    if (system (cmd) != 0)
        printf ("  bogofilter: training failed\n");
    //  Warm the cache, then time the classification alone, best of three.
    snprintf (cmd, sizeof cmd, "bogofilter -d %s/bogo -T -b < %s/test.list > %s/bogo.out", t, t, t);
    (void) !system (cmd);
    double bsecs = 1e9;
    for (int run = 0; run < 3; run++) {
        int64_t b0 = fileio_now_usec ();
        (void) !system (cmd);
        double s = (fileio_now_usec () - b0) / 1e6;
        bsecs = s < bsecs ? s : bsecs;
    }
    snprintf (path, sizeof path, "%s/bogo.out", t);
    FILE *f = fopen (path, "r");
    char line[8192];
    size_t k = 0;
    while (f && fgets (line, sizeof line, f) && k < r->ntest) {
        //  "path S 0.999999"
        char *sp = strrchr (line, ' ');
        r->test[k++].bogo = sp ? strtod (sp + 1, NULL) : 0.5;
    }
    if (f)
        fclose (f);
    size_t bfp = 0, bfn = 0;
    for (size_t i = 0; i < r->ntest; i++)
        r->test[i].spam ? (bfn += r->test[i].bogo < 0.99) : (bfp += r->test[i].bogo >= 0.99);
    double brate = r->ntest / bsecs;
    printf ("  bogofilter: ROC AUC %.5f   ham held %zu/%zu at its 0.99   spam let through %zu/%zu\n",
            bench_auc (r->test, r->ntest, true), bfp, r->nh, bfn, r->ns);
    printf ("  bogofilter: %.0f messages/s on one core (the same messages, same split)\n", brate);
    printf ("  speed ratio farm/bogofilter: %.2fx\n", r->rate / brate);
}

static int
s_cmp_score (const void *a, const void *b)
{
    double x = ((const item_t *) a)->score, y = ((const item_t *) b)->score;
    return x < y ? -1 : x > y;
}

//  The ham that scored highest and the spam that scored lowest, each with
//  the tokens that decided it.
static void
s_worst (s_run_t *r, size_t worst)
{
    qsort (r->test, r->ntest, sizeof *r->test, s_cmp_score);
    content_opts_t eo = r->o;
    eo.tok.explain = true;
    for (int side = 0; side < 2; side++) {
        printf ("  worst %s:\n", side ? "spam (lowest scores)" : "ham (highest scores)");
        for (size_t k = 0, j = 0; j < r->ntest && k < worst; j++) {
            item_t *it = side ? &r->test[j] : &r->test[r->ntest - 1 - j];
            if (it->spam != (side == 1))
                continue;
            k++;
            content_tokenize (&r->c, it->msg, it->len, &eo);
            bayes_clue_t clues[10];
            size_t used = 0;
            bayes_score (r->model, &r->c.tokens, &r->p, clues, 10, &used);
            printf ("    %.4f %s (%zu tokens)\n     ", it->score, it->path, used);
            for (size_t i = 0; i < used && i < 10; i++)
                printf (" %s=%.2f/%+.2f", tokens_text (&r->c.tokens, clues[i].index), clues[i].f,
                        clues[i].w);
            printf ("\n");
        }
    }
}

static const char *s_usage =
    "usage: farm-bench bayes --corpus DIR [--models DIR] [--train-fraction F] [--no-bigrams] "
    "[--worst N] [--no-bogofilter]";

int
bench_bayes (int argc, char **argv)
{
    const char *corpus = "corpus", *models = NULL;
    double fraction = 0.7;
    bool bogo = true, bigrams = true;
    size_t worst = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp (argv[i], "--corpus") && i + 1 < argc)
            corpus = argv[++i];
        else if (!strcmp (argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp (argv[i], "--train-fraction") && i + 1 < argc)
            fraction = atof (argv[++i]);
        else if (!strcmp (argv[i], "--worst") && i + 1 < argc)
            worst = (size_t) atoi (argv[++i]);
        else if (!strcmp (argv[i], "--no-bigrams"))
            bigrams = false;
        else if (!strcmp (argv[i], "--no-bogofilter"))
            bogo = false;
        else {
            fprintf (stderr, "%s\n", s_usage);
            return 64;
        }
    }
    if (!(fraction > 0.05 && fraction < 0.95)) {
        fprintf (stderr, "farm-bench: --train-fraction must be between 0.05 and 0.95\n");
        return 64;
    }
    item_t *items = NULL;
    size_t n = 0, cap = 0;
    bench_collect (corpus, &items, &n, &cap);
    if (n < 10)
        diag_fatal ("%s: fewer than 10 messages (run tools/corpus.sh)", corpus);
    qsort (items, n, sizeof *items, bench_cmp_when);
    s_run_t r = { .train = items, .ntrain = (size_t) ((double) n * fraction) };
    r.test = items + r.ntrain;
    r.ntest = n - r.ntrain;
    bayes_params_default (&r.p);
    char err[1024], path[4096];
    if (models) {
        snprintf (path, sizeof path, "%s/bayes.cfg", models);
        if (access (path, R_OK) == 0 && bayes_params_load (&r.p, path, err, sizeof err) < 0)
            diag_fatal ("%s", err);
    }
    cfg_t *cfg = cfg_new (CFG_TRAIN);
    content_opts (&r.o, cfg);
    r.o.tok.bigrams = bigrams;
    content_init (&r.c);
    snprintf (r.tmpdir, sizeof r.tmpdir, "/tmp/farm-bench.XXXXXX");
    if (!mkdtemp (r.tmpdir))
        diag_fatal ("mkdtemp: %s", strerror (errno));
    printf ("farm-bench bayes: %s, %zu messages ordered by time received\n", corpus, n);
    s_train (&r);
    s_score (&r);
    s_report (&r);
    if (bogo)
        s_bogofilter (&r);
    if (worst)
        s_worst (&r, worst);
    content_free (&r.c);
    bayes_destroy (&r.model);
    char rm[4200];
    snprintf (rm, sizeof rm, "rm -rf %s", r.tmpdir);
    (void) !system (rm);
    for (size_t i = 0; i < n; i++) {
        free (items[i].path);
        free (items[i].msg);
    }
    free (items);
    cfg_destroy (&cfg);
    return 0;
}
