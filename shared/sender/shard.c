/*  shard.c: rendezvous hashing of senders to brokers (see shard.h). */
#include "shard.h"
#include "baseline.h"
#include <string.h>

size_t
shard_pick (const char *sender, char *const *brokers, size_t n)
{
    uint64_t hs = baseline_hash (sender, strlen (sender)), best = 0;
    size_t pick = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t z = hs ^ baseline_hash (brokers[i], strlen (brokers[i]));
        //  splitmix64's finaliser: the pair's score.
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        if (i == 0 || z > best) {
            best = z;
            pick = i;
        }
    }
    return pick;
}
