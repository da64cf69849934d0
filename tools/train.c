/*  train.c: farm-train, builds the Bayes model from ham and spam.
 *
 *  farm-train --ham PATH... --spam PATH... --models DIR [--add] [--no-bigrams]
 *
 *  Each PATH is a folder of messages (searched recursively) or an mbox file.
 *  Writes DIR/bayes.mdb.new and renames it over DIR/bayes.mdb, so running
 *  workers see either the old model or the new one, whole. With --add the
 *  existing model's counts are kept and the new messages added to them (an
 *  operator feeding back a mis-scored message). Prints what it learned.
 *
 *  farm-train --info --models DIR: prints the model's version, tokenizer and
 *  counts; exits 1 when this build's workers could not use it (missing,
 *  unreadable, or made by another tokenizer version), so scripts retrain. */
#include "bayes.h"
#include "cfg.h"
#include "content.h"
#include "diag.h"
#include "fileio.h"
#include "sample.h"
#include "xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *s_usage =
    "usage: farm-train --ham PATH... --spam PATH... --models DIR [--add] [--no-bigrams]\n\n"
    "Builds DIR/bayes.mdb from folders of messages or mbox files (--add: into the\n"
    "existing model). The new model replaces the old by rename: workers pick it up\n"
    "between jobs.";

//  Learn every message under path; returns how many, or -1.
static long
s_learn (bayes_table_t *table, content_t *c, const content_opts_t *o, const char *path, bool spam,
         size_t max_size, size_t *unreadable)
{
    char err[512];
    sample_t *s = sample_open (path, err, sizeof err);
    if (!s) {
        fprintf (stderr, "farm-train: %s\n", err);
        return -1;
    }
    size_t n = sample_count (s);
    long learned = 0;
    int64_t start = fileio_now_usec ();
    for (size_t i = 0; i < n; i++) {
        char *msg;
        size_t len;
        int trunc;
        envelope_t *env = envelope_new ();
        if (sample_load (s, i, max_size, &msg, &len, &trunc, env, err, sizeof err) < 0) {
            (*unreadable)++;
            envelope_destroy (&env);
            continue;
        }
        content_tokenize (c, msg, len, o);
        bayes_table_learn (table, &c->tokens, spam);
        learned++;
        free (msg);
        envelope_destroy (&env);
        if (isatty (STDERR_FILENO) && (i % 200 == 0 || i + 1 == n)) {
            double el = (fileio_now_usec () - start) / 1e6;
            fprintf (stderr, "\r%-5s %-40.40s %zu/%zu %6.0f msg/s ", spam ? "spam" : "ham", path,
                     i + 1, n, el > 0 ? (i + 1) / el : 0.0);
            if (i + 1 == n)
                fprintf (stderr, "\n");
        }
    }
    sample_destroy (&s);
    return learned;
}

//  What one run of farm-train was asked to do.
typedef struct {
    const char **ham, **spam;
    int nham, nspam;
    bool add, bigrams, info;
} s_job_t;

//  --ham/--spam take every following argument up to the next option; the
//  other options go to rest for cfg_args. Returns how many are in rest.
static int
s_split_args (int argc, char **argv, char **rest, s_job_t *job)
{
    int nrest = 1, mode = 0;
    rest[0] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (!strcmp (argv[i], "--ham"))
            mode = 1;
        else if (!strcmp (argv[i], "--spam"))
            mode = 2;
        else if (!strcmp (argv[i], "--add"))
            job->add = true, mode = 0;
        else if (!strcmp (argv[i], "--no-bigrams"))
            job->bigrams = false, mode = 0;
        else if (!strcmp (argv[i], "--info"))
            job->info = true, mode = 0;
        else if (!strncmp (argv[i], "--", 2)) {
            mode = 0;
            rest[nrest++] = argv[i];
            //  A following value belongs to the option (cfg_args reads it).
            if (!strchr (argv[i], '=') && strcmp (argv[i], "--help") && i + 1 < argc)
                rest[nrest++] = argv[++i];
        }
        else if (mode == 1)
            job->ham[job->nham++] = argv[i];
        else if (mode == 2)
            job->spam[job->nspam++] = argv[i];
        else
            rest[nrest++] = argv[i];
    }
    return nrest;
}

//  --info: describe the model; 1 when workers of this build cannot use it.
static int
s_info (const char *dir)
{
    char file[4096], err[1024];
    snprintf (file, sizeof file, "%s/bayes.mdb", dir);
    bayes_t *b = bayes_open (file, err, sizeof err);
    if (!b) {
        fprintf (stderr, "farm-train: %s\n", err);
        return 1;
    }
    bool ok = !strncmp (bayes_tokenizer (b), TOKENIZE_VERSION " ", strlen (TOKENIZE_VERSION) + 1);
    printf ("model %s: version %s, %s, %u ham, %u spam%s\n", file, bayes_version (b),
            bayes_tokenizer (b), bayes_nham (b), bayes_nspam (b),
            ok ? "" : "; made by another tokenizer than this build's " TOKENIZE_VERSION ": retrain");
    bayes_destroy (&b);
    return ok ? 0 : 1;
}

//  --add: the existing model into table, and its tokenizer's settings into
//  o and settings (adding with other settings would mix two tokenizers).
static int
s_load_old (bayes_table_t *table, const char *file, content_opts_t *o, char *settings, size_t slen)
{
    char err[1024];
    bayes_t *old = bayes_open (file, err, sizeof err);
    if (!old) {
        fprintf (stderr, "farm-train: --add: %s\n", err);
        return 1;
    }
    if (strcmp (bayes_tokenizer (old), settings) != 0) {
        o->tok.bigrams = strstr (bayes_tokenizer (old), "bigrams=1") != NULL;
        content_settings (o, settings, slen);
    }
    bayes_destroy (&old);
    if (bayes_table_load (table, file, err, sizeof err) < 0) {
        fprintf (stderr, "farm-train: %s\n", err);
        return 1;
    }
    return 0;
}

