/*  senderdb.h: the broker's store of sender records (sender.h): an LMDB
 *  environment (one file, MDB_NOSUBDIR) with one writer, the broker, behind
 *  a write-back cache of the records in use.
 *
 *  Dispatch reads and writes records in the cache (a hash table with clock
 *  eviction of clean records), so its cost does not depend on how many
 *  accounts the file holds; senderdb_commit writes every changed record in
 *  one transaction. The broker commits every state/flush-ms, when a quarter
 *  of the cache is dirty, and at once after a flag or an operator's change:
 *  a broker killed outright loses at most that long of counting, never a
 *  flag. Keys: "a:ACCOUNT" for an account, "d:DOMAIN" for the domain-wide
 *  view of a From: domain.
 *
 *  Flags are also kept in PATH.flags (flagfile.h), written before the
 *  commit that carries them, and put back at start when the state lost them.
 *
 *  When the map is full, senderdb_commit fails with ENOSPC and the records
 *  stay dirty; once no clean record is left to evict, senderdb_get fails with
 *  ENOSPC too, and the caller defers the message with a reason that names
 *  state/map-mb. */
#ifndef FARM_SENDERDB_H
#define FARM_SENDERDB_H
#include "sender.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct senderdb_t senderdb_t;

//  cache_records: records kept in memory (at least 64). A file cut short
//  (its pages reach past its end: truncated, a copy not finished) is never
//  read (a SIGBUS): refused, or with move_aside renamed PATH.damaged-TIME and
//  begun anew, said loudly. Either way the flags of PATH.flags (flagfile.h)
//  not in the state are put back. NULL with err when the file cannot be
//  opened or made, or is refused.
senderdb_t *senderdb_new (const char *path, size_t map_mb, size_t cache_records, bool move_aside,
                          char *err, size_t errlen);
//  Commits what is dirty (logged when it cannot).
void senderdb_destroy (senderdb_t **self_p);
#define SENDERDB_KEY 64
//  Key for an account or domain into key (SENDERDB_KEY bytes): "a:" or "d:"
//  and the name, lowercased for domains; long names are hashed.
void senderdb_key (char *key, char kind, const char *name);
//  1 with *out read, 0 when there is no record, -1 with errno on failure.
int senderdb_get (senderdb_t *self, const char *key, sender_t *out);
//  0, or -1 with errno (ENOSPC: no room left in the cache or the map).
int senderdb_put (senderdb_t *self, const char *key, const sender_t *s);
//  Write every changed record: 0, or -1 with errno (ENOSPC: the map is full).
int senderdb_commit (senderdb_t *self);
//  Records changed since the last commit.
size_t senderdb_dirty (senderdb_t *self);
//  Records of other kinds beside the sender records (what the broker keeps
//  of delivered mail for its feedback: "q:QID", "m:MESSAGE-ID-HASH"):
//  written with the next commit (counted as changed), read back before it
//  too. 0, or -1 with errno.
int senderdb_put_raw (senderdb_t *self, const char *key, const void *data, size_t len);
//  1 with up to cap bytes in buf and its whole size in *len, 0 when there is
//  none, -1 with errno.
int senderdb_get_raw (senderdb_t *self, const char *key, void *buf, size_t cap, size_t *len);
//  Walk at most max records whose key starts with prefix, from the one after
//  from (SENDERDB_KEY bytes; "": the first), and remove those fn says to
//  (1: remove, 0: keep, -1: stop here, keeping it). from is left at the last
//  one walked, "" once the walk reached the end or stopped. How many removed.
typedef int (senderdb_prune_fn) (void *arg, const char *key, const void *val, size_t len);
size_t senderdb_prune (senderdb_t *self, const char *prefix, char *from, size_t max,
                       senderdb_prune_fn *fn, void *arg);
//  Call fn for every record whose key starts with prefix (after a commit).
typedef void (senderdb_fn) (void *arg, const char *key, const sender_t *s);
int senderdb_each (senderdb_t *self, const char *prefix, senderdb_fn *fn, void *arg);
//  Records stored, and bytes of the map in use.
void senderdb_usage (senderdb_t *self, size_t *records, size_t *bytes, size_t *map_bytes);
#endif
