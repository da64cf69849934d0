/*  senders.h: the broker's store of sender records (sender.h) in LMDB, one
 *  environment (a file, MDB_NOSUBDIR), one writer: the broker. Writes are
 *  batched: the first change opens a write transaction and senders_commit,
 *  called once per burst of work, commits it. Keys: "a:ACCOUNT" for an
 *  account, "d:DOMAIN" for the domain-wide view of a From: domain.
 *
 *  When the map is full a write fails with ENOSPC; the open transaction is
 *  lost (the counts of that burst) and the caller defers the message with a
 *  reason that names state/map-mb. */
#ifndef FARM_SENDERS_H
#define FARM_SENDERS_H
#include "sender.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct senders_t senders_t;

//  NULL with err when the file cannot be opened or made.
senders_t *senders_new (const char *path, size_t map_mb, char *err, size_t errlen);
void senders_destroy (senders_t **self_p);
//  Key for an account or domain into key (size bytes): "a:" or "d:" and the
//  name, lowercased for domains; long names are hashed.
void senders_key (char *key, size_t size, char kind, const char *name);
//  1 with *out read, 0 when there is no record, -1 with errno on failure.
int senders_get (senders_t *self, const char *key, sender_t *out);
//  0, or -1 with errno (ENOSPC: the map is full).
int senders_put (senders_t *self, const char *key, const sender_t *s);
//  Commit what was written since the last commit: 0, or -1 with errno.
int senders_commit (senders_t *self);
//  Call fn for every record whose key starts with prefix (after a commit).
typedef void (senders_fn) (void *arg, const char *key, const sender_t *s);
int senders_each (senders_t *self, const char *prefix, senders_fn *fn, void *arg);
//  Records stored, and bytes of the map in use.
void senders_usage (senders_t *self, size_t *records, size_t *bytes, size_t *map_bytes);
#endif
