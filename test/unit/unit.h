/*  unit.h: what the cmocka unit tests share: a private folder for each test
 *  that needs files (unit_setup / unit_teardown, in unit_root), and the count
 *  of a directory's entries. Include after cmocka.h. */
#ifndef FARM_UNIT_H
#define FARM_UNIT_H
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char unit_root[64];

static inline int
unit_setup (void **state)
{
    (void) state;
    snprintf (unit_root, sizeof unit_root, "%s/farm-unit.XXXXXX",
              getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp");
    return mkdtemp (unit_root) ? 0 : -1;
}

static inline int
unit_teardown (void **state)
{
    (void) state;
    char cmd[128];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", unit_root);
    return system (cmd) == 0 ? 0 : -1;
}

//  Entries of the directory open as dirfd, but those starting with '.'.
static inline size_t
unit_count (int dirfd)
{
    DIR *d = fdopendir (dup (dirfd));
    if (!d)
        return 0;
    rewinddir (d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir (d)))
        n += e->d_name[0] != '.';
    closedir (d);
    return n;
}

#define unit_test_files(f) cmocka_unit_test_setup_teardown (f, unit_setup, unit_teardown)
#endif
