/*  flagfile.h: the flags of accounts and domains, kept beside the sender
 *  state in a small text file of their own (STATE.flags), so that a state
 *  file lost, cut short or moved aside never loses a flag silently: at
 *  start every flag of the file that the state does not have is put back.
 *
 *  One line a flag: KEY TAB FLAGGED-AT TAB REASON (KEY as senderdb's,
 *  "a:ACCOUNT" or "d:DOMAIN"; the reason without tabs or newlines). The
 *  file is written whole (tmp, fsync, rename, directory fsync) before the
 *  state's commit that carries the change, so that it never lags a flag the
 *  state has made durable. */
#ifndef FARM_FLAGFILE_H
#define FARM_FLAGFILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct flagfile_t flagfile_t;

//  Read path (absent: no flags); lines that cannot be read are skipped, said.
flagfile_t *flagfile_new (const char *path);
void flagfile_destroy (flagfile_t **self_p);
//  Note key as flagged (at, reason) or, reason NULL, as not flagged.
void flagfile_set (flagfile_t *self, const char *key, int64_t at, const char *reason);
//  Write the file when it changed: 0, or -1 with errno.
int flagfile_save (flagfile_t *self);
size_t flagfile_count (flagfile_t *self);
//  Each flag: fn (arg, key, at, reason).
typedef void (flagfile_fn) (void *arg, const char *key, int64_t at, const char *reason);
void flagfile_each (flagfile_t *self, flagfile_fn *fn, void *arg);
#endif
