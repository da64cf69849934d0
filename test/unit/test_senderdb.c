/*  test_senderdb.c: the broker's sender records behind their write-back
 *  cache: read back what was put, through evictions when there are more
 *  accounts than the cache holds; dirty records counted and committed;
 *  everything there after a reopen; a full map said as ENOSPC. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "senderdb.h"
#include "unit.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define T0 1767225600

static void
s_record (sender_t *s, int i)
{
    sender_init (s, T0 + i);
    s->total = (uint32_t) (1000 + i);
}

static void
test_cache_evicts_and_reopens (void **state)
{
    char path[160], err[256], key[SENDERDB_KEY], name[32];
    snprintf (path, sizeof path, "%s/senders.mdb", unit_root);
    senderdb_t *db = senderdb_new (path, 64, 64, false, err, sizeof err);     //  a cache of 64 records
    assert_non_null (db);
    sender_t s;
    for (int i = 0; i < 500; i++) {
        snprintf (name, sizeof name, "acct%d", i);
        senderdb_key (key, 'a', name);
        s_record (&s, i);
        assert_int_equal (senderdb_put (db, key, &s), 0);
        if (senderdb_dirty (db) >= 32)
            assert_int_equal (senderdb_commit (db), 0);
    }
    //  Every one reads back, whether in the cache or only in the file.
    for (int i = 0; i < 500; i += 7) {
        snprintf (name, sizeof name, "acct%d", i);
        senderdb_key (key, 'a', name);
        assert_int_equal (senderdb_get (db, key, &s), 1);
        assert_int_equal (s.total, 1000 + i);
    }
    senderdb_key (key, 'a', "nobody");
    assert_int_equal (senderdb_get (db, key, &s), 0);
    senderdb_destroy (&db);             //  commits what is dirty
    assert_null (db);
    db = senderdb_new (path, 64, 64, false, err, sizeof err);
    assert_non_null (db);
    size_t records, bytes, map;
    senderdb_usage (db, &records, &bytes, &map);
    assert_int_equal (records, 500);
    senderdb_key (key, 'a', "acct499");
    assert_int_equal (senderdb_get (db, key, &s), 1);
    assert_int_equal (s.total, 1499);
    senderdb_destroy (&db);
}

static void
test_keys (void **state)
{
    char a[SENDERDB_KEY], b[SENDERDB_KEY];
    senderdb_key (a, 'd', "Shop.EXAMPLE");
    senderdb_key (b, 'd', "shop.example");
    assert_string_equal (a, b);
    assert_int_equal (strncmp (a, "d:", 2), 0);
    senderdb_key (a, 'a', "Alice");
    senderdb_key (b, 'a', "alice");
    assert_string_not_equal (a, b);     //  account names are as the MTA gives them
    char longname[1000];
    memset (longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    senderdb_key (a, 'a', longname);
    assert_true (strlen (a) < SENDERDB_KEY);
}

static void
test_full_map (void **state)
{
    char path[160], err[256], key[SENDERDB_KEY], name[32];
    snprintf (path, sizeof path, "%s/small.mdb", unit_root);
    senderdb_t *db = senderdb_new (path, 1, 64, false, err, sizeof err);      //  1 MiB
    assert_non_null (db);
    sender_t s;
    int rc = 0;
    for (int i = 0; i < 5000 && rc == 0; i++) {
        snprintf (name, sizeof name, "acct%d", i);
        senderdb_key (key, 'a', name);
        s_record (&s, i);
        rc = senderdb_put (db, key, &s);
        if (rc == 0 && senderdb_dirty (db) >= 32)
            rc = senderdb_commit (db);
    }
    assert_int_equal (rc, -1);
    assert_int_equal (errno, ENOSPC);
    senderdb_destroy (&db);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        unit_test_files (test_cache_evicts_and_reopens),
        cmocka_unit_test (test_keys),
        unit_test_files (test_full_map),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
