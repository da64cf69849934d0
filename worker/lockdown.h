/*  lockdown.h: domain lockdown. The accounts table says which domains each
 *  account may send as (`account domain [domain ...]` a line; `*.example.com`
 *  covers every subdomain of example.com). Without a table lockdown is off. */
#ifndef FARM_LOCKDOWN_H
#define FARM_LOCKDOWN_H
#include <stdbool.h>
#include <stdint.h>

typedef struct lockdown_t lockdown_t;

//  file "" or NULL: lockdown off. check_ms: how often to look for changes.
lockdown_t *lockdown_new (const char *file, int64_t check_ms);
void lockdown_destroy (lockdown_t **self_p);
bool lockdown_enabled (lockdown_t *self);
//  A table is in use (lockdown on, and one could be read); its file.
bool lockdown_loaded (lockdown_t *self);
const char *lockdown_file (lockdown_t *self);
//  Reload the table if it changed (a table that cannot be read keeps the
//  last good one).
void lockdown_refresh (lockdown_t *self);
//  True when account may send as domain.
bool lockdown_owns (lockdown_t *self, const char *account, const char *domain);
#endif
