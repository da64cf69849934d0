/*  bench.c: farm-bench, measurements that are ratios against a reference
 *  measured in the same run (never absolute timings in tests).
 *
 *  farm-bench bayes --corpus DIR [--models DIR] [--train-fraction F] [--no-bogofilter]
 *
 *    The SpamAssassin corpus as tools/corpus.sh lays it out (folders whose
 *    names contain "ham" or "spam"). Messages are ordered by the time they
 *    were received (the mbox From_ line; Date: when there is none), the
 *    earliest F (default 0.7) train a model, the later rest are judged: ROC
 *    AUC, ham held or rejected and spam let through at the thresholds of
 *    DIR/bayes.cfg (defaults without), and scoring speed on one core (parse +
 *    tokenize + score, files in the page cache) beside bogofilter's on the
 *    same messages, trained on the same split, in the same run.
 *
 *  farm-bench dkim [--corpus DIR] [--count N]
 *  farm-bench accounts [--count N] [--dir DIR]: sender state dispatch cost
 *    and bytes per account at 1,000 to N accounts
 *
 *    Signing throughput of one worker's signer (libopendkim) for RSA-2048 and
 *    Ed25519, on N messages from DIR (default corpus/easy-ham-1, or made up
 *    when it is missing), beside `openssl speed rsa2048 ed25519` run at the
 *    same time: the private-key operation alone, the ceiling for signing. */
#define _XOPEN_SOURCE 700
#include "bayes.h"
#include "keys.h"
#include <openssl/evp.h>
#include "signer.h"
#include "cfg.h"
#include "content.h"
#include "diag.h"
#include "fileio.h"
#include "rfcdate.h"
#include "senderdb.h"
#include "sample.h"
#include "xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char *path;
    bool spam;
    int64_t when;
    char *msg;
    size_t len;
    double score, bogo;
} item_t;

static int
s_cmp_when (const void *a, const void *b)
{
    const item_t *x = a, *y = b;
    if (x->when != y->when)
        return x->when < y->when ? -1 : 1;
    return strcmp (x->path, y->path);
}

//  When the message was received: the From_ line's date, else Date:.
static int64_t
s_when (const char *msg, size_t len)
{
    if (len > 5 && !strncmp (msg, "From ", 5)) {
        const char *nl = memchr (msg, '\n', len);
        char line[256];
        size_t n = nl ? (size_t) (nl - msg) : len;
        if (n < sizeof line) {
            memcpy (line, msg, n);
            line[n] = 0;
            //  "From addr  Thu Aug 22 12:36:23 2002": the date is the last 24 chars.
            char *p = line + n;
            while (p > line && (p[-1] == ' ' || p[-1] == '\r'))
                *--p = 0;
            if (p - line > 24) {
                struct tm tm = { 0 };
                if (strptime (p - 24, "%a %b %d %H:%M:%S %Y", &tm))
                    return (int64_t) timegm (&tm);
            }
        }
    }
    const char *d = memmem (msg, len < 65536 ? len : 65536, "\nDate:", 6);
    if (d) {
        char v[256];
        const char *nl = memchr (d + 6, '\n', (size_t) (msg + len - (d + 6)));
        size_t n = nl ? (size_t) (nl - (d + 6)) : 0;
        if (n < sizeof v) {
            memcpy (v, d + 6, n);
            v[n] = 0;
            int64_t t;
            if (rfcdate_parse (v, &t) == 0)
                return t;
        }
    }
    return 0;
}

