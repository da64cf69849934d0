/*  test_params.c: the table of every configuration key holds together:
 *  each key once, each flag once per program, a meaning for each, every
 *  default a value its own key accepts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "cfg.h"
#include "params.h"
#include <stdio.h>
#include <string.h>

static void
test_keys_and_flags_unique (void **state)
{
    assert_true (params_count >= 50);
    for (size_t i = 0; i < params_count; i++) {
        const cfg_key_t *a = &params_table[i];
        assert_non_null (strchr (a->path, '/'));
        assert_true (a->help && strlen (a->help) > 10);
        assert_true (a->users != 0);
        assert_true (a->type != CFG_ENUM || (a->choices && strchr (a->choices, '|')));
        for (size_t j = i + 1; j < params_count; j++) {
            const cfg_key_t *b = &params_table[j];
            if (strcmp (a->path, b->path) == 0)
                fail_msg ("%s declared twice", a->path);
            if (a->flag && b->flag && (a->users & b->users) && strcmp (a->flag, b->flag) == 0)
                fail_msg ("--%s is both %s and %s", a->flag, a->path, b->path);
        }
    }
}

static void
test_defaults_accepted (void **state)
{
    cfg_t *c = cfg_new (0x7f);
    char err[256];
    for (size_t i = 0; i < params_count; i++) {
        const cfg_key_t *k = &params_table[i];
        if (!k->def)
            continue;       //  required: no default to check
        if (cfg_set (c, k->path, k->def, err, sizeof err) != 0)
            fail_msg ("the default of %s is refused: %s", k->path, err);
    }
    cfg_destroy (&c);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_keys_and_flags_unique),
        cmocka_unit_test (test_defaults_accepted),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
