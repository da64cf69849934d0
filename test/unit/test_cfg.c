/*  test_cfg.c: configuration values: defaults, a ZPL file, flags over the
 *  file, bad values refused by the key's name, enumerated keys, and the
 *  parameter tables of the model files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "cfg.h"
#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_write (const char *path, const char *text)
{
    FILE *f = fopen (path, "w");
    assert_non_null (f);
    fputs (text, f);
    fclose (f);
}

static void
test_defaults_file_flags (void **state)
{
    cfg_t *c = cfg_new (CFG_BROKER);
    assert_int_equal (cfg_int (c, "spool/retry-s"), 300);
    assert_false (cfg_bool (c, "wire/insecure-tcp"));
    char file[128], err[256];
    snprintf (file, sizeof file, "%s/farm.cfg", unit_root);
    s_write (file, "spool\n    retry-s = 77\n    batch = 64\nwire\n    insecure-tcp = yes\n");
    //  The file first, then flags win over it; what is not a flag stays.
    char *argv[] = { "farm-broker", "--config", file, "--retry-s=9", "left", NULL };
    int argc = 5;
    assert_int_equal (cfg_args (c, &argc, argv, err, sizeof err), 0);
    assert_int_equal (argc, 2);
    assert_string_equal (argv[1], "left");
    assert_int_equal (cfg_int (c, "spool/retry-s"), 9);
    assert_int_equal (cfg_int (c, "spool/batch"), 64);
    assert_true (cfg_bool (c, "wire/insecure-tcp"));
    cfg_destroy (&c);
    assert_null (c);
}

static void
test_bad_values_named (void **state)
{
    cfg_t *c = cfg_new (CFG_BROKER | CFG_WORKER);
    char err[256];
    assert_int_equal (cfg_set (c, "spool/retry-s", "0", err, sizeof err), -1);     //  below its minimum
    assert_non_null (strstr (err, "spool/retry-s"));
    assert_int_equal (cfg_set (c, "spool/retry-s", "12x", err, sizeof err), -1);
    assert_int_equal (cfg_set (c, "wire/insecure-tcp", "maybe", err, sizeof err), -1);
    assert_int_equal (cfg_set (c, "no/such-key", "1", err, sizeof err), -1);
    assert_non_null (strstr (err, "no/such-key"));
    //  Enumerated: one of the words, and its index.
    assert_int_equal (cfg_enum (c, "spool/sync"), 0);
    assert_int_equal (cfg_set (c, "spool/sync", "files", err, sizeof err), 0);
    assert_int_equal (cfg_enum (c, "spool/sync"), 1);
    assert_int_equal (cfg_set (c, "spool/sync", "file", err, sizeof err), -1);
    assert_non_null (strstr (err, "filesystem|files"));
    assert_int_equal (cfg_set (c, "dkim/signer", "opendkim", err, sizeof err), 0);
    assert_int_equal (cfg_enum (c, "dkim/signer"), 1);
    //  A value refused leaves the one before.
    assert_int_equal (cfg_enum (c, "spool/sync"), 1);
    //  A flag of another program is unknown here.
    char *argv[] = { "farm-broker", "--smarthost", "x:25", NULL };
    int argc = 3;
    assert_int_equal (cfg_args (c, &argc, argv, err, sizeof err), -1);
    assert_non_null (strstr (err, "--smarthost"));
    cfg_destroy (&c);
}

typedef struct {
    double rate;
    size_t count;
    unsigned passes;
} s_params_t;

static const cfg_param_t s_table[] = {
    { "sec/rate", CFG_PARAM_REAL, offsetof (s_params_t, rate), 0.5, 0, 1, "a rate" },
    { "sec/count", CFG_PARAM_SIZE, offsetof (s_params_t, count), 400, 0, 1000, "a count" },
    { "sec/passes", CFG_PARAM_UINT, offsetof (s_params_t, passes), 10, 1, 100, "passes" },
};

static void
test_param_tables (void **state)
{
    s_params_t p;
    cfg_params_default (s_table, 3, &p);
    assert_true (p.rate == 0.5);
    assert_int_equal (p.count, 400);
    assert_int_equal (p.passes, 10);
    char file[128], err[256];
    snprintf (file, sizeof file, "%s/m.cfg", unit_root);
    s_write (file, "sec\n    rate = 0.25\n    passes = 3\n");
    assert_int_equal (cfg_params_load (s_table, 3, &p, sizeof p, file, err, sizeof err), 0);
    assert_true (p.rate == 0.25);
    assert_int_equal (p.count, 400);       //  not in the file: kept
    assert_int_equal (p.passes, 3);
    //  One bad value: refused by name, and nothing of the file taken.
    s_write (file, "sec\n    rate = 0.75\n    count = 5000\n");
    assert_int_equal (cfg_params_load (s_table, 3, &p, sizeof p, file, err, sizeof err), -1);
    assert_non_null (strstr (err, "sec/count"));
    assert_true (p.rate == 0.25);
    snprintf (file, sizeof file, "%s/absent.cfg", unit_root);
    assert_int_equal (cfg_params_load (s_table, 3, &p, sizeof p, file, err, sizeof err), -1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        unit_test_files (test_defaults_file_flags),
        cmocka_unit_test (test_bad_values_named),
        unit_test_files (test_param_tables),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