static void
s_collect (const char *dir, item_t **items, size_t *n, size_t *cap)
{
    DIR *d = opendir (dir);
    if (!d)
        diag_fatal ("%s: %s", dir, strerror (errno));
    struct dirent *e;
    while ((e = readdir (d))) {
        if (e->d_name[0] == '.')
            continue;
        bool spam = strstr (e->d_name, "spam") != NULL;
        if (!spam && !strstr (e->d_name, "ham"))
            continue;
        char sub[4096];
        snprintf (sub, sizeof sub, "%s/%s", dir, e->d_name);
        char err[256];
        sample_t *s = sample_open (sub, err, sizeof err);
        if (!s)
            continue;
        for (size_t i = 0; i < sample_count (s); i++) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 1024;
                *items = xrealloc (*items, *cap * sizeof **items);
            }
            item_t *it = &(*items)[(*n)++];
            memset (it, 0, sizeof *it);
            char path[8192];
            snprintf (path, sizeof path, "%s/%s", sub, sample_name (s, i));
            it->path = xstrdup (path);
            it->spam = spam;
            int trunc;
            envelope_t *env = envelope_new ();
            if (sample_load (s, i, 8 << 20, &it->msg, &it->len, &trunc, env, err, sizeof err) < 0) {
                it->msg = xstrdup ("");
                it->len = 0;
            }
            envelope_destroy (&env);
            it->when = s_when (it->msg, it->len);
        }
        sample_destroy (&s);
    }
    closedir (d);
}

static int
s_dcmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

//  ROC AUC: the chance a random spam scores above a random ham (ties half).
static double
s_auc (item_t *test, size_t n, bool bogo)
{
    double *hs = xmalloc (n * sizeof *hs), *ss = xmalloc (n * sizeof *ss);
    size_t nh = 0, ns = 0;
    for (size_t i = 0; i < n; i++) {
        double v = bogo ? test[i].bogo : test[i].score;
        if (test[i].spam)
            ss[ns++] = v;
        else
            hs[nh++] = v;
    }
    //  Sort both, then count pairs with a merge walk.
    qsort (hs, nh, sizeof *hs, s_dcmp);
    qsort (ss, ns, sizeof *ss, s_dcmp);
    double wins = 0;
    size_t lo = 0, hi = 0;
    for (size_t i = 0; i < ns; i++) {
        while (lo < nh && hs[lo] < ss[i])
            lo++;
        if (hi < lo)
            hi = lo;
        while (hi < nh && hs[hi] <= ss[i])
            hi++;
        wins += (double) lo + (double) (hi - lo) / 2;
    }
    free (hs);
    free (ss);
    return nh && ns ? wins / ((double) nh * (double) ns) : 0;
}

static bool s_bigrams = true;
static size_t s_worst = 0;

static int
s_cmp_score (const void *a, const void *b)
{
    double x = ((const item_t *) a)->score, y = ((const item_t *) b)->score;
    return x < y ? -1 : x > y;
}

