/*  shard.h: which broker owns a sender, when there are several.
 *  Rendezvous (highest random weight) hashing: each broker name scores
 *  hash(broker, sender) and the highest wins. Every host computes the same
 *  answer from the same list, in any order; adding a broker moves only the
 *  senders it now wins (about 1 in N+1), and removing one moves only its own. */
#ifndef FARM_SHARD_H
#define FARM_SHARD_H
#include <stddef.h>

//  The index into brokers[0..n) of the broker that owns sender (case folded).
size_t shard_pick (const char *sender, char *const *brokers, size_t n);
#endif
