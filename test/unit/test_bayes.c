/*  test_bayes.c: a model trained on a tiny corpus, written, reopened and
 *  scored gives the expected order; --add merges; the thresholds file is
 *  read and checked; the strongest clues are chosen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "bayes.h"
#include "content.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static content_opts_t s_opts = {
    { 10, 100, 1 << 20, { 1000, 65536, 65536 } }, { true, 20000, true }
};

static const char *s_ham[] = {
    "Subject: meeting notes\n\nThe meeting notes from Monday are attached, see the agenda.\n",
    "Subject: lunch friday\n\nAre we still on for lunch on Friday with the team?\n",
    "Subject: build broken\n\nThe nightly build broke on the test server, patch attached.\n",
    "Subject: invoice question\n\nCould you check the invoice total for the March project?\n",
    "Subject: schedule\n\nI moved the review meeting to Thursday afternoon.\n",
};
static const char *s_spam[] = {
    "Subject: FREE money\n\nClick here for free money, limited offer, act now!\n",
    "Subject: win a prize\n\nYou won a prize! Claim your free gift now, click here.\n",
    "Subject: cheap meds\n\nCheap pills online, no prescription, order now and save!\n",
    "Subject: lottery winner\n\nCongratulations winner, send your bank account to claim the prize.\n",
    "Subject: make money fast\n\nMake money fast from home, free offer, click now!\n",
};

static double
s_score (bayes_t *b, const char *msg, const bayes_params_t *p)
{
    content_t c;
    content_init (&c);
    content_tokenize (&c, msg, strlen (msg), &s_opts);
    double s = bayes_score (b, &c.tokens, p, NULL, 0, NULL);
    content_free (&c);
    return s;
}

static void
test_train_then_score (void **state)
{
    char dir[] = "/tmp/farm-bayes.XXXXXX";
    assert_non_null (mkdtemp (dir));
    char file[128], version[64], err[256];
    snprintf (file, sizeof file, "%s/bayes.mdb", dir);
    bayes_table_t *t = bayes_table_new ();
    content_t c;
    content_init (&c);
    for (int i = 0; i < 5; i++) {
        content_tokenize (&c, s_ham[i], strlen (s_ham[i]), &s_opts);
        bayes_table_learn (t, &c.tokens, false);
        content_tokenize (&c, s_spam[i], strlen (s_spam[i]), &s_opts);
        bayes_table_learn (t, &c.tokens, true);
    }
    content_free (&c);
    //  Ten small messages are separable: the last pass misjudges none.
    assert_int_equal (bayes_table_fit (t, 10, 8.0), 0);
    assert_int_equal (bayes_table_write (t, file, "tok4 bigrams=1", version, err, sizeof err), 0);
    assert_int_equal (access (file, R_OK), 0);
    char newfile[160];
    snprintf (newfile, sizeof newfile, "%s.new", file);
    assert_int_not_equal (access (newfile, F_OK), 0);   //  renamed into place
    bayes_table_destroy (&t);
    bayes_t *b = bayes_open (file, err, sizeof err);
    assert_non_null (b);
    assert_string_equal (bayes_version (b), version);
    assert_string_equal (bayes_tokenizer (b), "tok4 bigrams=1");
    assert_int_equal (bayes_nham (b), 5);
    assert_int_equal (bayes_nspam (b), 5);
    bayes_params_t p;
    bayes_params_default (&p);
    double spammy = s_score (b, "Subject: free prize\n\nClick here now for free money and a prize!\n", &p);
    double hammy = s_score (b, "Subject: notes\n\nThe meeting agenda and the build patch are attached.\n", &p);
    double unknown = s_score (b, "Subject: zzz\n\nqwerty asdfgh zxcvbn\n", &p);
    assert_true (spammy > 0.9);
    assert_true (hammy < 0.1);
    assert_true (hammy < unknown && unknown < spammy);
    //  --add: the old counts kept, new ones added.
    bayes_table_t *t2 = bayes_table_new ();
    assert_int_equal (bayes_table_load (t2, file, err, sizeof err), 0);
    assert_int_equal (bayes_table_nham (t2), 5);
    //  An operator feeds back a mis-scored message: it scores lower after.
    const char *fed = "Subject: free prize draw\n\nThe team prize draw is on Friday, click here to vote now!\n";
    double before = s_score (b, fed, &p);
    content_init (&c);
    content_tokenize (&c, fed, strlen (fed), &s_opts);
    bayes_table_learn (t2, &c.tokens, false);
    content_free (&c);
    assert_int_equal (bayes_table_fit (t2, 10, 8.0), 0);
    char v2[64];
    assert_int_equal (bayes_table_write (t2, file, "tok4 bigrams=1", v2, err, sizeof err), 0);
    bayes_table_destroy (&t2);
    bayes_t *b2 = bayes_open (file, err, sizeof err);
    assert_int_equal (bayes_nham (b2), 6);
    assert_string_not_equal (bayes_version (b2), version);
    double after = s_score (b2, fed, &p);
    assert_true (before > 0.5);
    assert_true (after < 0.5);
    //  The rest of the model still stands.
    assert_true (s_score (b2, "Subject: cheap meds\n\nCheap pills, no prescription, order now!\n", &p) > 0.9);
    bayes_destroy (&b2);
    bayes_destroy (&b);
    //  Not a model: refused with a reason, no crash.
    FILE *f = fopen (file, "w");
    fputs ("not an lmdb file", f);
    fclose (f);
    assert_null (bayes_open (file, err, sizeof err));
    assert_true (strlen (err) > 0);
    char rm[128];
    snprintf (rm, sizeof rm, "rm -rf %s", dir);
    assert_int_equal (system (rm), 0);
}

static void
test_params_file (void **state)
{
    char path[] = "/tmp/farm-params.XXXXXX";
    int fd = mkstemp (path);
    assert_true (fd >= 0);
    const char *good = "bayes\n    hold = 0.8\n    reject = 0.95\n    max-tokens = 0\n";
    assert_int_equal (write (fd, good, strlen (good)), (ssize_t) strlen (good));
    close (fd);
    bayes_params_t p;
    bayes_params_default (&p);
    char err[256];
    assert_int_equal (bayes_params_load (&p, path, err, sizeof err), 0);
    assert_true (p.hold == 0.8 && p.reject == 0.95 && p.max_tokens == 0);
    FILE *f = fopen (path, "w");
    fputs ("bayes\n    hold = 1.5\n", f);
    fclose (f);
    assert_int_equal (bayes_params_load (&p, path, err, sizeof err), -1);
    assert_non_null (strstr (err, "bayes/hold"));
    f = fopen (path, "w");
    fputs ("bayes\n    hold = 0.9\n    reject = 0.5\n", f);
    fclose (f);
    assert_int_equal (bayes_params_load (&p, path, err, sizeof err), -1);
    unlink (path);
}

static int
s_cmp_dev_desc (const void *a, const void *b)
{
    double x = fabs (*(const double *) a - 0.5), y = fabs (*(const double *) b - 0.5);
    return x < y ? 1 : x > y ? -1 : 0;
}

static void
test_strongest_selection (void **state)
{
    srand (7);
    for (int round = 0; round < 500; round++) {
        size_t n = 1 + (size_t) (rand () % 300), k = (size_t) (rand () % (n + 1));
        bayes_clue_t *c = calloc (n, sizeof *c);
        double *all = calloc (n, sizeof *all);
        for (size_t i = 0; i < n; i++) {
            //  Plenty of ties: values on a coarse grid.
            c[i].f = all[i] = (rand () % 21) / 20.0;
            c[i].index = i;
        }
        bayes_strongest (c, n, k);
        qsort (all, n, sizeof *all, s_cmp_dev_desc);
        //  The k selected are as strong as the k strongest, and the set is
        //  a permutation of the input.
        double got = 0, want = 0;
        for (size_t i = 0; i < k; i++) {
            got += fabs (c[i].f - 0.5);
            want += fabs (all[i] - 0.5);
        }
        assert_true (fabs (got - want) < 1e-9);
        char *seen = calloc (n, 1);
        for (size_t i = 0; i < n; i++) {
            assert_true (c[i].index < n);
            assert_false (seen[c[i].index]);
            seen[c[i].index] = 1;
        }
        free (seen);
        free (c);
        free (all);
    }
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_train_then_score),
        cmocka_unit_test (test_params_file),
        cmocka_unit_test (test_strongest_selection),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