static int
s_bayes (cfg_t *cfg, const char *corpus, const char *models, double fraction, bool bogofilter)
{
    item_t *items = NULL;
    size_t n = 0, cap = 0;
    s_collect (corpus, &items, &n, &cap);
    if (n < 10)
        diag_fatal ("%s: fewer than 10 messages (run tools/corpus.sh)", corpus);
    qsort (items, n, sizeof *items, s_cmp_when);
    size_t ntrain = (size_t) ((double) n * fraction);
    item_t *train = items, *test = items + ntrain;
    size_t ntest = n - ntrain;
    bayes_params_t p;
    bayes_params_default (&p);
    char err[1024], path[4096];
    if (models) {
        snprintf (path, sizeof path, "%s/bayes.cfg", models);
        if (access (path, R_OK) == 0 && bayes_params_load (&p, path, err, sizeof err) < 0)
            diag_fatal ("%s", err);
    }
    content_opts_t o;
    content_opts (&o, cfg);
    o.tok.bigrams = s_bigrams;
    content_t c;
    content_init (&c);
    bayes_table_t *table = bayes_table_new ();
    size_t th = 0, ts = 0;
    for (size_t i = 0; i < ntrain; i++) {
        content_tokenize (&c, train[i].msg, train[i].len, &o);
        bayes_table_learn (table, &c.tokens, train[i].spam);
        train[i].spam ? ts++ : th++;
    }
    bayes_table_fit (table, p.epochs, p.learn_rate);
    char tmpdir[] = "/tmp/farm-bench.XXXXXX";
    if (!mkdtemp (tmpdir))
        diag_fatal ("mkdtemp: %s", strerror (errno));
    char model[4200], settings[64], version[64];
    snprintf (model, sizeof model, "%s/bayes.mdb", tmpdir);
    content_settings (&o, settings, sizeof settings);
    if (bayes_table_write (table, model, settings, version, err, sizeof err) < 0)
        diag_fatal ("%s", err);
    bayes_table_destroy (&table);
    bayes_t *b = bayes_open (model, err, sizeof err);
    if (!b)
        diag_fatal ("%s", err);

    //  Score the held-out messages: one core, messages already in memory;
    //  the best of three runs, as for bogofilter below.
    double secs = 1e9;
    for (int run = 0; run < 3; run++) {
        int64_t t0 = fileio_now_usec ();
        for (size_t i = 0; i < ntest; i++) {
            content_tokenize (&c, test[i].msg, test[i].len, &o);
            test[i].score = bayes_score (b, &c.tokens, &p, NULL, 0, NULL);
        }
        double s = (fileio_now_usec () - t0) / 1e6;
        secs = s < secs ? s : secs;
    }
    size_t nh = 0, ns = 0, fp = 0, fn = 0, rejected_ham = 0;
    for (size_t i = 0; i < ntest; i++) {
        if (test[i].spam) {
            ns++;
            fn += test[i].score < p.hold;
        }
        else {
            nh++;
            fp += test[i].score >= p.hold;
            rejected_ham += test[i].score >= p.reject;
        }
    }
    char d0[32], d1[32], d2[32];
    time_t w0 = (time_t) train[0].when, w1 = (time_t) test[0].when, w2 = (time_t) test[ntest - 1].when;
    strftime (d0, sizeof d0, "%Y-%m-%d", gmtime (&w0));
    strftime (d1, sizeof d1, "%Y-%m-%d", gmtime (&w1));
    strftime (d2, sizeof d2, "%Y-%m-%d", gmtime (&w2));
    double rate = ntest / secs;
    printf ("farm-bench bayes: %s, %zu messages ordered by time received\n", corpus, n);
    printf ("  trained on the first %zu (%zu ham, %zu spam) from %s; judged the later %zu "
            "(%zu ham, %zu spam) %s..%s\n", ntrain, th, ts, d0, ntest, nh, ns, d1, d2);
    printf ("  thresholds hold %.4g reject %.4g; prior s=%.3g x=%.3g; min-dev %.3g; max-tokens %zu\n"
            "  logistic: weight %.3g against Fisher, %u passes at rate %g\n",
            p.hold, p.reject, p.robs, p.robx, p.min_dev, p.max_tokens, p.discriminative, p.epochs,
            p.learn_rate);
    printf ("  farm:       ROC AUC %.5f   ham held or rejected %zu/%zu (%.2f%%, rejected %zu)   "
            "spam let through %zu/%zu (%.2f%%)\n", s_auc (test, ntest, false), fp, nh,
            nh ? 100.0 * fp / nh : 0.0, rejected_ham, fn, ns, ns ? 100.0 * fn / ns : 0.0);
    printf ("  farm:       %.0f messages/s on one core (parse + tokenize + score)\n", rate);
    printf ("  threshold:  ");
    static const double cuts[] = { 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999 };
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        size_t a = 0, m = 0;
        for (size_t i = 0; i < ntest; i++)
            test[i].spam ? (m += test[i].score < cuts[k]) : (a += test[i].score >= cuts[k]);
        printf ("%g: ham %.2f%% spam %.1f%%  ", cuts[k], nh ? 100.0 * a / nh : 0.0,
                ns ? 100.0 * m / ns : 0.0);
    }
    printf ("\n");
    if (bogofilter) {
        if (system ("command -v bogofilter >/dev/null 2>&1") != 0) {
            printf ("  bogofilter: not installed (apt-get install bogofilter); no reference\n");
        }
        else {
            //  Same split: lists of files, train, then classify the test list.
            char cmd[16384], list[4200];
            for (int k = 0; k < 3; k++) {
                snprintf (list, sizeof list, "%s/%s.list", tmpdir, k == 0 ? "ham" : k == 1 ? "spam" : "test");
                FILE *f = fopen (list, "w");
                for (size_t i = 0; i < (k < 2 ? ntrain : ntest); i++) {
                    item_t *it = k < 2 ? &train[i] : &test[i];
                    if (k == 2 || it->spam == (k == 1))
                        fprintf (f, "%s\n", it->path);
                }
                fclose (f);
            }
            snprintf (cmd, sizeof cmd, "mkdir -p %s/bogo && bogofilter -d %s/bogo -n -b < %s/ham.list "
                      "&& bogofilter -d %s/bogo -s -b < %s/spam.list", tmpdir, tmpdir, tmpdir, tmpdir, tmpdir);
            if (system (cmd) != 0)
                printf ("  bogofilter: training failed\n");
            //  Warm the cache, then time the classification alone, best of three.
            snprintf (cmd, sizeof cmd, "bogofilter -d %s/bogo -T -b < %s/test.list > %s/bogo.out",
                      tmpdir, tmpdir, tmpdir);
            (void) !system (cmd);
            double bsecs = 1e9;
            for (int run = 0; run < 3; run++) {
                int64_t b0 = fileio_now_usec ();
                (void) !system (cmd);
                double s = (fileio_now_usec () - b0) / 1e6;
                bsecs = s < bsecs ? s : bsecs;
            }
            snprintf (path, sizeof path, "%s/bogo.out", tmpdir);
            FILE *f = fopen (path, "r");
            char line[8192];
            size_t k = 0;
            while (f && fgets (line, sizeof line, f) && k < ntest) {
                //  "path S 0.999999"
                char *sp = strrchr (line, ' ');
                test[k++].bogo = sp ? strtod (sp + 1, NULL) : 0.5;
            }
            if (f)
                fclose (f);
            size_t bfp = 0, bfn = 0;
            for (size_t i = 0; i < ntest; i++)
                test[i].spam ? (bfn += test[i].bogo < 0.99) : (bfp += test[i].bogo >= 0.99);
            double brate = ntest / bsecs;
            printf ("  bogofilter: ROC AUC %.5f   ham held %zu/%zu at its 0.99   spam let through %zu/%zu\n",
                    s_auc (test, ntest, true), bfp, nh, bfn, ns);
            printf ("  bogofilter: %.0f messages/s on one core (the same messages, same split)\n", brate);
            printf ("  speed ratio farm/bogofilter: %.2fx\n", rate / brate);
        }
    }
    if (s_worst) {
        //  The ham that scored highest and the spam that scored lowest, each
        //  with the tokens that decided it.
        qsort (test, ntest, sizeof *test, s_cmp_score);
        content_opts_t eo = o;
        eo.tok.explain = true;
        for (int side = 0; side < 2; side++) {
            printf ("  worst %s:\n", side ? "spam (lowest scores)" : "ham (highest scores)");
            for (size_t k = 0, j = 0; j < ntest && k < s_worst; j++) {
                item_t *it = side ? &test[j] : &test[ntest - 1 - j];
                if (it->spam != (side == 1))
                    continue;
                k++;
                content_tokenize (&c, it->msg, it->len, &eo);
                bayes_clue_t clues[10];
                size_t used = 0;
                bayes_score (b, &c.tokens, &p, clues, 10, &used);
                printf ("    %.4f %s (%zu tokens)\n     ", it->score, it->path, used);
                for (size_t i = 0; i < used && i < 10; i++)
                    printf (" %s=%.2f/%+.2f", tokens_text (&c.tokens, clues[i].index), clues[i].f, clues[i].w);
                printf ("\n");
            }
        }
    }
    content_free (&c);
    bayes_destroy (&b);
    char rm[4200];
    snprintf (rm, sizeof rm, "rm -rf %s", tmpdir);
    (void) !system (rm);
    for (size_t i = 0; i < n; i++) {
        free (items[i].path);
        free (items[i].msg);
    }
    free (items);
    return 0;
}

