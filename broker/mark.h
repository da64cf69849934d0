/*  mark.h: the broker's seal on an operator's release. A released message
 *  goes back through incoming/ with `released:` (no content or compromise
 *  hold) and `released-mark:`, an HMAC-SHA256 of its queue id and that time
 *  under a key only the broker reads (SPOOL/broker.key, 0600, made at its
 *  first start). Anyone who can write incoming/ (every user the MTA's pipe
 *  runs as) can write `released:`, but not the mark: dispatch ignores a
 *  release without a good one, and says so. */
#ifndef FARM_MARK_H
#define FARM_MARK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MARK_HEX 65             //  64 hex digits and a NUL

typedef struct mark_t mark_t;

//  The key of the spool at root (made when absent). NULL with err.
mark_t *mark_new (const char *root, char *err, size_t errlen);
void mark_destroy (mark_t **self_p);
//  The seal of qid released at released.
void mark_make (const mark_t *self, const char *qid, int64_t released, char out[MARK_HEX]);
//  Whether mark is qid's seal for released.
bool mark_check (const mark_t *self, const char *qid, int64_t released, const char *mark);
#endif
