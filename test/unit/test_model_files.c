/*  test_model_files.c: the parameter files shipped in models/ document
 *  every parameter the code declares, each at its default, and nothing the
 *  code does not know: the tables (bayes.c, compromise.c) and the files
 *  cannot drift apart. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "bayes.h"
#include "compromise.h"
#include <czmq.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

//  TOP/models/name, from this program's place (TOP/build*/test/).
static void
s_models (char *out, size_t len, const char *name)
{
    char self[1024];
    ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
    assert_true (n > 0);
    self[n] = 0;
    for (int up = 0; up < 3; up++)
        *strrchr (self, '/') = 0;
    snprintf (out, len, "%s/models/%s", self, name);
}

//  Every leaf "section/name" of the file is in the table, every entry of the
//  table is in the file, and the file's value is the default.
static void
s_check (const char *file, const cfg_param_t *t, size_t n)
{
    zconfig_t *root = zconfig_load (file);
    if (!root)
        fail_msg ("%s: cannot read it", file);
    for (size_t i = 0; i < n; i++) {
        const char *v = zconfig_get (root, t[i].path, NULL);
        if (!v)
            fail_msg ("%s does not document %s", file, t[i].path);
        if (strtod (v, NULL) != t[i].def)
            fail_msg ("%s: %s = %s, the default is %g", file, t[i].path, v, t[i].def);
    }
    for (zconfig_t *sec = zconfig_child (root); sec; sec = zconfig_next (sec))
        for (zconfig_t *k = zconfig_child (sec); k; k = zconfig_next (k)) {
            char path[256];
            snprintf (path, sizeof path, "%s/%s", zconfig_name (sec), zconfig_name (k));
            bool known = false;
            for (size_t i = 0; i < n && !known; i++)
                known = !strcmp (t[i].path, path);
            if (!known)
                fail_msg ("%s has %s, which the code does not read", file, path);
        }
    zconfig_destroy (&root);
}

static void
test_files_match_tables (void **state)
{
    char file[1200];
    size_t n;
    s_models (file, sizeof file, "bayes.cfg");
    const cfg_param_t *t = bayes_params_table (&n);
    s_check (file, t, n);
    s_models (file, sizeof file, "compromise.cfg");
    t = compromise_params_table (&n);
    s_check (file, t, n);
    //  Each loads, and gives the defaults.
    bayes_params_t bp, bd;
    bayes_params_default (&bd);
    bp = bd;
    char err[256];
    s_models (file, sizeof file, "bayes.cfg");
    assert_int_equal (bayes_params_load (&bp, file, err, sizeof err), 0);
    assert_memory_equal (&bp, &bd, sizeof bp);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_files_match_tables),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