//  sign/s of one algorithm from `openssl speed` output, or 0.
static double
s_openssl_rate (const char *out, const char *line_key)
{
    const char *p = strstr (out, line_key);
    if (!p)
        return 0;
    const char *nl = strchr (p, '\n');
    char line[256];
    size_t n = nl ? (size_t) (nl - p) : strlen (p);
    if (n >= sizeof line)
        return 0;
    memcpy (line, p, n);
    line[n] = 0;
    //  "... 0.000225s 0.000013s   4448.0  74657.0": sign/s is the second last.
    double v[8];
    int k = 0;
    for (char *save = NULL, *t = strtok_r (line, " \t", &save); t; t = strtok_r (NULL, " \t", &save)) {
        char *end;
        double d = strtod (t, &end);
        if (end != t && *end == 0)
            v[k++ % 8] = d;
    }
    return k >= 2 ? v[(k - 2) % 8] : 0;
}

static int
s_dkim (const char *corpus, size_t count)
{
    char tmp[] = "/tmp/farm-bench-dkim.XXXXXX";
    if (!mkdtemp (tmp))
        diag_fatal ("mkdtemp: %s", strerror (errno));
    //  Keys made as an operator makes them.
    char self[2048], cmd[8192];
    ssize_t sl = readlink ("/proc/self/exe", self, sizeof self - 1);
    self[sl > 0 ? sl : 0] = 0;
    char *slash = strrchr (self, '/');
    if (slash)
        *slash = 0;
    snprintf (cmd, sizeof cmd, "%s/farm-keygen bench.example rsa --keys %s/keys >/dev/null && "
              "%s/farm-keygen bench.example ed --ed25519 --keys %s/keys >/dev/null", self, tmp, self, tmp);
    if (system (cmd) != 0)
        diag_fatal ("farm-keygen failed");
    signkey_t keys[2];
    const char *names[2] = { "rsa", "ed" };
    char err[512];
    for (int i = 0; i < 2; i++) {
        char path[8192];
        memset (&keys[i], 0, sizeof keys[i]);
        snprintf (path, sizeof path, "%s/keys/bench.example/%s.pem", tmp, names[i]);
        if (keys_load_file (path, &keys[i], err, sizeof err) < 0)
            diag_fatal ("%s", err);
        snprintf (keys[i].domain, sizeof keys[i].domain, "bench.example");
        snprintf (keys[i].selector, sizeof keys[i].selector, "%s", names[i]);
    }
    //  The messages, in memory, headers parsed.
    item_t *items = NULL;
    size_t n = 0, cap = 0;
    char err2[256];
    sample_t *s = sample_open (corpus, err2, sizeof err2);
    for (size_t i = 0; s && i < sample_count (s) && n < count; i++) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            items = xrealloc (items, cap * sizeof *items);
        }
        int trunc;
        envelope_t *env = envelope_new ();
        memset (&items[n], 0, sizeof items[n]);
        if (sample_load (s, i, 1 << 20, &items[n].msg, &items[n].len, &trunc, env, err2, sizeof err2) == 0)
            n++;
        envelope_destroy (&env);
    }
    sample_destroy (&s);
    const char *source = corpus;
    if (n == 0) {
        //  No corpus: 4.5 KB messages of plain text.
        source = "made-up 4.5 KB messages";
        for (; n < count; n++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                items = xrealloc (items, cap * sizeof *items);
            }
            strbuf_t b;
            strbuf_init (&b);
            strbuf_printf (&b, "From: a@bench.example\nTo: b@x.example\nSubject: %zu\n\n", n);
            while (b.len < 4500)
                strbuf_adds (&b, "the quick brown fox jumps over the lazy dog again and again\n");
            items[n].len = b.len;
            items[n].msg = strbuf_detach (&b);
            items[n].path = NULL;
        }
    }
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += items[i].len;
    header_limits_t lim = { 10000, 1 << 20, 1 << 20 };
    //  Both signers, same messages, same fixed time: rates, and whether every
    //  signature agrees byte for byte.
    signer_t *signers[2] = { signer_new (1700000000, SIGNER_OPENSSL), signer_new (1700000000, SIGNER_OPENDKIM) };
    const char *snames[2] = { "openssl", "libopendkim" };
    strbuf_t out, ref;
    strbuf_init (&out);
    strbuf_init (&ref);
    double rate[2][2];
    size_t differ[2] = { 0, 0 };
    for (int g = 0; g < 2; g++)
        for (int k = 0; k < 2; k++) {
            size_t failed = 0;
            int64_t t0 = fileio_now_usec ();
            for (size_t i = 0; i < n; i++) {
                header_t h;
                header_init (&h);
                header_parse (&h, items[i].msg, items[i].len, &lim);
                strbuf_reset (&out);
                if (signer_sign (signers[g], &keys[k], "bench", items[i].msg, items[i].len, &h, true, &out,
                                 err, sizeof err) < 0)
                    failed++;
                header_free (&h);
            }
            rate[g][k] = n / ((fileio_now_usec () - t0) / 1e6);
            if (failed)
                printf ("  (%zu of %zu messages could not be signed with %s by %s)\n", failed, n, names[k],
                        snames[g]);
        }
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < 2 * n; i++) {
            //  Relaxed body first, then simple.
            bool relaxed = i < n;
            size_t m = i % n;
            header_t h;
            header_init (&h);
            header_parse (&h, items[m].msg, items[m].len, &lim);
            strbuf_reset (&out);
            strbuf_reset (&ref);
            signer_sign (signers[0], &keys[k], "bench", items[m].msg, items[m].len, &h, relaxed, &out, err, sizeof err);
            signer_sign (signers[1], &keys[k], "bench", items[m].msg, items[m].len, &h, relaxed, &ref, err, sizeof err);
            bool d = out.len != ref.len || (out.len && memcmp (out.data, ref.data, out.len) != 0);
            if (d && differ[k] == 0 && getenv ("FARM_BENCH_SHOWDIFF"))
                printf ("message %zu (%s body)\n--- openssl:\n%s--- libopendkim:\n%s", m,
                        relaxed ? "relaxed" : "simple", out.data, ref.data);
            differ[k] += d;
            header_free (&h);
        }
    //  The reference, measured now on the same machine.
    FILE *p = popen ("openssl speed -seconds 2 rsa2048 ed25519 2>/dev/null", "r");
    strbuf_t sp;
    strbuf_init (&sp);
    char buf[4096];
    size_t got;
    while (p && (got = fread (buf, 1, sizeof buf, p)) > 0)
        strbuf_add (&sp, buf, got);
    if (p)
        pclose (p);
    double ref_rsa = sp.data ? s_openssl_rate (sp.data, "rsa 2048 bits") : 0;
    double ref_ed = sp.data ? s_openssl_rate (sp.data, "EdDSA (Ed25519)") : 0;
    printf ("farm-bench dkim: %zu messages (%s, %.1f KB on average), one core, relaxed/relaxed\n",
            n, source, n ? bytes / 1024.0 / n : 0.0);
    printf ("  openssl speed (key loaded once, no message): rsa2048 %.0f sign/s, ed25519 %.0f sign/s\n",
            ref_rsa, ref_ed);
    for (int g = 0; g < 2; g++)
        printf ("  %-12s rsa-sha256 %7.0f msg/s (ratio %.2f)   ed25519-sha256 %7.0f msg/s (ratio %.2f)\n",
                snames[g], rate[g][0], ref_rsa > 0 ? rate[g][0] / ref_rsa : 0.0, rate[g][1],
                ref_ed > 0 ? rate[g][1] / ref_ed : 0.0);
    printf ("  signatures that differ between the two (relaxed/relaxed and relaxed/simple): "
            "rsa %zu of %zu, ed25519 %zu of %zu\n", differ[0], 2 * n, differ[1], 2 * n);
    strbuf_free (&sp);
    strbuf_free (&out);
    strbuf_free (&ref);
    signer_destroy (&signers[0]);
    signer_destroy (&signers[1]);
    for (int i = 0; i < 2; i++) {
        free (keys[i].pem);
        EVP_PKEY_free (keys[i].pkey);
    }
    for (size_t i = 0; i < n; i++)
        free (items[i].msg);
    free (items);
    snprintf (cmd, sizeof cmd, "rm -rf %s", tmp);
    (void) !system (cmd);
    return 0;
}