//  Learn every folder or mbox, fit the logistic weights as bayes.cfg beside
//  the model says, write the model, and tell what was done. The exit code.
static int
s_train (cfg_t *cfg, const char *dir, const s_job_t *job)
{
    mkdir (dir, 0755);
    char file[4096], err[1024];
    snprintf (file, sizeof file, "%s/bayes.mdb", dir);
    content_opts_t o;
    content_opts (&o, cfg);
    o.tok.bigrams = job->bigrams;
    char settings[64];
    content_settings (&o, settings, sizeof settings);
    bayes_table_t *table = bayes_table_new ();
    size_t unreadable = 0;
    int rc = job->add ? s_load_old (table, file, &o, settings, sizeof settings) : 0;
    size_t before = bayes_table_size (table);
    uint32_t ham0 = bayes_table_nham (table), spam0 = bayes_table_nspam (table);
    content_t c;
    content_init (&c);
    size_t max_size = (size_t) cfg_int (cfg, "limits/message-size");
    int64_t start = fileio_now_usec ();
    for (int i = 0; !rc && i < job->nham; i++)
        if (s_learn (table, &c, &o, job->ham[i], false, max_size, &unreadable) < 0)
            rc = 1;
    for (int i = 0; !rc && i < job->nspam; i++)
        if (s_learn (table, &c, &o, job->spam[i], true, max_size, &unreadable) < 0)
            rc = 1;
    content_free (&c);
    bayes_params_t bp;
    bayes_params_default (&bp);
    char pfile[4200];
    snprintf (pfile, sizeof pfile, "%s/bayes.cfg", dir);
    if (!rc && access (pfile, R_OK) == 0 && bayes_params_load (&bp, pfile, err, sizeof err) < 0) {
        fprintf (stderr, "farm-train: %s\n", err);
        rc = 1;
    }
    size_t learned = (size_t) (bayes_table_nham (table) - ham0) + (bayes_table_nspam (table) - spam0);
    if (!rc && learned == 0) {
        fprintf (stderr, "farm-train: no message could be learned from what was given%s; the model "
                 "is left as it was\n", unreadable ? " (all unreadable)" : "");
        rc = 1;
    }
    size_t wrong = rc ? 0 : bayes_table_fit (table, bp.epochs, bp.learn_rate);
    char version[64];
    if (!rc && bayes_table_write (table, file, settings, version, err, sizeof err) < 0) {
        fprintf (stderr, "farm-train: %s\n", err);
        rc = 1;
    }
    if (!rc) {
        double secs = (fileio_now_usec () - start) / 1e6;
        printf ("farm-train: learned %u ham and %u spam message(s)%s in %.1f s\n",
                bayes_table_nham (table) - ham0, bayes_table_nspam (table) - spam0,
                job->add ? " (added)" : "", secs);
        printf ("  model %s: version %s, %s\n", file, version, settings);
        printf ("  %zu distinct tokens (%zu new), %u ham and %u spam in all\n",
                bayes_table_size (table), bayes_table_size (table) - before,
                bayes_table_nham (table), bayes_table_nspam (table));
        printf ("  logistic weights: %u pass(es) at rate %g; the last pass misjudged %zu of %zu\n",
                bp.epochs, bp.learn_rate, wrong, learned);
        if (unreadable)
            printf ("  %zu message(s) could not be read and were skipped\n", unreadable);
    }
    bayes_table_destroy (&table);
    return rc;
}

int
main (int argc, char **argv)
{
    diag_init ("farm-train", false);
    char **rest = xcalloc ((size_t) argc + 1, sizeof *rest);
    s_job_t job = { .ham = xcalloc ((size_t) argc, sizeof (char *)),
                    .spam = xcalloc ((size_t) argc, sizeof (char *)), .bigrams = true };
    int nrest = s_split_args (argc, argv, rest, &job), rc = 0;
    cfg_t *cfg = cfg_new (CFG_TRAIN);
    char err[1024];
    int crc = cfg_args (cfg, &nrest, rest, err, sizeof err);
    const char *dir = cfg_str (cfg, "models/dir");
    if (crc == 1) {
        cfg_help (cfg, s_usage);
        printf ("  --ham PATH...              folders or mbox files of legitimate mail\n"
                "  --spam PATH...             folders or mbox files of spam\n"
                "  --add                      add to the existing model instead of replacing it\n"
                "  --no-bigrams               words only, no word pairs\n"
                "  --info                     describe the model; exit 1 if workers cannot use it\n");
    }
    else if (job.info && *dir && crc == 0)
        rc = s_info (dir);
    else if (crc < 0 || nrest > 1 || !*dir || (!job.add && (!job.nham || !job.nspam))
             || (job.add && !job.nham && !job.nspam)) {
        fprintf (stderr, "farm-train: %s\n%s\n", crc < 0 ? err : nrest > 1 ? "unexpected argument"
                 : !*dir ? "--models DIR is required" : "need --ham and --spam (or --add with either)",
                 s_usage);
        rc = 64;
    }
    else
        rc = s_train (cfg, dir, &job);
    cfg_destroy (&cfg);
    free (rest);
    free (job.ham);
    free (job.spam);
    return rc;
}