//  Sender state at scale: the cost of dispatch (read the account's record,
//  count the message, make the snapshot, write it back; commits every 256
//  messages, as the broker's bursts do) as the number of accounts grows,
//  and the bytes each account takes.
static size_t s_batch = 3000, s_cache = 65536;

static int
s_accounts (size_t max, const char *dir)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/senders-bench.mdb", dir);
    unlink (path);
    char lock[4200];
    snprintf (lock, sizeof lock, "%s-lock", path);
    unlink (lock);
    char err[512];
    senderdb_t *db = senderdb_new (path, (max * 4096 >> 20) + 64, s_cache, err, sizeof err);
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
main (int argc, char **argv)
{
    diag_init ("farm-bench", false);
    const char *usage = "usage: farm-bench bayes --corpus DIR [--models DIR] [--train-fraction F] [--no-bigrams] [--worst N] [--no-bogofilter]\n"
                        "       farm-bench dkim [--corpus DIR] [--count N]\n"
                        "       farm-bench accounts [--count N] [--dir DIR] [--batch N] [--cache N]";
    if (argc >= 2 && strcmp (argv[1], "accounts") == 0) {
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
                fprintf (stderr, "%s\n", usage);
                return 64;
            }
        }
        return s_accounts (count < 1000 ? 1000 : count, dir);
    }
    if (argc >= 2 && strcmp (argv[1], "dkim") == 0) {
        const char *dir = "corpus/easy-ham-1";
        size_t count = 2000;
        for (int i = 2; i < argc; i++) {
            if (!strcmp (argv[i], "--corpus") && i + 1 < argc)
                dir = argv[++i];
            else if (!strcmp (argv[i], "--count") && i + 1 < argc)
                count = (size_t) atol (argv[++i]);
            else {
                fprintf (stderr, "%s\n", usage);
                return 64;
            }
        }
        return s_dkim (dir, count ? count : 1);
    }
    if (argc < 2 || strcmp (argv[1], "bayes") != 0) {
        fprintf (stderr, "%s\n", usage);
        return 64;
    }
    const char *corpus = "corpus", *models = NULL;
    double fraction = 0.7;
    bool bogo = true;
    cfg_t *cfg = cfg_new (CFG_TRAIN);
    for (int i = 2; i < argc; i++) {
        if (!strcmp (argv[i], "--corpus") && i + 1 < argc)
            corpus = argv[++i];
        else if (!strcmp (argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp (argv[i], "--train-fraction") && i + 1 < argc)
            fraction = atof (argv[++i]);
        else if (!strcmp (argv[i], "--worst") && i + 1 < argc)
            s_worst = (size_t) atoi (argv[++i]);
        else if (!strcmp (argv[i], "--no-bigrams"))
            s_bigrams = false;
        else if (!strcmp (argv[i], "--no-bogofilter"))
            bogo = false;
        else {
            fprintf (stderr, "%s\n", usage);
            return 64;
        }
    }
    if (!(fraction > 0.05 && fraction < 0.95)) {
        fprintf (stderr, "farm-bench: --train-fraction must be between 0.05 and 0.95\n");
        return 64;
    }
    int rc = s_bayes (cfg, corpus, models, fraction, bogo);
    cfg_destroy (&cfg);
    return rc;
}
